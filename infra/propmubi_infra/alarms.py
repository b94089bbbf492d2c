"""CloudWatch alarms to the alert topic: for each RDS instance CPU, free storage and
connections (and replica lag on the replica); for each ElastiCache node engine CPU, evictions
and memory."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from propmubi_infra.settings import Settings

GIB = 1024**3


@dataclass(frozen=True)
class Threshold:
    metric: str
    operator: str
    value: float
    statistic: str = "Average"
    periods: int = 3


def rds_thresholds(s: Settings, replica: bool) -> list[Threshold]:
    found = [
        Threshold("CPUUtilization", "GreaterThanThreshold", 80),
        # 10 % of the allocated storage left (storage autoscaling may already be growing it)
        Threshold("FreeStorageSpace", "LessThanThreshold", s.db_allocated_storage * GIB * 0.1),
        Threshold("DatabaseConnections", "GreaterThanThreshold", s.db_connections_alarm),
    ]
    if replica:
        found.append(Threshold("ReplicaLag", "GreaterThanThreshold", 60, "Maximum"))
    return found


CACHE_THRESHOLDS = [
    Threshold("EngineCPUUtilization", "GreaterThanThreshold", 80),
    Threshold("Evictions", "GreaterThanThreshold", 0, "Sum", 1),
    Threshold("DatabaseMemoryUsagePercentage", "GreaterThanThreshold", 80),
]


def database(
    name: str,
    s: Settings,
    instance: aws.rds.Instance,
    replica: bool,
    topic: aws.sns.Topic,
    child: pulumi.ResourceOptions,
) -> None:
    for t in rds_thresholds(s, replica):
        _alarm(
            f"{name}-{_slug(t.metric)}",
            "AWS/RDS",
            t,
            {"DBInstanceIdentifier": instance.identifier},
            topic,
            child,
        )


def cache(
    name: str,
    s: Settings,
    group: aws.elasticache.ReplicationGroup,
    topic: aws.sns.Topic,
    child: pulumi.ResourceOptions,
) -> None:
    # ElastiCache names a non-cluster-mode group's nodes <group id>-001, -002, ...
    for i in range(1, s.cache_nodes + 1):
        node = group.replication_group_id.apply(lambda gid, i=i: f"{gid}-{i:03d}")
        for t in CACHE_THRESHOLDS:
            _alarm(
                f"{name}-{i:03d}-{_slug(t.metric)}",
                "AWS/ElastiCache",
                t,
                {"CacheClusterId": node},
                topic,
                child,
            )


def _alarm(
    name: str,
    namespace: str,
    t: Threshold,
    dimensions: dict[str, pulumi.Input[str]],
    topic: aws.sns.Topic,
    child: pulumi.ResourceOptions,
) -> aws.cloudwatch.MetricAlarm:
    return aws.cloudwatch.MetricAlarm(
        name,
        alarm_description=f"{namespace} {t.metric} {t.operator} {t.value:g}",
        namespace=namespace,
        metric_name=t.metric,
        dimensions=dimensions,
        statistic=t.statistic,
        period=300,
        evaluation_periods=t.periods,
        comparison_operator=t.operator,
        threshold=t.value,
        treat_missing_data="breaching" if t.metric == "ReplicaLag" else "missing",
        alarm_actions=[topic.arn],
        ok_actions=[topic.arn],
        opts=child,
    )


def _slug(metric: str) -> str:
    """EngineCPUUtilization -> engine-cpu-utilization."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "-", metric).lower()
