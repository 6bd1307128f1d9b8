"""shipit doctor: gather a snapshot (read-only, concurrent), judge it with pure checks, report.

    findings = diagnose(config, env, aws, check_ids)   # the entry: gather, judge
    snapshot = gather(aws, target)            # gather.py (its reads in shipit/aws)
    findings = run_checks(checks, snapshot)   # runner.py over checks/*.py
    render.to_json(...) / render.print_findings(...)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from shipit.doctor.finding import Finding

if TYPE_CHECKING:
    from shipit.aws.session import AwsSession
    from shipit.config import Config
    from shipit.doctor.facts import Snapshot
    from shipit.doctor.probe import Prober


@dataclass(frozen=True)
class Diagnosis:
    """What doctor saw (the snapshot) and what it judged (a finding per selected check)."""

    snapshot: Snapshot
    findings: list[Finding]


def examine(
    config: Config,
    env: str | None,
    aws: AwsSession,
    check_ids: Sequence[str] = (),
    probe: Prober | None = None,
) -> Diagnosis:
    """Gather ``env``'s snapshot and judge it; raises only for unknown check ids.

    The Config, not one environment's Settings: some checks compare ``env`` with every other
    environment (their variable names), so doctor's shape is ``(config, env, aws, options)``.
    """
    from shipit.doctor.gather import start, target_from_config

    chosen = None
    if check_ids:  # unknown ids are a usage error before any AWS call
        from shipit.doctor.runner import select

        chosen = select(check_ids)
    gathering = start(aws, target_from_config(config, env, aws.region))
    # Imported while the reads wait for their answers: the checks' modules cost ~0.1 s.
    from shipit.doctor.probe import HttpProber
    from shipit.doctor.runner import run_checks, select

    checks = chosen if chosen is not None else select(())
    snapshot = gathering.snapshot()
    if probe is not None:
        return Diagnosis(snapshot, point_to_probe(run_checks(checks, snapshot, probe), env))
    prober = HttpProber()
    try:
        return Diagnosis(snapshot, point_to_probe(run_checks(checks, snapshot, prober), env))
    finally:
        prober.close()


def diagnose(
    config: Config,
    env: str | None,
    aws: AwsSession,
    check_ids: Sequence[str] = (),
    probe: Prober | None = None,
) -> list[Finding]:
    """Every selected check's finding for ``env`` (`shipit doctor`, `init --from-aws`, the demo)."""
    return examine(config, env, aws, check_ids, probe).findings


PROBE_CONFIRMS = {
    "net.task_to_db": "the database login",
    "net.task_to_aws": "ECR, S3, CloudWatch Logs and the secrets endpoints",
}
"""Hops judged from descriptions that `shipit probe` can confirm from inside a task."""


def point_to_probe(findings: list[Finding], env: str | None) -> list[Finding]:
    """A failing or doubtful task hop's fix names the probe that would confirm it."""
    import dataclasses

    command = f"shipit{f' --env {env}' if env else ''} probe"
    out = []
    for finding in findings:
        what = PROBE_CONFIRMS.get(finding.id)
        if what and finding.status in ("fail", "warn", "skip"):
            confirm = f"confirm from inside the VPC ({what}): `{command}`"
            fix = f"{finding.fix}; {confirm}" if finding.fix else confirm
            finding = dataclasses.replace(finding, fix=fix)
        out.append(finding)
    return out
