"""`shipit status` metrics on the sandbox: what the ALB stand-in and the task really did, read
back from moto's CloudWatch in one GetMetricData call."""

from __future__ import annotations

import contextlib
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from shipit.deploy.metrics import sparkline
from shipit.sandbox.cloudwatch_metrics import AlbTraffic, process_usage
from tests.fixtures.sandbox import Sandbox

METRICS = {"cpu", "memory", "requests", "target_5xx", "elb_5xx", "latency_p50", "latency_p99"}


def metrics(box: Sandbox) -> dict[str, Any]:
    result = box.cli("--json", "status", "--minutes", "5")
    assert result.exit_code == 0, result.stderr
    series: dict[str, Any] = result.json()["metrics"]["series"]
    return series


def total(series: dict[str, Any], name: str) -> float:
    return float(sum(series[name]["values"]))


def settled_requests(box: Sandbox) -> float:
    """RequestCount's total once two reads 2 s apart agree (the publisher flushes every 1 s)."""
    last = -1.0
    for _ in range(15):
        now = total(metrics(box), "requests")
        if now == last:
            return now
        last = now
        time.sleep(2.0)
    raise AssertionError("RequestCount never settled")


def test_status_shows_what_went_through_the_alb_and_the_task(sandbox: Sandbox) -> None:
    counted = settled_requests(sandbox)  # what the fixture itself sent, all published

    sent = 0
    for path in ("/api/health", "/api/articles?limit=5", "/api/search?q=hello", "/nope") * 10:
        with contextlib.suppress(urllib.error.HTTPError):
            urllib.request.urlopen(f"{sandbox.url}{path}", timeout=10).read()
        sent += 1

    sandbox.wait_until("RequestCount counts every request sent through the ALB",
                       lambda: total(metrics(sandbox), "requests") - counted == sent, limit=30)
    series = metrics(sandbox)
    assert {name for name, s in series.items() if s["values"]} == METRICS
    assert total(series, "target_5xx") == 0
    assert total(series, "elb_5xx") == 0
    p50, p99 = series["latency_p50"]["values"][-1], series["latency_p99"]["values"][-1]
    assert 0 < p50 <= p99 < 5000  # ms
    assert series["requests"]["dimensions"]["LoadBalancer"].startswith("app/")
    assert series["requests"]["dimensions"]["TargetGroup"].startswith("targetgroup/")

    # memory is the real task process's resident size over the task's 512 MiB
    pid = next(iter(sandbox.state_now().task_pids.values()))
    usage = process_usage(pid)
    assert usage is not None
    expected = 100.0 * usage[1] / (512 * 1024 * 1024)
    published = series["memory"]["values"][-1]
    assert abs(published - expected) < max(1.0, expected * 0.25), (published, expected)
    assert series["cpu"]["values"][-1] >= 0

    human = sandbox.cli("status", "--minutes", "5")
    assert "RequestCount" in human.stdout
    assert "TargetResponseTime p99" in human.stdout
    assert "total" in human.stdout


def test_elb_5xx_counts_what_the_stand_in_answered_itself(tmp_path: Path) -> None:
    traffic = AlbTraffic()
    traffic.record(200, 0.01, from_target=True)
    traffic.record(503, None, from_target=False)
    traffic.record(500, 0.02, from_target=True)
    assert traffic.drain() == (3, 1, 1, [0.01, 0.02])
    assert traffic.drain() == (0, 0, 0, [])
    assert traffic.total_requests == 3


def test_sparkline() -> None:
    assert sparkline([]) == ""
    assert sparkline([0, 0]) == "▁▁"
    assert sparkline([1, 2, 3, 4, 5, 6, 7, 8]) == "▁▂▃▄▅▆▇█"
    assert len(sparkline(list(range(100)), width=15)) == 15
