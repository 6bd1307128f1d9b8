"""The login a builder already holds for a registry, so shipit reads what it pushed as it.

``buildah login``, ``podman login`` and ``docker login`` keep ``{"auths": {HOST: {"auth":
base64("user:password")}}}`` in an auth file: ``REGISTRY_AUTH_FILE``, else
``$XDG_RUNTIME_DIR/containers/auth.json``, else ``~/.docker/config.json``. A registry that wants a
login (ECR, and the sandbox's emulation of it) is then read with the same one. Never logged.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Mapping
from pathlib import Path

import httpx


def auth_files(environ: Mapping[str, str]) -> list[Path]:
    """Where a login may be, first match wins (the containers tools' own order, then docker)."""
    found: list[Path] = []
    if environ.get("REGISTRY_AUTH_FILE"):
        found.append(Path(environ["REGISTRY_AUTH_FILE"]))
    if environ.get("XDG_RUNTIME_DIR"):
        found.append(Path(environ["XDG_RUNTIME_DIR"]) / "containers" / "auth.json")
    found.append(Path(environ.get("HOME", str(Path.home()))) / ".docker" / "config.json")
    return found


def registry_login(host: str,
                   environ: Mapping[str, str] | None = None) -> httpx.BasicAuth | None:
    """Basic auth for ``host`` from the first auth file that has it, or None."""
    for path in auth_files(os.environ if environ is None else environ):
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))["auths"][host]
            user, sep, password = base64.b64decode(entry["auth"]).decode().partition(":")
        except (OSError, ValueError, KeyError, TypeError, binascii.Error):
            continue
        if sep:
            return httpx.BasicAuth(user, password)
    return None
