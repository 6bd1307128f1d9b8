"""What ``shipit push`` needs from the build receipt (shipit.image.receipt, its one reader).

``source`` is the builder's local manifest list (``local_image``), else the first pushed ref;
``storage`` is the buildah storage the build used (``local.storage``), so push reads the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from shipit.errors import UsageError
from shipit.image.receipt import BuildReceipt, read_receipt


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
    oci_layout: str | None = None
    """The OCI layout an unpushed build was exported to: where its layers can be read."""
    pushed_ref: str | None = None
    """Where ``shipit build --push`` put it (the first ref), if it did."""


def built_image(receipt: BuildReceipt, *, where: str = "build receipt") -> BuiltImage:
    """The push's view of a receipt (pure)."""
    source = receipt.local_image or (receipt.refs[0] if receipt.refs else None)
    if not source:
        raise UsageError(f"{where}: the receipt names no image ('local_image' or 'refs')",
                         hint="run `shipit build` again")
    if not receipt.platforms:
        raise UsageError(f"{where}: the receipt lists no 'platforms'",
                         hint="run `shipit build` again")
    storage = receipt.local.storage or {}
    return BuiltImage(source=source, tag=receipt.tag,
                      platforms=tuple(p.platform for p in receipt.platforms),
                      digest=receipt.digest, git_sha=receipt.git_sha,
                      storage=tuple(sorted((k, v) for k, v in storage.items() if v)),
                      oci_layout=receipt.local.oci_layout,
                      pushed_ref=receipt.refs[0] if receipt.pushed and receipt.refs else None)


def load_built_image(path: Path) -> BuiltImage:
    """Read the receipt at ``path`` (UsageError, exit 2, when absent or corrupt) for push."""
    return built_image(read_receipt(path), where=str(path))
