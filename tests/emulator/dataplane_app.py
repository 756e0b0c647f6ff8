"""A tiny stdlib web app the data-plane tests run as an Auto Scaling group's
instances (``python dataplane_app.py PORT INSTANCE_ID``).

* ``GET /health``: 200 ``ok`` until ``POST /api/fail-health``, then 500;
* ``GET /api/echo``: JSON of the instance id, the path with its query, the
  request headers it received (what the load balancer and the edge sent),
  the user data the data plane handed it (``USER_DATA``) and its work folder.
"""

from __future__ import annotations

import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

STATE = {"healthy": True}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path == "/health":
            self._send(200 if STATE["healthy"] else 500, b"ok\n" if STATE["healthy"] else b"sick\n", "text/plain")
            return
        document = {
            "instance": sys.argv[2],
            "path": self.path,
            "headers": dict(self.headers.items()),
            "user_data": Path(os.environ["USER_DATA"]).read_text(),
            "cwd": os.getcwd(),
            "workdir": os.environ["WORKDIR"],
        }
        self._send(200, json.dumps(document).encode(), "application/json")

    def do_POST(self) -> None:
        if self.path == "/api/fail-health":
            STATE["healthy"] = False
        self._send(200, json.dumps({"instance": sys.argv[2], "healthy": STATE["healthy"]}).encode(), "application/json")


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
