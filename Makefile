# surveyworker: two commands on a fresh machine.
#   make demo   build, start a private PostgreSQL, ingest examples/inbox, rank,
#               write out/demo/*.xlsx and "send" the e-mail to out/demo/outbox/
#   make test   vet, gofmt check and every test, against a real PostgreSQL
#   make demo-web  make demo, then serve it with the web interface on loopback

GO      ?= go
BIN     := bin/surveyworker
DEMO    := out/demo
PG_GLOB := /usr/lib/postgresql/*/bin/initdb

# What 'surveyworker version' prints. The Go toolchain records the commit
# only when it finds a .git directory (not in a git worktree, nor with
# -buildvcs=false), and never the build time, so the build says them.
VERSION    := $(shell git describe --always --dirty 2>/dev/null)
COMMIT     := $(shell git rev-parse HEAD 2>/dev/null)
BUILD_TIME := $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS    := -X main.version=$(VERSION) -X main.commit=$(COMMIT) -X main.buildTime=$(BUILD_TIME)

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

.PHONY: all build test vet lint demo demo-web bench fuzz clean postgres readers browser screenshots web-screenshots

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/surveyworker

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

# readers makes sure the readers the workbook tests check workbooks with,
# besides excelize, are installed: LibreOffice headless, Python's openpyxl
# and poppler's PDF tools. Without them those tests skip, naming what is
# missing, except under CI=true, where they fail.
READER_PKGS := libreoffice-calc-nogui python3-openpyxl poppler-utils
readers:
	@if command -v soffice >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 && \
		{ /usr/bin/python3 -c 'import openpyxl' 2>/dev/null || python3 -c 'import openpyxl' 2>/dev/null; }; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing the workbook readers (apt-get install $(READER_PKGS))"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(READER_PKGS) >/dev/null; \
	else \
		echo "workbook readers not installed: apt-get install $(READER_PKGS) as root; until then the tests that open workbooks with them are skipped (CI=true fails them)"; \
	fi

# browser makes sure Debian's Chromium is installed: the web interface's
# end-to-end tests drive it headless. Without it those tests skip, naming
# what is missing, except under CI=true, where they fail.
browser:
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Chromium for the browser tests (apt-get install chromium)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; \
	else \
		echo "Chromium not installed: apt-get install chromium as root; until then the browser tests are skipped (CI=true fails them)"; \
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

test: postgres readers browser vet lint
	$(GO) test -count=1 $$($(GO) list ./... | grep -v -x -F "$$($(GO) list $(RACE_PKGS))")
	$(GO) test -race -count=1 $(RACE_PKGS)
	@$(MAKE) --no-print-directory fuzz

# fuzz runs each fuzz test of the reading path for FUZZTIME (a short run in
# make test; try FUZZTIME=10m by hand). Each target is NAME:PACKAGE. A
# failing input is saved under the package's testdata/fuzz/ and then
# replays in every go test run. FUZZMINIMIZE caps the work spent
# shrinking each new input: FuzzXLSX's seeds are whole worksheets, and
# the default minute would take the whole short run.
#
# make test gives counts of inputs (the corpus replayed first counts too),
# not durations: Go 1.26's fuzz coordinator can fail a run that ends on a
# duration with "context deadline exceeded" when a worker is busy at that
# moment, with no failing input (golang/go#75804, fixed in Go 1.27), and
# on a loaded machine it did. A count ends when the inputs are done.
FUZZTIME ?= 500x
FUZZMINIMIZE ?= 100x
FUZZ_TARGETS := FuzzParse:./ingest/ FuzzDetectHeaders:./ingest/ FuzzXLSX:./ingest/tabular/
fuzz:
	@for t in $(FUZZ_TARGETS); do \
		f=$${t%%:*}; pkg=$${t#*:}; \
		echo "fuzz $$f in $$pkg for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$f\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZE) $$pkg || exit 1; \
	done

# demo keeps its private PostgreSQL and key in SURVEYWORKER_DATA_DIR (default
# .surveyworker/demo) and starts from an empty database by removing that
# directory first: the cluster goes with it, even one kept outside it because
# the postgres user cannot reach it (see README). A directory that an earlier
# demo did not make is left alone.
DEMO_DATA := $(or $(SURVEYWORKER_DATA_DIR),.surveyworker/demo)
DEMO_MARK := .made-by-make-demo

# drop_cluster deletes the private PostgreSQL cluster of the data directory
# $(1) when it was kept outside it (running as root, the postgres user
# could not reach the data directory): removing the data directory alone
# leaves such a cluster set aside, never deleted.
drop_cluster = link="$(1)/postgres/cluster"; if [ -L "$$link" ]; then rm -rf "$$(readlink "$$link")"; fi

demo: postgres build
	@if [ -n "$$(ls -A '$(DEMO_DATA)' 2>/dev/null)" ] && [ ! -e '$(DEMO_DATA)/$(DEMO_MARK)' ] && [ '$(DEMO_DATA)' != .surveyworker/demo ]; then \
		echo "$(DEMO_DATA) was not made by make demo, so it is not emptied; remove it or choose another SURVEYWORKER_DATA_DIR"; exit 1; \
	fi
	@$(call drop_cluster,$(DEMO_DATA)); rm -rf $(DEMO) '$(DEMO_DATA)'
	@mkdir -p $(DEMO)/inbox '$(DEMO_DATA)' && touch '$(DEMO_DATA)/$(DEMO_MARK)'
	@cp examples/inbox/* $(DEMO)/inbox/
	SURVEYWORKER_DATA_DIR='$(DEMO_DATA)' SURVEYWORKER_LEADS=examples/leads.csv \
		./$(BIN) run --practices examples/practices.csv --inbox $(DEMO)/inbox --out $(DEMO)

# demo-web runs make demo, then serve over the same data with the web
# interface on loopback and a demo user, until interrupted (Ctrl-C).
# DEMO_WEB_ADDR chooses another address when 127.0.0.1:8484 is taken.
DEMO_WEB_ADDR     ?= 127.0.0.1:8484
DEMO_WEB_USER     := demo
DEMO_WEB_PASSWORD := surveyworker-demo

demo-web: demo
	@printf '%s\n' '$(DEMO_WEB_PASSWORD)' | SURVEYWORKER_DATA_DIR='$(DEMO_DATA)' ./$(BIN) users add --replace \
		--users $(DEMO)/users.csv --email demo@example.nhs.uk --role uploader $(DEMO_WEB_USER) >/dev/null
	@echo
	@echo "web interface: http://$(DEMO_WEB_ADDR)/"
	@echo "sign in as:    $(DEMO_WEB_USER)"
	@echo "password:      $(DEMO_WEB_PASSWORD)"
	@echo "(serve runs until interrupted: Ctrl-C)"
	@echo
	SURVEYWORKER_DATA_DIR='$(DEMO_DATA)' SURVEYWORKER_LEADS=examples/leads.csv \
		./$(BIN) serve --practices examples/practices.csv --inbox $(DEMO)/inbox --out $(DEMO) \
		--users $(DEMO)/users.csv --http $(DEMO_WEB_ADDR) --settle 2s

# screenshots renders every printed page of the demo workbook to PNG in
# docs/screenshots/ (shown in the README) through LibreOffice: PDF, then
# pdftoppm. Carlito, metric-compatible with Calibri, makes the pages look
# as Excel prints them; it is installed when missing and running as root.
screenshots: readers demo
	@fc-list 2>/dev/null | grep -qi carlito || \
		{ [ "$$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends fonts-crosextra-carlito >/dev/null; } || \
		echo "fonts-crosextra-carlito not installed: the pages use a wider font than Excel's"
	$(GO) run ./internal/screenshots -out docs/screenshots $(DEMO)/roadmap-*-run1.xlsx

# web-screenshots runs the browser test with a screenshot of each page, at
# 1366x768 and at a phone's 390x844, saved to docs/screenshots/web-*.png
# (shown in the README).
web-screenshots: postgres browser
	SURVEYWORKER_SCREENSHOTS=$(CURDIR)/docs/screenshots $(GO) test -count=1 -run '^TestWebInterfaceInBrowser$$' ./cmd/surveyworker/

# bench times what a user runs, each figure beside its baseline from the
# same run, and prints a summary table per benchmark; docs/BENCHMARKS.md
# records them. In order: ingest end to end (CSV against psql \copy of the
# same rows; XLSX with shared strings, as platforms write it, and with
# inline strings, each against a bare excelize Rows() pass) at 10,000,
# 100,000 and 1,000,000 respondents (BENCH_LARGE=0 leaves out the
# 1,000,000, which takes most of the time); the practice registry import
# of 6,500 practices against the per-row import it replaced; rank as a
# whole at 10,000, 1,000,000 and 10,000,000 respondents (generated in
# PostgreSQL, not stored in the repository) against one GROUP BY over the
# answers, with how flat it stays; the workbook with 10,000 and 100,000
# comments against a bare StreamWriter; the web interface's ranking page
# and the memory of a 100 MB upload. Last, the full coverage study of the
# intervals and tier confidence (4,000 surveys per scenario), whose
# tables are in docs/METHOD.md §9.
BENCH_LARGE ?= 1
bench: postgres
	SURVEYWORKER_BENCH_LARGE=$(BENCH_LARGE) $(GO) test -run '^$$' -bench '^BenchmarkIngest$$' -benchmem -benchtime=1x -timeout 3h ./ingest/
	$(GO) test -run '^$$' -bench '^BenchmarkPracticesImport$$' -benchtime=10x -timeout 1h ./ingest/
	$(GO) test -run '^$$' -bench '^BenchmarkRank$$' -benchtime=3x -timeout 3h ./analysis/
	$(GO) test -run '^$$' -bench BenchmarkWorkbook -benchtime=3x -timeout 1h ./report/
	$(GO) test -run '^$$' -bench BenchmarkRankingPage -benchtime=50x ./web/
	$(GO) test -run '^$$' -bench BenchmarkUpload100MB -benchtime=3x ./web/
	$(GO) test -run '^$$' -bench BenchmarkCoverage -benchtime=1x -timeout 2h ./analysis/

clean:
	@for d in .surveyworker/*; do $(call drop_cluster,$$d); done
	rm -rf bin out .surveyworker .tools
