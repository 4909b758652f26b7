# syntax=docker/dockerfile:1
# Build: docker build -t surveyworker .
# The image runs "surveyworker serve"; give it DATABASE_URL and
# SURVEYWORKER_HMAC_KEY (see docker-compose.yml and docs/OPERATIONS.md).
# .dockerignore keeps .git out of the build context, so the build
# arguments say what 'surveyworker version' prints:
#   docker build --build-arg VERSION=$(git describe --always --dirty) \
#     --build-arg COMMIT=$(git rev-parse HEAD) \
#     --build-arg BUILD_TIME=$(date -u +%Y-%m-%dT%H:%M:%SZ) -t surveyworker .

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# Empty arguments fall back to what the Go toolchain records: "(devel)"
# and no commit.
ARG VERSION=""
ARG COMMIT=""
ARG BUILD_TIME=""
RUN CGO_ENABLED=0 go build -trimpath \
    -ldflags="-s -w -X main.version=${VERSION} -X main.commit=${COMMIT} -X main.buildTime=${BUILD_TIME}" \
    -o /out/surveyworker ./cmd/surveyworker \
 && mkdir -p /out/data/inbox /out/data/out /out/data/state

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/surveyworker /usr/local/bin/surveyworker
# Owned by the non-root user, so that named volumes mounted here start
# out writable by it (Docker copies the ownership into an empty volume).
COPY --from=build --chown=nonroot:nonroot /out/data /data
USER nonroot:nonroot
WORKDIR /data
ENV SURVEYWORKER_INBOX=/data/inbox \
    SURVEYWORKER_OUT=/data/out \
    SURVEYWORKER_DATA_DIR=/data/state \
    SURVEYWORKER_HTTP=:8080 \
    SURVEYWORKER_LOG_FORMAT=json
VOLUME ["/data/inbox", "/data/out", "/data/state"]
EXPOSE 8080
# distroless has no shell or curl: the binary asks its own /healthz.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["/usr/local/bin/surveyworker", "health", "--timeout", "5s"]
ENTRYPOINT ["/usr/local/bin/surveyworker"]
CMD ["serve"]
