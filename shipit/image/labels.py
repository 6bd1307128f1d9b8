"""OCI annotations put on every image as labels: which commit, from where, when, which version."""

from __future__ import annotations

from datetime import UTC, datetime

from shipit.image.git import GitInfo

REVISION = "org.opencontainers.image.revision"
SOURCE = "org.opencontainers.image.source"
CREATED = "org.opencontainers.image.created"
VERSION = "org.opencontainers.image.version"


def oci_labels(git: GitInfo, created: datetime, version: str | None = None) -> dict[str, str]:
    """revision (full sha), source (the origin remote, no credentials), created, version."""
    labels = {
        REVISION: git.sha,
        CREATED: created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        VERSION: version or git.describe,
    }
    if git.source:
        labels[SOURCE] = git.source
    return labels
