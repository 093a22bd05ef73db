# scimsim — every command a user or CI types. `make help` lists them.
GO        ?= go
PKGS      ?= ./...
FUZZTIME  ?= 30s
# The binary says which commit it was built from (scimsim version): stamp VCS information whenever
# the toolchain can, even where GOFLAGS turns it off.
BUILDFLAGS ?= -buildvcs=auto

.PHONY: help build install image test demo vet fmt-check bench bench-cycles bench-load fuzz conformance clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'
	@echo; echo "  make fuzz: $$($(FUZZ_LENGTH))"

# FUZZ_LENGTH says how long `make fuzz` runs: the fuzz targets of the repository, one after the other,
# FUZZTIME each (a duration such as 30s, 2m or 1h; an iteration count such as 500x is not a time).
FUZZ_LENGTH = n=$$(grep -rhoE '^func Fuzz[A-Za-z0-9_]+\(' --include='*_test.go' . | wc -l | tr -d ' '); \
  t='$(FUZZTIME)'; case "$$t" in *h) s=$$(( $${t%h} * 3600 ));; *m) s=$$(( $${t%m} * 60 ));; *s) s=$${t%s};; *) s=;; esac; \
  if [ -n "$$s" ]; then total=$$(( n * s )); \
    echo "$$n fuzz targets × FUZZTIME=$$t = $$(( total / 60 )) min $$(( total % 60 )) s, plus building each package (FUZZTIME=5s make fuzz for a quick pass)"; \
  else echo "$$n fuzz targets, FUZZTIME=$$t each"; fi

build: ## build bin/scimsim (run it as bin/scimsim; make install puts it on PATH)
	$(GO) build $(BUILDFLAGS) -o bin/scimsim ./cmd/scimsim

install: ## install scimsim into GOBIN (default: GOPATH/bin), which must be on PATH
	$(GO) install $(BUILDFLAGS) ./cmd/scimsim
	@dir=$$($(GO) env GOBIN); [ -n "$$dir" ] || dir=$$($(GO) env GOPATH)/bin; \
	  echo "installed $$dir/scimsim"; \
	  case ":$$PATH:" in *":$$dir:"*) ;; *) echo "$$dir is not on PATH: export PATH=\"$$dir:\$$PATH\"";; esac

vet: ## go vet, gofmt, and actionlint on examples/github-actions
	$(GO) vet $(PKGS)
	$(GO) tool actionlint examples/github-actions/*.yml
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

image: ## an OCI image of scimsim in bin/image (static binary, non-root user, empty base), without Docker or a registry
	CGO_ENABLED=0 GOOS=linux $(GO) build $(BUILDFLAGS) -trimpath -o bin/linux/scimsim ./cmd/scimsim
	$(GO) run ./internal/image -binary bin/linux/scimsim -out bin/image -arch $$($(GO) env GOARCH) \
	  -version "$$(bin/linux/scimsim version | cut -d' ' -f2)" -revision "$$(git rev-parse HEAD 2>/dev/null)" \
	  -created "$$(git log -1 --format=%cI 2>/dev/null || echo 1970-01-01T00:00:00Z)"

HARNESS   ?= ./harness
GINKGO    ?= $(GO) tool ginkgo

test: vet ## all tests under the race detector, then the scenario harness: reports/junit.xml, reports/report.json, summary table
	@bash ui/install-chromium.sh
	$(GO) test -race -count=1 $$($(GO) list $(PKGS) | grep -v '/harness$$')
	@mkdir -p reports
	$(GINKGO) --race --no-color --junit-report=junit.xml --json-report=report.json --output-dir=reports $(HARNESS)

demo: ## run the whole catalog on an in-process simulator: one report per step and a summary (scimsim demo --all: every report)
	$(GO) run ./cmd/scimsim demo

bench: ## Go benchmarks of every package (medians of 5 runs) into reports/bench.txt; the job's 100,000-user cycles once each (bench-cycles)
	@mkdir -p reports
	$(GO) test -run '^$$' -bench . -benchmem -count=5 $$($(GO) list $(PKGS) | grep -v '/job$$') | tee reports/bench.txt
	@$(MAKE) --no-print-directory bench-cycles | tee -a reports/bench.txt

bench-cycles: ## the provisioning job's benchmarks: a 100,000-user initial cycle and a 100-change incremental cycle, once each (a few minutes)
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 1x -count=1 ./job

bench-load: ## scimsim vs the SCIMMY peer vs a bare handler under bench/peers/load.sh; writes docs/benchmarks.md (DURATION=3s to try)
	GO="$(GO)" bash bench/load.sh

fuzz: ## run every Fuzz target for FUZZTIME each (default 30s; make help says how long in all)
	@echo "$$($(FUZZ_LENGTH))"
	@set -e; for pkg in $$($(GO) list $(PKGS)); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; \
	done

conformance: build ## check a SCIM endpoint as Entra would: TARGET=URL TOKEN=T [PREFIX=scimsim-] [CHECK="id id"] [DRY_RUN=1]; reports in reports/
	@test -n "$(or $(TARGET),$(SCIMSIM_TARGET))" || { echo "usage: make conformance TARGET=https://app.example/scim/v2 TOKEN=secret [PREFIX=scimsim-] [CHECK=\"id ...\"] [DRY_RUN=1]"; exit 2; }
	@mkdir -p reports
	@SCIMSIM_TOKEN='$(or $(TOKEN),$(SCIMSIM_TOKEN))' bin/scimsim conformance --target '$(or $(TARGET),$(SCIMSIM_TARGET))' \
	  --prefix '$(or $(PREFIX),scimsim-)' --json reports/conformance.json --junit reports/conformance-junit.xml \
	  $(foreach c,$(CHECK),--check '$(c)') $(if $(filter 1 true yes,$(DRY_RUN)),--dry-run)

clean: ## remove build output and reports
	rm -rf bin reports
