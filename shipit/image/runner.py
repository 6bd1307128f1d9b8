"""Run external programs (git, buildah, docker, podman) with argument lists, never a shell.

``Runner`` is the process boundary: code takes one as a parameter, tests may hand in another.
Output is captured; ``on_line`` also receives each line as it comes (for live progress).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from shipit.errors import EnvironmentProblem

LineSink = Callable[[str], None]


@dataclass(frozen=True)
class Completed:
    argv: list[str]
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def tail(self, lines: int = 15) -> str:
        """The last lines of the output, to quote in an error message."""
        text = (self.stdout + ("\n" if self.stdout and self.stderr else "") + self.stderr).strip()
        return "\n".join(text.splitlines()[-lines:])


class Runner(Protocol):
    def run(
        self,
        argv: Sequence[str],
        *,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
        stdin: str | None = None,
        on_line: LineSink | None = None,
        timeout: float | None = None,
    ) -> Completed:
        """Run ``argv``; ``env`` entries are added to the current environment."""
        ...


class SubprocessRunner:
    """The real thing. A missing program becomes EnvironmentProblem naming how to install it."""

    INSTALL_HINTS: Mapping[str, str] = {
        "buildah": "apt-get install buildah (or run scripts/bootstrap)",
        "podman": "apt-get install podman (or run scripts/bootstrap)",
        "skopeo": "apt-get install skopeo (or run scripts/bootstrap)",
        "git": "apt-get install git",
        "docker": "install Docker with the buildx plugin, or use --builder buildah",
    }

    def run(
        self,
        argv: Sequence[str],
        *,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
        stdin: str | None = None,
        on_line: LineSink | None = None,
        timeout: float | None = None,
    ) -> Completed:
        args = list(argv)
        program = args[0]
        if shutil.which(program) is None and not Path(program).is_file():
            raise EnvironmentProblem(
                f"{program} is not installed (or not on PATH)",
                hint=self.INSTALL_HINTS.get(Path(program).name),
            )
        full_env = {**os.environ, **env} if env else None
        started = time.monotonic()
        if on_line is None:
            done = subprocess.run(args, cwd=cwd, env=full_env, input=stdin, capture_output=True,
                                  text=True, timeout=timeout, check=False)
            return Completed(args, done.returncode, done.stdout, done.stderr,
                             time.monotonic() - started)
        return self._streamed(args, cwd, full_env, stdin, on_line, started)

    @staticmethod
    def _streamed(args: list[str], cwd: Path | None, env: Mapping[str, str] | None,
                  stdin: str | None, on_line: LineSink, started: float) -> Completed:
        # stderr is merged into stdout so lines arrive in the order the tool wrote them.
        process = subprocess.Popen(args, cwd=cwd, env=env, text=True, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT,
                                   stdin=subprocess.PIPE if stdin is not None else None)
        if stdin is not None and process.stdin is not None:
            process.stdin.write(stdin)
            process.stdin.close()
        lines: list[str] = []
        assert process.stdout is not None
        try:
            for line in process.stdout:
                lines.append(line)
                on_line(line.rstrip("\n"))
            returncode = process.wait()
        except BaseException:  # Ctrl-C or a timeout: never leave a builder running behind us
            process.kill()
            process.wait()
            raise
        return Completed(args, returncode, "".join(lines), "", time.monotonic() - started)
