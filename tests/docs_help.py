"""The command reference in docs/ holds the CLI's own ``--help``, rewritten by ``make docs``
(``python -m tests.docs_help``) and checked by tests/test_docs.py, as sqlite-utils keeps its
reference true. A page names a command with two marker lines, and the help goes between them:

    <!-- shipit-help: sandbox up -->
    <!-- /shipit-help -->

To document a new command: add those two lines to the page of its group in docs/commands/,
then `make docs`. docs/commands/README.md's index of commands is generated the same way.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from typer._click import Command, Context
from typer.main import get_command

from shipit.cli.app import app
from tests.fixtures.cli import run_cli

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
COMMAND_PAGES = DOCS / "commands"
INDEX = COMMAND_PAGES / "README.md"
WIDTH = 100
"""Columns of the rendered help (the app's max_content_width), whatever the terminal."""

HELP_BLOCK = re.compile(
    r"(?P<open><!-- shipit-help: (?P<path>[\w][\w -]*?|) -->\n)(?P<body>.*?)"
    r"(?P<close><!-- /shipit-help -->)",
    re.DOTALL,
)
INDEX_BLOCK = re.compile(
    r"(?P<open><!-- shipit-commands -->\n)(?P<body>.*?)(?P<close><!-- /shipit-commands -->)",
    re.DOTALL,
)


@dataclass(frozen=True)
class HelpBlock:
    page: Path
    path: str
    """The command after ``shipit`` (``sandbox up``; empty for ``shipit`` itself)."""
    body: str


def command_paths() -> list[list[str]]:
    """Every command path in ``shipit --help`` order: [], ["build"], ..., ["config", "show"]."""

    def walk(command: Command, path: list[str]) -> Iterator[list[str]]:
        yield path
        subcommands: dict[str, Command] = getattr(command, "commands", {}) or {}
        names = command.list_commands(Context(command)) if subcommands else []  # type: ignore[attr-defined]
        for name in names:
            sub = subcommands[name]
            if not sub.hidden:
                yield from walk(sub, [*path, name])

    return list(walk(get_command(app), []))


def short_help(path: list[str]) -> str:
    """The one line ``shipit --help`` (or the group's help) shows for a command."""
    command = get_command(app)
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    return command.get_short_help_str(limit=200)


@contextlib.contextmanager
def _columns(width: int) -> Iterator[None]:
    """Render help at ``width`` columns (click reads COLUMNS), restoring the caller's value."""
    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(width)
    try:
        yield
    finally:
        if saved is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = saved


def help_text(path: str) -> str:
    """``shipit PATH --help`` through the real entry point, at WIDTH columns."""
    with _columns(WIDTH):
        result = run_cli([*path.split(), "--help"])
    if result.exit_code != 0:
        raise RuntimeError(f"shipit {path} --help exited {result.exit_code}: {result.stderr}")
    return result.stdout


def render_help(path: str) -> str:
    """What goes between a page's markers for ``path``."""
    command = " ".join(["shipit", *path.split()])
    return f"```text\n$ {command} --help\n{help_text(path).rstrip()}\n```\n"


def pages() -> list[Path]:
    """Every Markdown page under docs/."""
    return sorted(DOCS.rglob("*.md"))


def help_blocks() -> list[HelpBlock]:
    """Every marked help block of every page, in page order."""
    return [HelpBlock(page, m["path"], m["body"])
            for page in pages()
            for m in HELP_BLOCK.finditer(page.read_text(encoding="utf-8"))]


def render_index() -> str:
    """The table of every command: its one-line help and the page documenting it."""
    where = {block.path: block.page for block in help_blocks()}
    rows = ["| command | what it does | page |", "|---|---|---|"]
    for path in command_paths()[1:]:  # shipit itself is the global options, below
        name = " ".join(path)
        page = where.get(name)
        link = f"[{page.name}]({page.relative_to(COMMAND_PAGES).as_posix()})" if page else "none"
        summary = short_help(path).replace("|", "\\|")
        rows.append(f"| `shipit {name}` | {summary} | {link} |")
    return "\n".join(rows) + "\n"


def updated(text: str) -> str:
    """``text`` with every help block and the command index rendered afresh."""
    text = HELP_BLOCK.sub(lambda m: m["open"] + render_help(m["path"]) + m["close"], text)
    return INDEX_BLOCK.sub(lambda m: m["open"] + render_index() + m["close"], text)


def main() -> int:
    """Rewrite every page whose blocks are stale; print the pages it changed."""
    for page in pages():
        text = page.read_text(encoding="utf-8")
        new = updated(text)
        if new != text:
            page.write_text(new, encoding="utf-8")
            print(f"updated {page.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
