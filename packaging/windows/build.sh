#!/usr/bin/env bash
# Builds the Windows release into dist/ (`make package-windows`): cross-built from Linux with
# mingw-w64, or natively on Windows from an MSYS2 shell (gcc on PATH).
#   dist/HstockPlus.exe                           GUI-subsystem exe with icon, version info, manifest
#   dist/HstockPlus-VERSION-windows-amd64.zip       portable: the exe and README.txt
#   dist/HstockPlus-VERSION-windows-amd64-setup.exe per-user NSIS installer (no admin rights)
# The resources come from winres.json through go-winres, with the version from FyneApp.toml; the
# .syso it writes is ignored by git and removed on exit, so the tree stays clean.
# Needs: Go, a mingw-w64 gcc, makensis (NSIS), zip. Set SKIP_INSTALLER=1 to build without NSIS.
set -euo pipefail
cd "$(dirname "$0")/../.."

GO=${GO:-go}
WINRES=github.com/tc-hib/go-winres@v0.3.3
if [ "$($GO env GOHOSTOS)" = windows ]; then
  WIN_CC=${WIN_CC:-gcc}
else
  WIN_CC=${WIN_CC:-x86_64-w64-mingw32-gcc}
fi
MAKENSIS=${MAKENSIS:-makensis}

toml() { sed -n "s/^ *$1 *= *\"\{0,1\}\([^\"]*\)\"\{0,1\} *$/\1/p" FyneApp.toml | head -n1; }
version=$(toml Version)
build=$(toml Build)
[ -n "$version" ] || { echo "package-windows: no Version in FyneApp.toml" >&2; exit 1; }
num=${version%%[-+]*} # 1.2.3-beta -> 1.2.3: the numeric version Windows shows
while [ "$(tr -cd . <<<"$num" | wc -c)" -lt 2 ]; do num="$num.0"; done
version4="$num.${build:-0}"

for tool in "$WIN_CC" zip; do
  command -v "$tool" >/dev/null 2>&1 || { echo "package-windows: $tool not found (Debian: scripts/deps.sh --windows)" >&2; exit 1; }
done

syso=rsrc_windows_amd64.syso
trap 'rm -f "$syso"' EXIT
mkdir -p dist

echo "package-windows: resources for $version ($version4)"
$GO run "$WINRES" make --in packaging/windows/winres.json --out rsrc --arch amd64 \
  --file-version "$version4" --product-version "$version"

echo "package-windows: building dist/HstockPlus.exe with $WIN_CC"
start=$(date +%s)
CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC="$WIN_CC" \
  $GO build -trimpath -tags migrated_fynedo \
  -ldflags "-H windowsgui -s -w -X main.version=$version" -o dist/HstockPlus.exe .
echo "package-windows: exe built in $(($(date +%s) - start)) s"
rm -f "$syso"

zipname=HstockPlus-$version-windows-amd64
stage=$(mktemp -d)
trap 'rm -f "$syso"; rm -rf "$stage"' EXIT
mkdir "$stage/$zipname"
cp dist/HstockPlus.exe "$stage/$zipname/"
sed "s/@VERSION@/$version/g" packaging/windows/README.txt | sed 's/$/\r/' >"$stage/$zipname/README.txt"
rm -f "dist/$zipname.zip"
(cd "$stage" && zip -q -9 -r "$OLDPWD/dist/$zipname.zip" "$zipname")
echo "package-windows: dist/$zipname.zip"

if [ "${SKIP_INSTALLER:-}" = 1 ]; then
  echo "package-windows: SKIP_INSTALLER=1, no installer"
  exit 0
fi
command -v "$MAKENSIS" >/dev/null 2>&1 || { echo "package-windows: $MAKENSIS not found (Debian: nsis)" >&2; exit 1; }
# The installer's icon is the exe's own, taken back out of it by go-winres.
$GO run "$WINRES" extract --dir "$stage/res" dist/HstockPlus.exe
ico=$(find "$stage/res" -name '*.ico' | head -n1)
# makensis runs in the .nsi's folder: paths handed to it are absolute (Windows form on MSYS2).
winpath() { if command -v cygpath >/dev/null 2>&1; then cygpath -m "$1"; else echo "$1"; fi; }
"$MAKENSIS" -V2 -INPUTCHARSET UTF8 \
  -DVERSION="$version" -DVERSION4="$version4" \
  -DEXE="$(winpath "$PWD/dist/HstockPlus.exe")" -DICON="$(winpath "$ico")" \
  -DREADME="$(winpath "$stage/$zipname/README.txt")" \
  -DOUTFILE="$(winpath "$PWD/dist/$zipname-setup.exe")" \
  packaging/windows/installer.nsi
echo "package-windows: dist/$zipname-setup.exe"
