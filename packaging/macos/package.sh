#!/usr/bin/env bash
# Builds the macOS release on a Mac (Go, Xcode command-line tools) into dist/:
#   HstockPlus.app, HstockPlus-VERSION-macos-ARCH.zip and HstockPlus-VERSION-macos-ARCH.dmg
# `fyne package` makes the .app (icon, ID, version and build from FyneApp.toml); this script then
# sets the Info.plist keys fyne leaves out or gets wrong, and signs and notarizes when told how:
#   MACOS_SIGN_IDENTITY  "Developer ID Application: NAME (TEAMID)", in the login keychain
#   NOTARY_PROFILE       a profile saved by `xcrun notarytool store-credentials`, or else
#   APPLE_ID, APPLE_TEAM_ID, APPLE_APP_PASSWORD (an app-specific password) to notarize with
# fyne package rewrites FyneApp.toml (Build+1): it runs on a copy, so the tree stays as it is.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
FYNE=${FYNE:-go run fyne.io/tools/cmd/fyne@v1.7.4}

toml() { sed -n "s/^ *$1 *= *\"\{0,1\}\([^\"]*\)\"\{0,1\} *$/\1/p" FyneApp.toml | head -n1; }
version=$(toml Version)
arch=$(uname -m)
app=HstockPlus.app
name=HstockPlus-$version-macos-$arch

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/src"
tar --exclude ./.git --exclude ./dist --exclude ./.smoke -cf - . | tar -xf - -C "$work/src"
(cd "$work/src" && $FYNE package -os darwin --tags migrated_fynedo --release)

plist=$work/src/$app/Contents/Info.plist
# fyne writes LSMinimumSystemVersion 10.11 and an empty category (set only by `fyne release`);
# Go 1.23 and later need macOS 11.
plutil -replace LSMinimumSystemVersion -string 11.0 "$plist"
plutil -replace LSApplicationCategoryType -string public.app-category.business "$plist"
plutil -replace NSHumanReadableCopyright -string "© $(date +%Y) HstockPlus" "$plist"
plutil -lint "$plist"

mkdir -p dist
rm -rf "dist/$app"
mv "$work/src/$app" dist/

notary=()
if [ -n "${NOTARY_PROFILE:-}" ]; then
  notary=(--keychain-profile "$NOTARY_PROFILE")
elif [ -n "${APPLE_ID:-}" ]; then
  notary=(--apple-id "$APPLE_ID" --team-id "${APPLE_TEAM_ID:?}" --password "${APPLE_APP_PASSWORD:?}")
fi
notarize() { xcrun notarytool submit "$1" "${notary[@]}" --wait; } # then staple the ticket

if [ -n "${MACOS_SIGN_IDENTITY:-}" ]; then
  codesign --force --deep --options runtime --timestamp -s "$MACOS_SIGN_IDENTITY" "dist/$app"
  codesign --verify --deep --strict --verbose=2 "dist/$app"
  if [ ${#notary[@]} -gt 0 ]; then
    ditto -c -k --keepParent "dist/$app" "$work/notarize.zip"
    notarize "$work/notarize.zip"
    xcrun stapler staple "dist/$app"
  fi
else
  echo "macos: MACOS_SIGN_IDENTITY not set: the app is unsigned (Gatekeeper will warn)"
fi

rm -f "dist/$name.zip" "dist/$name.dmg"
ditto -c -k --sequesterRsrc --keepParent "dist/$app" "dist/$name.zip"

mkdir "$work/dmg"
cp -R "dist/$app" "$work/dmg/"
ln -s /Applications "$work/dmg/Applications"
hdiutil create -volname HstockPlus -srcfolder "$work/dmg" -fs HFS+ -format UDZO -ov "dist/$name.dmg"
if [ -n "${MACOS_SIGN_IDENTITY:-}" ]; then
  codesign --force --timestamp -s "$MACOS_SIGN_IDENTITY" "dist/$name.dmg"
  if [ ${#notary[@]} -gt 0 ]; then
    notarize "dist/$name.dmg"
    xcrun stapler staple "dist/$name.dmg"
  fi
fi
echo "macos: $root/dist holds $app, $name.zip and $name.dmg"
