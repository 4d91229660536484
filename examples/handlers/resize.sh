#!/usr/bin/env bash
# A toy `exec` handler for Spool: "resizes" an image (it only names the output file).
#
# Contract with Spool's exec handler:
#   stdin      the task's payload as JSON, here {"image": "cat.png", "width": 640}
#   env        SPOOL_TASK_ID, SPOOL_TASK_TYPE, SPOOL_TASK_QUEUE, SPOOL_TASK_ATTEMPT, SPOOL_DIR, SPOOL_DEADLINE,
#              SPOOL_TASK_MAX_ATTEMPTS, and SPOOL_TASK_KEY when the task has a key
#   stdout     the result: JSON (or text); stderr is recorded as the error of a failed attempt
#   exit 0     success
#   exit 75    try later (EX_TEMPFAIL): the first line of stdout, if a number, is the delay in seconds
#   exit 65    permanent failure (EX_DATAERR): the task goes to dead/ without more attempts
#   other      a failed attempt, retried by the task's backoff
#
# Example handler configuration in spool.yaml:
#   handlers:
#     resize: {exec: [examples/handlers/resize.sh]}
set -euo pipefail

payload=$(cat)

# Spool writes compact JSON; a real handler would parse it with jq.
field() {
    local pattern="\"$1\"[[:space:]]*:[[:space:]]*(\"([^\"\\\\]*)\"|[-0-9.]+|true|false)"
    [[ $payload =~ $pattern ]] || return 1
    local value=${BASH_REMATCH[1]}
    value=${value#\"}
    printf '%s' "${value%\"}"
}

if [[ $(field fail || true) == true ]]; then
    echo "resize failed (simulated)" >&2
    exit 1
fi
if [[ $(field busy || true) == true ]]; then
    echo 30
    echo "image service busy, try again in 30 s" >&2
    exit 75
fi
if ! image=$(field image); then
    echo 'payload needs "image" (a file name)' >&2
    exit 65
fi
width=$(field width || echo 800)

printf '{"input":"%s","output":"%s-%s.%s","width":%s,"task":"%s","attempt":%s,"deadline":"%s"}\n' \
    "$image" "${image%.*}" "$width" "${image##*.}" "$width" \
    "$SPOOL_TASK_ID" "$SPOOL_TASK_ATTEMPT" "$SPOOL_DEADLINE"
