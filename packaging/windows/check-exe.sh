#!/usr/bin/env bash
# Checks a built Windows exe: GUI subsystem (no console window), and icon, version-info and
# manifest resources, the manifest asking for per-monitor-v2 DPI awareness, common controls 6 and
# asInvoker. With EXPECT_VERSION set, the version info must carry that product version.
# Usage: packaging/windows/check-exe.sh dist/HstockPlus.exe   (needs icoutils; binutils-mingw-w64)
set -euo pipefail
exe=${1:?usage: check-exe.sh FILE.exe}
[ -f "$exe" ] || { echo "check-exe: $exe not found" >&2; exit 1; }
command -v wrestool >/dev/null 2>&1 || { echo "check-exe: wrestool not found (Debian: icoutils)" >&2; exit 1; }
fail=0
ok() { echo "  ok   $*"; }
bad() { echo "  FAIL $*"; fail=1; }
echo "check-exe: $exe ($(wc -c <"$exe") bytes)"

# PE subsystem: 2 is Windows GUI, 3 the console. objdump when there, else read the header itself
# (the optional header's Subsystem field is 92 bytes past the "PE\0\0" signature).
if command -v x86_64-w64-mingw32-objdump >/dev/null 2>&1; then
  sub=$(x86_64-w64-mingw32-objdump -p "$exe" | awk '$1 == "Subsystem" && !s {s = $2} END {print s}')
else
  pe=$(od -An -tu4 -j60 -N4 "$exe" | tr -d ' ')
  sub=$(printf '%08x' "$(od -An -tu2 -j$((pe + 92)) -N2 "$exe" | tr -d ' ')")
fi
if [ "$sub" = 00000002 ]; then ok "PE subsystem $sub (Windows GUI)"; else bad "PE subsystem ${sub:-?}, want 00000002 (Windows GUI)"; fi

res=$(wrestool -l "$exe" 2>/dev/null || true)
has() { grep -q -- "--type=$1 " <<<"$res"; }
count() { grep -c -- "--type=$1 " <<<"$res" || true; }
if has 14 && has 3; then ok "icon: 1 group, $(count 3) images (types 14, 3)"; else bad "no icon resource (types 14, 3)"; fi
if has 16; then
  # A version string is its UTF-16 key, NUL, padding, then its UTF-16 value, NUL.
  vstr() {
    wrestool -x --raw --type=16 "$exe" | KEY=$1 perl -0777 -ne '
      my $k = join "", map { "$_\0" } split //, $ENV{KEY};
      if (/\Q$k\E\0\0(?:\0\0)*((?:[^\0]\0)+)\0\0/s) { (my $v = $1) =~ s/\0//g; print $v }'
  }
  pv=$(vstr ProductVersion)
  fv=$(vstr FileVersion)
  ok "version info (type 16): ProductVersion ${pv:-?}, FileVersion ${fv:-?}"
  if [ -n "${EXPECT_VERSION:-}" ] && [ "$pv" != "$EXPECT_VERSION" ]; then
    bad "ProductVersion ${pv:-?}, want $EXPECT_VERSION (FyneApp.toml)"
  fi
else
  bad "no version info (type 16)"
fi
if has 24; then
  man=$(wrestool -x --raw --type=24 "$exe")
  ok "manifest (type 24)"
  want() { if grep -qi -- "$1" <<<"$man"; then ok "manifest: $2"; else bad "manifest lacks $2"; fi; }
  want '<dpiAwareness[^>]*>[^<]*PerMonitorV2' "per-monitor-v2 DPI awareness"
  want 'Microsoft.Windows.Common-Controls.*version="6\.' "common controls 6"
  want 'level="asInvoker"' "asInvoker (no elevation)"
else
  bad "no manifest (type 24)"
fi
if [ "$fail" = 0 ]; then echo "check-exe: ok"; else echo "check-exe: FAILED" >&2; fi
exit "$fail"
