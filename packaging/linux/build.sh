#!/usr/bin/env bash
# Builds the Linux packages of HstockPlus into dist/ from the files in packaging/linux/, with the
# version of FyneApp.toml. It never changes a tracked file.
#
#   packaging/linux/build.sh [all]   the install tree, dist/hstockplus-V-linux-ARCH.tar.xz and
#                                    dist/hstockplus_V-B_ARCH.deb (B: FyneApp.toml's Build)
#   packaging/linux/build.sh tree    only the install tree dist/hstockplus-V-linux-ARCH/
#   packaging/linux/build.sh install | uninstall
#                                    the tree, then its Makefile's install/uninstall with PREFIX
#                                    (default /usr/local) and DESTDIR from the environment
#
# Needs Go and a C compiler (as `make build`), rsvg-convert (librsvg2-bin) for the icons; the .deb
# also dpkg-deb and dpkg-shlibdeps (dpkg-dev). `scripts/deps.sh --package` installs them.
set -euo pipefail
cd "$(dirname "$0")/../.."
umask 022
export LC_ALL=C

what=${1:-all}
GO=${GO:-go}
app=com.hstockplus.desktop
here=packaging/linux

toml() { sed -n "s/^ *$1 *= *\"\{0,1\}\([^\"]*\)\"\{0,1\} *$/\1/p" FyneApp.toml | head -n1; }
version=$(toml Version)
build=$(toml Build)
[ -n "$version" ] || { echo "build.sh: no Version in FyneApp.toml" >&2; exit 1; }
goarch=$($GO env GOARCH)
name=hstockplus-$version-linux-$goarch
tree=dist/$name
# Every file gets one time, so the archives are the same bytes for the same commit.
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
export SOURCE_DATE_EPOCH=$epoch

# build_tree fills $tree with the files installed under a prefix (bin/, share/) and the Makefile
# that installs them.
build_tree() {
  rm -rf "$tree"
  mkdir -p "$tree/bin"
  echo "build.sh: building $tree"
  # Position-independent, stripped, with full RELRO (what lintian's hardening checks look for);
  # the compiler's .comment section is dropped too, as Debian's dh_strip does.
  CGO_ENABLED=1 $GO build -trimpath -buildmode=pie -tags migrated_fynedo \
    -ldflags "-s -w -extldflags=-Wl,-z,relro,-z,now" -o "$tree/bin/hstockplus" .
  objcopy --remove-section=.comment "$tree/bin/hstockplus"
  local share=$tree/share
  install -D -m 0644 "$here/$app.desktop" "$share/applications/$app.desktop"
  install -D -m 0644 "$here/$app.metainfo.xml" "$share/metainfo/$app.metainfo.xml"
  install -D -m 0644 assets/icon.svg "$share/icons/hicolor/scalable/apps/$app.svg"
  for px in 16 24 32 48 64 128 256 512; do
    mkdir -p "$share/icons/hicolor/${px}x${px}/apps"
    rsvg-convert -w "$px" -h "$px" assets/icon.svg -o "$share/icons/hicolor/${px}x${px}/apps/$app.png"
  done
  mkdir -p "$share/man/man1"
  gzip -9n <"$here/hstockplus.1" >"$share/man/man1/hstockplus.1.gz"
  install -D -m 0644 "$here/copyright" "$share/doc/hstockplus/copyright"
  install -m 0644 "$here/Makefile.dist" "$tree/Makefile"
  normalize "$tree"
}

# normalize gives a tree the modes and time the packages must have: directories and programs
# 0755, other files 0644, every mtime $epoch.
normalize() {
  find "$1" -type d -exec chmod 0755 {} +
  find "$1" -type f -exec chmod 0644 {} +
  find "$1" -type f -path '*/bin/*' -exec chmod 0755 {} +
  find "$1" -exec touch -h -d "@$epoch" {} +
}

build_tar() {
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" \
    -C dist -cJf "dist/$name.tar.xz" "$name"
  echo "build.sh: dist/$name.tar.xz"
}

build_deb() {
  local arch deb root tmp shlibs
  arch=$(dpkg --print-architecture)
  deb=dist/hstockplus_${version}-${build:-1}_$arch.deb
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' RETURN
  root=$tmp/root
  make -s -C "$tree" install DESTDIR="$root" PREFIX=/usr >/dev/null
  # A Debian package with a Debian revision keeps its changelog as changelog.Debian.gz.
  cat >"$tmp/changelog" <<EOF
hstockplus (${version}-${build:-1}) unstable; urgency=medium

  * HstockPlus $version for Debian and Ubuntu, built from FyneApp.toml.

 -- $(maintainer)  $(date -u -R -d "@$epoch")
EOF
  gzip -9n <"$tmp/changelog" >"$root/usr/share/doc/hstockplus/changelog.Debian.gz"
  # dpkg-shlibdeps finds the libraries the binary links (libc, libGL, libX11); GLFW loads the
  # other X11 libraries at run time (dlopen), so they are listed by hand.
  mkdir -p "$tmp/debian"
  printf 'Source: hstockplus\n\nPackage: hstockplus\nArchitecture: any\n' >"$tmp/debian/control"
  shlibs=$(cd "$tmp" && dpkg-shlibdeps -O "-e$root/usr/bin/hstockplus" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
  [ -n "$shlibs" ] || { echo "build.sh: dpkg-shlibdeps found no dependencies" >&2; exit 1; }
  mkdir -p "$root/DEBIAN"
  (cd "$root" && find usr -type f | sort | xargs md5sum) >"$root/DEBIAN/md5sums"
  cat >"$root/DEBIAN/control" <<EOF
Package: hstockplus
Version: ${version}-${build:-1}
Architecture: $arch
Maintainer: $(maintainer)
Installed-Size: $(du -k -s --apparent-size "$root/usr" | cut -f1)
Depends: $shlibs, libxcursor1, libxi6, libxinerama1, libxrandr2, libxxf86vm1, fonts-noto-cjk
Recommends: xclip | xsel | wl-clipboard
Suggests: gnome-keyring
Section: net
Priority: optional
Homepage: https://hstockplus.com
Description: desktop client for the HstockPlus marketplace
 HstockPlus is the desktop app for customers of the HstockPlus marketplace:
 browse the catalog of SMM services and marketplace products, place orders,
 rent numbers for SMS verification, and get told the moment an order is
 delivered or a code arrives. A demo mode on a simulated marketplace needs no
 account.
 .
 The window speaks English, Japanese, Russian, Chinese, Spanish, Portuguese,
 German, French and Korean; the Noto CJK fonts show Japanese, Chinese and
 Korean text. The API key is kept in the Secret Service keyring when there is
 one, else in a file sealed under a passphrase.
EOF
  normalize "$root"
  chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums"
  dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
  echo "build.sh: $deb"
}

# maintainer is the Maintainer of the .deb; DEB_MAINTAINER overrides it.
maintainer() { echo "${DEB_MAINTAINER:-HstockPlus <support@hstockplus.com>}"; }

case $what in
  tree) build_tree ;;
  all)
    build_tree
    build_tar
    build_deb
    ;;
  install)
    build_tree
    make -s -C "$tree" install PREFIX="${PREFIX:-/usr/local}" DESTDIR="${DESTDIR:-}"
    ;;
  uninstall)
    [ -d "$tree" ] || build_tree # its list of files is what is removed
    make -s -C "$tree" uninstall PREFIX="${PREFIX:-/usr/local}" DESTDIR="${DESTDIR:-}"
    ;;
  *)
    echo "usage: packaging/linux/build.sh [all|tree|install|uninstall]" >&2
    exit 2
    ;;
esac
