"""shipit doctor: gather a snapshot (read-only, concurrent), judge it with pure checks, report.

    snapshot = gather(aws, target)            # gather.py + reads.py
    findings = run_checks(checks, snapshot)   # runner.py over checks/*.py
    render.to_json(...) / render.print_findings(...)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from shipit.doctor.finding import Finding

if TYPE_CHECKING:
    from shipit.aws.session import AwsSession
    from shipit.config import Config
    from shipit.doctor.probe import Prober


def diagnose(
    aws: AwsSession,
    config: Config,
    env: str | None,
    check_ids: Sequence[str] = (),
    probe: Prober | None = None,
) -> list[Finding]:
    """Every selected check's finding for ``env``; raises only for unknown check ids."""
    from shipit.doctor.gather import gather, target_from_config
    from shipit.doctor.probe import HttpProber
    from shipit.doctor.runner import run_checks, select

    checks = select(check_ids)
    snapshot = gather(aws, target_from_config(config, env, aws.region))
    if probe is not None:
        return run_checks(checks, snapshot, probe)
    prober = HttpProber()
    try:
        return run_checks(checks, snapshot, prober)
    finally:
        prober.close()
