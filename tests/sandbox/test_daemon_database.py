"""The sandbox's database is created while moto starts (in the background); a start that fails
after that still drops it. A REAL daemon process and the local PostgreSQL."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from shipit.sandbox.daemon import _database_name
from shipit.sandbox.names import StackNames
from shipit.sandbox.state import SandboxPaths, read_state

REPO = Path(__file__).resolve().parents[2]


def databases() -> list[str]:
    done = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-At", "-c",
                           "SELECT datname FROM pg_database"], capture_output=True, text=True,
                          check=True, timeout=30)
    return done.stdout.split()


@pytest.mark.skipif(shutil.which("psql") is None, reason="no psql: the sandbox uses SQLite")
def test_a_start_that_fails_after_the_database_was_made_drops_it(tmp_path: Path) -> None:
    paths = SandboxPaths(tmp_path)
    paths.dir.mkdir(parents=True)
    # ECR refuses this repository name: the stack fails after the database was asked for.
    paths.spec_file.write_text(json.dumps({"project": "articles", "repository": "Bad Repo!"}),
                               encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "shipit.sandbox.daemon", "--root", str(tmp_path)],
                          cwd=REPO, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1, done.stdout + done.stderr
    state = read_state(paths)
    assert state is not None
    assert state.status == "failed"
    assert "CreateRepository" in (state.error or "")
    stopped = [line for line in done.stdout.splitlines() if line.startswith("sandbox stopped")]
    assert len(stopped) == 1, done.stdout
    assert "database" in stopped[0]  # it was made, then dropped
    name = _database_name(tmp_path.resolve(), StackNames("articles", repository="Bad Repo!"))
    assert name not in databases()
