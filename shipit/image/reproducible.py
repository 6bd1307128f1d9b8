"""Same commit, same image: what makes a build reproducible, and the commit's tree to build from.

A clean tree is built from the commit itself, exported by ``export_commit`` with normalised file
modes (0644, or 0755 where git records the executable bit), so a clone's umask, file times,
untracked or ignored files never reach the image. Time comes from the commit
(SOURCE_DATE_EPOCH = its committer time): buildah gets ``--timestamp``, buildx the
``SOURCE_DATE_EPOCH`` build arg and ``rewrite-timestamp``. Owners are root (COPY without
--chown), and layer entries are written in path order by the builder.

A dirty tree is built as before (from the work tree, with the time of the build), and the
receipt says it is not reproducible and why. What a build still depends on beyond the commit:
the base image (its digest is in the receipt), the build platform (RUN steps run there) and
whatever a RUN step downloads (pin it).
"""

from __future__ import annotations

import json
import os
import subprocess
import tarfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from shipit.errors import EnvironmentProblem, Failed
from shipit.image.compare import Difference
from shipit.image.git import GitInfo
from shipit.image.source import ImageSource


@dataclass(frozen=True)
class Reproducibility:
    """Whether this build can be reproduced from its commit, and the time it is stamped with."""

    source_date_epoch: int | None
    """The commit's time for a reproducible build; None: the image carries the build's time."""
    reasons: tuple[str, ...] = ()
    """Why it is not reproducible (empty when it is)."""

    @property
    def reproducible(self) -> bool:
        return self.source_date_epoch is not None and not self.reasons

    def to_dict(self) -> dict[str, object]:
        return {"reproducible": self.reproducible, "source_date_epoch": self.source_date_epoch,
                "reasons": list(self.reasons)}


def judge(git: GitInfo) -> Reproducibility:
    """A clean tree with a readable commit time is reproducible; anything else says why not."""
    if git.dirty:
        shown = "; ".join(git.changes) or "uncommitted changes"
        return Reproducibility(None, (
            f"the work tree has uncommitted changes ({shown}): the image holds files that are in"
            " no commit, and carries the time of the build",))
    if git.commit_time is None:
        return Reproducibility(None, (f"the time of commit {git.short_sha} could not be read",))
    return Reproducibility(git.commit_time)


def export_commit(git: GitInfo, context: Path, dockerfile: Path, into: Path) -> tuple[Path, Path]:
    """Write the commit's version of ``context`` under ``into``; the new context and Dockerfile.

    Files get mode 0644 (0755 if executable in git), directories 0755, times the commit's.
    A Dockerfile outside the context is exported beside it (``into/Dockerfile``).
    """
    tree = into / "context"
    tree.mkdir(parents=True)
    relative = context.resolve().relative_to(git.root.resolve()).as_posix()
    treeish = git.sha if relative == "." else f"{git.sha}:{relative}"
    _extract(git, treeish, tree)
    inside = dockerfile.resolve().is_relative_to(context.resolve())
    if inside:
        new_dockerfile = tree / dockerfile.resolve().relative_to(context.resolve())
    else:
        path = dockerfile.resolve().relative_to(git.root.resolve()).as_posix()
        new_dockerfile = into / "Dockerfile"
        new_dockerfile.write_bytes(_git(git, ["show", f"{git.sha}:{path}"]))
    return tree, new_dockerfile


def _extract(git: GitInfo, treeish: str, tree: Path) -> None:
    epoch = git.commit_time or 0
    process = subprocess.Popen(["git", "-C", str(git.root), "archive", "--format=tar", treeish],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None
    directories: list[Path] = []
    with tarfile.open(fileobj=process.stdout, mode="r|") as archive:
        for member in archive:
            target = tree / member.name
            if not target.resolve().is_relative_to(tree.resolve()):
                continue  # git never writes such names; refuse them anyway
            if member.isdir():
                target.mkdir(parents=True, exist_ok=True)
                directories.append(target)
            elif member.issym():
                target.parent.mkdir(parents=True, exist_ok=True)
                os.symlink(member.linkname, target)
            elif member.isfile():
                target.parent.mkdir(parents=True, exist_ok=True)
                source = archive.extractfile(member)
                assert source is not None
                target.write_bytes(source.read())
                os.chmod(target, 0o755 if member.mode & 0o111 else 0o644)
                os.utime(target, (epoch, epoch))
    error = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if process.wait() != 0:
        raise EnvironmentProblem(f"git archive {treeish} failed in {git.root}: {error.strip()}")
    for directory in [tree, *directories]:
        os.chmod(directory, 0o755)  # noqa: S103 - what a directory in an image gets
        os.utime(directory, (epoch, epoch))


def _git(git: GitInfo, args: list[str]) -> bytes:
    done = subprocess.run(["git", "-C", str(git.root), *args], capture_output=True, check=False)
    if done.returncode != 0:
        raise EnvironmentProblem(f"git {' '.join(args)} failed in {git.root}: "
                                 f"{done.stderr.decode(errors='replace').strip()}")
    return done.stdout


BASE_DIGEST = "org.opencontainers.image.base.digest"
BASE_NAME = "org.opencontainers.image.base.name"


def base_images(source: ImageSource, manifests: Mapping[str, str]) -> dict[str, str]:
    """Platform -> the digest of the base image it was built FROM, where the builder recorded it
    (buildah writes the OCI ``base.digest`` annotation into each image manifest)."""
    found: dict[str, str] = {}
    for platform, digest in manifests.items():
        try:
            data = json.loads(source.manifest(digest).body)
        except ValueError:
            continue
        annotations = data.get("annotations") if isinstance(data, dict) else None
        if isinstance(annotations, dict) and isinstance(annotations.get(BASE_DIGEST), str):
            found[platform] = annotations[BASE_DIGEST]
    return found


@dataclass(frozen=True)
class ReproducibilityCheck:
    """What ``--check-reproducible`` found: the second build's digest and the first difference."""

    second_digest: str
    difference: Difference | None
    against: str | None = None
    """The commit built second (``--against REF``, its full sha); None: the same tree again."""

    def to_dict(self) -> dict[str, object]:
        return {"same": self.difference is None, "second_digest": self.second_digest,
                "difference": self.difference.to_dict() if self.difference else None,
                "against": self.against}


class NotReproducible(Failed):
    """Two builds of one commit differ (exit 1); the message names platform, layer and files."""

    def __init__(self, difference: Difference, first: str, second: str) -> None:
        super().__init__(
            f"the build is not reproducible: built twice, {first} then {second} (without cache);"
            f" first difference: {difference.message}",
            hint="stamp or remove what changes between builds (times, random or downloaded"
            " content) in that step of the Dockerfile; the first build's receipt was written")
        self.difference = difference

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "difference": self.difference.to_dict()}


class CommitsDiffer(Failed):
    """``--against REF``: two commits build different images (exit 1, as NotReproducible); the
    message names the first difference, a file whose content differs when there is one."""

    def __init__(self, difference: Difference, first: tuple[str, str],
                 second: tuple[str, str]) -> None:
        (sha, digest), (against, against_digest) = first, second
        super().__init__(
            f"commits {sha[:12]} and {against[:12]} build different images: {digest} and"
            f" {against_digest}; first difference: {difference.message}",
            hint="files whose content differs are named first; when the commits' times differ,"
            " every file's mtime differs too (each is stamped with its commit's time);"
            " the first build's receipt was written")
        self.difference = difference
        self.against = against

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "difference": self.difference.to_dict(),
                "against": self.against}
