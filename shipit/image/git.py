"""What the build is made from: the git commit, whether the work tree is clean, where it lives."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from shipit.errors import EnvironmentProblem, UsageError
from shipit.image.runner import Runner


@dataclass(frozen=True)
class GitInfo:
    root: Path
    sha: str
    """The full 40-hex commit id."""
    short_sha: str
    dirty: bool
    """Tracked files changed or untracked (not ignored) files present under the build context."""
    source: str | None
    """The ``origin`` remote without any credentials, for the source label."""
    describe: str
    """``git describe --tags --always --dirty``: the nearest tag, or the short sha."""
    commit_time: int | None = None
    """The commit's committer time (seconds since the epoch): SOURCE_DATE_EPOCH of the build."""
    changes: tuple[str, ...] = ()
    """``git status --porcelain`` lines of a dirty tree (a few), to say why it is dirty."""

    def to_dict(self) -> dict[str, object]:
        return {"sha": self.sha, "short_sha": self.short_sha, "dirty": self.dirty,
                "source": self.source, "describe": self.describe,
                "commit_time": self.commit_time}


def read_git_info(runner: Runner, path: Path, ignore: Sequence[Path] = ()) -> GitInfo:
    """The commit checked out at ``path``; EnvironmentProblem if it is not in a git work tree.

    The work tree is dirty if anything under ``path`` changed or is untracked, except under
    ``ignore`` (shipit's own .shipit/ directory, where builds write).
    """
    top = runner.run(["git", "-C", str(path), "rev-parse", "--show-toplevel"])
    if not top.ok:
        raise EnvironmentProblem(
            f"{path} is not inside a git repository",
            hint="shipit tags images with the git commit: run `git init` and commit, "
            "or build from your project's clone",
        )
    root = Path(top.stdout.strip())
    head = runner.run(["git", "-C", str(root), "rev-parse", "--verify", "HEAD"])
    if not head.ok:
        raise EnvironmentProblem(f"the git repository {root} has no commit yet",
                                 hint="commit your work first: the image is tagged with the commit")
    sha = head.stdout.strip()
    excluded = [f":(exclude){p}" for p in ignore]
    status = runner.run(["git", "-C", str(root), "status", "--porcelain", "--", str(path),
                         *excluded])
    remote = runner.run(["git", "-C", str(root), "config", "--get", "remote.origin.url"])
    changes = tuple(line for line in status.stdout.splitlines() if line.strip())
    return GitInfo(
        root=root,
        sha=sha,
        short_sha=sha[:12],
        dirty=bool(status.stdout.strip()),
        source=strip_credentials(remote.stdout.strip()) if remote.ok else None,
        describe=_describe(runner, root, "--dirty", default=sha[:12]),
        commit_time=_commit_time(runner, root, sha),
        changes=changes[:5],
    )


def read_commit(runner: Runner, git: GitInfo, ref: str) -> GitInfo:
    """Commit ``ref`` (any commit-ish: a sha, a branch, ``HEAD~1``) of ``git``'s repository, as
    a clean tree of its own; UsageError naming ``ref`` when it names no commit there."""
    found = runner.run(["git", "-C", str(git.root), "rev-parse", "--verify", "--quiet",
                        "--end-of-options", f"{ref}^{{commit}}"])
    sha = found.stdout.strip()
    if not found.ok or not ref.strip() or not sha:
        raise UsageError(f"{ref!r} names no commit in the git repository {git.root}",
                         hint="give a commit-ish of this repository: a sha, a branch, a tag or"
                         " HEAD~1 (`git log --oneline` lists them)")
    return GitInfo(root=git.root, sha=sha, short_sha=sha[:12], dirty=False, source=git.source,
                   describe=_describe(runner, git.root, sha, default=sha[:12]),
                   commit_time=_commit_time(runner, git.root, sha))


def _describe(runner: Runner, root: Path, *args: str, default: str) -> str:
    done = runner.run(["git", "-C", str(root), "describe", "--tags", "--always", *args])
    return done.stdout.strip() if done.ok else default


def _commit_time(runner: Runner, root: Path, sha: str) -> int | None:
    """The committer time of ``sha``: what a build of it is stamped with."""
    when = runner.run(["git", "-C", str(root), "log", "-1", "--format=%ct", sha])
    text = when.stdout.strip()
    return int(text) if when.ok and text.isdigit() else None


def require_clean(git: GitInfo, allow_dirty: bool) -> None:
    """Refuse to build from uncommitted changes unless the user says so."""
    if git.dirty and not allow_dirty:
        raise UsageError(
            f"the work tree at {git.root} has uncommitted changes; the image would not match "
            f"commit {git.short_sha}",
            hint="commit or stash them, or pass --allow-dirty (the tag then ends in -dirty)",
        )


_USERINFO = re.compile(r"^(?P<scheme>[a-z][a-z0-9+.-]*://)[^/@]*@", re.IGNORECASE)


def strip_credentials(url: str) -> str:
    """``https://user:token@github.com/o/r.git`` -> ``https://github.com/o/r.git``."""
    return _USERINFO.sub(r"\g<scheme>", url)
