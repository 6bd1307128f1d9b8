"""A check's result: a status, a one-line summary, the detail, and the fix as data.

Checks return a ``Verdict``; the runner stamps it with the check's id to make a ``Finding``, the
one object both the Rich table and the JSON document are made from. Network checks also name the
hop ("task -> database") and the component that blocks it (``rtb-...``, ``acl-... rule 90``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Status = Literal["pass", "warn", "fail", "skip", "error"]
STATUSES: tuple[Status, ...] = ("pass", "warn", "fail", "skip", "error")


@dataclass(frozen=True)
class Verdict:
    status: Status
    summary: str
    detail: str = ""
    fix: str | None = None
    hop: str | None = None
    component: str | None = None


@dataclass(frozen=True)
class Finding:
    id: str
    status: Status
    summary: str
    detail: str = ""
    fix: str | None = None
    hop: str | None = None
    component: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {
            "id": self.id,
            "status": self.status,
            "summary": self.summary,
            "detail": self.detail,
            "fix": self.fix,
            "hop": self.hop,
            "component": self.component,
        }


def passed(summary: str, detail: str = "") -> Verdict:
    return Verdict("pass", summary, detail)


def warned(summary: str, detail: str = "", fix: str | None = None) -> Verdict:
    return Verdict("warn", summary, detail, fix)


def failed(summary: str, detail: str = "", fix: str | None = None) -> Verdict:
    return Verdict("fail", summary, detail, fix)


def skipped(summary: str, detail: str = "") -> Verdict:
    return Verdict("skip", summary, detail)


def worst(verdicts: list[Verdict]) -> Verdict | None:
    """The most serious non-pass verdict (fail over warn), or None when all passed."""
    for status in ("fail", "warn"):
        for verdict in verdicts:
            if verdict.status == status:
                return verdict
    return None
