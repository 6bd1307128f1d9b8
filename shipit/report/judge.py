"""Pure judgements: the week's deliverables from gathered Evidence, each with its proof.

One function per deliverable; each returns met / not met / unknown and says why. Adding a
deliverable is adding a function to ``JUDGES``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from shipit.deploy.classify import classify
from shipit.doctor.finding import Finding
from shipit.report.evidence import Evidence
from shipit.report.model import Deliverable, DeliverableVerdict

Judge = Callable[[Evidence], Deliverable]


def _finding(e: Evidence, check: str) -> Finding | None:
    return e.findings.get(check)


def _say(f: Finding | None) -> str:
    if f is None:
        return "not checked"
    return f"doctor {f.id}: {f.status}: {f.summary}" + (f" ({f.detail})" if f.detail else "")


def _verdict_of(*findings: Finding | None) -> DeliverableVerdict:
    statuses = {f.status for f in findings if f is not None}
    if statuses & {"fail"}:
        return "not met"
    if not statuses or statuses & {"error", "skip"}:
        return "unknown"
    return "met"


def image(e: Evidence) -> Deliverable:
    title = "The image is built for its platforms and stored in ECR"
    found, platform = _finding(e, "ecr.image"), _finding(e, "image.platform")
    proof = [_say(found), _say(platform)]
    fact = e.snapshot.image
    if fact.state == "ok" and fact.value is not None:
        platforms = ", ".join(fact.value.platforms or ()) or "one platform (opaque manifest)"
        proof.insert(0, f"running image {fact.value.reference}: digest {fact.value.digest},"
                        f" platforms {platforms}")
    receipt = e.build_receipt
    smokes = (receipt.smoke or []) if receipt else []
    if receipt:
        built = ", ".join(p.platform for p in receipt.platforms)
        proof.append(f"build receipt: tag {receipt.tag}, digest {receipt.digest},"
                     f" platforms {built}, builder {receipt.builder}")
        for smoke in smokes:
            proof.append(f"smoke {smoke.get('platform', '')}: {_smoke_line(smoke)}")
    verdict = _verdict_of(found, platform)
    smoke_failed = [s for s in smokes if _smoke_failed(s)]
    if smoke_failed and verdict == "met":
        verdict = "not met"
    why = {"met": "the running image is in ECR and holds the task's platform",
           "not met": _first_bad(found, platform) or "a smoke run of the built image failed",
           "unknown": _first_bad(found, platform) or "the running image could not be read"}
    return Deliverable("image", title, verdict, why[verdict], tuple(proof))


def ecr(e: Evidence) -> Deliverable:
    title = "ECR push and pull with a version tag"
    fact = e.snapshot.image
    if "ecr" in e.problems:
        return Deliverable("ecr", title, "unknown", f"ECR could not be read: {e.problems['ecr']}")
    if fact.state != "ok" or fact.value is None or e.tags is None:
        return Deliverable("ecr", title, "unknown",
                           f"no running image to look up in ECR ({fact.reason or 'not in ECR'})")
    digest = fact.value.digest
    proof = [f"tags on {digest}: {', '.join(e.tags) or 'none'}"]
    if e.pull_tag is None:
        return Deliverable("ecr", title, "not met",
                           f"the running image {digest} has no version tag in ECR",
                           tuple(proof))
    pulled = e.pulled
    if pulled is None or pulled.digest != digest:
        seen = pulled.digest if pulled else "nothing"
        return Deliverable("ecr", title, "not met",
                           f"pulling tag {e.pull_tag} gave {seen}, not {digest}", tuple(proof))
    proof.append(f"pull check: BatchGetImage {e.pull_tag} -> {pulled.digest}"
                 f" ({pulled.media_type}), the running digest")
    return Deliverable("ecr", title, "met",
                       f"version tag {e.pull_tag} pulls back the running digest", tuple(proof))


def starts(e: Evidence) -> Deliverable:
    title = "The image starts on ECS"
    service = e.snapshot.service.value
    receipt = e.deploy_receipt
    if service is not None and receipt is not None and receipt.service != service.name:
        receipt = None  # .shipit/deploy-receipt.json is the last deploy of any environment
    proof: list[str] = []
    if receipt is not None:
        proof.append(f"last deploy: {receipt.outcome}, revision {receipt.revision},"
                     f" image {receipt.image}")
    if e.demo_task_runtime:
        # In the sandbox the task is the pushed image under podman, or the service from
        # source: say which, so "starts" is never read as more than it is.
        proof.append(f"sandbox task runtime (last demo): {e.demo_task_runtime}")
    fatal = []
    for task in e.snapshot.stopped_tasks.value or ():
        exits = [c.exit_code for c in task.containers if c.exit_code is not None]
        failure = classify(task.stopped_reason, stop_code=task.stop_code,
                           exit_code=exits[0] if exits else None,
                           container_reason=next((c.reason for c in task.containers
                                                  if c.reason), None))
        if failure is not None and failure.fatal:
            fatal.append((task, failure))
    newest = max((t.revision for t, _ in fatal), default=0)
    running_revision = _revision(service.task_definition) if service else 0
    if receipt is not None and receipt.outcome in ("failed", "rolled-back", "timeout"):
        failed: dict[str, Any] = receipt.failure or {}
        why = (f"the last deploy (revision {receipt.revision}) {receipt.outcome}:"
               f" {failed.get('title') or receipt.message}")
        if failed.get("hint"):
            proof.append(f"hint: {failed['hint']}")
        return Deliverable("starts", title, "not met", why, tuple(proof))
    if fatal and newest >= running_revision:
        task, stop = next((t, f) for t, f in fatal if t.revision == newest)
        proof.append(f"{task.arn}: {task.stopped_reason}")
        return Deliverable("starts", title, "not met",
                           f"tasks of revision {newest} stopped: {stop.title}", tuple(proof))
    if service is None:
        return Deliverable("starts", title, "unknown",
                           f"the service could not be read ({e.snapshot.service.reason})",
                           tuple(proof))
    if service.running < 1:
        return Deliverable("starts", title, "not met", "no task of the service is running",
                           tuple(proof))
    proof.append(f"{service.running} task(s) of {service.task_definition} running")
    return Deliverable("starts", title, "met",
                       f"revision {running_revision} runs; no task of it stopped fatally",
                       tuple(proof))


def service(e: Evidence) -> Deliverable:
    title = "ECS service steady (running = desired)"
    finding = _finding(e, "ecs.service")
    svc = e.snapshot.service.value
    if svc is None:
        return Deliverable("service", title, "unknown",
                           f"the service could not be read ({e.snapshot.service.reason})")
    primary = svc.primary
    proof = [f"{svc.name}: {svc.status}, {svc.running}/{svc.desired} running,"
             f" {svc.pending} pending; task definition {svc.task_definition}",
             _say(finding)]
    if primary is not None:
        proof.append(f"primary deployment {primary.id}: rollout {primary.rollout_state},"
                     f" {primary.running}/{primary.desired}")
    events = (("time", "event"),
              *((_when(ev.created_at), ev.message) for ev in svc.events[:5]))
    steady = (svc.status == "ACTIVE" and svc.desired >= 1 and svc.running == svc.desired
              and (primary is None or primary.rollout_state in (None, "COMPLETED")))
    failed = finding is not None and finding.status == "fail"
    verdict: DeliverableVerdict = "met" if steady and not failed else "not met"
    why = (f"{svc.running}/{svc.desired} running, rollout"
           f" {primary.rollout_state if primary else 'n/a'}")
    return Deliverable("service", title, verdict, why, tuple(proof),
                       table=events if len(events) > 1 else ())


def database(e: Evidence) -> Deliverable:
    title = "RDS reachable from the tasks"
    path, exposure = _finding(e, "net.task_to_db"), _finding(e, "db.exposure")
    db = e.snapshot.database.value
    proof = [_say(path), _say(exposure)]
    if db is not None:
        proof.insert(0, f"RDS {db.identifier}: {db.engine} at {db.address}:{db.port},"
                        f" public {db.publicly_accessible}")
    health = next((s for s in (e.e2e.steps if e.e2e else []) if s.name == "health"), None)
    answered_db = _health_db(health.detail) if health is not None and health.ok else None
    if answered_db is not None:
        proof.append(f"the service's health answer (it queries the database): db={answered_db}")
    if e.snapshot.database.state == "unset":
        return Deliverable("database", title, "unknown", "no rds.instance configured",
                           tuple(proof))
    verdict = _verdict_of(path)
    if answered_db not in (None, "ok"):
        verdict = "not met"
    why = {"met": "the security-group path allows the database port and the service's"
                  " database check answers ok" if answered_db == "ok"
                  else "the security-group path allows the database port",
           "not met": _first_bad(path) or f"the service reports db={answered_db}",
           "unknown": _first_bad(path) or "the path could not be judged"}[verdict]
    return Deliverable("database", title, verdict, why, tuple(proof))


def logs(e: Evidence) -> Deliverable:
    title = "Logs visible in CloudWatch"
    finding = _finding(e, "ecs.logs")
    group = e.snapshot.log_group.value
    if "logs" in e.problems:
        return Deliverable("logs", title, "unknown", f"could not read logs: {e.problems['logs']}",
                           (_say(finding),))
    if group is None or e.logs is None:
        failed = finding is not None and finding.status == "fail"
        verdict: DeliverableVerdict = "not met" if failed else "unknown"
        return Deliverable("logs", title, verdict,
                           f"no log group to read ({e.snapshot.log_group.reason})",
                           (_say(finding),))
    rows = (("time", "stream", "line"), *(
        (_when(datetime.fromtimestamp(ev.timestamp / 1000, UTC)), ev.stream, ev.message[:160])
        for ev in e.logs))
    proof = (f"log group {group.name}, retention {group.retention_days or 'never expires'} days",
             _say(finding))
    if not e.logs:
        return Deliverable("logs", title, "not met", f"log group {group.name} holds no lines",
                           proof)
    return Deliverable("logs", title, "met", f"{len(e.logs)} recent line(s) read from"
                       f" {group.name}", proof, table=rows)


def entry(e: Evidence) -> Deliverable:
    title = "A reachable entry (ALB DNS name or Route53 name)"
    finding = _finding(e, "http.health")
    lb = e.snapshot.load_balancer.value
    proof = [_say(finding)]
    if lb is not None:
        proof.insert(0, f"ALB {lb.name}: {lb.dns_name} ({lb.scheme}, {lb.state})")
    if e.snapshot.http_url:
        proof.insert(0, f"http.url {e.snapshot.http_url}")
    if finding is None or finding.status in ("skip", "error"):
        return Deliverable("entry", title, "unknown", _first_bad(finding) or "not probed",
                           tuple(proof))
    # http.health fails on a name that does not lead to the ALB while the ALB answers:
    # the checklist asks for one reachable entry, so the ALB alone is enough here.
    alb_answers = "but the ALB does" in finding.summary
    if finding.status == "fail" and not alb_answers:
        return Deliverable("entry", title, "not met", finding.summary, tuple(proof))
    return Deliverable("entry", title, "met",
                       "the ALB answers 200" if alb_answers else finding.summary, tuple(proof))


def dns(e: Evidence) -> Deliverable:
    title = "Route53 name aliases the ALB"
    finding = _finding(e, "dns.alias")
    proof = [_say(finding)]
    for record in e.snapshot.records.value or ():
        proof.append(f"record {record.describe()}")
    if e.snapshot.dns_name is None:
        return Deliverable("dns", title, "unknown", "no dns.name configured (the ALB's own name"
                           " is the entry)", tuple(proof))
    health = _finding(e, "http.health")
    verdict = _verdict_of(finding)
    if verdict == "met" and health is not None and health.status == "fail":
        verdict = "not met"
    why = {"met": f"{e.snapshot.dns_name} is an alias to the service's ALB",
           "not met": _first_bad(finding, health) or "the name does not lead to the ALB",
           "unknown": _first_bad(finding) or "the record could not be read"}[verdict]
    return Deliverable("dns", title, verdict, why, tuple(proof))


def e2e(e: Evidence) -> Deliverable:
    title = "One clear end-to-end path"
    if "e2e" in e.problems:
        return Deliverable("e2e", title, "unknown", f"e2e could not run: {e.problems['e2e']}",
                           images=tuple(e.screenshots))
    run = e.e2e
    if run is None:
        return Deliverable("e2e", title, "unknown", "no http.url to run the path against",
                           images=tuple(e.screenshots))
    rows = (("step", "result", "latency", "detail"), *(
        (s.name, "skipped" if s.skipped else ("ok" if s.ok else "FAILED"),
         f"{s.seconds * 1000:.0f} ms", s.detail[:120]) for s in run.steps))
    proof = [f"{run.url}, marker {run.marker}"]
    proof += [f"browser screenshot {image.name}" for image in e.screenshots]
    failed = run.failed_step
    if failed is not None:
        return Deliverable("e2e", title, "not met", f"step {failed.name} failed: {failed.detail}",
                           tuple(proof), rows, tuple(e.screenshots))
    total = sum(s.seconds for s in run.steps)
    return Deliverable("e2e", title, "met",
                       f"{len(run.steps)} steps passed in {total * 1000:.0f} ms", tuple(proof),
                       rows, tuple(e.screenshots))


JUDGES: tuple[Judge, ...] = (image, ecr, starts, service, database, logs, entry, dns, e2e)


def judge(e: Evidence) -> tuple[Deliverable, ...]:
    return tuple(j(e) for j in JUDGES)


def _first_bad(*findings: Finding | None) -> str | None:
    for f in findings:
        if f is not None and f.status in ("fail", "error", "skip"):
            return f.summary
    return None


def _revision(arn: str) -> int:
    tail = arn.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def _when(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def _health_db(detail: str) -> str | None:
    try:
        body: Any = json.loads(detail)
    except ValueError:
        return None
    return str(body.get("db")) if isinstance(body, dict) and "db" in body else None


def _smoke_failed(smoke: dict[str, Any]) -> bool:
    return smoke.get("ok") is False or smoke.get("verdict") in ("fail", "failed")


def _smoke_line(smoke: dict[str, Any]) -> str:
    keys = ("ok", "runtime", "status", "message", "seconds")
    return ", ".join(f"{k} {smoke[k]}" for k in keys if k in smoke) or json.dumps(smoke)[:160]
