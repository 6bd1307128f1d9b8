"""Run checks over a snapshot: every check runs, a crash becomes an ``error`` finding."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor

from shipit.doctor.checks import CHECKS, Check
from shipit.doctor.facts import Snapshot, Unavailable
from shipit.doctor.finding import STATUSES, Finding, Status
from shipit.doctor.probe import Prober
from shipit.errors import UsageError


def select(ids: Iterable[str], checks: Sequence[Check] = CHECKS) -> list[Check]:
    """The named checks in display order (all when ``ids`` is empty); unknown ids are an error."""
    wanted = list(dict.fromkeys(ids))
    known = {check.id for check in checks}
    unknown = [name for name in wanted if name not in known]
    if unknown:
        raise UsageError(
            f"unknown check {', '.join(unknown)}",
            hint="`shipit doctor --list-checks` lists every id",
        )
    return [check for check in checks if not wanted or check.id in wanted]


def run_check(check: Check, snapshot: Snapshot, probe: Prober) -> Finding:
    try:
        verdict = check.run(snapshot, probe)
    except Unavailable as missing:
        status: Status = "error" if missing.error else "skip"
        prefix = "could not read: " if missing.error else "skipped: "
        return Finding(check.id, status, prefix + missing.reason)
    except Exception as exc:  # a broken check must not end the run
        return Finding(
            check.id, "error", f"the check crashed: {type(exc).__name__}", str(exc),
            "report it with `shipit doctor --json` output attached",
        )
    return Finding(check.id, verdict.status, verdict.summary, verdict.detail, verdict.fix,
                   verdict.hop, verdict.component)


def run_checks(checks: Sequence[Check], snapshot: Snapshot, probe: Prober) -> list[Finding]:
    """Run every check (concurrently: HTTP probes overlap), results in the given order."""
    with ThreadPoolExecutor(max_workers=max(1, len(checks))) as pool:
        return list(pool.map(lambda check: run_check(check, snapshot, probe), checks))


def tally(findings: Iterable[Finding]) -> dict[str, int]:
    counts: dict[str, int] = dict.fromkeys(STATUSES, 0)
    for finding in findings:
        counts[finding.status] += 1
    return counts


def has_failures(findings: Iterable[Finding]) -> bool:
    return any(finding.status in ("fail", "error") for finding in findings)
