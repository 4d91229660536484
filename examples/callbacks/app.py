#!/usr/bin/env python3
"""The web app of the callbacks example (examples/callbacks/spool.yaml), Python standard library only.

    python3 examples/callbacks/app.py [PORT] [SPOOL_API]    (default 8472 and http://127.0.0.1:8470)

  POST /orders/<n>/paid     records a paid order whose merchant notification failed (the legacy table)
  POST /cron/refire         what cron used to call: hands each failed notification to Spool, once
  POST /merchant/<n>        the merchant's endpoint: 503 the first two times for an order, then 200
  GET  /state               the app's table and the merchant's calls, as JSON
"""
import json
import sys
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 8472
SPOOL_API = sys.argv[2] if len(sys.argv) > 2 else "http://127.0.0.1:8470"
lock = threading.Lock()
failed = {}          # order -> notification body, waiting to be handed to Spool
handed = []          # orders handed to Spool
merchant_calls = {}  # order -> calls received
refires = 0


def hand_to_spool(order, body):
    """Enqueues the callback with the order number as its id: a second hand-off is refused (409), not doubled."""
    task = {
        "id": "cb-%s" % order,
        "queue": "callbacks",
        "type": "notify",
        "payload": body,
        "http": {"url": "http://127.0.0.1:%d/merchant/%s" % (PORT, order), "method": "POST", "body": body},
    }
    request = urllib.request.Request(
        SPOOL_API + "/v1/tasks", data=json.dumps(task).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        urllib.request.urlopen(request, timeout=5).read()
    except urllib.error.HTTPError as error:
        if error.code != 409:
            raise


class App(BaseHTTPRequestHandler):
    def reply(self, status, value):
        data = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        global refires
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        parts = self.path.strip("/").split("/")
        if len(parts) == 3 and parts[0] == "orders" and parts[2] == "paid":
            with lock:
                failed[parts[1]] = {"order": parts[1], "status": "paid"}
            return self.reply(200, {"recorded": parts[1]})
        if parts == ["cron", "refire"]:
            with lock:
                waiting = list(failed.items())
                refires += 1
            for order, body in waiting:
                hand_to_spool(order, body)
                with lock:
                    failed.pop(order, None)
                    handed.append(order)
            return self.reply(200, {"handed": [order for order, _ in waiting]})
        if len(parts) == 2 and parts[0] == "merchant":
            with lock:
                calls = merchant_calls.get(parts[1], 0) + 1
                merchant_calls[parts[1]] = calls
            return self.reply(503 if calls <= 2 else 200, {"calls": calls})
        self.reply(404, {"error": "no such path"})

    def do_GET(self):
        if self.path == "/state":
            with lock:
                state = {"failed": sorted(failed), "handed": handed, "merchant_calls": merchant_calls, "refires": refires}
            return self.reply(200, state)
        self.reply(404, {"error": "no such path"})

    def log_message(self, format, *args):
        sys.stderr.write("app: %s\n" % (format % args))


ThreadingHTTPServer(("127.0.0.1", PORT), App).serve_forever()
