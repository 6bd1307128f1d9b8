"""docs/benchmarks.md: each benchmark script owns one ``## heading`` section, rewrites only it."""

from __future__ import annotations

from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def record_section(heading: str, section: str, doc: Path = DOC) -> None:
    """Replace the section that starts with ``heading`` (up to the next ``## ``), or append it."""
    doc.parent.mkdir(parents=True, exist_ok=True)
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n"
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == heading), None)
    if start is None:
        doc.write_text(text.rstrip("\n") + "\n\n" + section.rstrip("\n") + "\n", encoding="utf-8")
        return
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    new = [*lines[:start], *section.rstrip("\n").splitlines(), "", *lines[end:]]
    doc.write_text("\n".join(new).rstrip("\n") + "\n", encoding="utf-8")
