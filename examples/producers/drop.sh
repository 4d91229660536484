#!/bin/sh
# Drops one task into a spool from a shell: write under a hidden name, then rename into place.
# Usage: drop.sh SPOOL_DIR TYPE [PAYLOAD_JSON [QUEUE]]
set -eu
spool=$1 type=$2 payload=${3:-null} queue=${4:-default}
tmp=$(mktemp "$spool/incoming/.drop.XXXXXX")
printf '{"queue":"%s","type":"%s","payload":%s}\n' "$queue" "$type" "$payload" > "$tmp"
name=${tmp##*/.}
mv "$tmp" "$spool/incoming/$name.json"
