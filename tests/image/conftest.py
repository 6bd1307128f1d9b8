"""A throwaway git project to build: shipit.toml, the sample service (or a stub), committed."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.cli import CliResult, run_cli

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Project:
    root: Path

    @property
    def receipt_path(self) -> Path:
        return self.root / ".shipit" / "build-receipt.json"

    def shipit(self, *args: str) -> CliResult:
        """``shipit --json ARGS`` in the project, in-process (exit code, stdout, stderr)."""
        return run_cli(["--json", *args], cwd=self.root)

    def git(self, *args: str) -> str:
        return subprocess.run(["git", "-C", str(self.root), *args], capture_output=True,
                              text=True, check=True).stdout.strip()


def write_config(root: Path, *, repository: str, registry: str | None,
                 platforms: Sequence[str] = ("linux/amd64", "linux/arm64"),
                 build_args: Mapping[str, str] | None = None,
                 dockerfile: str = "sample_service/Dockerfile") -> None:
    lines = ['project = "articles"', "", "[image]", f'repository = "{repository}"',
             f'dockerfile = "{dockerfile}"', 'context = "."',
             "platforms = [" + ", ".join(f'"{p}"' for p in platforms) + "]"]
    if registry:
        lines.append(f'registry = "{registry}"')
    if build_args:
        lines.append("build_args = { " + ", ".join(f'{k} = "{v}"' for k, v in build_args.items())
                     + " }")
    lines += ["", "[vars]", 'LOG_LEVEL = "info"', 'APP_ENV = "prod"', ""]
    (root / "shipit.toml").write_text("\n".join(lines), encoding="utf-8")


def create_project(root: Path, *, service: bool = False, git: bool = True,
                   **config: Any) -> Project:
    """A committed git work tree to build, with ``write_config(**config)`` as its shipit.toml.

    ``service=True`` copies the real sample_service (with its Dockerfile) and .dockerignore;
    otherwise a stub Dockerfile is written (for tests that stop before or fake the builder).
    """
    root.mkdir()
    if service:
        shutil.copytree(REPO / "sample_service", root / "sample_service",
                        ignore=shutil.ignore_patterns("__pycache__", "*.db*", ".env"))
        shutil.copy(REPO / ".dockerignore", root / ".dockerignore")
    else:
        (root / "sample_service").mkdir()
        (root / "sample_service" / "Dockerfile").write_text("FROM scratch\n", encoding="utf-8")
    write_config(root, **{"repository": "articles", "registry": None, **config})
    project = Project(root)
    if git:
        project.git("init", "-q", "-b", "main")
        project.git("add", "-A")
        project.git("-c", "user.name=t", "-c", "user.email=t@example.com",
                    "commit", "-q", "-m", "project")
    return project


MakeProject = Callable[..., Project]


@pytest.fixture
def make_project(tmp_path: Path) -> MakeProject:
    """``make_project(**kwargs)``: ``create_project`` in this test's temporary directory."""

    def make(**kwargs: Any) -> Project:
        return create_project(tmp_path / "project", **kwargs)

    return make
