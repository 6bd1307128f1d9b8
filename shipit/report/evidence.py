"""Gather the report's evidence now: doctor's snapshot and findings, ECR tags and the pull
check, recent log lines, an e2e run, the local receipts and screenshots. Read-only, except the
e2e run, which creates one article and deletes it. A read that fails is recorded, not raised."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from shipit.errors import UsageError
from shipit.project_paths import BUILD_RECEIPT, DEMO_REPORT, DEPLOY_RECEIPT, E2E_SCREENSHOTS
from shipit.report.model import ReportOptions, Screenshot

if TYPE_CHECKING:
    from shipit.aws.ecr import StoredImage
    from shipit.aws.logs import LogEvent
    from shipit.aws.session import AwsSession
    from shipit.config import Config
    from shipit.deploy.receipt import DeployReceipt
    from shipit.doctor.facts import Snapshot
    from shipit.doctor.finding import Finding
    from shipit.doctor.probe import Prober
    from shipit.e2e import E2eReport
    from shipit.image.receipt import BuildReceipt

LOG_LINES = 10


@dataclass
class Evidence:
    snapshot: Snapshot
    findings: dict[str, Finding]
    build_receipt: BuildReceipt | None = None
    deploy_receipt: DeployReceipt | None = None
    demo_task_runtime: str | None = None
    """How the last demo's sandbox ran the deployed task (DemoReport.task_runtime)."""
    tags: tuple[str, ...] | None = None
    """ECR tags of the running image's digest (None when they could not be read)."""
    pulled: StoredImage | None = None
    """The running image fetched again by its version tag (BatchGetImage): the pull check."""
    pull_tag: str | None = None
    logs: list[LogEvent] | None = None
    e2e: E2eReport | None = None
    screenshots: list[Screenshot] = field(default_factory=list)
    problems: dict[str, str] = field(default_factory=dict)
    """Reads that failed, by what they were for (ecr, logs, e2e): shown as 'unknown, why'."""


def gather_evidence(config: Config, env: str | None, aws: AwsSession, options: ReportOptions,
                    *, probe: Prober | None = None) -> Evidence:
    from shipit.doctor import examine

    root = options.root
    seen = examine(config, env, aws, probe=probe)
    evidence = Evidence(seen.snapshot, {f.id: f for f in seen.findings},
                        screenshots=screenshots(root / E2E_SCREENSHOTS))
    _receipts(root, evidence)
    _ecr(aws, config, env, evidence)
    _logs(aws, evidence)
    if options.run_e2e:
        _e2e(config, env, evidence)
    return evidence


def _ecr(aws: AwsSession, config: Config, env: str | None, evidence: Evidence) -> None:
    from shipit.aws import ecr

    image = evidence.snapshot.image
    repository = config.settings(env).image.repository
    if image.state != "ok" or image.value is None or not repository:
        return
    try:
        evidence.tags = tuple(ecr.tags_of(aws, repository, image.value.digest))
        version = [t for t in evidence.tags if t != "latest"]
        if version:
            evidence.pull_tag = version[0]
            evidence.pulled = ecr.stored_image(aws, repository, version[0])
    except Exception as exc:  # recorded: the deliverable says unknown and why
        evidence.problems["ecr"] = str(exc)


def _logs(aws: AwsSession, evidence: Evidence) -> None:
    from shipit.aws.logs import filter_events

    group = evidence.snapshot.log_group
    if group.state != "ok" or group.value is None:
        return
    try:
        evidence.logs = filter_events(aws, group.value.name, limit=200)[-LOG_LINES:]
    except Exception as exc:
        evidence.problems["logs"] = str(exc)


def _e2e(config: Config, env: str | None, evidence: Evidence) -> None:
    from shipit.e2e import E2eOptions, run

    settings = config.settings(env)
    if not settings.http.url:
        return
    try:
        evidence.e2e = run(settings, E2eOptions())
    except Exception as exc:
        evidence.problems["e2e"] = str(exc)


def screenshots(folder: Path) -> list[Screenshot]:
    """The browser screenshots an e2e run left (``.shipit/e2e/*.png``), newest first."""
    if not folder.is_dir():
        return []
    files = sorted(folder.glob("*.png"), key=lambda p: p.stat().st_mtime, reverse=True)
    return [Screenshot(p.name, "image/png", p.read_bytes()) for p in files[:3]]


def _receipts(root: Path, evidence: Evidence) -> None:
    """The last build's and deploy's receipts and the last demo's task runtime, each typed;
    an unreadable one is a problem the deliverable names, never a crash."""
    from shipit.deploy.receipt import read_receipt as read_deploy
    from shipit.image.receipt import read_receipt as read_build

    if (root / BUILD_RECEIPT).exists():
        try:
            evidence.build_receipt = read_build(root / BUILD_RECEIPT)
        except UsageError as exc:
            evidence.problems["build receipt"] = exc.message
    try:
        evidence.deploy_receipt = read_deploy(root / DEPLOY_RECEIPT)
    except UsageError as exc:
        evidence.problems["deploy receipt"] = exc.message
    evidence.demo_task_runtime = last_demo_runtime(root / DEMO_REPORT)


def last_demo_runtime(path: Path) -> str | None:
    """``task_runtime`` of the demo report at ``path`` (a string), or None."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    runtime = data.get("task_runtime") if isinstance(data, dict) else None
    return runtime if isinstance(runtime, str) and runtime else None
