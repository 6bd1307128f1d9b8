"""The sandbox's moto answers only its own clients (a WSGI middleware in front of moto).

moto's server answers any web page: permissive CORS and any signature. A page the developer
visits could then call GetSecretValue on 127.0.0.1. Refused here, before moto sees them:

- a browser ``Origin`` other than the sandbox's own website origin, or ``Sec-Fetch-Site:
  cross-site`` (a page's request);
- a ``Host`` that is not the sandbox's loopback address and port (DNS rebinding: a name that
  resolves to 127.0.0.1 keeps its own Host);
- a request not signed (AWS Signature Version 4) with the sandbox's own credentials, which are
  random per start (shipit.aws.local_credentials), or with temporary ones its own STS issued
  to such a caller (AssumeRole): the signature is recomputed and compared.

Each refusal is a 403 with an AWS-style XML error and no CORS headers.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from shipit.aws.local_credentials import LocalCredentials

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WsgiApp = Callable[[Environ, StartResponse], Iterable[bytes]]

_AUTHORIZATION = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=(?P<key>[^/,\s]+)/(?P<date>\d{8})/(?P<region>[^/,\s]+)/"
    r"(?P<service>[^/,\s]+)/aws4_request,\s*SignedHeaders=(?P<headers>[a-z0-9;_-]+),\s*"
    r"Signature=(?P<signature>[0-9a-f]{64})$"
)
_EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
MAX_SIGNED_BODY = 64 * 1024 * 1024


@dataclass(frozen=True)
class SignedRequest:
    """What a SigV4 signature covers, as the server received it."""

    method: str
    raw_path: str
    query: str
    headers: Mapping[str, str]
    """Lower-case names; a header sent twice is joined with ','."""
    body: bytes


def refusal(headers: Mapping[str, str], *, port: int, website_origin: str | None) -> str | None:
    """Why a request is not from one of the sandbox's own clients (by its headers), or None."""
    origin = headers.get("origin")
    if origin is not None and origin != website_origin:
        return f"requests from a web page ({origin}) are refused"
    if headers.get("sec-fetch-site", "").lower() == "cross-site":
        return "cross-site requests are refused"
    host = headers.get("host", "")
    if host not in (f"127.0.0.1:{port}", f"localhost:{port}"):
        return f"Host {host!r} is not this sandbox (127.0.0.1:{port})"
    return None


def signature_problem(request: SignedRequest, credentials: LocalCredentials,
                      issued: Callable[[str], str | None] = lambda _: None) -> str | None:
    """Why ``request`` is not signed (SigV4, header form) with ``credentials`` or with
    temporary ones the sandbox's STS issued (``issued``: key id -> secret), or None."""
    match = _AUTHORIZATION.match(request.headers.get("authorization", ""))
    if match is None:
        return "the request is not signed (AWS Signature Version 4 expected)"
    if hmac.compare_digest(match["key"], credentials.access_key_id):
        secret = credentials.secret_access_key
    elif (found := issued(match["key"])) is not None:
        secret = found
    else:
        return "the access key id is not this sandbox's"
    timestamp = request.headers.get("x-amz-date", "")
    if timestamp[:8] != match["date"]:
        return "X-Amz-Date does not match the credential scope"
    signed = match["headers"].split(";")
    if "host" not in signed or any(name not in request.headers for name in signed):
        return "a signed header is missing"
    service = match["service"]
    payload = request.headers.get("x-amz-content-sha256") or hashlib.sha256(
        request.body).hexdigest()
    canonical = "\n".join([
        request.method.upper(),
        _canonical_path(request.raw_path, s3=service == "s3"),
        _canonical_query(request.query),
        "".join(f"{name}:{' '.join(request.headers[name].split())}\n" for name in signed),
        match["headers"],
        payload,
    ])
    scope = f"{match['date']}/{match['region']}/{service}/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", timestamp, scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
    key = f"AWS4{secret}".encode()
    for part in (match["date"], match["region"], service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, match["signature"]):
        return "the signature does not match (not signed with this sandbox's secret)"
    return None


def _canonical_path(raw: str, *, s3: bool) -> str:
    """The path as SigV4 signs it: S3's as sent; every other service's with dot segments and
    doubled slashes removed (RFC 3986 5.2.4), then URI-encoded once more."""
    if s3:
        return raw or "/"
    if not raw:
        return "/"
    kept: list[str] = []
    for segment in raw.split("/"):
        if segment == "..":
            if kept:
                kept.pop()
        elif segment and segment != ".":
            kept.append(segment)
    path = ("/" if raw.startswith("/") else "") + "/".join(kept)
    path += "/" if raw.endswith("/") and kept else ""
    return quote(path, safe="/~")


def _canonical_query(query: str) -> str:
    if not query:
        return ""
    pairs = sorted(pair.partition("=")[::2] for pair in query.split("&"))
    return "&".join(f"{key}={value}" for key, value in pairs)


class RequestGuard:
    """WSGI middleware: ``RequestGuard(moto_app, credentials, website_origin)``; set ``port``
    once the server is bound."""

    def __init__(self, app: WsgiApp, credentials: LocalCredentials,
                 website_origin: Callable[[], str | None],
                 issued: Callable[[str], str | None] = lambda _: None) -> None:
        self.app, self.credentials, self.website_origin = app, credentials, website_origin
        self.issued = issued
        self.port = 0
        self.refused = 0

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        headers = _headers(environ)
        problem = refusal(headers, port=self.port, website_origin=self.website_origin())
        if problem is None:
            body = _read_body(environ)
            if body is None:
                problem = "the request body is too large to check its signature"
            else:
                environ["wsgi.input"] = io.BytesIO(body)
                environ["CONTENT_LENGTH"] = str(len(body))
                raw = environ.get("RAW_URI") or environ.get("REQUEST_URI") or ""
                path, _, query = (raw or environ.get("PATH_INFO", "")).partition("?")
                problem = signature_problem(SignedRequest(
                    environ["REQUEST_METHOD"], path, query or environ.get("QUERY_STRING", ""),
                    headers, body), self.credentials, self.issued)
        if problem is None:
            return self.app(environ, start_response)
        self.refused += 1
        text = (f'<?xml version="1.0" encoding="UTF-8"?><ErrorResponse><Error><Type>Sender</Type>'
                f"<Code>AccessDenied</Code><Message>shipit sandbox: {_xml(problem)}</Message>"
                "</Error></ErrorResponse>").encode()
        start_response("403 Forbidden", [("Content-Type", "text/xml"),
                                         ("Content-Length", str(len(text)))])
        return [text]


def _headers(environ: Environ) -> dict[str, str]:
    headers = {key[5:].replace("_", "-").lower(): str(value)
               for key, value in environ.items() if key.startswith("HTTP_")}
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            headers[key.replace("_", "-").lower()] = str(environ[key])
    return headers


def _read_body(environ: Environ) -> bytes | None:
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    length = environ.get("CONTENT_LENGTH") or ""
    if length.isdigit():
        if int(length) > MAX_SIGNED_BODY:
            return None
        return bytes(stream.read(int(length))) if int(length) else b""
    if environ.get("wsgi.input_terminated"):
        body = bytes(stream.read(MAX_SIGNED_BODY + 1))
        return None if len(body) > MAX_SIGNED_BODY else body
    return b""


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
