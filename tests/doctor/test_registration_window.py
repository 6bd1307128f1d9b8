"""lb.health_check's timing and net.alb_to_task's zones, as tables over hand-made snapshots."""

from __future__ import annotations

import pytest

from shipit.aws.ec2 import Subnet
from shipit.doctor.checks.lb import timing
from shipit.doctor.checks.net import zones_served
from shipit.doctor.facts import Fact
from tests.doctor.snapshots import container, healthy, service, target_group, task_definition


@pytest.mark.parametrize(("grace", "interval", "unhealthy", "start", "expected"), [
    (60, 30, 2, None, None),  # 120 s to answer: nothing to say
    (0, 5, 2, None, "warn"),  # ~10 s and no declared start: tight
    (0, 5, 2, 60, "fail"),  # 10 s against a declared 60 s start: a restart loop
    (120, 30, 2, 60, None),  # the window covers the start
    (30, 10, 2, 60, "fail"),  # 50 s < 60 s
    (30, 10, 3, 60, None),  # 60 s: just enough
])
def test_the_registration_window_against_the_start(
    grace: int, interval: int, unhealthy: int, start: int | None, expected: str | None
) -> None:
    snapshot = healthy(
        service=Fact.ok(service(health_check_grace_seconds=grace)),
        task_definition=Fact.ok(task_definition(containers=(container(start_period=start),))),
    )
    group = target_group(health_interval=interval, unhealthy_threshold=unhealthy)
    found = timing(snapshot, group)
    assert (found.status if found else None) == expected
    if found is not None:
        assert "--health-check-grace-period-seconds" in found.fix
        assert found.component == group.name


def subnet(name: str, zone: str) -> Subnet:
    return Subnet(name, "vpc-1", "10.0.0.0/24", zone)


@pytest.mark.parametrize(("tasks", "expected"), [
    ((subnet("subnet-t1", "us-east-1a"),), []),
    ((subnet("subnet-t1", "us-east-1a"), subnet("subnet-t3", "us-east-1c")), ["warn"]),
    ((subnet("subnet-t3", "us-east-1c"),), ["fail"]),
])
def test_tasks_in_zones_the_alb_does_not_serve(tasks: tuple[Subnet, ...],
                                               expected: list[str]) -> None:
    alb = [subnet("subnet-a", "us-east-1a"), subnet("subnet-b", "us-east-1b")]
    blocks = zones_served("articles", alb, list(tasks), service())
    assert [b.status for b in blocks] == expected
    for block in blocks:
        assert block.component == "subnet-t3"
        assert block.fix
