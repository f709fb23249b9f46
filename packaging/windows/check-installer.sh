#!/usr/bin/env bash
# Checks the NSIS installer without running it: it is a GUI exe asking for no elevation
# (asInvoker, from RequestExecutionLevel user) and 7-Zip lists the exe, README.txt and the
# uninstaller in it. What it does on Windows (shortcuts, registry) is checked there by hand.
# Usage: packaging/windows/check-installer.sh dist/HstockPlus-VERSION-windows-amd64-setup.exe
set -euo pipefail
setup=${1:?usage: check-installer.sh SETUP.exe}
for tool in 7z wrestool; do
  command -v "$tool" >/dev/null 2>&1 || { echo "check-installer: $tool not found (Debian: p7zip-full, icoutils)" >&2; exit 1; }
done
fail=0
ok() { echo "  ok   $*"; }
bad() { echo "  FAIL $*"; fail=1; }
echo "check-installer: $setup ($(wc -c <"$setup") bytes)"
info=$(7z l "$setup" || true)
list=$(7z l -ba "$setup" || true)
if grep -q '^Type = Nsis' <<<"$info"; then ok "NSIS installer"; else bad "7z does not see an NSIS installer"; fi
for f in HstockPlus.exe README.txt Uninstall.exe; do
  if grep -q " $f\$" <<<"$list"; then ok "holds $f"; else bad "does not hold $f"; fi
done
if wrestool -x --raw --type=24 "$setup" | grep -q 'level="asInvoker"'; then
  ok "manifest: asInvoker (no admin rights asked)"
else
  bad "manifest does not say asInvoker"
fi
if [ "$fail" = 0 ]; then echo "check-installer: ok"; else echo "check-installer: FAILED" >&2; fi
exit "$fail"
