"""The build receipt that `shipit build` writes and `shipit push` reads.

Only the fields push needs are read; the rest of the file is the build's business. Accepted
shape (flat, or the same keys under ``"image"``)::

    {"git_sha": "1a2b...", "tag": "1a2b...", "digest": "sha256:...",
     "platforms": ["linux/amd64", "linux/arm64"],
     "local_image": "localhost/articles:1a2b..."}   # the builder's manifest list

``local_image`` may also be given as ``manifest_list``/``local_ref``; when it is absent the
first entry of ``refs``/``image_refs`` (an image already in a registry) is the source.
``local.storage`` (driver, root, runroot) names the buildah storage holding ``local_image``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shipit.errors import UsageError

RECEIPT_PATH = Path(".shipit") / "build-receipt.json"
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")


@dataclass(frozen=True)
class BuiltImage:
    """What was built: where it is now, its immutable tag, digest and platforms."""

    source: str
    """Image reference for the builder: a local manifest list name or a registry reference."""
    tag: str
    platforms: tuple[str, ...]
    digest: str | None = None
    git_sha: str | None = None
    storage: tuple[tuple[str, str], ...] = ()
    """buildah storage the build used (driver/root/runroot from ``local.storage``), if any."""


def read_receipt(path: Path) -> BuiltImage:
    """Read and check a build receipt; a missing or malformed file is a usage error."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(
            f"no build receipt at {path}",
            hint="run `shipit build` first (it writes the receipt), or pass --receipt PATH",
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: not a JSON build receipt ({exc})",
                         hint="run `shipit build` again to rewrite it") from None
    if not isinstance(data, dict):
        raise UsageError(f"{path}: a build receipt is a JSON object")
    return parse_receipt(data, where=str(path))


def parse_receipt(data: dict[str, Any], *, where: str = "build receipt") -> BuiltImage:
    body: dict[str, Any] = data["image"] if isinstance(data.get("image"), dict) else data
    git_sha = _str(body, "git_sha") or _str(body, "revision")
    tag = _str(body, "tag") or git_sha
    if not tag or not _TAG.match(tag):
        raise UsageError(f"{where}: no valid 'tag' (or 'git_sha') in the receipt",
                         hint="run `shipit build` again, or pass --tag")
    source = _str(body, "local_image") or _str(body, "manifest_list") or _str(body, "local_ref")
    if not source:
        refs = body.get("refs") or body.get("image_refs") or []
        source = str(refs[0]) if isinstance(refs, list) and refs else None
    if not source:
        raise UsageError(f"{where}: the receipt names no image ('local_image' or 'refs')",
                         hint="run `shipit build` again")
    platforms = body.get("platforms")
    if not isinstance(platforms, list) or not platforms:
        raise UsageError(f"{where}: the receipt lists no 'platforms'",
                         hint="run `shipit build` again")
    digest = _str(body, "digest")
    if digest is not None and not _DIGEST.match(digest):
        raise UsageError(f"{where}: {digest!r} is not a sha256 digest")
    local = body.get("local")
    storage = local.get("storage") if isinstance(local, dict) else None
    pairs = tuple(sorted((str(k), str(v)) for k, v in storage.items() if v)) \
        if isinstance(storage, dict) else ()
    return BuiltImage(source=source, tag=tag, platforms=tuple(_platform(p) for p in platforms),
                      digest=digest, git_sha=git_sha, storage=pairs)


def _platform(item: object) -> str:
    """'linux/arm64', or a per-platform record such as {"os": "linux", "architecture": ...}."""
    if isinstance(item, dict):
        named = item.get("platform")
        if isinstance(named, str):
            return named
        return f"{item.get('os', 'linux')}/{item.get('architecture', '?')}"
    return str(item)


def _str(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    return value if isinstance(value, str) and value else None
