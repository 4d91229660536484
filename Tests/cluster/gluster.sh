#!/bin/sh
# A GlusterFS volume of one brick on this machine, mounted several times over FUSE: each mount stands for
# a host of a cluster sharing one spool (Tests/SpoolCrashTests/GlusterClusterTests.swift).
#
#   gluster.sh up [--tmpfs] NAME BRICK MOUNT...
#       start glusterd if it is not running, create volume NAME on the folder BRICK (made if missing, must
#       be empty; with --tmpfs, a tmpfs is mounted there first), set the options below, start it, and
#       mount it at each MOUNT (made if missing)
#   gluster.sh down NAME [MOUNT...]
#       unmount every mount of NAME (each MOUNT, and any other one), stop the volume and delete it; a
#       brick on a tmpfs is unmounted, with what it held; any other brick is left to the caller
#
# `up` first takes down a volume NAME left by an earlier run that did not end. Needs root, the
# glusterfs-server and glusterfs-client packages, and /dev/fuse.
set -eu

die() {
    echo "gluster.sh: $*" >&2
    exit 1
}

# What makes each mount see the changes made through the others at once, as the hosts of a spool must. Each
# option turns off a client-side cache that otherwise shows one mount, for up to a second, what another
# mount has since changed. Measured on GlusterFS 10.3 by a change through one mount then a look through
# another at once, and by the cluster test itself without the option.
volume_options() {
    # md-cache keeps each file's attributes and each name's lookup for md-cache-timeout (1 s): a lease
    # renewed or taken through one mount (the task file's mtime) shows its old expiry through another, and
    # a file renamed away is still found, and opened, under its old name. Without this, a cluster test of
    # 5,000 tasks saw 30 attempts run twice or three times, leases of running tasks returned as expired,
    # and task files left in running/.
    set_option "$1" performance.stat-prefetch off
    # The negative lookup cache (off by default in 10.3): a name looked up while missing stays missing
    # after another mount creates it.
    set_option "$1" performance.nl-cache off
    # Left as they are, since no staleness was seen with them once the above are off: quick-read and
    # io-cache (content is cached per file, and a task file's content never changes after its rename into
    # place), write-behind and flush-behind (a file written, closed and renamed through one mount reads
    # whole, mtime included, through another), readdir-ahead, open-behind, read-ahead.
}

# The FUSE kernel module's own caches, per mount: a name for entry-timeout (1 s by default), attributes for
# attribute-timeout (1 s). With the first, a name renamed away through another mount still opens its file
# (a stale read after a rewrite by rename); with the second, a stat through an open descriptor shows an old
# mtime. Without them (md-cache off), a cluster test of 5,000 tasks saw 54 attempts run twice, the daemons
# removed 46 second copies of tasks that had been in two places, and daemons opening the spool together
# failed to read its format stamp, which another had just replaced ("Stale file handle"). A missing name is
# not cached with negative-timeout 0, the default, named here all the same. use-readdirp=no is for speed
# alone: a listing then returns names only, which is what Spool reads, instead of the attributes of every
# entry, which entry-timeout=0 discards at once; listing a folder of 8,000 tasks took 0.04 to 0.07 s
# instead of 0.3 to 0.7 s.
mount_options=entry-timeout=0,attribute-timeout=0,negative-timeout=0,use-readdirp=no

set_option() {
    gluster --mode=script volume set "$1" "$2" "$3" >/dev/null || die "cannot set $2 on volume $1"
}

glusterd_answers() {
    gluster --mode=script --timeout=10 volume list >/dev/null 2>&1
}

start_glusterd() {
    glusterd_answers && return 0
    command -v glusterd >/dev/null 2>&1 || die "glusterd is not installed (Debian: glusterfs-server)"
    # glusterd forks into the background once it is listening.
    pgrep -x glusterd >/dev/null 2>&1 || glusterd || die "glusterd did not start"
    tries=0
    until glusterd_answers; do
        tries=$((tries + 1))
        [ "$tries" -lt 60 ] || die "glusterd does not answer"
        sleep 0.5
    done
}

volume_exists() {
    gluster --mode=script volume info "$1" >/dev/null 2>&1
}

# The mount points of volume $1, from /proc/mounts (source localhost:/NAME or <host>:/NAME).
mounts_of() {
    awk -v name="$1" '$3 == "fuse.glusterfs" && $1 ~ (":/" name "$") { print $2 }' /proc/mounts
}

unmount() {
    mountpoint -q "$1" 2>/dev/null || return 0
    # A process still in the folder keeps it busy: then it is detached now and goes when it is left.
    umount "$1" 2>/dev/null || umount -l "$1"
}

down() {
    name=$1
    shift
    for mount in "$@" $(mounts_of "$name"); do unmount "$mount"; done
    volume_exists "$name" || return 0
    # Not $brick: up, which calls this, has its own in that variable.
    volume_brick=$(gluster --mode=script volume info "$name" | sed -n 's/^Brick1: [^:]*://p')
    gluster --mode=script volume stop "$name" force >/dev/null 2>&1 || true
    gluster --mode=script volume delete "$name" >/dev/null || die "cannot delete volume $name"
    if [ -n "$volume_brick" ] && mountpoint -q "$volume_brick" && [ "$(stat -f -c %T "$volume_brick")" = tmpfs ]; then
        unmount "$volume_brick"
    fi
}

up() {
    tmpfs=false
    if [ "$1" = --tmpfs ]; then
        tmpfs=true
        shift
    fi
    name=$1
    brick=$2
    shift 2
    [ $# -gt 0 ] || die "up: no mount point given"
    [ -e /dev/fuse ] || die "/dev/fuse is missing"
    command -v mount.glusterfs >/dev/null 2>&1 || die "mount.glusterfs is not installed (Debian: glusterfs-client)"
    start_glusterd
    down "$name" "$@"
    mkdir -p "$brick"
    [ -z "$(ls -A "$brick")" ] || die "the brick folder $brick is not empty"
    if $tmpfs; then mount -t tmpfs -o mode=0755 tmpfs "$brick" || die "cannot mount a tmpfs at $brick"; fi
    if ! gluster --mode=script volume create "$name" "$(hostname):$brick" force >/dev/null; then
        if $tmpfs; then umount "$brick"; fi
        die "cannot create volume $name on $(hostname):$brick"
    fi
    volume_options "$name"
    gluster --mode=script volume start "$name" >/dev/null || die "cannot start volume $name"
    for mount in "$@"; do
        mkdir -p "$mount"
        # mount.glusterfs returns once the mount answers (it checks the root's inode).
        mount -t glusterfs -o "$mount_options" "localhost:/$name" "$mount" || die "cannot mount $name at $mount"
    done
}

command=${1:-}
[ $# -gt 0 ] && shift
case $command in
    up) [ $# -ge 3 ] || die "usage: gluster.sh up [--tmpfs] NAME BRICK MOUNT..."; up "$@" ;;
    down) [ $# -ge 1 ] || die "usage: gluster.sh down NAME [MOUNT...]"; down "$@" ;;
    *) die "usage: gluster.sh up [--tmpfs] NAME BRICK MOUNT... | gluster.sh down NAME [MOUNT...]" ;;
esac
