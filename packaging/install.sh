#!/usr/bin/env bash
# Installs spoold and spoolctl under $DESTDIR$PREFIX with everything an operator expects next to them, or
# removes what it installed:
#
#   packaging/install.sh install|uninstall        (`make install`, `make uninstall`)
#
# Under $PREFIX (default /usr/local):
#   bin/spoold, bin/spoolctl                        the release binaries, Swift standard library linked in
#   share/bash-completion/completions/<tool>        shell completions, written by each binary itself
#   share/zsh/site-functions/_<tool>
#   share/fish/vendor_completions.d/<tool>.fish
#   share/man/man1/<tool>.1                         man pages, generated from each binary's help
#   share/doc/spool/                                docs/*.md and docs/task.schema.json
#   share/spool/spool.yaml                          the starting configuration of a new spool
#   lib/systemd/system/spoold.service               examples/deploy/spoold.service, with this prefix's paths
#
# Environment: PREFIX; DESTDIR, a staging root (for a package); BUILD, the folder holding the binaries and
# argument-parser's generate-manual tool (default .build/static/release, where `make release-static`
# builds them).
set -euo pipefail
cd "$(dirname "$0")/.."

action=${1:-install}
prefix=${PREFIX:-/usr/local}
prefix=${prefix%/}
dest=${DESTDIR:-}${prefix}
build=${BUILD:-.build/static/release}
tools=(spoold spoolctl)
unit=lib/systemd/system/spoold.service

# Files of one tool, relative to the prefix.
tool_files() {
    echo "bin/$1"
    echo "share/bash-completion/completions/$1"
    echo "share/zsh/site-functions/_$1"
    echo "share/fish/vendor_completions.d/$1.fish"
    echo "share/man/man1/$1.1"
}

# Writes standard input to the file $2 under the prefix, with mode $1.
put() {
    install -d "$dest/$(dirname "$2")"
    cat >"$dest/$2"
    chmod "$1" "$dest/$2"
}

# A binary that loads the Swift runtime from the toolchain would not run on a server without one: it was
# built without --static-swift-stdlib (a plain `swift build -c release` writes to the same kind of folder).
check_static() {
    local runtime
    runtime=$(objdump -p "$1" | awk '$1 == "NEEDED" {print $2}' |
        grep -E '^lib(swift|_?Foundation|dispatch|BlocksRuntime|icu)' || true)
    if [ -n "$runtime" ]; then
        echo "install: $1 needs the Swift runtime ($(echo "$runtime" | tr '\n' ' ')); build it with" \
            "'make release-static'" >&2
        exit 1
    fi
}

# The man pages' date: SOURCE_DATE_EPOCH for a reproducible build, else the last commit's, else today.
manual_date() {
    if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
        date -u -d "@$SOURCE_DATE_EPOCH" +%F
    else
        git log -1 --format=%cs 2>/dev/null || date -u +%F
    fi
}

install_all() {
    local tool binary
    manuals=$(mktemp -d)
    trap 'rm -rf "$manuals"' EXIT
    for tool in "${tools[@]}"; do
        binary=$build/$tool
        [ -x "$binary" ] || { echo "install: no $binary; run 'make install'" >&2; exit 1; }
        check_static "$binary"
        install -d "$dest/bin"
        install -m 0755 "$binary" "$dest/bin/$tool"
        # The debug information is a third of the size; the symbol table stays, so that a crash's
        # backtrace still names its functions.
        strip --strip-debug "$dest/bin/$tool"

        # argument-parser writes the completion scripts from the command's own definition.
        "$binary" --generate-completion-script bash | put 0644 "share/bash-completion/completions/$tool"
        "$binary" --generate-completion-script zsh | put 0644 "share/zsh/site-functions/_$tool"
        "$binary" --generate-completion-script fish | put 0644 "share/fish/vendor_completions.d/$tool.fish"

        # The tool argument-parser's generate-manual plugin runs (the plugin itself would build every
        # product of the package again), on the binary being installed: one page with every subcommand
        # and its options, from the same definitions `--help` prints, so that it cannot drift.
        "$build/generate-manual" "$binary" --date "$(manual_date)" --output-directory "$manuals"
        put 0644 "share/man/man1/$tool.1" <"$manuals/$tool.1"
    done

    install -d "$dest/share/doc/spool"
    install -m 0644 docs/*.md docs/task.schema.json "$dest/share/doc/spool/"
    put 0644 share/spool/spool.yaml <packaging/spool.yaml

    # The example unit names /usr/local, the default prefix; the installed one names its own.
    sed "/^#/! s|/usr/local/|$prefix/|g" examples/deploy/spoold.service | put 0644 "$unit"
    grep -q "^ExecStart=$prefix/bin/spoold " "$dest/$unit" || {
        echo "install: no 'ExecStart=$prefix/bin/spoold' in $dest/$unit" >&2
        exit 1
    }
}

uninstall_all() {
    local tool
    for tool in "${tools[@]}"; do
        tool_files "$tool" | while read -r file; do rm -f "$dest/$file" "$dest/$file.gz"; done
    done
    rm -f "$dest/$unit"
    rm -rf "$dest/share/doc/spool" "$dest/share/spool"
}

case $action in
    install) install_all ;;
    uninstall) uninstall_all ;;
    *) echo "usage: $0 install|uninstall" >&2; exit 64 ;;
esac
