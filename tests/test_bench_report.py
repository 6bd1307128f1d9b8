"""bench/report.py: a benchmark rewrites its own section of docs/benchmarks.md, nothing else."""

from __future__ import annotations

from pathlib import Path

from bench.report import record_section

DOC = "# Benchmarks\n\n## startup\n\nold startup\n\n## image\n\nimage text\n"


def test_replaces_only_its_own_section(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text(DOC, encoding="utf-8")
    record_section("## startup", "## startup\n\nnew startup\n", doc)
    assert doc.read_text(encoding="utf-8") == (
        "# Benchmarks\n\n## startup\n\nnew startup\n\n## image\n\nimage text\n"
    )


def test_appends_a_missing_section(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text(DOC, encoding="utf-8")
    record_section("## doctor", "## doctor\n\n1.1 s", doc)
    assert doc.read_text(encoding="utf-8") == DOC + "\n## doctor\n\n1.1 s\n"


def test_creates_the_document(tmp_path: Path) -> None:
    doc = tmp_path / "docs" / "benchmarks.md"
    record_section("## demo", "## demo\n\n36 s\n", doc)
    assert doc.read_text(encoding="utf-8") == "# Benchmarks\n\n## demo\n\n36 s\n"
