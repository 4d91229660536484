#!/usr/bin/env bash
# Builds the Debian package of Spool with dpkg-deb, no debhelper needed:
#
#   packaging/deb.sh        (`make deb`; prints the path of .build/deb/spool_<version>_<arch>.deb)
#
# It holds what `make install` installs with PREFIX=/usr (man pages gzipped, as Debian has them), and the
# maintainer scripts of packaging/debian/, which create the spool user and /var/lib/spool and enable
# spoold.service. The version is the binaries' own (`spoolctl --version`), the architecture dpkg's, and
# the dependencies the Debian packages of the shared libraries the binaries load.
#
# Environment: BUILD, as for packaging/install.sh; DEB_MAINTAINER, the Maintainer field.
set -euo pipefail
cd "$(dirname "$0")/.."

build=${BUILD:-.build/static/release}
maintainer=${DEB_MAINTAINER:-Spool maintainers <spool@localhost>}
out=.build/deb
stage=$out/root

version=$("$build/spoolctl" --version)
if [ "$("$build/spoold" --version)" != "$version" ]; then
    echo "deb: spoold and spoolctl disagree on the version" >&2
    exit 1
fi
arch=$(dpkg --print-architecture)

rm -rf "$stage"
mkdir -p "$stage/DEBIAN"
PREFIX=/usr DESTDIR=$stage BUILD=$build packaging/install.sh install
gzip -9n "$stage"/usr/share/man/man1/*.1

# The package owning a library file. A merged /usr has /lib and /usr/lib as one folder, and dpkg knows each
# file by the name its package gave it: try both.
owner() {
    local path=$1 alias
    case $path in
        /usr/*) alias=${path#/usr} ;;
        *) alias=/usr$path ;;
    esac
    { dpkg -S "$path" 2>/dev/null || dpkg -S "$alias" 2>/dev/null; } | awk -F: 'NR == 1 {print $1}'
}

# One dependency per package of a library the binaries name (NEEDED), resolved as the loader does, at
# least at the version installed here: they were linked against that one, so an older one may lack a
# symbol. A library outside every Debian package (the toolchain's) fails the build.
depends() {
    local binary lib path package
    for binary in "$@"; do
        for lib in $(objdump -p "$binary" | awk '$1 == "NEEDED" {print $2}'); do
            path=$(ldd "$binary" | awk -v lib="$lib" '$1 == lib && $2 == "=>" {print $3}')
            case $lib in ld-linux*) path=$(ldd "$binary" | awk -v lib="$lib" 'index($1, lib) {print $1}') ;; esac
            package=$(owner "$(readlink -f "${path:-/nonexistent}")")
            [ -n "$package" ] || package=$(owner "${path:-/nonexistent}")
            if [ -z "$package" ]; then
                echo "deb: $binary needs $lib (${path:-not found}), which no Debian package provides" >&2
                exit 1
            fi
            echo "$package"
        done
    done | sort -u | while read -r package; do
        installed=$(dpkg-query -W -f='${Version}' "$package")
        echo "$package (>= ${installed%-*})"
    done | paste -sd, - | sed 's/,/, /g'
}

# postinst creates the user with adduser.
dependencies="$(depends "$stage/usr/bin/spoold" "$stage/usr/bin/spoolctl"), adduser"
installed_size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)

sed -e "s|@VERSION@|$version|" -e "s|@ARCH@|$arch|" -e "s|@MAINTAINER@|$maintainer|" \
    -e "s|@INSTALLED_SIZE@|$installed_size|" -e "s|@DEPENDS@|$dependencies|" \
    packaging/debian/control >"$stage/DEBIAN/control"
install -m 0755 packaging/debian/postinst packaging/debian/prerm packaging/debian/postrm "$stage/DEBIAN/"

package=$out/spool_${version}_${arch}.deb
# Files owned by root whoever builds it. zstd compresses 180 MB of binaries in about a second where xz
# takes over a minute, for a package half again as large (60 MB); dpkg reads it since Debian 12, and the
# binaries need Debian 12's C library anyway.
dpkg-deb --root-owner-group -Zzstd --build "$stage" "$package" >/dev/null
echo "$package"
