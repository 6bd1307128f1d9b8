"""Pure decisions, table-tested: stopped-reason classes, task-definition diff, revisions,
image references, durations, and the wait's verdict from observed states on a fake clock."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from shipit.aws.ecs import Deployment, Service, Task, TaskContainer
from shipit.deploy.classify import classify
from shipit.deploy.image import parse_image
from shipit.deploy.revisions import deployment_in_progress, rollback_target
from shipit.deploy.taskdef import diff_task_definitions, next_task_definition
from shipit.deploy.verdict import Observation, judge
from shipit.deploy.wait import parse_duration, wait_for_deployment
from shipit.errors import UsageError
from shipit.sandbox.ecs_scheduler import circuit_breaker_threshold

TD = "arn:aws:ecs:us-east-1:123456789012:task-definition/app:{}"
PULL = ("CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to"
        " resolve ref 1.dkr.ecr.us-east-1.amazonaws.com/app:x: not found")


@pytest.mark.parametrize(
    ("reason", "exit_code", "container_reason", "logs", "kind"),
    [
        (PULL, None, None, (), "pull"),
        ("CannotPullContainerError: image Manifest does not contain descriptor matching"
         " platform 'linux/amd64'", None, None, (), "platform"),
        ("CannotStartContainerError: ... exec: \"python\": exec format error: unknown",
         None, None, (), "platform"),
        ("Essential container in task exited", 255, "exec /usr/bin/python3: exec format error",
         (), "platform"),
        ("ResourceInitializationError: unable to pull secrets or registry auth: execution"
         " resource retrieval failed", None, None, (), "secret"),
        ("Essential container in task exited", 137, "OutOfMemoryError: Container killed due to"
         " memory usage", (), "oom"),
        ("Essential container in task exited", 1, None, ("boom",), "crash"),
        ("Essential container in task exited", 2, None,
         ("sample_service: configuration error: DATABASE_URL: is not set",), "config"),
        ("Essential container in task exited", 0, None, (), "exited"),
        ("Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:x)",
         None, None, (), "health"),
        ("Scaling activity initiated by (deployment ecs-svc/1)", None, None, (), None),
        ("Task stopped by user", None, None, (), None),
        (None, None, None, (), None),
    ],
)
def test_classify(reason: str | None, exit_code: int | None, container_reason: str | None,
                  logs: tuple[str, ...], kind: str | None) -> None:
    failure = classify(reason, exit_code=exit_code, container_reason=container_reason,
                       log_tail=logs)
    assert (failure.kind if failure else None) == kind
    if failure is not None:
        assert failure.hint
        assert failure.fatal


def _definition(**container: Any) -> dict[str, Any]:
    base = {"name": "app", "image": "old", "cpu": 256, "memory": 512,
            "environment": [{"name": "A", "value": "1"}]}
    return {
        "taskDefinitionArn": TD.format(3), "revision": 3, "status": "ACTIVE",
        "family": "app", "compatibilities": ["EC2", "FARGATE"], "registeredAt": "x",
        "requiresAttributes": [{"name": "x"}], "cpu": "256", "memory": "512",
        "containerDefinitions": [{**base, **container},
                                 {"name": "sidecar", "image": "envoy", "essential": False}],
    }


def test_next_task_definition_changes_only_image_environment_and_secrets() -> None:
    described = _definition()
    result = next_task_definition(
        described, container="app", image="repo@sha256:1",
        variables={"B": "2", "A": "1", "DB_PASSWORD": "leak"},
        secrets={"DB_PASSWORD": "arn:aws:secretsmanager:us-east-1:1:secret:x"},
    )
    for key in ("taskDefinitionArn", "revision", "status", "compatibilities", "registeredAt",
                "requiresAttributes"):
        assert key not in result
    app, sidecar = result["containerDefinitions"]
    assert app["image"] == "repo@sha256:1"
    assert app["environment"] == [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]
    assert app["secrets"] == [{"name": "DB_PASSWORD",
                               "valueFrom": "arn:aws:secretsmanager:us-east-1:1:secret:x"}]
    assert sidecar == described["containerDefinitions"][1]
    assert described["containerDefinitions"][0]["image"] == "old"  # input untouched


def test_next_task_definition_without_the_container_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match=r"no container named 'web'.*'app', 'sidecar'"):
        next_task_definition(_definition(), container="web", image="x", variables={},
                             secrets={})


@pytest.mark.parametrize(
    ("old", "new", "lines"),
    [
        ({"a": 1}, {"a": 1}, []),
        ({"a": 1}, {"a": 2}, ["~ a: 1 -> 2"]),
        ({"a": 1}, {}, ["- a: 1"]),
        ({}, {"b": {"c": "x"}}, ['+ b: {"c": "x"}']),
        ({"containerDefinitions": [{"name": "app", "image": "a"}]},
         {"containerDefinitions": [{"name": "app", "image": "b"}]},
         ['~ containerDefinitions[app].image: "a" -> "b"']),
        ({"c": [{"name": "app", "environment": [{"name": "X", "value": "1"}]}]},
         {"c": [{"name": "app", "environment": [{"name": "X", "value": "2"},
                                                  {"name": "Y", "value": "3"}]}]},
         ['~ c[app].environment[X].value: "1" -> "2"', '+ c[app].environment[Y]: "3"']),
        ({"c": [{"name": "app", "secrets": [{"name": "P", "valueFrom": "arn:1"}]}]},
         {"c": [{"name": "app"}]}, ["- c[app].secrets: {\"[P]\": {\"valueFrom\": \"arn:1\"}}"]),
    ],
)
def test_diff(old: dict[str, Any], new: dict[str, Any], lines: list[str]) -> None:
    assert diff_task_definitions(old, new) == lines


@pytest.mark.parametrize(
    ("current", "available", "to", "expected"),
    [
        (5, [1, 2, 3, 4, 5], None, 4),
        (5, [1, 3, 5], None, 3),
        (5, [1, 2, 5], 1, 1),
        (3, [1, 2, 3, 4], None, 2),
        (2, [1, 2, 3], 3, 3),
    ],
)
def test_rollback_target(current: int, available: list[int], to: int | None,
                         expected: int) -> None:
    arns = [TD.format(n) for n in available]
    assert rollback_target(TD.format(current), arns, to) == TD.format(expected)


@pytest.mark.parametrize(
    ("current", "available", "to", "message"),
    [(1, [1], None, "no revision older than 1"),
     (3, [1, 3], 2, "revision 2 is not an active revision"),
     (3, [1, 3], 3, "already runs revision 3")],
)
def test_rollback_target_refusals(current: int, available: list[int], to: int | None,
                                  message: str) -> None:
    with pytest.raises(UsageError, match=message):
        rollback_target(TD.format(current), [TD.format(n) for n in available], to)


@pytest.mark.parametrize(
    ("ref", "host", "repository", "tag", "digest"),
    [
        ("articles", None, "articles", None, None),
        ("articles:v1", None, "articles", "v1", None),
        ("1.dkr.ecr.us-east-1.amazonaws.com/team/articles:v1",
         "1.dkr.ecr.us-east-1.amazonaws.com", "team/articles", "v1", None),
        ("localhost:5000/app@sha256:" + "a" * 64, "localhost:5000", "app", None,
         "sha256:" + "a" * 64),
        ("ghcr.io/acme/app:1.2@sha256:" + "b" * 64, "ghcr.io", "acme/app", "1.2",
         "sha256:" + "b" * 64),
    ],
)
def test_parse_image(ref: str, host: str | None, repository: str, tag: str | None,
                     digest: str | None) -> None:
    parsed = parse_image(ref)
    assert (parsed.host, parsed.repository, parsed.tag, parsed.digest) == (
        host, repository, tag, digest)


@pytest.mark.parametrize(("text", "seconds"),
                         [("90", 90.0), ("90s", 90.0), ("15m", 900.0), ("1h", 3600.0),
                          ("1m30s", 90.0)])
def test_parse_duration(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "15x", "m"])
def test_parse_duration_refuses(text: str) -> None:
    with pytest.raises(UsageError):
        parse_duration(text)


@pytest.mark.parametrize(("desired", "threshold"),
                         [(0, 3), (1, 3), (6, 3), (7, 4), (10, 5), (1000, 200)])
def test_circuit_breaker_threshold(desired: int, threshold: int) -> None:
    assert circuit_breaker_threshold(desired) == threshold


# -- the verdict, from sequences of observed states ------------------------------------------

NEW, OLD, DEP, OLD_DEP = TD.format(2), TD.format(1), "ecs-svc/new", "ecs-svc/old"
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _dep(id_: str, td: str, status: str, state: str | None, running: int = 0,
         failed: int = 0) -> Deployment:
    return Deployment(id_, status, td, 1, running, 0, failed, state, None, T0, T0)


def _service(*deployments: Deployment, reason: str | None = None) -> Service:
    if reason is not None:
        deployments = tuple(
            Deployment(d.id, d.status, d.task_definition, d.desired, d.running, d.pending,
                       d.failed, d.rollout_state, reason, d.created_at, d.updated_at)
            if d.rollout_state == "FAILED" else d for d in deployments)
    return Service("arn", "svc", "arn:cluster/c", "ACTIVE", deployments[0].task_definition, 1,
                   1, 0, deployments, (), (), True, True, "FARGATE", 30)


def _stopped(reason: str, td: str = NEW, started_by: str = DEP, exit_code: int | None = None
             ) -> Task:
    return Task("arn:task/c/t1", td, "STOPPED", "STOPPED", started_by, "service:svc", reason,
                None, T0, T0, T0, (TaskContainer("app", "img", "STOPPED", exit_code, None, None),))


ROLLING = _service(_dep(DEP, NEW, "PRIMARY", "IN_PROGRESS"),
                   _dep(OLD_DEP, OLD, "ACTIVE", "COMPLETED", 1))
DONE = _service(_dep(DEP, NEW, "PRIMARY", "COMPLETED", 1))
FAILED_BACK = _service(_dep("ecs-svc/back", OLD, "PRIMARY", "IN_PROGRESS", 1),
                       _dep(DEP, NEW, "ACTIVE", "FAILED", 0, 3),
                       reason="ECS deployment circuit breaker: tasks failed to start.")
GONE = _service(_dep("ecs-svc/back", OLD, "PRIMARY", "COMPLETED", 1))
NO_BREAKER_STEADY = _service(_dep(DEP, NEW, "PRIMARY", None, 1))
NO_BREAKER_DRAINING = _service(_dep(DEP, NEW, "PRIMARY", None, 1),
                               _dep(OLD_DEP, OLD, "ACTIVE", None, 1))


@pytest.mark.parametrize(
    ("sequence", "outcome", "observations"),
    [
        pytest.param([(ROLLING, ()), (ROLLING, ()), (DONE, ())], "success", 3, id="completes"),
        pytest.param([(ROLLING, ()), (ROLLING, (_stopped(PULL),))], "failed", 2,
                     id="fatal-stop-fails-fast"),
        pytest.param([(ROLLING, (_stopped("Essential container in task exited", exit_code=1),))],
                     "failed", 1, id="crash"),
        pytest.param([(ROLLING, (_stopped("Scaling activity initiated by (deployment x)"),)),
                      (DONE, ())], "success", 2, id="non-failure-stop-ignored"),
        pytest.param([(ROLLING, (_stopped(PULL, td=OLD, started_by=OLD_DEP),)), (DONE, ())],
                     "success", 2, id="old-revision-stop-ignored"),
        pytest.param([(ROLLING, ()), (FAILED_BACK, ())], "rolled-back", 2,
                     id="circuit-breaker-rollback-is-failure"),
        pytest.param([(ROLLING, ()), (GONE, ())], "rolled-back", 2, id="deployment-gone"),
        pytest.param([(NO_BREAKER_DRAINING, ()), (NO_BREAKER_STEADY, ())], "success", 2,
                     id="no-breaker-steady-state"),
        pytest.param([(ROLLING, ())] * 10, "timeout", 5, id="timeout"),
    ],
)
def test_wait_verdict(sequence: list[tuple[Service, tuple[Task, ...]]], outcome: str,
                      observations: int) -> None:
    now = [0.0]
    slept: list[float] = []
    states = iter(sequence)

    def observe() -> Observation:
        service, tasks = next(states)
        return Observation(now[0], service, tasks)

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    result = wait_for_deployment(observe, DEP, NEW, timeout=10.0, interval=2.5,
                                 clock=lambda: now[0], sleep=sleep)

    assert result.verdict.outcome == outcome
    assert result.observations == observations
    assert result.verdict.ok is (outcome == "success")
    if outcome == "timeout":
        assert "last seen: revision 2 IN_PROGRESS" in result.verdict.message
        assert sum(slept) == 10.0
    if outcome == "failed" and sequence[-1][1]:
        assert result.verdict.failure is not None


def test_a_fatal_stop_is_reported_with_the_circuit_breaker_verdict() -> None:
    verdict = judge(Observation(0.0, FAILED_BACK, (_stopped(PULL),)), DEP, NEW)
    assert verdict is not None
    assert verdict.outcome == "rolled-back"
    assert verdict.failure is not None
    assert verdict.failure.kind == "pull"
    assert "rolled the service back to revision 1" in verdict.message


def test_a_deployment_rolled_back_between_two_looks_keeps_its_tasks_reason() -> None:
    """The rollback finished before the next look (the failed deployment no longer listed):
    the reason its task stopped is still told, never another deployment's."""
    verdict = judge(Observation(0.0, GONE, (_stopped(PULL),)), DEP, NEW)
    assert verdict is not None
    assert (verdict.outcome, verdict.failure.kind if verdict.failure else None) == (
        "rolled-back", "pull")
    assert "is gone: the service runs revision 1" in verdict.message
    others = (_stopped(PULL, started_by="ecs-svc/another"), _stopped(PULL, td=OLD))
    verdict = judge(Observation(0.0, GONE, others), DEP, NEW)
    assert verdict is not None
    assert (verdict.outcome, verdict.failure) == ("rolled-back", None)


@pytest.mark.parametrize(
    ("service", "busy"),
    [(DONE, None), (ROLLING, DEP), (NO_BREAKER_DRAINING, DEP), (NO_BREAKER_STEADY, None)],
)
def test_deployment_in_progress(service: Service, busy: str | None) -> None:
    found = deployment_in_progress(service)
    assert (found.id if found else None) == busy


def test_the_diff_shows_that_a_secret_changed_never_its_value() -> None:
    from shipit.deploy.taskdef import diff_task_definitions

    def definition(key: str, url: str) -> dict[str, object]:
        return {"containerDefinitions": [{"name": "app", "environment": [
            {"name": "STRIPE_API_KEY", "value": key}, {"name": "DATABASE_URL", "value": url}]}]}

    old = definition("plain-old-value-1", "postgresql://u:first/pw@db1/app")
    new = definition("plain-new-value-2", "postgresql://u:second@pw@db2/app")
    lines = diff_task_definitions(old, new)
    assert "~ containerDefinitions[app].environment[STRIPE_API_KEY].value: *** (changed)" in lines
    assert ('~ containerDefinitions[app].environment[DATABASE_URL].value:'
            ' "postgresql://u:***@db1/app" -> "postgresql://u:***@db2/app"') in lines
    for planted in ("plain-old-value-1", "plain-new-value-2", "first/pw", "second@pw"):
        assert planted not in "\n".join(lines)
