"""What the demo found: one result per step (verdict, duration, key detail), as data."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from shipit.project_paths import DEMO_REPORT

if TYPE_CHECKING:
    from shipit.sandbox.state import TaskSummary

REPORT_PATH = DEMO_REPORT
"""Where every demo run leaves its report (the same document as ``shipit demo --json``)."""

StepVerdict = Literal["pass", "warn", "fail", "skip"]


@dataclass(frozen=True)
class StepResult:
    step: str
    verdict: StepVerdict
    seconds: float
    detail: str
    hint: str | None = None
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return self.verdict == "fail"


@dataclass
class DemoReport:
    steps: list[StepResult] = field(default_factory=list)
    builder: str = "none"
    task_runtime: str = ""
    """How the sandbox ran the deployed task, said plainly: "container (podman)" (the pushed
    image, pulled from the sandbox's registry) or "sample_service from source (why)"."""
    task: TaskSummary | None = None
    """The deployed revision's task: runtime, store (driver and why), life timings, stop reason."""
    storage: dict[str, Any] = field(default_factory=dict)
    """The containers store the build and the tasks used, and why (shipit.image.storage)."""
    kept: bool = False
    url: str | None = None
    endpoint_url: str | None = None
    seconds: float = 0.0

    @property
    def failed_step(self) -> StepResult | None:
        return next((s for s in self.steps if s.failed), None)

    @property
    def ok(self) -> bool:
        return self.failed_step is None

    @property
    def next_commands(self) -> list[str]:
        """How to use a sandbox left running by --keep (empty otherwise)."""
        if not (self.kept and self.url):
            return []
        return ["shipit --env sandbox status", f"curl {self.url}/api/health",
                "shipit sandbox down"]

    def verdict(self, step: str) -> str | None:
        return next((s.verdict for s in self.steps if s.step == step), None)

    def to_dict(self) -> dict[str, Any]:
        failed = self.failed_step
        return {
            "ok": self.ok,
            "failed_step": failed.step if failed else None,
            "builder": self.builder,
            "task_runtime": self.task_runtime,
            "task": self.task or {},  # {}: the sandbox reported no task of the revision
            "storage": self.storage,
            "kept": self.kept,
            "url": self.url,
            "endpoint_url": self.endpoint_url,
            "seconds": round(self.seconds, 2),
            "next": self.next_commands,
            "steps": [{**asdict(s), "seconds": round(s.seconds, 2)} for s in self.steps],
        }


def save_report(root: Path, report: DemoReport) -> Path:
    """Write the report beside shipit.toml (``.shipit/demo-report.json``); its path."""
    path = root / REPORT_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(report.to_dict(), indent=2, default=str) + "\n",
                         encoding="utf-8")
    temporary.replace(path)
    return path
