"""`python -m sample_service`: exit codes and messages of start-up, and the migrate command."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from shipit.net import free_port
from tests.service.service_process import REPO_ROOT, ServiceProcess, service_env


def run(command: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sample_service", *command],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"PORT": "eighty"}, "PORT"),
        ({"CORS_ALLOWED_ORIGINS": "*"}, "CORS_ALLOWED_ORIGINS"),
        ({"DATABASE_URL": "mysql://u@h/d"}, "DATABASE_URL"),
        ({"LOG_LEVEL": "loud"}, "LOG_LEVEL"),
    ],
)
def test_a_bad_variable_stops_start_up_with_exit_2(
    tmp_path: Path, env: dict[str, str], variable: str
) -> None:
    result = run(["serve"], service_env(f"sqlite:///{tmp_path / 'a.db'}", **env), tmp_path)
    assert result.returncode == 2
    assert f"configuration error: {variable}:" in result.stderr
    assert not (tmp_path / "a.db").exists()


def test_outside_dev_a_database_url_is_required(tmp_path: Path) -> None:
    for app_env in ("prod", "staging"):
        result = run(["serve"], service_env(None, APP_ENV=app_env), tmp_path)
        assert result.returncode == 2
        assert "DATABASE_URL" in result.stderr
        assert list(tmp_path.iterdir()) == []  # no SQLite file was created


def test_dev_without_a_url_uses_a_sqlite_file_in_the_working_directory(
    make_service: Callable[..., ServiceProcess], tmp_path: Path
) -> None:
    service = make_service(None, APP_ENV="dev")
    service.start().wait_healthy()
    assert service.terminate() == 0
    assert (tmp_path / "sample_service.db").exists()


def test_unreachable_database_at_start_up_exits_1_after_the_retry_window(tmp_path: Path) -> None:
    closed_port = free_port()
    env = service_env(
        f"postgresql://postgres@127.0.0.1:{closed_port}/nothing", DB_STARTUP_TIMEOUT="1"
    )
    for command in ("serve", "migrate"):
        result = run([command], env, tmp_path)
        assert result.returncode == 1, result.stdout + result.stderr
        assert "database not reachable yet; retrying" in result.stdout


def test_migrate_applies_once_and_is_idempotent(empty_database_url: str, tmp_path: Path) -> None:
    env = service_env(empty_database_url)
    first = run(["migrate"], env, tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    assert '"applied": [1]' in first.stdout
    second = run(["migrate"], env, tmp_path)
    assert second.returncode == 0
    assert '"applied": []' in second.stdout


def test_help_and_unknown_commands() -> None:
    env = service_env(None)
    assert "migrate" in run(["--help"], env, REPO_ROOT).stdout
    assert run(["dance"], env, REPO_ROOT).returncode == 2
