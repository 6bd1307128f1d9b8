"""CloudWatch metrics: many series in ONE GetMetricData call, and the writes the sandbox makes.

A ``MetricQuery`` names one series (namespace, metric, dimensions, statistic); ``read_series``
asks for all of them over a window and returns their points, oldest first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from shipit.aws.errors import translate

if TYPE_CHECKING:
    from shipit.aws.session import AwsSession


@dataclass(frozen=True)
class MetricQuery:
    id: str
    """Lowercase letters, digits, underscores; starts with a letter (CloudWatch's rule)."""
    namespace: str
    metric: str
    dimensions: tuple[tuple[str, str], ...]
    stat: str
    """Sum, Average, Maximum, ... or a percentile such as p99."""
    unit_hint: str = ""
    """How to show the values (for people): "%", "ms", "count"."""


@dataclass(frozen=True)
class Series:
    query: MetricQuery
    timestamps: tuple[datetime, ...] = ()
    values: tuple[float, ...] = field(default_factory=tuple)


def read_series(aws: AwsSession, queries: Sequence[MetricQuery], start: datetime, end: datetime,
                period: int) -> list[Series]:
    """Every query's points in [start, end), ``period`` seconds apart, in one API call."""
    client = aws.client("cloudwatch")
    request: list[dict[str, Any]] = [{
        "Id": q.id, "ReturnData": True,
        "MetricStat": {
            "Metric": {"Namespace": q.namespace, "MetricName": q.metric,
                       "Dimensions": [{"Name": k, "Value": v} for k, v in q.dimensions]},
            "Period": period, "Stat": q.stat,
        },
    } for q in queries]
    found: dict[str, tuple[list[datetime], list[float]]] = {q.id: ([], []) for q in queries}
    kwargs: dict[str, Any] = {"MetricDataQueries": request, "StartTime": start, "EndTime": end,
                              "ScanBy": "TimestampAscending"}
    try:
        while True:
            response = client.get_metric_data(**kwargs)
            for result in response.get("MetricDataResults", []):
                times, values = found.setdefault(result["Id"], ([], []))
                for moment, value in zip(result.get("Timestamps", []),
                                         result.get("Values", []), strict=False):
                    if value is not None:
                        times.append(moment)
                        values.append(float(value))
            token = response.get("NextToken")
            if not token:
                break
            kwargs["NextToken"] = token
    except Exception as exc:
        raise translate(exc, operation="cloudwatch:GetMetricData") from None
    series = []
    for query in queries:
        times, values = found[query.id]
        ordered = sorted(zip(times, values, strict=True))
        series.append(Series(query, tuple(t for t, _ in ordered), tuple(v for _, v in ordered)))
    return series
