"""`sandbox down` removes the tasks' folders (their output.log) unless --keep-logs; the store
it leaves is its owner's. No daemon runs here: down() of a stopped sandbox cleans up the same."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from shipit.sandbox.control import down, sandbox_paths
from tests.fixtures.cli import run_cli


def _leftovers(root: Path) -> Path:
    paths = sandbox_paths(root)
    log = paths.tasks_dir / "abc123" / "output.log"
    log.parent.mkdir(parents=True)
    log.write_text("probe https://u:pw@h/x\n", encoding="utf-8")
    paths.credentials_file.write_text("{}", encoding="utf-8")
    return log


@pytest.mark.parametrize("keep_logs", [False, True])
def test_down_removes_task_logs_unless_kept(tmp_path: Path, keep_logs: bool) -> None:
    log = _leftovers(tmp_path)
    down(sandbox_paths(tmp_path), keep_logs=keep_logs, sleep=lambda _: None)
    assert log.exists() is keep_logs
    assert not sandbox_paths(tmp_path).credentials_file.exists()


def test_the_cli_option(tmp_path: Path) -> None:
    (tmp_path / "shipit.toml").write_text('project = "articles"\n', encoding="utf-8")
    log = _leftovers(tmp_path)
    kept = run_cli(["--config", str(tmp_path / "shipit.toml"), "sandbox", "down", "--keep-logs"],
                   cwd=tmp_path)
    assert kept.exit_code == 0, kept.stderr
    assert log.exists()
    removed = run_cli(["--config", str(tmp_path / "shipit.toml"), "sandbox", "down"],
                      cwd=tmp_path)
    assert removed.exit_code == 0, removed.stderr
    assert not log.exists()


def test_the_env_file_is_private(tmp_path: Path) -> None:
    from shipit.sandbox import envfile

    paths = sandbox_paths(tmp_path)
    envfile.write(paths, "[vars]\n")
    assert stat.S_IMODE(paths.env_file.stat().st_mode) == 0o600
