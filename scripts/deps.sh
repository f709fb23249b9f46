#!/usr/bin/env bash
# Installs the system packages needed to build and test hstockplus on Debian/Ubuntu.
# Fyne needs a C compiler and the X11/OpenGL headers; the smoke test needs Xvfb; the clipboard
# writes through xclip (xsel: the clipboard test clears with it); the tray and notification tests
# start a D-Bus daemon of their own (dbus).
# Safe to run again: it installs only what is missing.
set -euo pipefail

pkgs=(gcc libc6-dev make git pkg-config libgl1-mesa-dev libgl1-mesa-dri xorg-dev xvfb xauth xclip xsel procps dbus)
if [ "${1:-}" = "--screenshots" ]; then
  pkgs+=(imagemagick fonts-noto-cjk) # CJK text (ja, zh, ko) renders in screenshots, not as boxes
fi
if [ "${1:-}" = "--windows" ]; then # make package-windows: cross-compiler, installer, exe check
  pkgs+=(gcc-mingw-w64-x86-64 nsis icoutils zip p7zip-full)
fi
if [ "${1:-}" = "--soak" ] || [ "${1:-}" = "--screenshots" ]; then
  pkgs+=(xdotool)
fi
if [ "${1:-}" = "--install" ] || [ "${1:-}" = "--package" ]; then
  pkgs+=(librsvg2-bin xz-utils) # rsvg-convert draws the icons from assets/icon.svg
fi
if [ "${1:-}" = "--package" ]; then
  pkgs+=(dpkg-dev lintian desktop-file-utils appstream) # build and check the .deb and its metadata
fi

if ! command -v go >/dev/null 2>&1; then
  echo "deps: Go is not installed (or not on PATH); install Go 1.24 or newer from the Go website" >&2
  exit 1
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "deps: apt-get not found; install these yourself: ${missing[*]}" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
