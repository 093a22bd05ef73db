# scimsim — every command a user or CI types. `make help` lists them.
GO        ?= go
PKGS      ?= ./...
FUZZTIME  ?= 30s

.PHONY: help build test demo vet fmt-check bench bench-load fuzz conformance clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

build: ## build bin/scimsim
	$(GO) build -o bin/scimsim ./cmd/scimsim

vet: ## go vet and gofmt
	$(GO) vet $(PKGS)
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

HARNESS   ?= ./harness
GINKGO    ?= $(GO) tool ginkgo

test: vet ## all tests under the race detector, then the scenario harness: reports/junit.xml, reports/report.json, summary table
	@bash ui/install-chromium.sh
	$(GO) test -race -count=1 $$($(GO) list $(PKGS) | grep -v '/harness$$')
	@mkdir -p reports
	$(GINKGO) --race --no-color --junit-report=junit.xml --json-report=report.json --output-dir=reports $(HARNESS)

demo: ## start the simulator in-process, run every scenario, print each step report and the summary table
	$(GO) run ./cmd/scimsim demo

bench: ## Go benchmarks of every package (medians of 5 runs), written to reports/bench.txt
	@mkdir -p reports
	$(GO) test -run '^$$' -bench . -benchmem -count=5 $(PKGS) | tee reports/bench.txt

bench-load: ## scimsim vs the SCIMMY peer vs a bare handler under bench/peers/load.sh; writes docs/benchmarks.md (DURATION=3s to try)
	GO="$(GO)" bash bench/load.sh

fuzz: ## run every Fuzz target for FUZZTIME each (default 30s)
	@set -e; for pkg in $$($(GO) list $(PKGS)); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; \
	done

conformance: ## check a SCIM endpoint as Entra would: TARGET=URL TOKEN=T [PREFIX=scimsim-] [DRY_RUN=1]
	@test -n "$(or $(TARGET),$(SCIMSIM_TARGET))" || { echo "usage: make conformance TARGET=https://app.example/scim/v2 TOKEN=secret [PREFIX=scimsim-] [DRY_RUN=1]"; exit 2; }
	@mkdir -p reports
ifneq ($(filter 1 true yes,$(DRY_RUN)),)
	@SCIMSIM_TOKEN='$(or $(TOKEN),$(SCIMSIM_TOKEN))' $(GO) test ./conformance -run '^TestExternal$$' -count=1 -v -args \
	  -target='$(or $(TARGET),$(SCIMSIM_TARGET))' -prefix='$(or $(PREFIX),scimsim-)' -dry-run=true
else
	@SCIMSIM_TARGET='$(or $(TARGET),$(SCIMSIM_TARGET))' SCIMSIM_TOKEN='$(or $(TOKEN),$(SCIMSIM_TOKEN))' \
	  $(GINKGO) --no-color --junit-report=conformance-junit.xml --json-report=conformance.json --output-dir=reports \
	  $(HARNESS) -- -prefix='$(or $(PREFIX),scimsim-)'
endif

clean: ## remove build output and reports
	rm -rf bin reports
