"""The report's vocabulary: a deliverable of the week's checklist, its verdict and its proof."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

DeliverableVerdict = Literal["met", "not met", "unknown"]


@dataclass(frozen=True)
class ReportOptions:
    """What `shipit report` is asked."""

    root: Path
    """The project's folder: the receipts, the last demo's report and the screenshots."""
    run_e2e: bool = True
    """Run the e2e path once (one article, created and deleted); False: that one is unknown."""


@dataclass(frozen=True)
class Screenshot:
    """A picture that proves something (the browser screenshot), kept as bytes to inline."""

    name: str
    media_type: str
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class Deliverable:
    id: str
    title: str
    verdict: DeliverableVerdict
    why: str
    """One line: why this verdict (what was seen, or what could not be seen)."""
    proof: tuple[str, ...] = ()
    """Evidence lines, each a fact read now (a digest, a count, an answer, a latency)."""
    table: tuple[tuple[str, ...], ...] = ()
    """Optional rows (first row is the header): e2e steps with latencies, log lines."""
    images: tuple[Screenshot, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "verdict": self.verdict, "why": self.why,
                "proof": list(self.proof), "table": [list(row) for row in self.table],
                "images": [image.name for image in self.images]}


@dataclass(frozen=True)
class Report:
    env: str | None
    region: str
    generated_at: str
    deliverables: tuple[Deliverable, ...]

    @property
    def not_met(self) -> tuple[Deliverable, ...]:
        return tuple(d for d in self.deliverables if d.verdict == "not met")

    @property
    def ok(self) -> bool:
        return not self.not_met

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "env": self.env, "region": self.region,
                "generated_at": self.generated_at,
                "not_met": [d.id for d in self.not_met],
                "deliverables": [d.to_dict() for d in self.deliverables]}
