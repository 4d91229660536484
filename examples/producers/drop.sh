#!/bin/sh
# Drops one task into a spool from a shell: write under a hidden name, then rename into place.
# Usage: drop.sh SPOOL_DIR TYPE [PAYLOAD_JSON]
set -eu
spool=$1 type=$2 payload=${3:-null}
tmp=$(mktemp "$spool/incoming/.drop.XXXXXX")
printf '{"type":"%s","payload":%s}\n' "$type" "$payload" > "$tmp"
name=${tmp##*/.}
mv "$tmp" "$spool/incoming/$name.json"
