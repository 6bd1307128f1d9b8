"""Image names and tags.

Every build is tagged with the FULL 40-hex git commit id, plus ``latest``. Full, not short:
it never becomes ambiguous as history grows, it is exactly what ``git rev-parse HEAD`` and the
``org.opencontainers.image.revision`` label say, and ECR's immutable tags then map one commit to
one digest forever. A build from a dirty work tree (``--allow-dirty``) is tagged
``<sha>-dirty`` instead, so it can never pass for the commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from shipit.errors import UsageError
from shipit.image.git import GitInfo
from shipit.oci_grammar import REPOSITORY, tag_problem

LATEST = "latest"


@dataclass(frozen=True)
class ImageName:
    registry: str | None
    """host[:port]; None for a local-only name."""
    repository: str
    tags: tuple[str, ...]
    """The first is the primary (commit) tag."""

    @property
    def name(self) -> str:
        return f"{self.registry or 'localhost'}/{self.repository}"

    @property
    def primary(self) -> str:
        return self.tags[0]

    @property
    def refs(self) -> list[str]:
        return [f"{self.name}:{tag}" for tag in self.tags]


def commit_tag(git: GitInfo) -> str:
    return f"{git.sha}-dirty" if git.dirty else git.sha


def image_name(repository: str | None, git: GitInfo, *, registry: str | None = None,
               extra_tags: Sequence[str] = ()) -> ImageName:
    """``<registry>/<repository>`` with the commit tag, ``latest`` and any ``--tag``.

    ``registry`` is a host (``127.0.0.1:5000``), optionally with a namespace (``host/team``).
    """
    if not repository:
        raise UsageError("image.repository is not set", hint="add it to [image] in shipit.toml")
    if not REPOSITORY.match(repository):
        raise UsageError(f"image.repository {repository!r} is not a valid repository name",
                         hint="lowercase letters, digits and . _ - separators, e.g. articles")
    host, _, namespace = (registry or "").partition("/")
    if namespace:  # image.registry = "host:port/team" puts the repository under team/
        repository = f"{namespace.strip('/')}/{repository}"
    tags = [commit_tag(git), LATEST]
    for tag in extra_tags:
        problem = tag_problem(tag)
        if problem is not None:
            raise UsageError(f"--tag: {problem}",
                             hint="1-128 letters, digits, '_', '.', '-', not starting with . or -")
        if tag not in tags:
            tags.append(tag)
    return ImageName(host or None, repository, tuple(tags))
