#!/usr/bin/env bash
# The install test, the last step of `make test`:
#
#   Tests/install/run.sh
#
# 1. `make install` into a staging folder: every file in place; the binaries need no Swift runtime and run
#    with the toolchain hidden; the installed spoold runs a task through an exec handler on a fresh spool
#    and a cron entry in a tz database zone is read (Foundation's time zones, linked in); the completions
#    load in bash, zsh and fish and complete subcommands; the man pages render without a warning and hold
#    every subcommand; the unit runs the installed spoold; `make uninstall` removes it all.
# 2. `make deb`, installed with dpkg on this machine: the spool user, /var/lib/spool, the unit enabled,
#    spoold started as the unit starts it and the spool inspected with the packaged spoolctl; then removed
#    (the spool kept) and purged, and the machine must be as it was.
#
# Part 2 needs root (or sudo) and a machine without Spool installed: it refuses, rather than replace, an
# installed spool package, a `spool` user or a /var/lib/spool. SPOOL_TEST_DEB=0 skips it.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
tmp=$(mktemp -d)
daemon=
installed_package=

# Outputs are checked as `grep -q PATTERN <<<"$(command)"`, never `command | grep -q`: grep -q stops at the
# first match, and under pipefail the command's broken pipe would fail the check.
step() { echo "== install test: $*"; }
fail() {
    echo "install test: FAILED: $*" >&2
    exit 1
}

cleanup() {
    if [ -n "$daemon" ]; then $SUDO kill -KILL "$daemon" 2>/dev/null || true; fi
    if [ -n "$installed_package" ]; then $SUDO dpkg --purge spool >/dev/null 2>&1 || true; fi
    rm -rf "$tmp"
}
trap cleanup EXIT

# Waits up to $1 seconds for the command after it to succeed.
wait_for() {
    local deadline=$((SECONDS + $1))
    shift
    until "$@" >/dev/null 2>&1; do
        [ $SECONDS -lt $deadline ] || return 1
        sleep 0.2
    done
}

# Stops the daemon started last, gracefully, and checks that it exits with status 0.
stop_daemon() {
    $SUDO kill -TERM "$daemon"
    local status=0
    timeout 30 tail --pid="$daemon" -f /dev/null || fail "spoold did not stop within 30 s of SIGTERM"
    wait "$daemon" || status=$?
    daemon=
    [ $status = 0 ] || fail "spoold exited with status $status after SIGTERM"
}

# The toolchain's folder (the one holding bin/swift), which no installed binary may need.
toolchain=$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")

# What runs a command as on a server: a bare environment and, when a mount namespace can be made (root,
# not in a container that forbids it), the toolchain's folder hidden under an empty tmpfs. Each program
# execs the next, so that a daemon started with it is the process started.
hidden=no
bare=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin)
case $toolchain in / | /usr | /usr/local) ;; *)
    if [ "$(id -u)" = 0 ] && unshare --mount true 2>/dev/null; then
        hidden=yes
        bare+=(unshare --mount -- sh -c 'mount -t tmpfs tmpfs "$0" && exec "$@"' "$toolchain")
    fi
    ;;
esac

# A binary must need only libraries of Debian packages, none of the toolchain's.
check_libraries() {
    local binary=$1 lib path
    for lib in $(objdump -p "$binary" | awk '$1 == "NEEDED" {print $2}'); do
        case $lib in lib*swift* | lib*Foundation* | libdispatch* | libBlocksRuntime* | libicu*)
            fail "$binary needs $lib" ;;
        esac
    done
    if ldd "$binary" | grep -F "$toolchain/"; then fail "$binary loads libraries from $toolchain"; fi
    for path in $(ldd "$binary" | awk '$2 == "=>" {print $3}'); do
        dpkg -S "$path" >/dev/null 2>&1 || dpkg -S "$(readlink -f "$path")" >/dev/null 2>&1 ||
            fail "$binary loads $path, which no Debian package provides"
    done
}

start=$SECONDS

# ---------------------------------------------------------------------------------------------------------
step "make install DESTDIR=$tmp/root PREFIX=/usr/local"
make --no-print-directory install DESTDIR="$tmp/root" PREFIX=/usr/local
built=$SECONDS
prefix=$tmp/root/usr/local
# The subcommands `spoolctl --help` lists, which the man page and the completions must all know.
subcommands=$("$prefix/bin/spoolctl" --help | sed -n '/^SUBCOMMANDS:/,/^$/p' | awk '/^  [a-z]/ {print $1}')
[ -n "$subcommands" ] || fail "spoolctl --help lists no subcommands"

step "the files are in place"
expected=(bin/spoold bin/spoolctl lib/systemd/system/spoold.service share/spool/spool.yaml
    share/doc/spool/task.schema.json)
for tool in spoold spoolctl; do
    expected+=("share/bash-completion/completions/$tool" "share/zsh/site-functions/_$tool"
        "share/fish/vendor_completions.d/$tool.fish" "share/man/man1/$tool.1")
done
for doc in docs/*.md; do expected+=("share/doc/spool/${doc#docs/}"); done
for file in "${expected[@]}"; do
    [ -s "$prefix/$file" ] || fail "$prefix/$file is missing or empty"
done
for tool in spoold spoolctl; do
    [ -x "$prefix/bin/$tool" ] || fail "$prefix/bin/$tool is not executable"
done

step "the binaries need no Swift runtime (toolchain hidden: $hidden)"
for tool in spoold spoolctl; do
    check_libraries "$prefix/bin/$tool"
    version=$("${bare[@]}" "$prefix/bin/$tool" --version) || fail "$tool --version failed without the toolchain"
    [ "$version" = "$("$prefix/bin/spoolctl" --version)" ] || fail "$tool reports version $version"
done

step "the installed spoold runs a task on a fresh spool"
spool=$tmp/spool
mkdir "$spool"
cat >"$spool/spool.yaml" <<'EOF'
queues:
  checks:
    handler: mark
handlers:
  mark:
    exec: [/bin/sh, -c, 'cat >/dev/null; printf "{\"ran\": \"%s\"}" "$SPOOL_TASK_ID"']
EOF
spoolctl() { "${bare[@]}" "$prefix/bin/spoolctl" --spool "$spool" "$@"; }
"${bare[@]}" "$prefix/bin/spoold" --spool "$spool" 2>"$tmp/spoold.log" &
daemon=$!
wait_for 20 spoolctl stats || fail "spoold made no spool within 20 s: $(cat "$tmp/spoold.log")"
id=$(spoolctl enqueue --queue checks --type check --payload '{"n": 1}')
result=$(spoolctl result "$id" --wait --timeout 20) || fail "task $id did not finish: $(cat "$tmp/spoold.log")"
grep -q "\"ran\": \"$id\"" <<<"$result" || fail "task $id has result $result"
grep -q "$id" <<<"$(spoolctl list --state done)" || fail "task $id is not in done/"
# A cron entry in a named zone: the zone comes from Foundation, linked in with the standard library.
spoolctl cron add nightly "0 30 2 * * *" --time-zone Europe/Berlin --type check --queue checks >/dev/null
grep -q "Europe/Berlin .*T0[01]:30:00" <<<"$(spoolctl cron list --next 1)" ||
    fail "the cron entry's next tick in Europe/Berlin is wrong: $(spoolctl cron list --next 1)"
stop_daemon
if grep -E 'level=(error|critical)' "$tmp/spoold.log"; then fail "spoold logged an error"; fi

step "the completions load and complete the subcommands"
completions=$prefix/share
bash_replies=$(PATH=$prefix/bin:$PATH bash -c '
    source "$1"; complete -p spoolctl >/dev/null || exit 1
    COMP_WORDS=(spoolctl ""); COMP_CWORD=1; COMP_LINE="spoolctl "; COMP_POINT=9
    _spoolctl spoolctl "" spoolctl; printf "%s\n" "${COMPREPLY[@]}"' _ \
    "$completions/bash-completion/completions/spoolctl") || fail "the bash completion does not load"
PATH=$prefix/bin:$PATH bash -c 'source "$1" && complete -p spoold' _ \
    "$completions/bash-completion/completions/spoold" >/dev/null || fail "spoold's bash completion does not load"
fish_replies=$(PATH=$prefix/bin:$PATH fish --no-config -c \
    "set fish_complete_path $completions/fish/vendor_completions.d; complete -C 'spoolctl '") ||
    fail "the fish completion does not load"
fish_modes=$(PATH=$prefix/bin:$PATH fish --no-config -c \
    "set fish_complete_path $completions/fish/vendor_completions.d; complete -C 'spoold --mode '") || true
zsh_function=$(zsh -fc 'fpath=("$1" $fpath); autoload -Uz compinit; compinit -u -d "$2"
    print -r -- ${_comps[spoolctl]} ${_comps[spoold]}' _ "$completions/zsh/site-functions" "$tmp/zcompdump") ||
    fail "zsh's compinit failed on the installed functions"
[ "$zsh_function" = "_spoolctl _spoold" ] || fail "zsh completes spoolctl and spoold with: '$zsh_function'"
for tool in spoolctl spoold; do
    zsh -n "$completions/zsh/site-functions/_$tool" || fail "_$tool is not valid zsh"
done
for name in $subcommands; do
    [ "$name" = help ] && continue
    grep -qx "$name" <<<"$bash_replies" || fail "bash does not complete 'spoolctl $name'"
    grep -q "^$name[[:space:]]" <<<"$fish_replies" || fail "fish does not complete 'spoolctl $name'"
done
grep -q "^scheduler" <<<"$fish_modes" || fail "fish does not complete 'spoold --mode scheduler'"

step "the man pages render and hold every subcommand"
for tool in spoold spoolctl; do
    page=$prefix/share/man/man1/$tool.1
    warnings=$(groff -mandoc -ww -z "$page" 2>&1)
    [ -z "$warnings" ] || fail "$tool.1 has groff warnings: $warnings"
    MANWIDTH=100 man -l "$page" >"$tmp/$tool.txt" 2>"$tmp/man.err" || fail "man -l $tool.1: $(cat "$tmp/man.err")"
    grep -q "^SYNOPSIS" "$tmp/$tool.txt" || fail "$tool.1 has no SYNOPSIS"
done
grep -q -- "--poll-interval" "$tmp/spoold.txt" || fail "spoold.1 does not list --poll-interval"
for name in $subcommands; do
    grep -Eq "^ {5}$name( |$)" "$tmp/spoolctl.txt" || fail "spoolctl.1 does not describe '$name'"
done
grep -q -- "--older-than" "$tmp/spoolctl.txt" || fail "spoolctl.1 does not list the options of purge"

step "the unit runs the installed spoold"
unit=$prefix/lib/systemd/system/spoold.service
grep -qx "ExecStart=/usr/local/bin/spoold --spool /var/lib/spool --mode all" "$unit" ||
    fail "$unit: $(grep ExecStart "$unit")"
grep -qx "Documentation=file:///usr/local/share/doc/spool/CONFIG.md" "$unit" || fail "$unit: wrong Documentation"

step "make uninstall removes every file"
make --no-print-directory uninstall DESTDIR="$tmp/root" PREFIX=/usr/local >/dev/null
left=$(find "$tmp/root" -type f)
[ -z "$left" ] || fail "make uninstall left: $left"
echo "   make install and its checks: $((built - start)) s to build and install, $((SECONDS - built)) s to check"

# ---------------------------------------------------------------------------------------------------------
if [ "${SPOOL_TEST_DEB:-1}" = 0 ]; then
    echo "install test: passed (the Debian package skipped: SPOOL_TEST_DEB=0)"
    exit 0
fi
deb_start=$SECONDS
if dpkg -s spool >/dev/null 2>&1 || getent passwd spool >/dev/null || getent group spool >/dev/null ||
    [ -e /var/lib/spool ]; then
    fail "this machine has a spool package, user, group or /var/lib/spool, which the Debian package test
    would replace and purge; run it on another machine, or skip it with SPOOL_TEST_DEB=0"
fi

# What the package may change outside its own files, to compare after the purge.
machine_state() {
    { find /etc/systemd /var/lib/systemd/deb-systemd-helper-enabled /var/lib/systemd/deb-systemd-helper-masked \
        2>/dev/null || true; } | sort
    getent passwd spool || true
    getent group spool || true
    ls -d /var/lib/spool 2>/dev/null || true
}
machine_state >"$tmp/state.before"

step "make deb"
make --no-print-directory deb | tee "$tmp/deb.log"
package=$(tail -n 1 "$tmp/deb.log")
[ -f "$package" ] || fail "make deb printed '$package', not a package"
field() { dpkg-deb -f "$package" "$1"; }
[ "$(field Version)" = "$(.build/static/release/spoolctl --version)" ] ||
    fail "the package's version is $(field Version)"
[ "$(field Architecture)" = "$(dpkg --print-architecture)" ] || fail "the package's architecture is $(field Architecture)"
for dependency in libc6 libinotifytools0 adduser; do
    grep -Eq "(^|, )$dependency( |,|$)" <<<"$(field Depends)" || fail "the package does not depend on $dependency: $(field Depends)"
done
dpkg-deb -c "$package" | awk '{print $6}' >"$tmp/contents"
for file in ./usr/bin/spoold ./usr/bin/spoolctl ./usr/lib/systemd/system/spoold.service \
    ./usr/share/man/man1/spoolctl.1.gz ./usr/share/man/man1/spoold.1.gz ./usr/share/doc/spool/CONFIG.md \
    ./usr/share/bash-completion/completions/spoolctl ./usr/share/zsh/site-functions/_spoolctl \
    ./usr/share/fish/vendor_completions.d/spoolctl.fish ./usr/share/spool/spool.yaml; do
    grep -qx "$file" "$tmp/contents" || fail "the package has no $file"
done
if grep -q '^./usr/local' "$tmp/contents"; then fail "the package has files under /usr/local"; fi

step "dpkg -i $package"
installed_package=yes
$SUDO dpkg -i "$package" >"$tmp/dpkg.log" 2>&1 || fail "dpkg -i: $(cat "$tmp/dpkg.log")"
grep -q '^Status: install ok installed' <<<"$(dpkg -s spool)" || fail "the package is not installed: $(cat "$tmp/dpkg.log")"
[ "$(/usr/bin/spoolctl --version)" = "$(field Version)" ] || fail "/usr/bin/spoolctl --version"
IFS=: read -r _ _ uid _ _ home shell < <(getent passwd spool) || fail "no spool user"
getent group spool >/dev/null || fail "no spool group"
[ "$uid" -lt 1000 ] || fail "the spool user is not a system user (uid $uid)"
[ "$home" = /var/lib/spool ] && [ "$shell" = /usr/sbin/nologin ] || fail "the spool user: home $home, shell $shell"
[ "$(stat -c %U:%G:%a /var/lib/spool)" = spool:spool:750 ] || fail "/var/lib/spool is $(stat -c %U:%G:%a /var/lib/spool)"
$SUDO test -f /var/lib/spool/spool.yaml || fail "no /var/lib/spool/spool.yaml"
[ -L /etc/systemd/system/multi-user.target.wants/spoold.service ] || fail "spoold.service is not enabled"
grep -qx "ExecStart=/usr/bin/spoold --spool /var/lib/spool --mode all" /usr/lib/systemd/system/spoold.service ||
    fail "the packaged unit does not run /usr/bin/spoold"
if grep -v '^#' /usr/lib/systemd/system/spoold.service | grep /usr/local; then fail "the packaged unit names /usr/local"; fi

step "spoold runs as the unit runs it, and the packaged spoolctl inspects its spool"
: >"$tmp/packaged.log"
if [ -d /run/systemd/system ]; then
    wait_for 20 systemctl is-active --quiet spoold.service || fail "spoold.service is not active"
else
    # No service manager here: the unit's command as the unit's user, which makes the spool. setpriv
    # execs it, so that the signals reach spoold itself.
    read -ra command <<<"$(sed -n 's/^ExecStart=//p' /usr/lib/systemd/system/spoold.service)"
    $SUDO env -i PATH=/usr/bin:/bin SPOOL_DIR=/var/lib/spool \
        setpriv --reuid=spool --regid=spool --init-groups "${command[@]}" 2>"$tmp/packaged.log" &
    daemon=$!
fi
wait_for 20 $SUDO /usr/bin/spoolctl --spool /var/lib/spool stats || fail "no spool in /var/lib/spool: $(cat "$tmp/packaged.log")"
[ "$($SUDO stat -c %U /var/lib/spool/active)" = spool ] || fail "/var/lib/spool/active is not the spool user's"
$SUDO setpriv --reuid=spool --regid=spool --init-groups /usr/bin/spoolctl --spool /var/lib/spool \
    enqueue --queue waiting --type none >/dev/null ||
    fail "the spool user cannot enqueue"
grep -q "^waiting " <<<"$($SUDO /usr/bin/spoolctl --spool /var/lib/spool stats)" || fail "spoolctl stats does not show the task"
if [ -n "$daemon" ]; then
    stop_daemon
    if grep -E 'level=(error|critical)' "$tmp/packaged.log"; then fail "the packaged spoold logged an error"; fi
fi

step "dpkg -r keeps the spool; dpkg --purge leaves the machine as it was"
$SUDO dpkg -r spool >"$tmp/dpkg.log" 2>&1 || fail "dpkg -r: $(cat "$tmp/dpkg.log")"
[ ! -e /usr/bin/spoolctl ] || fail "dpkg -r left /usr/bin/spoolctl"
$SUDO test -f /var/lib/spool/spool.yaml -a -d /var/lib/spool/active || fail "dpkg -r did not keep the spool"
getent passwd spool >/dev/null || fail "dpkg -r removed the spool user"
$SUDO dpkg --purge spool >"$tmp/dpkg.log" 2>&1 || fail "dpkg --purge: $(cat "$tmp/dpkg.log")"
installed_package=
! dpkg -s spool >/dev/null 2>&1 || fail "the package is still known to dpkg"
machine_state >"$tmp/state.after"
diff "$tmp/state.before" "$tmp/state.after" || fail "the purge did not leave the machine as it was (above)"

echo "   make deb and its checks: $((SECONDS - deb_start)) s"
echo "install test: passed in $((SECONDS - start)) s"
