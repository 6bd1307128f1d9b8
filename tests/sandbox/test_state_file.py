"""state.json: what the daemon writes reads back as the same typed state; another shape is none."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shipit.sandbox.stack_ids import StackIds, TierIds
from shipit.sandbox.state import SandboxPaths, SandboxState, TaskSummary, read_state, write_state

TIERS: TierIds = {"public": "x-public", "tasks": "x-tasks", "db": "x-db"}
STACK: StackIds = {
    "vpc_id": "vpc-1", "internet_gateway_id": "igw-1", "nat_gateway_id": "nat-1",
    "public_subnet_ids": ["subnet-p1", "subnet-p2"], "task_subnet_ids": ["subnet-t1", "subnet-t2"],
    "db_subnet_ids": ["subnet-d1", "subnet-d2"], "route_tables": TIERS,
    "network_acls": TIERS,
    "subnet_ids": ["subnet-t1", "subnet-t2"],
    "security_groups": {"alb": "sg-alb", "tasks": "sg-tasks", "db": "sg-db"},
    "db": {"identifier": "articles-db", "arn": None, "address": "db.local", "port": 5432},
    "secret_arn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf",
    "image": {"repository_uri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/articles",
              "repository_arn": "arn:aws:ecr:us-east-1:123456789012:repository/articles",
              "digest": "sha256:" + "0" * 64,
              "ref": "123456789012.dkr.ecr.us-east-1.amazonaws.com/articles@sha256:" + "0" * 64},
    "execution_role_arn": "arn:aws:iam::123456789012:role/articles-execution",
    "log_group": "/ecs/articles", "load_balancer_arn": "arn:lb", "load_balancer_dns": "lb.local",
    "target_group_arn": "arn:tg", "listener_arn": "arn:listener", "cluster_arn": "arn:cluster/c",
    "task_definition_arn": "arn:td:1", "hosted_zone_id": "Z1", "vars": {"APP_ENV": "sandbox"},
}
TASK: TaskSummary = {
    "id": "0123456789abcdef", "revision": 1, "deployment": "ecs-svc/1", "phase": "RUNNING",
    "health": "healthy", "runtime": "container (podman)", "store": "store: overlay (why)",
    "timings": {"pending": 0.1, "running": 1.0, "first_healthy": 2.0, "stopped": None,
                "pull": 0.3, "start": 0.2},
    "stopped_reason": None, "port": 40001, "one_off": False,
}


def ready_state() -> SandboxState:
    return SandboxState(pid=4242, status="ready", endpoint_url="http://127.0.0.1:5000",
                        moto_port=5000, proxy_port=5001, started_at=1.5, ready_seconds=4.0,
                        stack=STACK, task_pids={TASK["id"]: 4343}, tasks=[TASK], steady=True,
                        storage={"driver": "overlay", "root": None, "runroot": None,
                                 "reason": "why"}, phases={"stack": 3.0})


def test_what_the_daemon_writes_reads_back_the_same(tmp_path: Path) -> None:
    paths = SandboxPaths(tmp_path)
    write_state(paths, ready_state())
    assert read_state(paths) == ready_state()
    written = json.loads(paths.state_file.read_text(encoding="utf-8"))
    assert written["stack"] == STACK  # the JSON keys are the TypedDicts' keys
    assert written["tasks"] == [TASK]


def test_a_starting_daemon_has_no_stack_yet(tmp_path: Path) -> None:
    paths = SandboxPaths(tmp_path)
    write_state(paths, SandboxState(pid=1, status="starting"))
    state = read_state(paths)
    assert state is not None
    assert (state.status, state.stack, state.tasks) == ("starting", None, [])


def _without(key: str) -> dict[str, object]:
    return {k: v for k, v in STACK.items() if k != key}


@pytest.mark.parametrize(("field", "value"), [
    ("pid", "4242"),                                     # a string where the pid is a number
    ("status", "sleeping"),                              # not one of the daemon's statuses
    ("stack", _without("target_group_arn")),             # a stack without its target group
    ("stack", {**STACK, "db": {"identifier": "db"}}),    # a database without its address
    ("tasks", [{**TASK, "phase": "WAITING"}]),           # a phase ECS does not have
    ("tasks", [{k: v for k, v in TASK.items() if k != "timings"}]),
])
def test_a_file_of_another_shape_is_no_state(tmp_path: Path, field: str, value: object) -> None:
    paths = SandboxPaths(tmp_path)
    write_state(paths, ready_state())
    data = json.loads(paths.state_file.read_text(encoding="utf-8"))
    data[field] = value
    paths.state_file.write_text(json.dumps(data), encoding="utf-8")
    assert read_state(paths) is None


def test_no_file_or_not_json_is_no_state(tmp_path: Path) -> None:
    paths = SandboxPaths(tmp_path)
    assert read_state(paths) is None
    paths.dir.mkdir(parents=True)
    paths.state_file.write_text("{half", encoding="utf-8")
    assert read_state(paths) is None
