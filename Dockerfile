# syntax=docker/dockerfile:1
# Build: docker build -t surveyworker .
# The image runs "surveyworker serve"; give it DATABASE_URL (see docker-compose.yml).

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/surveyworker ./cmd/surveyworker \
 && mkdir -p /out/data/inbox /out/data/out

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/surveyworker /usr/local/bin/surveyworker
COPY --from=build --chown=nonroot:nonroot /out/data /data
USER nonroot:nonroot
WORKDIR /data
ENV SURVEYWORKER_INBOX=/data/inbox \
    SURVEYWORKER_OUT=/data/out \
    SURVEYWORKER_DATA_DIR=/data/state \
    SURVEYWORKER_HTTP=:8080 \
    SURVEYWORKER_LOG_FORMAT=json
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK NONE
ENTRYPOINT ["/usr/local/bin/surveyworker"]
CMD ["serve"]
