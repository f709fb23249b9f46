#!/usr/bin/env bash
# Builds a distributable package for one OS with `fyne package` (reads ../FyneApp.toml).
# Usage: packaging/package.sh linux|windows|darwin
# Cross-building for windows or darwin needs that platform's C toolchain (cgo); build natively.
set -euo pipefail
cd "$(dirname "$0")/.."
os=${1:?usage: package.sh linux|windows|darwin}
# Linux: the .deb and .tar.xz of packaging/linux/build.sh (`make package`), not fyne's tarball.
[ "$os" = linux ] && exec packaging/linux/build.sh all
command -v fyne >/dev/null 2>&1 || go install fyne.io/tools/cmd/fyne@latest
export PATH="$PATH:$(go env GOPATH)/bin"
mkdir -p dist
# fyne package rewrites FyneApp.toml (Build+1): put it back, packaging leaves the tree as it was.
saved=$(mktemp)
cp FyneApp.toml "$saved"
trap 'cp "$saved" FyneApp.toml; rm -f "$saved"' EXIT
fyne package -os "$os" --tags migrated_fynedo --release
mv -f HstockPlus* hstockplus*.tar.xz dist/ 2>/dev/null || true
echo "package: dist/ holds the $os build"
