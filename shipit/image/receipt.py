"""The build receipt: what ``shipit build`` made and proved, for ``shipit push`` and ``deploy``.

The one home of this fact: its path (``RECEIPT_PATH``, ``.shipit/build-receipt.json`` beside
shipit.toml), its model, its writer and its one reader. ``shipit push`` and ``shipit deploy`` read
it here; a missing, corrupt or foreign receipt is a usage error (exit 2: run ``shipit build``).
Printed by ``--json``. Schema (``version`` 1; ``read_receipt`` refuses other versions)::

    {
      "schema": "shipit.build-receipt", "version": 1,
      "created": "2026-11-28T10:00:00Z",
      "builder": "buildah",                          # or "buildx"
      "git_sha": "<40 hex>",
      "tag": "<40 hex>",                             # the commit tag (<sha>-dirty if dirty)
      "digest": "sha256:...",                        # the manifest list (OCI index)
      "media_type": "application/vnd.oci.image.index.v1+json",
      "platforms": [{"platform": "linux/amd64",
                     "digest": "sha256:...",         # that platform's image manifest
                     "config_digest": "sha256:...",
                     "compressed_size": 67259736, "uncompressed_size": 182412288}, ...],
      "local_image": "localhost/articles:<sha>",     # manifest list in buildah storage, or null
      "registry": "127.0.0.1:5000" | null, "repository": "articles",
      "name": "127.0.0.1:5000/articles", "tags": ["<sha>", "latest"],
      "refs": ["127.0.0.1:5000/articles:<sha>", "127.0.0.1:5000/articles:latest"],
      "pushed": true,                                # refs exist in the registry
      "git": {"sha", "short_sha", "dirty", "source", "describe"},
      "labels": {"org.opencontainers.image.revision": "<sha>", ...},
      "local": {"oci_layout": "/abs/.shipit/oci" | null,   # unpushed builds are exported here
                "images": {"linux/amd64": "<image id>", ...},  # buildah storage
                "storage": {"driver": "overlay", "root": ..., "runroot": ...,
                            "reason": "why this driver (shipit.image.storage)"} | null},
      "verification": {"ok": true, "findings": [{"check", "ok", "platform", "message"}, ...]},
      "smoke": [{"platform": "linux/amd64", "runtime": "podman", "ok": true, ...}] | null,
      "timings": {"build linux/amd64": 12.3, "push": 2.1, "verify": 2.8, "total": 30.1},
      "source_date_epoch": 1764790000,               # the commit's time, or null (dirty tree)
      "reproducible": {"reproducible": true, "source_date_epoch": 1764790000,
                       "reasons": []},               # why not, for a dirty tree
      "base_image": {"name": "python:3.11-slim",     # the BASE_IMAGE build arg, if any
                     "digests": {"linux/amd64": "sha256:..."}},  # per platform, as recorded
      "reproducibility_check": null | {"same": true, "second_digest": "sha256:...",
                                       "difference": null | {"platform", "layer", "files", ...},
                                       "against": null | "<40 hex>"}  # --against REF's commit
    }

Same commit, same base image digest -> same ``digest`` (shipit.image.reproducible).

The digest is the content digest of the manifest list as pushed: buildah compresses layers the
same way on every push, so pushing ``local_image`` again (to ECR) yields this digest.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shipit.errors import UsageError
from shipit.private_files import write_private
from shipit.project_paths import BUILD_RECEIPT

RECEIPT_PATH = BUILD_RECEIPT
"""Relative to the project root (the folder of shipit.toml)."""
SCHEMA = "shipit.build-receipt"
VERSION = 1


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReceiptPlatform(_Model):
    platform: str
    digest: str
    config_digest: str
    compressed_size: int
    uncompressed_size: int | None = None


class ReceiptGit(_Model):
    sha: str
    short_sha: str
    dirty: bool
    source: str | None = None
    describe: str
    commit_time: int | None = None


class ReceiptLocal(_Model):
    oci_layout: str | None = None
    images: dict[str, str] = {}
    storage: dict[str, str | None] | None = None


class ReceiptReproducible(_Model):
    reproducible: bool
    source_date_epoch: int | None = None
    reasons: list[str] = []


class ReceiptBaseImage(_Model):
    name: str | None = None
    digests: dict[str, str] = {}


class BuildReceipt(_Model):
    schema_: Literal["shipit.build-receipt"] = Field(default="shipit.build-receipt",
                                                     alias="schema")
    version: Literal[1] = 1
    created: str
    builder: str
    git_sha: str
    tag: str = Field(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
    digest: str = Field(pattern=r"^sha256:[0-9a-f]{64}$")
    media_type: str
    platforms: list[ReceiptPlatform]
    local_image: str | None
    registry: str | None
    repository: str
    name: str
    tags: list[str]
    refs: list[str]
    pushed: bool
    git: ReceiptGit
    labels: dict[str, str]
    local: ReceiptLocal
    verification: dict[str, Any]
    smoke: list[dict[str, Any]] | None = None
    timings: dict[str, float]
    source_date_epoch: int | None = None
    reproducible: ReceiptReproducible | None = None
    base_image: ReceiptBaseImage | None = None
    reproducibility_check: dict[str, Any] | None = None
    inputs: str | None = None
    """The digest of what a reproducible build was made from (shipit.image.unchanged)."""
    reused: bool = False
    """True when this run found the same inputs already built and verified them instead."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)


def write_receipt(receipt: BuildReceipt, path: Path) -> Path:
    """Write atomically (a reader never sees half a receipt), readable by its owner only."""
    return write_private(path, json.dumps(receipt.to_dict(), indent=2) + "\n")


def read_receipt(path: Path) -> BuildReceipt:
    """The last build's receipt. Absent, corrupt, foreign or of another version: UsageError."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(
            f"no build receipt at {path}",
            hint="run `shipit build` first (it writes the receipt), or pass --receipt PATH",
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path} is not valid JSON: {exc}",
                         hint="run `shipit build` again") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise UsageError(f"{path} is not a shipit build receipt",
                         hint="run `shipit build` again to rewrite it")
    if data.get("version") != VERSION:
        raise UsageError(f"{path} is a version {data.get('version')} receipt; this shipit reads "
                         f"version {VERSION}", hint="run `shipit build` again")
    try:
        return BuildReceipt.model_validate(data)
    except ValidationError as exc:
        raise UsageError(f"{path} is not a valid build receipt: {exc.errors()[0]['msg']}",
                         hint="run `shipit build` again") from None
