#!/usr/bin/env python3
"""A producer of the events example (examples/events/spool.yaml), Python standard library only.

    python3 examples/events/produce.py HOST:PORT COUNT [WINDOW_SECONDS]

Delivers events event-0 … event-<COUNT-1> to Spool's HTTP API, each due 0 to 2 seconds later, with the
event id as its unique key, kept for WINDOW_SECONDS (default 3600) as a Redis SETNX with a TTL was. Run
several at once, as at-least-once upstream delivery does: each event is queued once. Prints
"accepted <n> refused <m>".
"""
import json
import random
import sys
import urllib.error
import urllib.request

address, count = sys.argv[1], int(sys.argv[2])
window = float(sys.argv[3]) if len(sys.argv) > 3 else 3600
accepted = refused = 0
for n in range(count):
    task = {
        "queue": "events",
        "type": "event",
        "payload": {"event": "event-%d" % n},
        "delay": round(random.uniform(0, 2), 3),
        "unique_key": "event-%d" % n,
        "unique_for": window,
    }
    request = urllib.request.Request(
        "http://%s/v1/tasks" % address, data=json.dumps(task).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        urllib.request.urlopen(request, timeout=10).read()
        accepted += 1
    except urllib.error.HTTPError as error:
        if error.code != 409:
            raise
        refused += 1
print("accepted %d refused %d" % (accepted, refused))
