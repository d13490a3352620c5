# Dossier: `make run` opens the app, `make test` runs every test. Both install what a fresh
# Debian machine lacks first (see scripts/setup-debian.sh).
GO ?= go
export LANG := en_US.UTF-8
export CGO_ENABLED := 1

.PHONY: run test bench build vet deps-run deps-test deps-bench check-layering fuzz clean

run: deps-run
	$(GO) run .

build: deps-run
	$(GO) build -o dossier .

test: deps-test vet check-layering
	$(GO) test -race -count=1 ./...

vet:
	$(GO) vet ./...

# Nothing under packager/ may depend on Fyne: the domain builds and tests without cgo.
check-layering:
	@bad=$$($(GO) list -deps ./packager/... | grep '^fyne.io/' || true); \
	if [ -n "$$bad" ]; then echo "packager/ depends on Fyne:"; echo "$$bad"; exit 1; fi; \
	echo "layering ok: packager/ does not depend on Fyne"

# Benchmarks measure Dossier and, in the same run, the baseline tools (gdcmscanner, gdcmanon -e,
# cp, tar | age) and print the ratios (x-TOOL: Dossier's time / the tool's time) with their targets.
bench: deps-bench
	@$(GO) test -run '^$$' -bench . -benchmem -benchtime 3x ./packager/... | tee bench.out
	@echo; echo "ratios (Dossier's time / baseline's time, measured in this run):"
	@awk '/^Benchmark/ { for (i = 1; i < NF; i++) if ($$(i+1) ~ /^x-|peak-rss-MB|peak-heap/) printf "  %-34s %-22s %s\n", $$1, $$(i+1), $$i }' bench.out
	@echo "targets: x-gdcmscanner < 1, x-gdcmanon < 1, CT300 x-cp <= 3, slide x-cp <= 2, x-tar-age <= 2, peak-rss-MB < 256"

# A short run of every fuzz target (their seed corpora also run in `make test`).
fuzz:
	@for pkg in $$($(GO) list ./packager/...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "fuzz $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime 20s $$pkg || exit 1; \
	  done; \
	done

deps-run:
	@./scripts/setup-debian.sh run
deps-test:
	@./scripts/setup-debian.sh test
deps-bench:
	@./scripts/setup-debian.sh bench

clean:
	rm -f dossier
