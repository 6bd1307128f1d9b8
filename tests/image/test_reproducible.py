"""The pure and local parts of a reproducible build: the verdict, and the commit's tree."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from shipit.image.git import GitInfo, read_git_info
from shipit.image.reproducible import export_commit, judge
from shipit.image.runner import SubprocessRunner

SHA = "0123456789abcdef0123456789abcdef01234567"


def info(*, dirty: bool = False, commit_time: int | None = 1_700_000_000,
         changes: tuple[str, ...] = ()) -> GitInfo:
    return GitInfo(Path("/src"), SHA, SHA[:12], dirty, None, SHA[:12], commit_time, changes)


@pytest.mark.parametrize(("git", "epoch", "reason"), [
    (info(), 1_700_000_000, None),
    (info(dirty=True, changes=(" M app.py",)), None, "uncommitted changes ( M app.py)"),
    (info(commit_time=None), None, "could not be read"),
])
def test_judge(git: GitInfo, epoch: int | None, reason: str | None) -> None:
    verdict = judge(git)
    assert verdict.source_date_epoch == epoch
    assert verdict.reproducible is (reason is None)
    if reason:
        assert reason in verdict.reasons[0]


def test_export_writes_the_commit_with_normalised_modes_and_times(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "svc").mkdir(parents=True)
    (repo / "svc" / "app.py").write_text("print(1)\n", encoding="utf-8")
    (repo / "svc" / "run.sh").write_text("#!/bin/sh\n", encoding="utf-8")
    (repo / "Dockerfile").write_text("FROM scratch\n", encoding="utf-8")
    os.chmod(repo / "svc" / "app.py", 0o600)
    os.chmod(repo / "svc" / "run.sh", 0o700)
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "x"], check=True)
    (repo / "svc" / "app.py").write_text("changed, not committed\n", encoding="utf-8")
    (repo / "svc" / "untracked.txt").write_text("x", encoding="utf-8")
    found = read_git_info(SubprocessRunner(), repo)

    context, dockerfile = export_commit(found, repo / "svc", repo / "Dockerfile",
                                        tmp_path / "out")
    assert sorted(p.name for p in context.iterdir()) == ["app.py", "run.sh"]
    assert (context / "app.py").read_text(encoding="utf-8") == "print(1)\n"  # the commit's
    assert (context / "app.py").stat().st_mode & 0o777 == 0o644
    assert (context / "run.sh").stat().st_mode & 0o777 == 0o755
    assert context.stat().st_mode & 0o777 == 0o755
    assert int((context / "app.py").stat().st_mtime) == found.commit_time
    assert dockerfile == tmp_path / "out" / "Dockerfile"  # outside the context: beside it
    assert dockerfile.read_text(encoding="utf-8") == "FROM scratch\n"
