#!/usr/bin/env python3
"""A toy `exec` handler for Spool: counts the words of payload["text"].

Contract with Spool's exec handler:
  stdin      the task's payload as JSON, here {"text": "the cat and the hat"}
  env        SPOOL_TASK_ID, SPOOL_TASK_TYPE, SPOOL_TASK_QUEUE, SPOOL_TASK_ATTEMPT, SPOOL_DIR, SPOOL_DEADLINE,
             SPOOL_TASK_MAX_ATTEMPTS, and SPOOL_TASK_KEY when the task has a key
  stdout     the result: JSON (or text); stderr is recorded as the error of a failed attempt
  exit 0     success
  exit 75    try later (EX_TEMPFAIL): the first line of stdout, if a number, is the delay in seconds
  exit 65    permanent failure (EX_DATAERR): the task goes to dead/ without more attempts
  other      a failed attempt, retried by the task's backoff

Example handler configuration in spool.yaml:
  handlers:
    report: {exec: examples/handlers/report.py}

Standard library only.
"""

import collections
import json
import os
import sys

EX_DATAERR = 65
EX_TEMPFAIL = 75


def main() -> int:
    try:
        payload = json.load(sys.stdin)
    except json.JSONDecodeError as error:
        print(f"payload is not JSON: {error}", file=sys.stderr)
        return EX_DATAERR
    if not isinstance(payload, dict) or not isinstance(payload.get("text"), str):
        print('payload needs "text" (a string)', file=sys.stderr)
        return EX_DATAERR
    if payload.get("busy") is True:
        print(60)
        print("report service busy, try again in 60 s", file=sys.stderr)
        return EX_TEMPFAIL
    if payload.get("fail") is True:
        print("report failed (simulated)", file=sys.stderr)
        return 1

    words = payload["text"].lower().split()
    counts = collections.Counter(words)
    top = list(counts.most_common(1)[0]) if words else None
    json.dump(
        {
            "words": len(words),
            "distinct": len(counts),
            "top": top,
            "task": os.environ["SPOOL_TASK_ID"],
            "attempt": int(os.environ["SPOOL_TASK_ATTEMPT"]),
        },
        sys.stdout,
    )
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
