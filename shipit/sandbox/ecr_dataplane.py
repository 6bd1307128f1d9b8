"""An EMULATION of ECR's registry data plane, because moto has none (its /v2/ is 404).

A reverse proxy on 127.0.0.1 in front of a real docker-registry (``shipit.sandbox.registry``).
It forwards every request unchanged, and for each tagged manifest PUT it first registers the
manifest with moto's ECR through ``put_image`` (with the content digest given explicitly: moto's
own digests are not content digests), just as pushing to ECR makes the image visible to the ECR
API. A push ECR would refuse (an immutable tag already holding another digest, an unknown
repository) is refused with the registry error ECR sends, and never reaches the registry.

Authentication is as ECR's: every request needs HTTP Basic auth with the login that
ecr:GetAuthorizationToken hands out (``AWS:<password>``; the sandbox's moto makes the password
random per start), else 401 with a Basic challenge; a browser Origin or a foreign Host
(DNS rebinding) is refused with 403 (shipit.sandbox.request_guard). What it does NOT emulate:
layer scanning, lifecycle policies or replication. The sandbox's podman tasks pull from the
docker-registry behind it (see podman.py).

It also records the IAM action ECR checks for each registry request (``actions``), so the
iam-policy completeness test covers the data plane as well as the API calls.

    plane = EcrDataPlane(upstream="127.0.0.1:5000", ecr=ecr_api_client).start()
    plane.host   # "127.0.0.1:PORT": image.registry for `shipit push`
    plane.stop()
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import re
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from shipit.aws.ecr import TAG_TAKEN_CODES
from shipit.sandbox.registry import RegistryProcess, start_registry
from shipit.sandbox.registry import available as registry_available
from shipit.sandbox.request_guard import refusal as guard_refusal
from shipit.sandbox.timing import SERVER_POLL_SECONDS

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}
# ECR's registry API -> the IAM action it is authorized with (ECR user guide, "Registry auth").
_ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    ("HEAD", re.compile(r"^/v2/(?P<name>.+)/blobs/sha256:[0-9a-f]+$"),
     "ecr:BatchCheckLayerAvailability"),
    ("GET", re.compile(r"^/v2/(?P<name>.+)/blobs/sha256:[0-9a-f]+$"),
     "ecr:GetDownloadUrlForLayer"),
    ("POST", re.compile(r"^/v2/(?P<name>.+)/blobs/uploads/$"), "ecr:InitiateLayerUpload"),
    ("PATCH", re.compile(r"^/v2/(?P<name>.+)/blobs/uploads/[^/]+$"), "ecr:UploadLayerPart"),
    ("PUT", re.compile(r"^/v2/(?P<name>.+)/blobs/uploads/[^/]+$"), "ecr:CompleteLayerUpload"),
    ("PUT", re.compile(r"^/v2/(?P<name>.+)/manifests/(?P<ref>[^/]+)$"), "ecr:PutImage"),
    ("GET", re.compile(r"^/v2/(?P<name>.+)/manifests/(?P<ref>[^/]+)$"), "ecr:BatchGetImage"),
    ("HEAD", re.compile(r"^/v2/(?P<name>.+)/manifests/(?P<ref>[^/]+)$"), "ecr:BatchGetImage"),
]


@dataclass(frozen=True)
class RegistryAction:
    action: str
    repository: str


def _route(method: str, path: str) -> tuple[str, dict[str, str]] | None:
    for verb, pattern, action in _ROUTES:
        match = pattern.match(path)
        if verb == method and match:
            return action, match.groupdict()
    return None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    upstream: str
    ecr: Any
    actions: list[RegistryAction]
    tokens: list[str]

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the registry has its own log."""

    def do_GET(self) -> None:
        self._handle()

    do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = do_GET

    def _handle(self) -> None:
        headers = {key.lower(): value for key, value in self.headers.items()}
        port = int(self.server.server_address[1])  # type: ignore[index]
        problem = guard_refusal(headers, port=port, website_origin=None)
        if problem is not None:
            self.close_connection = True
            self._reply(403, _registry_error("DENIED", f"shipit sandbox: {problem}"))
            return
        if not self._authorized(headers.get("authorization", "")):
            self.close_connection = True
            self._reply(401, _registry_error("UNAUTHORIZED", "Not Authorized"), {
                "WWW-Authenticate": f'Basic realm="http://{self.headers.get("Host", "")}/",'
                                    'service="ecr.amazonaws.com"'})
            return
        body = self._body()
        path = self.path.split("?", 1)[0]
        routed = _route(self.command, path)
        if routed is not None:
            action, parts = routed
            self.actions.append(RegistryAction(action, parts["name"]))
            ref = parts.get("ref", "")
            if action == "ecr:PutImage" and not ref.startswith("sha256:"):
                refusal = self._register(parts["name"], ref, body)
                if refusal is not None:
                    self._reply(*refusal)
                    return
        self._forward(body)

    def _authorized(self, header: str) -> bool:
        """Basic auth with the login ecr:GetAuthorizationToken issues (asked once)."""
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "basic" or not value.strip():
            return False
        if not self.tokens:
            data = self.ecr.get_authorization_token()["authorizationData"]
            self.tokens.append(str(data[0]["authorizationToken"]))
        return hmac.compare_digest(value.strip().encode(), self.tokens[0].encode())

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _register(self, repository: str, tag: str, manifest: bytes) -> tuple[int, str] | None:
        """put_image in moto's ECR; the error ECR's registry would answer, or None."""
        digest = "sha256:" + hashlib.sha256(manifest).hexdigest()
        try:
            self.ecr.put_image(
                repositoryName=repository, imageTag=tag, imageDigest=digest,
                imageManifest=manifest.decode("utf-8"),
                imageManifestMediaType=self.headers.get("Content-Type", ""),
            )
        except self.ecr.exceptions.ClientError as exc:
            code = exc.response["Error"]["Code"]
            if code in TAG_TAKEN_CODES and self._tag_digest(repository, tag) == digest:
                return None  # the same image again: ECR accepts it as a no-op
            if code in TAG_TAKEN_CODES:
                return 400, _registry_error(
                    "TAG_INVALID", f"The image tag '{tag}' already exists in the '{repository}'"
                    " repository and cannot be overwritten because the repository is immutable.")
            if code == "RepositoryNotFoundException":
                return 404, _registry_error(
                    "NAME_UNKNOWN", f"The repository with name '{repository}' does not exist")
            raise
        return None

    def _tag_digest(self, repository: str, tag: str) -> str | None:
        images = self.ecr.describe_images(repositoryName=repository,
                                          imageIds=[{"imageTag": tag}])["imageDetails"]
        return str(images[0]["imageDigest"]) if images else None

    def _forward(self, body: bytes) -> None:
        connection = http.client.HTTPConnection(self.upstream, timeout=60)
        headers: dict[str, str] = {}
        for key in dict.fromkeys(self.headers.keys()):  # a header sent twice (Accept) is joined
            if key.lower() not in _HOP_BY_HOP:
                headers[key] = ", ".join(self.headers.get_all(key) or [])
        headers["Content-Length"] = str(len(body))
        try:
            connection.request(self.command, self.path, body=body, headers=headers)
            response = connection.getresponse()
            payload = response.read()
            self.send_response(response.status)
            for key, value in response.getheaders():
                if key.lower() not in _HOP_BY_HOP:
                    self.send_header(key, value)
            length = response.getheader("Content-Length") if self.command == "HEAD" else None
            self.send_header("Content-Length", length or str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)
        finally:
            connection.close()

    def _reply(self, status: int, text: str, headers: dict[str, str] | None = None) -> None:
        payload = text.encode()
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def _registry_error(code: str, message: str) -> str:
    return json.dumps({"errors": [{"code": code, "message": message}]})


class EcrDataPlane:
    """The emulated ECR registry host (``host``, once started) and what was done through it."""

    def __init__(self, upstream: str, ecr: Any, *, port: int = 0) -> None:
        self.upstream = upstream
        self.actions: list[RegistryAction] = []
        handler = type("Handler", (_Handler,), {
            "upstream": upstream, "ecr": ecr, "actions": self.actions, "tokens": []})
        self._server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        port: int = self._server.server_address[1]
        return port

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def clear(self) -> None:
        self.actions.clear()

    def start(self) -> EcrDataPlane:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        name="ecr-data-plane",
                                        kwargs={"poll_interval": SERVER_POLL_SECONDS})
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=10)
        self._server.server_close()


@dataclass
class SandboxRegistry:
    """The sandbox's registry host: the emulated data plane over a real docker-registry."""

    registry: RegistryProcess
    plane: EcrDataPlane

    @property
    def host(self) -> str:
        return self.plane.host

    @property
    def ports(self) -> list[int]:
        return [self.plane.port, int(self.registry.host.rsplit(":", 1)[1])]

    def stop(self) -> None:
        self.plane.stop()
        self.registry.stop()


def start_sandbox_registry(workdir: Path, ecr: Any) -> SandboxRegistry | None:
    """docker-registry (storage under ``workdir``) behind the data plane; None without it."""
    if not registry_available():
        return None
    upstream = start_registry(workdir)
    try:
        return SandboxRegistry(upstream, EcrDataPlane(upstream.host, ecr).start())
    except Exception:
        upstream.stop()
        raise
