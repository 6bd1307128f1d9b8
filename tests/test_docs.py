"""The docs against the CLI (as sqlite-utils' tests/test_docs.py): every command has its real
``--help`` in exactly one page of docs/commands/, no page shows a stale help or a command that
does not exist, the index of commands is current, ``shipit --help`` lists the commands in the
order of the week's work, and every relative link of the README and docs/ resolves."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from shipit.cli.commands import HELP_ORDER
from tests.docs_help import (
    COMMAND_PAGES,
    INDEX,
    INDEX_BLOCK,
    ROOT,
    HelpBlock,
    command_paths,
    help_blocks,
    pages,
    render_help,
    render_index,
)
from tests.fixtures.cli import run_cli

RUN = "run `make docs` (python -m tests.docs_help) and commit the pages it rewrites"


def test_every_command_has_its_help_in_exactly_one_page() -> None:
    documented = Counter(block.path for block in help_blocks())
    commands = [" ".join(path) for path in command_paths()]
    missing = [f"shipit {name}".strip() for name in commands if documented[name] == 0]
    assert missing == [], (
        f"undocumented: {', '.join(missing)}; add the lines `<!-- shipit-help: NAME -->` and "
        f"`<!-- /shipit-help -->` to the page of its group in docs/commands/, then {RUN}")
    twice = sorted(name for name, count in documented.items() if count > 1)
    assert twice == [], f"documented in more than one place: {twice}"
    unknown = sorted(set(documented) - set(commands))
    assert unknown == [], f"docs show the help of commands that do not exist: {unknown}"


def test_the_walk_finds_groups_and_their_subcommands() -> None:
    names = {" ".join(path) for path in command_paths()}
    assert {"", "build", "config", "config show", "sandbox up", "web deploy"} <= names


@pytest.mark.parametrize("block", help_blocks(), ids=lambda b: f"{b.page.name}:{b.path}")
def test_each_help_block_is_the_current_help(block: HelpBlock) -> None:
    assert block.body == render_help(block.path), (
        f"{block.page.relative_to(ROOT)}: the help of `shipit {block.path}` is stale; {RUN}")


def test_the_command_index_is_current_and_links_every_page() -> None:
    text = INDEX.read_text(encoding="utf-8")
    match = INDEX_BLOCK.search(text)
    assert match is not None, f"{INDEX.relative_to(ROOT)} has no <!-- shipit-commands --> block"
    assert match["body"] == render_index(), f"the command index is stale; {RUN}"
    linked = set(re.findall(r"\]\(([\w-]+\.md)\)", text))
    unlinked = sorted(p.name for p in COMMAND_PAGES.glob("*.md")
                      if p != INDEX and p.name not in linked)
    assert unlinked == [], f"pages of docs/commands/ that the index does not link: {unlinked}"


def test_help_lists_commands_in_the_order_of_the_weeks_work() -> None:
    result = run_cli(["--help"])
    listed = re.findall(r"^  ([\w-]+)  ", result.stdout.split("\nCommands:\n", 1)[1],
                        re.MULTILINE)
    known = [name for name in listed if name in HELP_ORDER]
    assert known == sorted(known, key=HELP_ORDER.index)
    assert listed[:11] == ["build", "push", "deploy", "dns", "web", "doctor", "e2e", "status",
                           "logs", "probe", "rollback"]


LINK = re.compile(r"\]\((?!https?:|mailto:)([^)#\s]+)(?:#([^)\s]+))?\)")


def _anchor(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    return {_anchor(line.lstrip("#")) for line in page.read_text(encoding="utf-8").splitlines()
            if line.startswith("#")}


def test_every_relative_link_resolves() -> None:
    broken: list[str] = []
    for page in [ROOT / "README.md", *pages()]:
        for target, anchor in LINK.findall(page.read_text(encoding="utf-8")):
            path = (page.parent / target).resolve()
            if not path.exists():
                broken.append(f"{page.relative_to(ROOT)}: {target}")
            elif anchor and path.suffix == ".md" and anchor not in _anchors(path):
                broken.append(f"{page.relative_to(ROOT)}: {target}#{anchor}")
    assert broken == []
