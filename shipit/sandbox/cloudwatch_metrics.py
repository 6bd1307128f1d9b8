"""The metrics AWS would publish for the sandbox's service, put for real into moto's CloudWatch.

- AWS/ApplicationELB, from the ALB stand-in's own traffic (``AlbTraffic``, fed by alb.py):
  RequestCount, HTTPCode_Target_5XX_Count (the task answered 5xx), HTTPCode_ELB_5XX_Count (the
  stand-in answered 502/503 itself), TargetResponseTime (seconds, raw values: percentiles work).
  Dimensions as AWS uses them: LoadBalancer, and LoadBalancer + TargetGroup.
- AWS/ECS CPUUtilization and MemoryUtilization (ClusterName, ServiceName): measured from each
  running task's own process (/proc of the local process, or of the container's process), as a
  percentage of the task definition's cpu and memory, averaged over the tasks.

``Publisher`` flushes every ``interval`` seconds from its own thread.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from shipit.deploy.metrics import ALB_NAMESPACE, ECS_NAMESPACE, lb_dimension, tg_dimension
from shipit.sandbox.task_process import resident_bytes
from shipit.types import Clock

CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass
class AlbTraffic:
    """What went through the ALB stand-in since the last flush (thread-safe)."""

    requests: int = 0
    target_5xx: int = 0
    elb_5xx: int = 0
    latencies: list[float] = field(default_factory=list)
    total_requests: int = 0
    """Since the sandbox started (for tests and `sandbox status`)."""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, status: int, seconds: float | None, *, from_target: bool) -> None:
        with self._lock:
            self.requests += 1
            self.total_requests += 1
            if status >= 500:
                if from_target:
                    self.target_5xx += 1
                else:
                    self.elb_5xx += 1
            if from_target and seconds is not None:
                self.latencies.append(seconds)

    def drain(self) -> tuple[int, int, int, list[float]]:
        with self._lock:
            drained = (self.requests, self.target_5xx, self.elb_5xx, self.latencies)
            self.requests = self.target_5xx = self.elb_5xx = 0
            self.latencies = []
            return drained


@dataclass
class _CpuSample:
    ticks: int
    at: float


def process_usage(pid: int) -> tuple[int, int] | None:
    """(CPU ticks used, resident bytes) of ``pid`` and its children, or None if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
    except OSError:
        return None
    rss = resident_bytes(pid)
    if rss is None:
        return None
    fields = stat.rsplit(")", 1)[-1].split()
    # utime, stime, cutime, cstime: fields 14-17 of stat (1-based), after "pid (comm)"
    return sum(int(value) for value in fields[11:15]), rss


class Publisher:
    """Puts the service's ALB and ECS metrics into moto's CloudWatch every ``interval`` s."""

    def __init__(self, cloudwatch: Callable[[], Any], traffic: AlbTraffic, *, cluster: str,
                 service: str, load_balancer_arn: str, target_group_arn: str,
                 tasks: Callable[[], list[Any]], interval: float = 1.0,
                 clock: Clock = time.monotonic) -> None:
        self._cloudwatch = cloudwatch
        self.traffic = traffic
        self._ecs_dims = {"ClusterName": cluster, "ServiceName": service}
        self._lb = {"LoadBalancer": lb_dimension(load_balancer_arn)}
        self._tg = {**self._lb, "TargetGroup": tg_dimension(target_group_arn)}
        self._tasks = tasks
        self._interval = interval
        self._clock = clock
        self._cpu: dict[str, _CpuSample] = {}
        self._thread = threading.Thread(target=self._loop, daemon=True, name="metrics")
        self._stopping = threading.Event()
        self.last_utilization: tuple[float | None, float | None] = (None, None)
        """(CPU %, memory %) last published, for tests and status."""

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=5)
        self.flush()

    def _loop(self) -> None:
        while not self._stopping.wait(self._interval):
            try:
                self.flush()
            except Exception as exc:  # moto stopping, a task gone: next time
                print(f"metrics: flush failed: {exc!r}", flush=True)

    def flush(self) -> None:
        now = datetime.now(UTC)
        client = self._cloudwatch()
        requests, target_5xx, elb_5xx, latencies = self.traffic.drain()
        if requests:
            for dims in (self._lb, self._tg):
                put_values(client, ALB_NAMESPACE, "RequestCount", dims, [float(requests)],
                           "Count", now)
            # Zeros too, while there is traffic: "0 of these requests failed" is an answer.
            for dims in (self._lb, self._tg):
                put_values(client, ALB_NAMESPACE, "HTTPCode_Target_5XX_Count", dims,
                           [float(target_5xx)], "Count", now)
            put_values(client, ALB_NAMESPACE, "HTTPCode_ELB_5XX_Count", self._lb,
                       [float(elb_5xx)], "Count", now)
            if latencies:
                for dims in (self._lb, self._tg):
                    put_values(client, ALB_NAMESPACE, "TargetResponseTime", dims, latencies,
                               "Seconds", now)
        cpu, memory = self.sample_tasks()
        if cpu is not None:
            put_values(client, ECS_NAMESPACE, "CPUUtilization", self._ecs_dims, [cpu], "Percent",
                       now)
        if memory is not None:
            put_values(client, ECS_NAMESPACE, "MemoryUtilization", self._ecs_dims, [memory],
                       "Percent", now)
        self.last_utilization = (cpu, memory)

    def sample_tasks(self) -> tuple[float | None, float | None]:
        """Average CPU % (since the last sample) and memory % of the running tasks; None where
        there is nothing to measure yet."""
        cpus: list[float] = []
        memories: list[float] = []
        seen = set()
        for task in self._tasks():
            process = task.process
            pid = process.main_pid() if process is not None else None
            usage = process_usage(pid) if pid else None
            if usage is None:
                continue
            ticks, rss = usage
            seen.add(task.id)
            now = self._clock()
            before = self._cpu.get(task.id)
            self._cpu[task.id] = _CpuSample(ticks, now)
            if task.memory_mib:
                memories.append(100.0 * rss / (task.memory_mib * 1024 * 1024))
            if before is not None and now > before.at:
                used = (ticks - before.ticks) / CLOCK_TICKS
                vcpu = task.cpu_units / 1024
                cpus.append(100.0 * used / (now - before.at) / vcpu)
        for gone in set(self._cpu) - seen:
            del self._cpu[gone]
        return _average(cpus), _average(memories)


def _average(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 3) if values else None


def put_values(client: Any, namespace: str, metric: str, dimensions: dict[str, str],
               values: Sequence[float], unit: str, timestamp: datetime) -> None:
    """Publish raw values of one metric (``PutMetricData`` with Values, at most 150 each)."""
    dims = [{"Name": k, "Value": v} for k, v in dimensions.items()]
    for start in range(0, len(values), 150):
        chunk = list(values[start:start + 150])
        client.put_metric_data(Namespace=namespace, MetricData=[{
            "MetricName": metric, "Dimensions": dims, "Timestamp": timestamp,
            "Values": chunk, "Counts": [1.0] * len(chunk), "Unit": unit,
        }])
