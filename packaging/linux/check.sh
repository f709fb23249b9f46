#!/usr/bin/env bash
# Checks of the Linux packaging, run by `make test`:
#
#   packaging/linux/check.sh metadata   desktop-file-validate on the .desktop entry, appstreamcli
#                                       validate on the AppStream metainfo (errors fail; warnings
#                                       are shown), and the metainfo's newest release is
#                                       FyneApp.toml's Version
#   packaging/linux/check.sh package    the .deb in dist/ (packaging/linux/build.sh) is lintian-
#                                       clean (errors fail), installs with its dependencies through
#                                       apt-get, `hstockplus -version` prints FyneApp.toml's
#                                       Version, its files are where the desktop looks for them;
#                                       then it is removed again unless it was installed before
#                                       (KEEP_INSTALLED=1 keeps it)
set -euo pipefail
cd "$(dirname "$0")/../.."
here=packaging/linux
app=com.hstockplus.desktop
version=$(sed -n 's/^ *Version *= *"\(.*\)"/\1/p' FyneApp.toml | head -n1)
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo

fail() { echo "check: $*" >&2; exit 1; }

metadata() {
  desktop-file-validate "$here/$app.desktop" || fail "desktop-file-validate found errors"
  echo "check: desktop-file-validate $here/$app.desktop: ok"
  appstreamcli validate --no-net --pedantic "$here/$app.metainfo.xml" || fail "appstreamcli found errors"
  local newest
  newest=$(sed -n 's/.*<release [^>]*version="\([^"]*\)".*/\1/p' "$here/$app.metainfo.xml" | head -n1)
  [ "$newest" = "$version" ] ||
    fail "the newest <release> of $app.metainfo.xml is $newest, FyneApp.toml says $version: add a release"
  echo "check: metainfo's newest release is $version, as FyneApp.toml"
}

package() {
  local deb
  deb=$(ls -t dist/hstockplus_"$version"-*_"$(dpkg --print-architecture)".deb 2>/dev/null | head -n1)
  [ -n "$deb" ] || fail "no .deb of $version in dist/: run make package"
  # lintian fails on errors only; its warnings are printed (packaging/README.md says why each
  # one is left).
  local out rc=0
  out=$(lintian --fail-on error "$deb" 2>&1) || rc=$?
  printf '%s\n' "$out" | grep -v '^running with root privileges' || true
  [ "$rc" -eq 0 ] || fail "lintian found errors in $deb (exit $rc)"
  echo "check: lintian $deb: no errors"

  local was_installed=""
  dpkg-query -W -f='${Status}' hstockplus 2>/dev/null | grep -q "install ok installed" && was_installed=1
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get install -y -qq --no-install-recommends "./$deb" >/dev/null ||
    { $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends "./$deb" >/dev/null; } ||
    fail "apt-get could not install $deb"
  local got
  got=$(/usr/bin/hstockplus -version)
  [ "$got" = "hstockplus $version" ] || fail "installed hstockplus -version says '$got', want 'hstockplus $version'"
  echo "check: installed: $got"
  for f in /usr/share/applications/$app.desktop /usr/share/metainfo/$app.metainfo.xml \
    /usr/share/icons/hicolor/48x48/apps/$app.png /usr/share/icons/hicolor/scalable/apps/$app.svg \
    /usr/share/doc/hstockplus/copyright /usr/share/man/man1/hstockplus.1.gz; do
    [ -f "$f" ] || fail "the package did not install $f"
  done
  desktop-file-validate /usr/share/applications/$app.desktop || fail "installed .desktop invalid"
  echo "check: installed files in place"
  if [ -z "$was_installed" ] && [ -z "${KEEP_INSTALLED:-}" ]; then
    $sudo dpkg --purge hstockplus >/dev/null
    [ ! -e /usr/bin/hstockplus ] || fail "dpkg --purge left /usr/bin/hstockplus"
    echo "check: removed again (KEEP_INSTALLED=1 keeps it)"
  fi
}

case ${1:-} in
  metadata) metadata ;;
  package) package ;;
  *) echo "usage: packaging/linux/check.sh metadata|package" >&2; exit 2 ;;
esac
