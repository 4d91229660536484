#!/usr/bin/env python3
"""Drops one task into a spool from Python: write under a hidden name, fsync, then rename into place."""
import json
import os
import sys
import tempfile


def drop(spool, task):
    incoming = os.path.join(spool, "incoming")
    fd, path = tempfile.mkstemp(prefix=".drop.", dir=incoming)
    with os.fdopen(fd, "w") as f:
        json.dump(task, f)
        f.flush()
        os.fsync(f.fileno())
    os.rename(path, os.path.join(incoming, os.path.basename(path).lstrip(".") + ".json"))


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit("usage: drop.py SPOOL_DIR TYPE [PAYLOAD_JSON [QUEUE]]")
    task = {"type": sys.argv[2], "payload": json.loads(sys.argv[3]) if len(sys.argv) > 3 else None}
    if len(sys.argv) > 4:
        task["queue"] = sys.argv[4]
    drop(sys.argv[1], task)
