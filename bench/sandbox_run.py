"""What several benchmarks share: shipit run as a user would, a throwaway sandbox, the commit.

``user_shipit`` runs ``python -m shipit`` with no SHIPIT_* or AWS_* variable (the default path);
``sandbox_project`` yields a folder holding a copy of shipit.toml with a sandbox up (its
``sandbox up --json`` document), and takes it down again whatever happens.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def user_shipit(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHIPIT_", "AWS_"))}
    return subprocess.run([sys.executable, "-m", "shipit", *args], cwd=folder, env=env,
                          capture_output=True, text=True, check=False, timeout=300)


@contextmanager
def sandbox_project(prefix: str) -> Iterator[tuple[Path, dict[str, Any]]]:
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    shutil.copy(ROOT / "shipit.toml", folder / "shipit.toml")
    up = user_shipit(folder, "--json", "sandbox", "up")
    if up.returncode != 0:
        raise SystemExit(f"sandbox up failed: {up.stderr}")
    try:
        yield folder, json.loads(up.stdout)
    finally:
        user_shipit(folder, "sandbox", "down")


def head_commit() -> str:
    return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True,
                          capture_output=True, check=True).stdout.strip()
