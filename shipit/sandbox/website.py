"""The sandbox's S3 website endpoint: serves a bucket of moto's S3 on its own loopback port.

In AWS the page comes from http://BUCKET.s3-website-REGION.amazonaws.com and the API from the
ALB: two origins, so the browser applies CORS. Here the page is served on 127.0.0.1:<its own
port> and the API on the ALB proxy's port: two origins again, exactly as cross-origin.

Like S3's website endpoint it answers GET/HEAD only, serves the index document for a folder,
the object's own Content-Type and Cache-Control, and 404 (NoSuchKey / NoSuchBucket /
NoSuchWebsiteConfiguration) otherwise.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

from shipit.sandbox.clients import error_code
from shipit.sandbox.names import StackNames
from shipit.sandbox.timing import SERVER_POLL_SECONDS


def web_bucket(names: StackNames) -> str:
    """The sandbox frontend's bucket; its name is its DNS name (the S3 website alias rule)."""
    return f"app.{names.zone}"


@dataclass
class SandboxWebsite:
    """A running website endpoint; ``stop()`` frees its port."""

    server: ThreadingHTTPServer
    thread: threading.Thread
    bucket: str

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def allow(self, variables: dict[str, str], default_origins: str) -> dict[str, str]:
        """The task's variables with this website's origin allowed (unless vars chose)."""
        if "CORS_ALLOWED_ORIGINS" in variables:
            return variables
        return {**variables, "CORS_ALLOWED_ORIGINS": f"{default_origins},{self.url}"}

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def start_website(s3: Any, bucket: str, port: int = 0) -> SandboxWebsite:
    """Serve ``bucket`` (read through the S3 API client ``s3``) on 127.0.0.1:``port``."""

    class Handler(BaseHTTPRequestHandler):
        server_version = "AmazonS3"  # what S3's website endpoint calls itself

        def do_GET(self) -> None:
            self._serve(body=True)

        def do_HEAD(self) -> None:
            self._serve(body=False)

        def _serve(self, *, body: bool) -> None:
            try:
                status, headers, content = answer(s3, bucket, self.path)
            except Exception as exc:  # moto unreachable: say so, as S3 says a 500
                status, headers = 500, {"Content-Type": "text/plain; charset=utf-8"}
                content = f"InternalError: {type(exc).__name__}: {exc}".encode()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            if body:
                self.wfile.write(content)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the daemon's log is for the stack, not for every page view

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True, name="s3-website",
                              kwargs={"poll_interval": SERVER_POLL_SECONDS})
    thread.start()
    return SandboxWebsite(server, thread, bucket)


def answer(s3: Any, bucket: str, path: str) -> tuple[int, dict[str, str], bytes]:
    """What the website endpoint says to GET ``path``: status, headers, body."""
    try:
        index = s3.get_bucket_website(Bucket=bucket)["IndexDocument"]["Suffix"]
    except Exception as exc:
        code = error_code(exc, "NoSuchBucket")
        if code is None:
            raise
        return _not_found(code, bucket)
    key = unquote(urlsplit(path).path).lstrip("/")
    if key == "" or key.endswith("/"):
        key += index
    try:
        found = s3.get_object(Bucket=bucket, Key=key)
    except Exception as exc:
        code = error_code(exc, "NoSuchKey")
        if code is None:
            raise
        return _not_found("NoSuchKey" if code in ("404", "NoSuchKey") else code, bucket)
    headers = {"Content-Type": found.get("ContentType") or "binary/octet-stream",
               "ETag": found["ETag"]}
    if found.get("CacheControl"):
        headers["Cache-Control"] = found["CacheControl"]
    return 200, headers, found["Body"].read()


def _not_found(code: str, bucket: str) -> tuple[int, dict[str, str], bytes]:
    page = (f"<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1>"
            f"<ul><li>Code: {code}</li><li>BucketName: {bucket}</li></ul></body></html>")
    return 404, {"Content-Type": "text/html; charset=utf-8"}, page.encode()
