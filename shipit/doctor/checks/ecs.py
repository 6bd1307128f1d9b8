"""ecs.service, ecs.logs, ecs.ports: the service runs, logs, and listens where the ALB sends."""

from __future__ import annotations

from dataclasses import replace

from shipit.deploy.classify import Failure, classify
from shipit.doctor.facts import Container, Snapshot, Task, TaskDefinition
from shipit.doctor.finding import Verdict, failed, passed, skipped, warned, worst

CONSOLE_SERVICE = "console: ECS > Clusters > CLUSTER > Services > SERVICE"


def service(s: Snapshot) -> Verdict:
    if s.service.state == "absent":
        return failed(
            "the ECS service does not exist", s.service.reason,
            "check ecs.cluster / ecs.service in shipit.toml and aws.region; create the service"
            " (console: ECS > Clusters > Create service) then `shipit deploy`",
        )
    svc = s.service.need()
    cluster = s.cluster or svc.cluster_arn.rsplit("/", 1)[-1]
    name = f"{cluster}/{svc.name}"
    verdicts: list[Verdict] = []
    if svc.status != "ACTIVE":
        verdicts.append(failed(f"service {name} is {svc.status}", fix=CONSOLE_SERVICE))
    if svc.desired < 1:
        verdicts.append(failed(
            f"service {name} wants 0 tasks",
            fix=f"aws ecs update-service --cluster {cluster} --service {svc.name}"
            " --desired-count 1",
        ))
    fatal = [(task, c) for task in s.stopped_tasks.value or () if (c := _fatal(task))]
    current = [(t, c) for t, c in fatal if t.task_definition == svc.task_definition]
    older = [(t, c) for t, c in fatal if t.task_definition != svc.task_definition]
    if current:
        task, c = current[0]
        verdicts.append(failed(
            f"{len(current)} task(s) of the running revision stopped: {c.title}",
            f"{task.arn}: {task.stopped_reason}",
            f"{c.hint}; `shipit status` shows every stopped task",
        ))
    if svc.running != svc.desired:
        verdicts.append(failed(
            f"{svc.running} of {svc.desired} tasks running",
            f"{svc.pending} pending",
            "`shipit status` and `shipit logs` show why tasks do not stay up",
        ))
    if not (svc.circuit_breaker and svc.circuit_breaker_rollback):
        verdicts.append(warned(
            "the deployment circuit breaker with rollback is off",
            "without it a failing deployment keeps replacing tasks instead of rolling back",
            f"aws ecs update-service --cluster {cluster} --service {svc.name}"
            " --deployment-configuration 'deploymentCircuitBreaker={enable=true,rollback=true}'",
        ))
    if older:
        task, c = older[0]
        verdicts.append(warned(
            f"a recent deployment failed ({c.kind}); the service runs another revision",
            f"{task.task_definition}: {task.stopped_reason}", c.hint,
        ))
    errors = s.recent_5xx.value or {}
    if errors.get("target_5xx") or errors.get("elb_5xx"):
        verdicts.append(warned(
            f"5xx answers in the last minutes: {errors.get('target_5xx', 0):g} from the tasks,"
            f" {errors.get('elb_5xx', 0):g} from the load balancer itself",
            "HTTPCode_Target_5XX_Count / HTTPCode_ELB_5XX_Count (AWS/ApplicationELB)",
            "`shipit status` shows the series; `shipit logs --filter ERROR` the tasks' side;"
            " ELB 5xx with no healthy target: see lb.targets",
        ))
    unhealthy = [t for ts in (s.target_health.value or {}).values() for t in ts
                 if t.state == "unhealthy"]
    if unhealthy:
        verdicts.append(warned(
            f"{len(unhealthy)} target(s) unhealthy now", ", ".join(t.id for t in unhealthy),
            "`shipit status` (targets, events) and `shipit logs` show why",
        ))
    bad = worst(verdicts)
    if bad is not None:
        extra = [v.summary for v in verdicts if v is not bad]
        detail = "; ".join(part for part in [bad.detail, *extra] if part)
        return replace(bad, detail=detail)
    return passed(
        f"{name}: {svc.running}/{svc.desired} running, circuit breaker with rollback",
        f"task definition {svc.task_definition}",
    )


def _fatal(task: Task) -> Failure | None:
    """deploy's classification of a stopped task, when it is a fatal one."""
    exit_codes = [c.exit_code for c in task.containers if c.exit_code is not None]
    failure = classify(
        task.stopped_reason, stop_code=task.stop_code,
        exit_code=exit_codes[0] if exit_codes else None,
        container_reason=next((c.reason for c in task.containers if c.reason), None),
    )
    return failure if failure is not None and failure.fatal else None


def _container(s: Snapshot) -> tuple[TaskDefinition, Container | None]:
    task = s.task_definition.need()
    return task, task.container(s.container_name)


def logs(s: Snapshot) -> Verdict:
    task, container = _container(s)
    if container is None:
        return skipped(f"no container {s.container_name!r} in {task.family}:{task.revision}")
    if container.log_driver == "awsfirelens":
        return _firelens(s, task, container)
    if container.log_driver != "awslogs":
        return failed(
            f"container {container.name} does not log to CloudWatch"
            f" (log driver: {container.log_driver or 'none'})",
            "without logs a task that keeps restarting leaves no trace",
            'set logConfiguration {"logDriver": "awslogs", "options": {"awslogs-group":'
            ' "/ecs/NAME", "awslogs-region": REGION, "awslogs-stream-prefix": "app"}} in the task'
            " definition (console: ECS > Task definitions > Create new revision > Logging)",
        )
    group_name = container.log_options.get("awslogs-group", "")
    creates = container.log_options.get("awslogs-create-group", "").lower() == "true"
    if s.log_group.state == "absent" and creates:
        return Verdict(
            "warn", f"log group {group_name} does not exist yet; awslogs-create-group makes it"
            " at the first task start, keeping logs forever",
            "the execution role then needs logs:CreateLogGroup (see iam.execution_role)",
            f"aws logs create-log-group --log-group-name {group_name} && aws logs"
            f" put-retention-policy --log-group-name {group_name} --retention-in-days 30",
            component=f"log group {group_name}",
        )
    if s.log_group.state == "absent":
        return failed(
            f"log group {group_name} does not exist",
            "tasks fail with ResourceInitializationError unless awslogs-create-group is on",
            f"aws logs create-log-group --log-group-name {group_name} && aws logs"
            f" put-retention-policy --log-group-name {group_name} --retention-in-days 30",
        )
    group = s.log_group.need()
    if group.retention_days is None:
        return warned(
            f"log group {group.name} keeps logs forever",
            "no retention is set, so storage grows without bound",
            f"aws logs put-retention-policy --log-group-name {group.name} --retention-in-days 30",
        )
    return passed(f"awslogs to {group.name}, kept {group.retention_days} days")


FIRELENS_CLOUDWATCH = ("cloudwatch", "cloudwatch_logs")


def _firelens(s: Snapshot, task: TaskDefinition, container: Container) -> Verdict:
    """Logs through a FireLens router: judged by where its output goes."""
    router = next((c for c in task.containers if c.log_router), None)
    output = container.log_options.get("Name", "")
    group = container.log_options.get("log_group_name", "")
    if router is None:
        return Verdict(
            "fail", f"container {container.name} logs to FireLens, but no container is a log"
            " router",
            f"{task.family}:{task.revision} has no firelensConfiguration",
            "add the aws-for-fluent-bit container with firelensConfiguration {\"type\":"
            " \"fluentbit\"} (console: ECS > Task definitions > Create new revision > Log"
            " collection > FireLens)", component=f"{task.family}:{task.revision}",
        )
    if output not in FIRELENS_CLOUDWATCH or not group:
        return passed(f"logs through FireLens ({router.name}) to {output or 'its own config'}",
                      "not CloudWatch: doctor cannot check the destination")
    if s.log_group.state == "absent":
        if container.log_options.get("auto_create_group", "").lower() == "true":
            return Verdict("warn", f"log group {group} does not exist yet; FireLens creates it",
                           "created without retention", f"aws logs create-log-group"
                           f" --log-group-name {group} && aws logs put-retention-policy"
                           f" --log-group-name {group} --retention-in-days 30",
                           component=f"log group {group}")
        return Verdict("fail", f"log group {group} does not exist (FireLens output of"
                       f" {container.name})", "the router cannot deliver the application's logs",
                       f"aws logs create-log-group --log-group-name {group}",
                       component=f"log group {group}")
    found = s.log_group.need()
    if found.retention_days is None:
        return Verdict("warn", f"log group {found.name} keeps logs forever",
                       f"via FireLens ({router.name})", f"aws logs put-retention-policy"
                       f" --log-group-name {found.name} --retention-in-days 30",
                       component=f"log group {found.name}")
    return passed(f"logs through FireLens ({router.name}) to {found.name}, kept"
                  f" {found.retention_days} days")


def ports(s: Snapshot) -> Verdict:
    task, container = _container(s)
    svc = s.service.need()
    groups = {tg.arn: tg for tg in s.target_groups.need()}
    if container is None:
        return skipped(f"no container {s.container_name!r} in {task.family}:{task.revision}")
    mapped = {m.container_port: m for m in container.port_mappings}
    problems: list[str] = []
    for target in svc.load_balancers:
        if target.container_name != container.name:
            continue
        if target.container_port not in mapped:
            problems.append(
                f"the service sends traffic to port {target.container_port}, the container maps"
                f" {sorted(mapped) or 'no port'}"
            )
        group = groups.get(target.target_group_arn)
        if group is not None and group.port != target.container_port:
            problems.append(
                f"target group {group.name} uses port {group.port}, the container listens on"
                f" {target.container_port}"
            )
    if task.network_mode == "awsvpc":
        for mapping in container.port_mappings:
            if mapping.host_port not in (None, mapping.container_port):
                problems.append(
                    f"hostPort {mapping.host_port} differs from containerPort"
                    f" {mapping.container_port} under awsvpc"
                )
    env_port = dict(container.environment).get("PORT")
    if env_port and env_port.isdigit() and mapped and int(env_port) not in mapped:
        problems.append(f"PORT={env_port} but the container maps {sorted(mapped)}")
    if problems:
        return failed(
            "ports do not line up: " + problems[0],
            "; ".join(problems[1:]),
            "make PORT, the task definition's containerPort (hostPort equal under awsvpc), the"
            " service's load-balancer containerPort and the target group's port the same number"
            " (console: ECS > Task definitions > Create new revision > Port mappings)",
        )
    shown = ", ".join(str(port) for port in sorted(mapped)) or "none"
    return passed(f"container, target group and service agree on port {shown}")
