"""A FAKE process runner (shipit.image.runner.Runner): records every argv and answers from a rule.

Used where the real process (buildah, docker buildx) is the thing a test must not start: a login's
scrubbing, a command line's shape, a builder choice. Real builds run through SubprocessRunner.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from shipit.image.runner import Completed, LineSink

Rule = Callable[[list[str]], tuple[int, str] | tuple[int, str, str]]
"""argv -> (exit status, stderr) or (exit status, stderr, stdout)."""


class FakeRunner:
    """Answers each argv by ``rule`` (default: exit ``returncode`` with ``stderr``); may raise."""

    def __init__(self, returncode: int = 0, stderr: str = "", *, rule: Rule | None = None,
                 raises: BaseException | None = None) -> None:
        self.rule: Rule = rule or (lambda argv: (returncode, stderr))
        self.raises = raises
        self.calls: list[list[str]] = []

    @classmethod
    def succeeding_for(cls, prefixes: Sequence[tuple[str, ...]]) -> FakeRunner:
        """Exit 0 for argv whose words (flags and storage drivers aside) start with a prefix."""

        def rule(argv: list[str]) -> tuple[int, str]:
            words = [a for a in argv if not a.startswith("-") and a not in ("vfs", "overlay")]
            ok = any(tuple(words[: len(p)]) == p for p in prefixes)
            return (0 if ok else 1), ""

        return cls(rule=rule)

    def run(self, argv: Sequence[str], *, cwd: Path | None = None,
            env: Mapping[str, str] | None = None, stdin: str | None = None,
            on_line: LineSink | None = None, timeout: float | None = None) -> Completed:
        self.calls.append(list(argv))
        if self.raises is not None:
            raise self.raises
        answer = self.rule(list(argv))
        stdout = answer[2] if len(answer) == 3 else ""
        return Completed(list(argv), answer[0], stdout, answer[1], 0.0)
