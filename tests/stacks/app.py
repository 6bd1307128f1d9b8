"""The service behind a corpus stack's ALB: a tiny HTTP server answering as the app would.

In an emulated AWS the ALB's and the record's names do not resolve; doctor sends their requests
to http.url when both the endpoint and http.url are loopback (shipit/doctor/probe.py), so this
server stands in for "ALB + tasks". It answers the health path with 200 and a CORS preflight
the way common frameworks do: the allowed origin echoed, anything else without CORS headers.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@contextmanager
def serve(health_path: str, allowed: tuple[str, ...], *, health_status: int = 200
          ) -> Iterator[str]:
    """Serve until the block ends; yields the base URL (http://127.0.0.1:PORT)."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return

        def _answer(self, status: int, headers: dict[str, str], body: bytes = b"") -> None:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            cors = self._cors()
            if path == health_path:
                self._answer(health_status, {"Content-Type": "application/json", **cors},
                             b'{"status":"ok"}')
            else:
                self._answer(404, {"Content-Type": "text/plain", **cors}, b"not found")

        def do_OPTIONS(self) -> None:
            cors = self._cors()
            if cors:
                cors |= {"Access-Control-Allow-Methods": "GET, POST, PUT, DELETE, OPTIONS",
                         "Access-Control-Allow-Headers": "content-type, authorization",
                         "Access-Control-Max-Age": "600"}
            self._answer(204 if cors else 200, {"Vary": "Origin", **cors})

        def _cors(self) -> dict[str, str]:
            origin = self.headers.get("Origin")
            if origin and origin in allowed:
                return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
            return {}

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
