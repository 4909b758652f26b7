# surveyworker: two commands on a fresh machine.
#   make demo   build, start a private PostgreSQL, ingest examples/inbox, rank,
#               write out/demo/*.xlsx and "send" the e-mail to out/demo/outbox/
#   make test   vet, gofmt check and every test, against a real PostgreSQL

GO      ?= go
BIN     := bin/surveyworker
DEMO    := out/demo
PG_GLOB := /usr/lib/postgresql/*/bin/initdb

# Tools the checks use, installed with go install into .tools/ at pinned
# versions, so every machine runs the same checks.
TOOLS               := $(CURDIR)/.tools
STATICCHECK_MODULE  := honnef.co/go/tools/cmd/staticcheck@v0.8.2
STATICCHECK         := $(TOOLS)/staticcheck-v0.8.2

# RACE_PKGS are the packages with goroutines of their own (the worker
# runtime, mail delivery, the store's locks and private server, the test
# SMTP server and serve's end-to-end tests): make test runs them under the
# race detector, and the rest without it.
RACE_PKGS := ./schedules/... ./report/... ./store/... ./internal/smtptest/... ./cmd/...

.PHONY: all build test vet lint demo bench fuzz clean postgres

all: build

build:
	$(GO) build -o $(BIN) ./cmd/surveyworker

# postgres makes sure PostgreSQL server binaries are installed; the tests and
# the demo start their own private server from them.
postgres:
	@if command -v initdb >/dev/null 2>&1 || ls $(PG_GLOB) >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing PostgreSQL server binaries (apt-get install postgresql)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null; \
	else \
		echo "PostgreSQL server binaries not found: install PostgreSQL (e.g. apt-get install postgresql) or set TEST_DATABASE_URL"; exit 1; \
	fi

vet:
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	@if git grep -nE '^(<<<<<<<|>>>>>>>) ' -- . 2>/dev/null; then echo "merge conflict markers left"; exit 1; fi

# lint runs staticcheck and checks that go.mod and go.sum are tidy.
lint: $(STATICCHECK)
	$(STATICCHECK) ./...
	@$(GO) mod tidy -diff || { echo "go.mod/go.sum are not tidy: run go mod tidy"; exit 1; }

$(STATICCHECK):
	@mkdir -p $(TOOLS)
	GOBIN=$(TOOLS) $(GO) install $(STATICCHECK_MODULE)
	@mv $(TOOLS)/staticcheck $@

test: postgres vet lint
	$(GO) test -count=1 $$($(GO) list ./... | grep -v -x -F "$$($(GO) list $(RACE_PKGS))")
	$(GO) test -race -count=1 $(RACE_PKGS)
	@$(MAKE) --no-print-directory fuzz

# fuzz runs each fuzz test of the reading path for FUZZTIME (a short run in
# make test; try FUZZTIME=10m by hand). A failing input is saved under
# ingest/testdata/fuzz/ and then replays in every go test run.
FUZZTIME ?= 10s
FUZZ_TARGETS := FuzzParse FuzzDetectHeaders
fuzz:
	@for f in $(FUZZ_TARGETS); do \
		echo "fuzz $$f for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$f\$$" -fuzztime $(FUZZTIME) ./ingest/ || exit 1; \
	done

demo: postgres build
	@rm -rf $(DEMO) .surveyworker/demo
	@mkdir -p $(DEMO)/inbox
	@cp examples/inbox/* $(DEMO)/inbox/
	SURVEYWORKER_DATA_DIR=.surveyworker/demo SURVEYWORKER_LEADS=examples/leads.csv \
		./$(BIN) run --practices examples/practices.csv --inbox $(DEMO)/inbox --out $(DEMO)

# bench: ingest end to end against psql \copy and bare excelize, at 10,000
# and 100,000 respondents (SURVEYWORKER_BENCH_LARGE=1 adds 1,000,000), then
# the ranking's SQL aggregation and bootstrap at 6,500 practices and
# 1,000,000 respondents. Figures are recorded in docs/BENCHMARKS.md. Last,
# the full coverage study of the intervals and tier confidence (4,000
# surveys per scenario), whose tables are in docs/METHOD.md §9.
bench: postgres
	$(GO) test -run '^$$' -bench BenchmarkIngest -benchmem -benchtime=1x -timeout 2h ./ingest/
	$(GO) test -run '^$$' -bench BenchmarkRank -benchtime=1x -timeout 1h ./analysis/
	$(GO) test -run '^$$' -bench BenchmarkCoverage -benchtime=1x -timeout 2h ./analysis/

clean:
	rm -rf bin out .surveyworker .tools
