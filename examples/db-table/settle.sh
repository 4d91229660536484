#!/bin/sh
# The handler of the db-table example: settles an order ({"order": "...", "fail": N} on standard input).
# It fails (exit 75: retry later) while the attempt number is at most N, then succeeds and prints its result.
payload=$(cat)
fail=$(printf '%s' "$payload" | sed -n 's/.*"fail":\([0-9]*\).*/\1/p')
if [ "$SPOOL_TASK_ATTEMPT" -le "${fail:-0}" ]; then
    echo "payment provider busy" >&2
    exit 75
fi
printf '{"settled":true,"attempt":%s}\n' "$SPOOL_TASK_ATTEMPT"
