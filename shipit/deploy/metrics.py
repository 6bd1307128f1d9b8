"""The service's recent metrics, for `shipit status`: one GetMetricData call, then pure shaping.

    AWS/ECS             CPUUtilization, MemoryUtilization        (ClusterName, ServiceName)
    AWS/ApplicationELB  RequestCount, HTTPCode_Target_5XX_Count,  (LoadBalancer[, TargetGroup])
                        HTTPCode_ELB_5XX_Count, TargetResponseTime p50 / p99

The load balancer and target group come from the service's first load balancer entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from shipit.aws import cloudwatch, elbv2
from shipit.aws.cloudwatch import MetricQuery, Series

if TYPE_CHECKING:
    from shipit.aws import ecs
    from shipit.aws.session import AwsSession

ECS_NAMESPACE = "AWS/ECS"
ALB_NAMESPACE = "AWS/ApplicationELB"
SPARKS = "▁▂▃▄▅▆▇█"


def lb_dimension(arn: str) -> str:
    """``app/name/id`` of ``arn:...:loadbalancer/app/name/id`` (CloudWatch's LoadBalancer)."""
    return arn.split(":loadbalancer/", 1)[-1]


def tg_dimension(arn: str) -> str:
    """``targetgroup/name/id`` of a target group ARN (CloudWatch's TargetGroup)."""
    return "targetgroup/" + arn.split(":targetgroup/", 1)[-1]


def service_queries(cluster: str, service: str, load_balancer_arn: str | None,
                    target_group_arn: str | None) -> list[MetricQuery]:
    ecs_dims = (("ClusterName", cluster), ("ServiceName", service))
    queries = [
        MetricQuery("cpu", ECS_NAMESPACE, "CPUUtilization", ecs_dims, "Average", "%"),
        MetricQuery("memory", ECS_NAMESPACE, "MemoryUtilization", ecs_dims, "Average", "%"),
    ]
    if load_balancer_arn:
        lb = (("LoadBalancer", lb_dimension(load_balancer_arn)),)
        target = lb + ((("TargetGroup", tg_dimension(target_group_arn)),)
                       if target_group_arn else ())
        queries += [
            MetricQuery("requests", ALB_NAMESPACE, "RequestCount", target, "Sum", "count"),
            MetricQuery("target_5xx", ALB_NAMESPACE, "HTTPCode_Target_5XX_Count", target, "Sum",
                        "count"),
            MetricQuery("elb_5xx", ALB_NAMESPACE, "HTTPCode_ELB_5XX_Count", lb, "Sum", "count"),
            MetricQuery("latency_p50", ALB_NAMESPACE, "TargetResponseTime", target, "p50", "ms"),
            MetricQuery("latency_p99", ALB_NAMESPACE, "TargetResponseTime", target, "p99", "ms"),
        ]
    return queries


@dataclass(frozen=True)
class Metrics:
    minutes: int
    period: int
    series: tuple[Series, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"minutes": self.minutes, "period_seconds": self.period, "series": {
            s.query.id: {
                "namespace": s.query.namespace, "metric": s.query.metric, "stat": s.query.stat,
                "dimensions": dict(s.query.dimensions),
                "timestamps": [t.isoformat() for t in s.timestamps],
                "values": [shown(s.query, v) for v in s.values],
                "unit": s.query.unit_hint,
            } for s in self.series}}


def shown(query: MetricQuery, value: float) -> float:
    """Values as people read them: TargetResponseTime (seconds) in ms."""
    return round(value * 1000, 2) if query.unit_hint == "ms" else round(value, 2)


def read_metrics(aws: AwsSession, service: ecs.Service, *, minutes: int = 15,
                 now: datetime | None = None) -> Metrics:
    """The last ``minutes`` of the service's metrics (1-minute points)."""
    lb_arn = tg_arn = None
    for balancer in service.load_balancers:
        if balancer.target_group_arn:
            tg_arn = balancer.target_group_arn
            group = elbv2.describe_target_group(aws, tg_arn)
            lb_arn = group.load_balancer_arns[0] if group.load_balancer_arns else None
            break
    end = (now or datetime.now(UTC)).replace(microsecond=0) + timedelta(minutes=1)
    start = end - timedelta(minutes=minutes + 1)
    queries = service_queries(service.cluster_arn.rsplit("/", 1)[-1], service.name, lb_arn,
                              tg_arn)
    series = cloudwatch.read_series(aws, queries, start, end, period=60)
    return Metrics(minutes, 60, tuple(series))


def sparkline(values: list[float] | tuple[float, ...], width: int = 15) -> str:
    """``▁▃█▅``: the last ``width`` values scaled between their min and max."""
    points = list(values)[-width:]
    if not points:
        return ""
    low, high = min(points), max(points)
    if high == low:
        return SPARKS[0 if high == 0 else 3] * len(points)
    return "".join(SPARKS[round((v - low) / (high - low) * (len(SPARKS) - 1))] for v in points)


def format_series(metrics: dict[str, Any], *, sparks: bool) -> list[str]:
    """One line per series of ``Metrics.to_dict()``: last value, min-max, total for counts,
    and a sparkline on a terminal."""
    lines = []
    for series in metrics["series"].values():
        values = series["values"]
        name = (f"{series['metric']} {series['stat']}" if series["stat"].startswith("p")
                else series["metric"])
        if not values:
            lines.append(f"  {name:<30} no data in the last {metrics['minutes']} min")
            continue
        unit = "" if series["unit"] == "count" else f" {series['unit']}"
        text = f"  {name:<30} last {values[-1]:g}{unit}  min {min(values):g}  max {max(values):g}"
        if series["unit"] == "count":
            text += f"  total {sum(values):g}"
        if sparks:
            text += f"  {sparkline(values)}"
        lines.append(text)
    return lines
