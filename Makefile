# Dossier: `make run` opens the app, `make test` runs every test. Both install what a fresh
# Debian machine lacks first (see scripts/setup-debian.sh).
GO ?= go
export LANG := en_US.UTF-8
export CGO_ENABLED := 1
# Build like a release does: FyneApp.toml migrates to fyne.Do ([Migrations] fyneDo = true), which
# `fyne package` turns into this tag; run and test with it too, so they behave like what ships.
TAGS := -tags migrated_fynedo

# The version has one source, FyneApp.toml's [Details] Version; builds stamp it into the binary
# (main_test.go checks that main.go's default matches it).
VERSION := $(shell awk -F'"' '/^\[/ { d = ($$0 == "[Details]") } d && /^Version[ \t]*=/ { print $$2; exit }' FyneApp.toml)
LDFLAGS := -X main.version=$(VERSION)
# The fyne CLI (fyne.io/tools), pinned, built (pure Go, for this machine) into dist/.tools on first use.
FYNE_TOOLS_VERSION := v1.7.4
FYNE := dist/.tools/fyne-$(FYNE_TOOLS_VERSION)/fyne
MINGW_CC ?= x86_64-w64-mingw32-gcc

.PHONY: run test bench bench-go build vet check-format deps-run deps-test deps-bench deps-windows check-layering fuzz clean \
	package-linux windows version

run: deps-run
	$(GO) run $(TAGS) .

build: deps-run
	$(GO) build $(TAGS) -ldflags "$(LDFLAGS)" -o dossier .

test: deps-test vet check-format check-layering
	$(GO) test $(TAGS) -race -count=1 -timeout 20m ./...
	sh scripts/walkthrough.sh

vet:
	$(GO) vet $(TAGS) ./...

check-format:
	@bad=$$("$$($(GO) env GOROOT)/bin/gofmt" -l . 2>&1); if [ -n "$$bad" ]; then echo "not formatted by gofmt:"; echo "$$bad"; exit 1; fi

# Nothing under packager/ may depend on Fyne: the domain builds and tests without cgo.
check-layering:
	@bad=$$($(GO) list -deps ./packager/... | grep '^fyne.io/' || true); \
	if [ -n "$$bad" ]; then echo "packager/ depends on Fyne:"; echo "$$bad"; exit 1; fi; \
	echo "layering ok: packager/ does not depend on Fyne"

# `make bench` times the built binary (release tags, version stamped) as whole processes, as users run
# it, against the baseline tools (gdcmscanner, gdcmanon -e, cp -r, tar | age) on the same files in the
# same run, interleaved, medians of 5 (internal/benchtimer; data sets from internal/benchdata, kept in
# $BENCH_DATA or ~/.cache/dossier-bench). It prints each ratio and memory figure with its target and
# fails when one is missed or a baseline tool is missing or fails. BENCH_SCALE=small checks the bench
# itself on small sets (one run, targets not enforced); BENCH_FLAGS="-profile DIR" adds CPU profiles.
bench: deps-bench
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(GO) build -tags release,migrated_fynedo -ldflags "$(LDFLAGS)" -o "$$tmp/dossier" . && \
	$(GO) run ./internal/benchtimer -bin "$$tmp/dossier" $(BENCH_FLAGS)

# The in-process benchmarks (go test -bench), for profiling one package: they time Go functions in a
# loop, so their figures are not the ones `make bench` compares. E.g.
#   go test -run '^$' -bench ScanCD3000 -cpuprofile cpu.out ./packager/intake
bench-go: deps-bench
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 3x ./packager/...
	$(GO) test $(TAGS) -run '^$$' -bench . -benchtime 3x ./ui/...

# A short run of every fuzz target (their seed corpora also run in `make test`).
fuzz:
	@for pkg in $$($(GO) list ./packager/...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "fuzz $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime 20s $$pkg || exit 1; \
	  done; \
	done

version:
	@echo $(VERSION)

# Release builds go to dist/ (ignored by git). Both use `fyne package -release` (build tags release and,
# from FyneApp.toml's [Migrations], migrated_fynedo; FyneApp.toml's metadata and icon built in) and stamp
# the version into `dossier --version` through GOFLAGS, whose -ldflags `fyne package` passes to the linker.
# dist/Dossier-VERSION-linux-ARCH.tar.xz: the binary, icon and .desktop file, with a Makefile to install them.
package-linux: deps-run $(FYNE)
	@test -n "$(VERSION)" || { echo "no [Details] Version in FyneApp.toml"; exit 1; }
	rm -f Dossier.tar.xz
	$(call fyne_package,,-os linux)
	mv -f Dossier.tar.xz dist/Dossier-$(VERSION)-linux-$$($(GO) env GOARCH).tar.xz
	@ls -l dist/Dossier-$(VERSION)-linux-*.tar.xz

# Windows (amd64), cross-compiled with mingw-w64:
#   dist/Dossier.exe       the desktop app: a GUI program (no console window) with icon, manifest, version info
#   dist/dossier-cli.exe   the same program marked as a console program, for the command line
windows: deps-windows $(FYNE)
	@test -n "$(VERSION)" || { echo "no [Details] Version in FyneApp.toml"; exit 1; }
	rm -f Dossier.exe dossier.exe
	@# An empty dossier.exe given as -executable makes `fyne package` build only once, after it made the
	@# icon and manifest resources, and with the GOFLAGS ldflags (fyne 1.7.4 drops them on a second build).
	: > dossier.exe
	$(call fyne_package,GOARCH=amd64 CC=$(MINGW_CC),-os windows -executable dossier.exe)
	mv -f Dossier.exe dist/Dossier.exe
	./scripts/pe-console.sh dist/Dossier.exe dist/dossier-cli.exe
	@file dist/Dossier.exe dist/dossier-cli.exe 2>/dev/null || ls -l dist/Dossier.exe dist/dossier-cli.exe

# fyne_package runs `fyne package` with the version stamped in, and puts FyneApp.toml back as it was
# (`fyne package` adds one to its Build number after every package; a release bumps it on purpose).
define fyne_package
	@mkdir -p dist
	cp FyneApp.toml dist/.FyneApp.toml.keep; \
	$(1) GOFLAGS="-ldflags=-X=main.version=$(VERSION)" $(FYNE) package -release $(2); rc=$$?; \
	mv -f dist/.FyneApp.toml.keep FyneApp.toml; exit $$rc
endef

$(FYNE):
	GOBIN=$(CURDIR)/$(dir $(FYNE)) GOOS= GOARCH= CGO_ENABLED=0 $(GO) install fyne.io/tools/cmd/fyne@$(FYNE_TOOLS_VERSION)

deps-run:
	@./scripts/setup-debian.sh run
deps-test:
	@./scripts/setup-debian.sh test
deps-bench:
	@./scripts/setup-debian.sh bench
deps-windows:
	@./scripts/setup-debian.sh windows

clean:
	rm -f dossier
	rm -rf dist
