"""The deploy receipt: what was deployed, how long each step took, and the outcome."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from shipit.errors import UsageError
from shipit.private_files import write_private
from shipit.project_paths import DEPLOY_RECEIPT
from shipit.redact import Redactor

RECEIPT_PATH = DEPLOY_RECEIPT


@dataclass
class DeployReceipt:
    cluster: str
    service: str
    outcome: str = "pending"
    """dry-run | unchanged | started | success | failed | rolled-back | timeout"""
    message: str = ""
    previous_task_definition: str | None = None
    task_definition: str | None = None
    revision: int | None = None
    deployment_id: str | None = None
    image: str | None = None
    image_digest: str | None = None
    image_source: str | None = None
    failure: dict[str, Any] | None = None
    stopped_task: str | None = None
    last_log_lines: list[str] = field(default_factory=list)
    rolled_back_to: str | None = None
    timings: dict[str, float] = field(default_factory=dict)
    task_definition_diff: list[str] = field(default_factory=list)
    service_update: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.outcome in ("success", "dry-run", "started", "unchanged")

    @property
    def hint(self) -> str | None:
        """The classified failure's fix, for the error a failed deploy or rollback raises."""
        hint = (self.failure or {}).get("hint")
        return str(hint) if hint else None

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, **asdict(self)}


def save(root: Path, receipt: DeployReceipt, redactor: Redactor | None = None) -> Path:
    """Write the receipt, redacted like everything shipit prints (it outlives the session)."""
    data = json.loads(json.dumps(receipt.to_dict(), default=str))
    shown = (redactor or Redactor()).data(data)
    return write_private(root / RECEIPT_PATH, json.dumps(shown, indent=2) + "\n")  # 0600


def read_receipt(path: Path) -> DeployReceipt | None:
    """The last deploy's receipt as written by ``save``; None when there is none. A file that is
    not one (corrupt, foreign, of another shape) is a UsageError naming it."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path} is not readable JSON: {exc}",
                         hint="run `shipit deploy` again to rewrite it") from None
    known = {f.name for f in fields(DeployReceipt)}
    if not isinstance(data, dict) or not {"cluster", "service", "outcome"} <= data.keys():
        raise UsageError(f"{path} is not a shipit deploy receipt",
                         hint="run `shipit deploy` again to rewrite it")
    try:
        receipt = DeployReceipt(**{k: v for k, v in data.items() if k in known})
    except TypeError as exc:
        raise UsageError(f"{path} is not a valid deploy receipt: {exc}",
                         hint="run `shipit deploy` again to rewrite it") from None
    for name, kind in (("cluster", str), ("service", str), ("outcome", str)):
        if not isinstance(getattr(receipt, name), kind):
            raise UsageError(f"{path}: {name} is not a {kind.__name__}",
                             hint="run `shipit deploy` again to rewrite it")
    return receipt
