#!/usr/bin/env python3
"""A local echo endpoint for the Spool demo: answers every request with what it received, as JSON.

    python3 examples/demo/echo-server.py [PORT]     (default 8471, on 127.0.0.1)

Paths choose the answer, so the demo can show each outcome of an HTTP callback:
  /echo/...            200 with {"method", "path", "headers", "body"}
  /status/503/...      that status (with Retry-After: 3 for 429 and 503)
Python 3 standard library only.
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Echo(BaseHTTPRequestHandler):
    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace")
        status = 200
        parts = self.path.split("/")
        if len(parts) > 2 and parts[1] == "status" and parts[2].isdigit():
            status = int(parts[2])
        reply = json.dumps(
            {"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body}
        ).encode()
        self.send_response(status)
        if status in (429, 503):
            self.send_header("Retry-After", "3")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = answer

    def log_message(self, format, *args):
        sys.stderr.write("echo: %s\n" % (format % args))


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8471
    ThreadingHTTPServer(("127.0.0.1", port), Echo).serve_forever()
