#!/bin/sh
# Adds the task of an order to the spool, as the old code inserted a row:
#   enqueue.sh SPOOL ORDER_NUMBER [DELAY_SECONDS [FAIL_TIMES]]
# due DELAY_SECONDS from now (default 60), at most 100 attempts, given up 7 days from now, deleted 30 days from
# now whatever happened; the handler fails its first FAIL_TIMES attempts (default 0). Prints the task id.
set -eu
spool=$1 order=$2 delay=${3:-60} fail=${4:-0}
spoolctl=${SPOOLCTL:-spoolctl}
now=$(date +%s)
exec "$spoolctl" --spool "$spool" enqueue --queue orders --type settle \
    --payload "{\"order\":\"$order\",\"fail\":$fail}" --key "ORDER-$order" --delay "$delay" \
    --max-attempts 100 --deadline $((now + 7 * 86400)) --delete-at $((now + 30 * 86400))
