"""A registry's HTTP API (distribution v2): reachability, manifests and blobs; writes manifests.

Loopback registries (127.0.0.1, localhost, ::1) are spoken to over plain HTTP, every other host
over HTTPS. ``auth`` is for registries that need it (ECR takes HTTP basic auth with the token of
``ecr:GetAuthorizationToken``); it is never logged.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import BinaryIO

import httpx

from shipit.errors import Failed, RegistryUnreachable
from shipit.image.manifest import ACCEPT, RawManifest, sha256_digest
from shipit.image.source import DigestCheckingReader
from shipit.image_ref import split_image
from shipit.net import is_loopback_hostport as is_loopback

_CHUNK = 1024 * 1024


def registry_url(host: str) -> str:
    return f"{'http' if is_loopback(host) else 'https'}://{host}"


def split_reference(reference: str) -> tuple[str, str, str]:
    """``host:5000/repo/name:tag`` or ``...@sha256:...`` -> (host, repository, tag or digest)."""
    parsed = split_image(reference)
    if parsed.host is None:
        raise Failed(f"{reference!r} does not name a registry host (e.g. 127.0.0.1:5000/name:tag)")
    return parsed.host, parsed.repository, parsed.reference


class RegistryClient:
    """One registry host. ``client`` is injected so tests and callers control timeouts."""

    def __init__(self, host: str, client: httpx.Client, auth: httpx.Auth | None = None) -> None:
        self.host = host
        self.url = registry_url(host)
        self._client = client
        self._auth = auth

    def ping(self) -> None:
        """Raise RegistryUnreachable unless ``/v2/`` answers (200, or 401: it wants a login)."""
        response = self._get("/v2/")
        if response.status_code not in (200, 401):
            raise RegistryUnreachable(
                f"{self.url}/v2/ answered HTTP {response.status_code}; is it a container registry?",
                hint="check image.registry in shipit.toml",
            )

    def find_manifest(self, repository: str, reference: str) -> RawManifest | None:
        """The manifest or index for a tag or digest, exactly as stored; None if absent."""
        response = self._get(f"/v2/{repository}/manifests/{reference}", headers={"Accept": ACCEPT})
        if response.status_code == 404:
            return None
        self._raise_for_status(response, f"{repository}:{reference}")
        body = response.content
        digest = sha256_digest(body)
        if reference.startswith("sha256:") and reference != digest:
            raise Failed(f"{self.host}/{repository}@{reference} returned content of {digest}")
        media_type = response.headers.get("content-type", "").split(";")[0].strip()
        return RawManifest(body=body, media_type=media_type, digest=digest)

    @contextmanager
    def open_blob(self, repository: str, digest: str) -> Iterator[BinaryIO]:
        where = f"{self.host}/{repository}"
        try:
            url = f"{self.url}/v2/{repository}/blobs/{digest}"
            request = self._client.build_request("GET", url)
            response = self._client.send(request, auth=self._auth, stream=True,
                                         follow_redirects=True)
        except httpx.HTTPError as exc:
            raise self._unreachable(exc) from None
        try:
            if response.status_code == 404:
                raise Failed(f"blob {digest} is missing from {where}")
            self._raise_for_status(response, digest)
            reader = DigestCheckingReader(response.iter_bytes(_CHUNK), digest, where)
            yield io.BufferedReader(reader, _CHUNK)
        finally:
            response.close()

    def has_blob(self, repository: str, digest: str) -> bool:
        try:
            response = self._client.head(f"{self.url}/v2/{repository}/blobs/{digest}",
                                         auth=self._auth or httpx.USE_CLIENT_DEFAULT,
                                         follow_redirects=True)
        except httpx.HTTPError as exc:
            raise self._unreachable(exc) from None
        if response.status_code == 404:
            return False
        self._raise_for_status(response, digest)
        return True

    def put_manifest(self, repository: str, reference: str, body: bytes,
                     media_type: str) -> None:
        """PUT a manifest (or index) under a tag or its digest, byte for byte."""
        try:
            response = self._client.put(
                f"{self.url}/v2/{repository}/manifests/{reference}", content=body,
                headers={"Content-Type": media_type},
                auth=self._auth or httpx.USE_CLIENT_DEFAULT)
        except httpx.HTTPError as exc:
            raise self._unreachable(exc) from None
        if response.status_code >= 400:
            raise Failed(f"{self.host}/{repository}:{reference}: the registry refused the"
                         f" manifest (HTTP {response.status_code}): {response.text[:300]}")

    def _get(self, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
        try:
            return self._client.get(self.url + path, headers=headers, auth=self._auth,
                                    follow_redirects=True)
        except httpx.HTTPError as exc:
            raise self._unreachable(exc) from None

    def _unreachable(self, exc: Exception) -> RegistryUnreachable:
        return RegistryUnreachable(
            f"registry {self.host} does not answer at {self.url}: {type(exc).__name__}: {exc}",
            hint="start the registry, or fix image.registry in shipit.toml",
        )

    def _raise_for_status(self, response: httpx.Response, what: str) -> None:
        if response.status_code in (401, 403):
            raise RegistryUnreachable(
                f"{self.host} refused to serve {what} (HTTP {response.status_code})",
                hint="log in to the registry (shipit push does it for ECR)",
            )
        if response.status_code >= 400:
            raise RegistryUnreachable(
                f"{self.host} answered HTTP {response.status_code} for {what}"
            )


class RegistrySource:
    """One repository of a registry, as an ImageSource for the verifier."""

    def __init__(self, client: RegistryClient, repository: str) -> None:
        self.client = client
        self.repository = repository

    @property
    def name(self) -> str:
        return f"{self.client.host}/{self.repository}"

    def manifest(self, reference: str) -> RawManifest:
        found = self.client.find_manifest(self.repository, reference)
        if found is None:
            separator = "@" if reference.startswith("sha256:") else ":"
            raise Failed(f"{self.name}{separator}{reference} is not in the registry")
        return found

    def open_blob(self, digest: str) -> AbstractContextManager[BinaryIO]:
        return self.client.open_blob(self.repository, digest)

    def has_blob(self, digest: str) -> bool:
        return self.client.has_blob(self.repository, digest)
