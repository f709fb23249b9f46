# hstockplus — build, run and test. `make run` and `make test` install what they need first
# (Debian/Ubuntu packages through scripts/deps.sh).

GO        ?= go
TAGS      := migrated_fynedo
VERSION   := $(shell sed -n 's/^ *Version *= *"\(.*\)"/\1/p' FyneApp.toml)
LDFLAGS   := -X main.version=$(VERSION)
BIN       := hstockplus
FUZZTIME  ?= 10s
BENCHTIME ?= 50x
ARGS      ?=
PREFIX    ?= /usr/local
DESTDIR   ?=

.PHONY: all deps build run sandbox test fmt-check vet unit fuzz smoke soak bench screenshot clean \
	package check-metadata package-check install uninstall
.PHONY: package-windows check-windows lint-workflows

all: build

deps:
	@scripts/deps.sh

build: deps
	$(GO) build -tags $(TAGS) -ldflags "$(LDFLAGS)" -o $(BIN) .

## run: open the app (demo mode on the built-in sandbox when no API key is configured)
run: build
	./$(BIN) $(ARGS)

## sandbox: serve the simulated HstockPlus API on 127.0.0.1:8731
sandbox: build
	./$(BIN) -sandbox 127.0.0.1:8731 $(ARGS)

## test: format check, vet, actionlint on the workflows, race tests, a short fuzz run of every
## target, smoke test under Xvfb, the Linux packaging's metadata and its .deb installed and run,
## the Windows exe's resources when one was built
test: deps fmt-check vet lint-workflows unit fuzz smoke check-metadata package-check check-windows

fmt-check:
	@out=$$(gofmt -l $$(find . -name '*.go' -not -path './.git/*')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi; echo "gofmt: ok"

vet:
	$(GO) vet -tags $(TAGS) ./...

# The window's tests assert its English texts: LANGUAGE=en keeps them English whatever the locale.
unit:
	LANGUAGE=en HSTOCKPLUS_TEST_DBUS=required $(GO) test -race -tags $(TAGS) -count=1 ./...

fuzz:
	@FUZZTIME=$(FUZZTIME) TAGS=$(TAGS) scripts/fuzz.sh

smoke: deps
	$(GO) build -race -tags $(TAGS) -ldflags "$(LDFLAGS)" -o .smoke/$(BIN) .
	scripts/smoke.sh .smoke/$(BIN)

## soak: 1,000 random actions headless, then 1,000 on the real app under Xvfb (xdotool)
soak: deps
	@scripts/deps.sh --soak
	HSTOCKPLUS_SOAK=1000 $(GO) test -race -tags $(TAGS) -count=1 -run '^TestSoak$$' ./gui
	$(GO) build -race -tags $(TAGS) -ldflags "$(LDFLAGS)" -o .smoke/$(BIN) .
	scripts/soak.sh .smoke/$(BIN) 1000

## bench: the Go benchmarks, then the search table at 10k/100k/300k rows (keystrokes beside the
## plain floor: one pass over the keys)
bench:
	$(GO) test -tags $(TAGS) -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./...
	HSTOCKPLUS_BENCH=1 $(GO) test -tags $(TAGS) -count=1 -v -run '^TestSearchTable$$' ./gui | grep -v '^[=-]'

## screenshot: run the demo under Xvfb and save a screenshot to .smoke/screenshot.png
screenshot: build
	@scripts/deps.sh --screenshots
	SMOKE_SCREENSHOT=.smoke/screenshot.png SMOKE_SECONDS=$${SMOKE_SECONDS:-15} scripts/smoke.sh ./$(BIN)

## package: dist/ gets the .deb, the .tar.xz and its unpacked tree (packaging/linux/build.sh)
package: deps
	@scripts/deps.sh --package
	packaging/linux/build.sh all

## check-metadata: desktop-file-validate and appstreamcli validate on packaging/linux/
check-metadata:
	@scripts/deps.sh --package
	packaging/linux/check.sh metadata

## package-check: lintian on the .deb, then install it (apt-get), run it, remove it
package-check: package
	packaging/linux/check.sh package

## install, uninstall: the files of the .deb under $(DESTDIR)$(PREFIX) (default /usr/local)
install: deps
	@scripts/deps.sh --install
	PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) packaging/linux/build.sh install

uninstall:
	PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) packaging/linux/build.sh uninstall

## package-windows: cross-build dist/HstockPlus.exe, a portable zip and an NSIS installer (mingw-w64)
package-windows:
	@scripts/deps.sh --windows
	packaging/windows/build.sh
	EXPECT_VERSION=$(VERSION) packaging/windows/check-exe.sh dist/HstockPlus.exe
	packaging/windows/check-installer.sh dist/HstockPlus-$(VERSION)-windows-amd64-setup.exe

# Checks dist/HstockPlus.exe only when a Windows build left one (CI builds none).
check-windows:
	@if [ -f dist/HstockPlus.exe ]; then scripts/deps.sh --windows && \
	  packaging/windows/check-exe.sh dist/HstockPlus.exe; \
	else echo "check-windows: no dist/HstockPlus.exe, skipped (make package-windows builds it)"; fi

# The GitHub workflows cannot run here: actionlint checks their syntax, expressions and actions.
ACTIONLINT := github.com/rhysd/actionlint/cmd/actionlint@v1.7.12
lint-workflows:
	$(GO) run $(ACTIONLINT) -no-color

clean:
	rm -rf $(BIN) .smoke dist
