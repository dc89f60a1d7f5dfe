# Conector e.firma. `make demo` runs the main job; `make test` runs what CI runs.
GO        ?= go
# Release version; builds between releases carry the commit as build metadata.
VERSION   ?= 0.1.0+$(shell git rev-parse --short HEAD 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X github.com/efirma/conector/host/version.Version=$(VERSION)
FUZZTIME  ?= 15s
export CGO_ENABLED ?= 1

.PHONY: all build test lint gotest e2e fuzz jstest bench demo testdata psl clean dist extension install windows-check

all: build

build:
	@mkdir -p bin
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/efirma ./host/cmd/efirma
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/demo-portal ./portal/cmd/demo-portal

test: lint gotest jstest fuzz

# go.mod and go.sum must be what `go mod tidy` makes (a clean clone checks).
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	@$(GO) mod tidy -diff || { echo "go.mod/go.sum are not tidy: run 'go mod tidy'"; exit 1; }
	$(GO) vet ./...
	@command -v staticcheck >/dev/null || $(GO) install honnef.co/go/tools/cmd/staticcheck@v0.8.2
	PATH="$$PATH:$$($(GO) env GOPATH)/bin" staticcheck ./...

gotest: build e2e/axe/node_modules
	$(GO) test -race -count=1 -timeout 20m ./...

# The end-to-end tests alone (real Chromium, host, extension and demo portal).
e2e: build e2e/axe/node_modules
	$(GO) test -count=1 -timeout 20m ./e2e

# axe-core for the accessibility test (e2e/a11y_test.go), pinned by its lockfile.
e2e/axe/node_modules: e2e/axe/package.json e2e/axe/package-lock.json
	npm ci --prefix e2e/axe --no-audit --no-fund
	@touch $@

jstest:
	node --test extension/test/

# Every fuzz target, a short run each (FUZZTIME); scripts/fuzz.sh says how
# it tells Go 1.26's fuzz deadline race from a real failure.
fuzz:
	GO=$(GO) FUZZTIME=$(FUZZTIME) scripts/fuzz.sh

# Side-by-side host measurements (written into docs/PERFORMANCE.md), then the
# token and verifier micro-benchmarks.
bench: build
	$(GO) run ./host/bench -write docs/PERFORMANCE.md
	$(GO) test -run '^$$' -bench . -benchmem ./host/token ./portal/verifier
	EFIRMA_BENCH=1 EFIRMA_BENCH_ROUNDS=$${EFIRMA_BENCH_ROUNDS:-20} $(GO) test -count=1 -v -run TestFlowSpeed ./e2e

# The main job: protocol phase, then the real browser flow (DEMOFLAGS=--keep
# leaves the portal running; --browser=false skips the browser phase).
demo: build
	$(GO) run ./host/cmd/demo $(DEMOFLAGS)

# Regenerates testdata/ (byte for byte the same; a test checks it).
testdata:
	$(GO) run ./testdata/gen -out testdata

# Regenerates extension/shared/psl.js from the Public Suffix List as
# github.com/weppos/publicsuffix-go $(PSL_GO) carries it (from the Go module
# proxy; internal/psl/gen also reads the list's own .dat: PSL_IN=path).
# Only the committed file is read at run time.
PSL_GO ?= v0.50.3
psl:
	@in="$(PSL_IN)"; src="$$in"; \
	if [ -z "$$in" ]; then \
	  dir=$$(cd "$$(mktemp -d)" && GOFLAGS=-mod=mod $(GO) mod download -json github.com/weppos/publicsuffix-go@$(PSL_GO) | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$$/\1/p'); \
	  in="$$dir/publicsuffix/rules.go"; src="github.com/weppos/publicsuffix-go $(PSL_GO)"; \
	fi; \
	$(GO) run ./internal/psl/gen -in "$$in" -source "$$src" -out extension/shared/psl.js

# Installs for the current user: the binary in ~/.local/bin and the host
# registered for every Chromium-family browser (efirma install).
PREFIX ?= $(HOME)/.local
install: build
	install -d $(PREFIX)/bin
	install -m 0755 bin/efirma $(PREFIX)/bin/efirma
	$(PREFIX)/bin/efirma install

# Packages: cross-builds, .deb, MSI (docs/DEPLOYMENT.md).
dist: build
	VERSION=$(VERSION) installer/dist/build.sh

# The Windows build under Wine: CLI, host mode, MSI and every package's
# Windows test binary (installer/dist/windows-check.sh; docs/DEPLOYMENT.md).
windows-check:
	GO=$(GO) installer/dist/windows-check.sh

# The extension's store build (without the development key).
extension:
	node extension/tools/build.mjs dist

clean:
	rm -rf bin dist
