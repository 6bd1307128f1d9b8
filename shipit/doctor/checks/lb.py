"""lb.health_check, lb.targets: the target group checks a real endpoint, and its targets pass."""

from __future__ import annotations

from dataclasses import dataclass

from shipit.doctor.checks import web
from shipit.doctor.facts import Snapshot, TargetGroup
from shipit.doctor.finding import Verdict, failed, passed, warned
from shipit.doctor.probe import Prober, ProbeResponse

FIX_PATH = (
    "aws elbv2 modify-target-group --target-group-arn ARN --health-check-path /api/health"
    " --matcher HttpCode=200 (console: EC2 > Target groups > TG > Health checks > Edit)"
)


def _settings_problems(s: Snapshot, group: TargetGroup) -> tuple[list[str], list[str]]:
    fails: list[str] = []
    warns: list[str] = []
    if not _accepts_200(group.matcher or "200"):
        fails.append(f"matcher {group.matcher!r} does not accept 200")
    interval, timeout = group.health_interval or 30, group.health_timeout or 5
    if timeout >= interval:
        fails.append(f"timeout {timeout}s is not shorter than the interval {interval}s")
    if group.health_path == "/":
        warns.append(
            "the health check hits '/', not a dedicated endpoint: a slow or changed home page"
            " restarts healthy tasks"
        )
    grace = s.service.value.health_check_grace_seconds if s.service.value else None
    if grace and grace < interval:
        warns.append(
            f"the service's grace period {grace}s is shorter than one check interval {interval}s"
        )
    return fails, warns


QUICK_START = 30
"""Seconds under which a registration window is tight for an app of unknown start time."""


@dataclass(frozen=True)
class Timing:
    status: str
    summary: str
    detail: str
    fix: str
    component: str


def timing(s: Snapshot, group: TargetGroup) -> Timing | None:
    """How long a new task has to answer the ALB: grace + unhealthy threshold x interval, against
    the container's declared start (its healthCheck startPeriod)."""
    svc = s.service.value
    if svc is None:
        return None
    grace = svc.health_check_grace_seconds or 0
    interval = group.health_interval or 30
    unhealthy = group.unhealthy_threshold or 2
    window = grace + unhealthy * interval
    container = None
    if s.task_definition.state == "ok":
        names = [ref.container_name for ref in svc.load_balancers]
        container = s.task_definition.need().container(names[0] if names else s.container_name)
    start = container.start_period if container is not None else None
    cluster = s.cluster or svc.cluster_arn.rsplit("/", 1)[-1]
    shown = f"grace {grace}s + {unhealthy} x {interval}s = {window}s"
    if start and window < start:
        need = start + interval
        return Timing(
            "fail", f"a new task must answer within {window}s of registration ({shown}), but"
            f" its container declares {start}s to start (healthCheck startPeriod)",
            "the ALB marks it unhealthy and ECS replaces it before it can answer: a restart"
            " loop", f"aws ecs update-service --cluster {cluster} --service {svc.name}"
            f" --health-check-grace-period-seconds {need}", group.name)
    if start is None and window < QUICK_START:
        return Timing(
            "warn", f"a new task must answer within {window}s of registration ({shown})",
            "an application that takes longer to start is replaced before it answers",
            f"aws ecs update-service --cluster {cluster} --service {svc.name}"
            f" --health-check-grace-period-seconds 60 (or declare the container's start with a"
            " healthCheck startPeriod)", group.name)
    return None


def _accepts_200(matcher: str) -> bool:
    """ALB matchers: "200", "200,302" or "200-299"."""
    for part in matcher.split(","):
        low, _, high = part.strip().partition("-")
        high = high or low
        if low.isdigit() and high.isdigit() and int(low) <= 200 <= int(high):
            return True
    return False


def _probe_path(s: Snapshot, probe: Prober, path: str) -> ProbeResponse | None:
    """The path through the ALB's name, else through http.url; None when neither answers."""
    answers: list[ProbeResponse] = []
    for base in (web.alb_base(s), s.http_url):
        if base is None:
            continue
        answer = probe(web.request(s, web.join(base, path), verify_tls=False))
        if answer.status is not None:
            return answer
        answers.append(answer)
    return None


def health_check(s: Snapshot, probe: Prober) -> Verdict:
    groups = s.target_groups.need()
    fails: list[str] = []
    warns: list[str] = []
    notes: list[str] = []
    timings = [t for group in groups if (t := timing(s, group)) is not None]
    for group in groups:
        group_fails, group_warns = _settings_problems(s, group)
        fails += [f"{group.name}: {text}" for text in group_fails]
        warns += [f"{group.name}: {text}" for text in group_warns]
        path = group.health_path or "/"
        answer = _probe_path(s, probe, path)
        if answer is None:
            notes.append(f"{path} could not be reached (see http.health)")
        elif answer.status != 200:
            fails.append(f"{group.name}: {path} answers {answer.status}, not 200")
            notes.append(answer.describe())
        else:
            notes.append(answer.describe())
    detail = "; ".join(fails[1:] + warns + notes)
    first = next((t for t in timings if t.status == "fail"), None)
    if first is None and not fails:
        first = next(iter(timings), None)
    if first is not None and not (fails and first.status == "warn"):
        others = [t.summary for t in timings if t is not first] + fails + warns
        return Verdict("fail" if first.status == "fail" else "warn", first.summary,
                       "; ".join([first.detail, *others, *notes]), first.fix,
                       hop="ALB -> task", component=f"target group {first.component}")
    if fails:
        return failed(fails[0], detail, FIX_PATH)
    if warns:
        return warned(warns[0], "; ".join(warns[1:] + notes), FIX_PATH)
    shown = ", ".join(
        f"{g.name} {g.health_path} every {g.health_interval}s (timeout {g.health_timeout}s)"
        for g in groups
    )
    return passed(f"health check {shown}", detail)


def targets(s: Snapshot) -> Verdict:
    health = s.target_health.need()
    total = sum(len(items) for items in health.values())
    bad = [
        f"{t.id}:{t.port} {t.state}" + (f" ({t.reason})" if t.reason else "")
        for items in health.values()
        for t in items
        if t.state != "healthy"
    ]
    fix = (
        "`shipit status` shows the tasks and their stopped reasons; check lb.health_check,"
        " ecs.ports and net.alb_to_task (console: EC2 > Target groups > TG > Targets)"
    )
    if total == 0:
        return failed("no targets are registered", "the ALB has nowhere to send requests", fix)
    if bad:
        return failed(f"{len(bad)} of {total} targets are not healthy", "; ".join(bad), fix)
    return passed(f"{total} target(s) healthy")
