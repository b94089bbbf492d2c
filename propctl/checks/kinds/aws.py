"""`aws`: the live account holds what Task 13 asks (boto3, read-only describe calls).

- `resource: eks`: the cluster is ACTIVE and each node group scales `min_nodes`..`max_nodes`
  with at least `running_nodes` desired;
- `resource: rds`: the instance class, Multi-AZ, backup retention, storage encryption, not
  public, and a read replica that exists;
- `resource: elasticache`: the replication group's members, Multi-AZ, automatic failover and
  encryption at rest and in transit.

Region and credentials come from the usual AWS environment (AWS_REGION, AWS_PROFILE, ...);
the endpoint from AWS_ENDPOINT_URL as boto3 reads it. Runs only with `verify --live`; without
access the result is `error` with the reason, never `pass`."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, Literal

from pydantic import Field

from propctl.checks.engine.base import (
    CheckContext,
    CheckKind,
    CheckParams,
    Evidence,
    Result,
    register,
)

Problem = str


class AwsParams(CheckParams):
    resource: Literal["eks", "rds", "elasticache"]
    name: str = Field(
        description="Cluster name, DB instance identifier or replication group id;"
        " `{stack}` expands to the stack."
    )
    stack: str = "production"
    region: str | None = None
    min_nodes: int = Field(default=3, ge=0)
    max_nodes: int = Field(default=10, ge=1)
    running_nodes: int = Field(default=3, ge=0, description="Desired size at least this.")
    instance_class: str | None = "db.r6g.xlarge"
    backup_days: int = Field(default=30, ge=0)
    replica: bool = True
    cache_nodes: int = Field(default=3, ge=1)


@register("aws")
class Aws(CheckKind):
    """Describe EKS, RDS or ElastiCache in the live account and compare with Task 13."""

    Params = AwsParams
    params: AwsParams

    def run(self, ctx: CheckContext) -> Result:
        if not ctx.live:
            return Result.skipped("live check: runs only with `propctl verify --live`")
        env = {**os.environ, **ctx.env}
        region = self.params.region or env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION")
        if not region:
            return Result.errored("no AWS region: set AWS_REGION (or the check's `region`)")
        name = self.params.name.replace("{stack}", self.params.stack)
        try:
            problems, facts = _INSPECT[self.params.resource](
                self, _client_factory(env, region), name
            )
        except Exception as exc:  # noqa: BLE001 - every way of not reaching AWS is an error
            return _failure_or_error(exc, self.params.resource, name)
        evidence = [Evidence(f) for f in facts] + [Evidence(p) for p in problems]
        if problems:
            return Result.failed(f"{self.params.resource} {name}: " + "; ".join(problems), evidence)
        return Result.passed(f"{self.params.resource} {name}: " + ", ".join(facts), evidence)

    # ---- per resource ---------------------------------------------------------------------
    def _eks(self, client: Callable[[str], Any], name: str) -> tuple[list[Problem], list[str]]:
        eks = client("eks")
        cluster = eks.describe_cluster(name=name)["cluster"]
        problems = (
            [] if cluster.get("status") == "ACTIVE" else [f"cluster status {cluster.get('status')}"]
        )
        groups = eks.list_nodegroups(clusterName=name).get("nodegroups", [])
        if not groups:
            problems.append("no managed node group")
        facts = [f"status {cluster.get('status')}"]
        p = self.params
        for group in groups:
            ng = eks.describe_nodegroup(clusterName=name, nodegroupName=group)["nodegroup"]
            sc = ng.get("scalingConfig", {})
            facts.append(
                f"node group {group}: {sc.get('minSize')}-{sc.get('maxSize')} nodes, "
                f"{sc.get('desiredSize')} desired, {ng.get('status')}"
            )
            if sc.get("minSize", 0) < p.min_nodes or sc.get("maxSize", 0) < p.max_nodes:
                problems.append(
                    f"node group {group} scales {sc.get('minSize')}-"
                    f"{sc.get('maxSize')}, want {p.min_nodes}-{p.max_nodes}"
                )
            if sc.get("desiredSize", 0) < p.running_nodes:
                problems.append(
                    f"node group {group} wants {sc.get('desiredSize')} nodes, "
                    f"need at least {p.running_nodes}"
                )
            if ng.get("status") != "ACTIVE":
                problems.append(f"node group {group} status {ng.get('status')}")
        return problems, facts

    def _rds(self, client: Callable[[str], Any], name: str) -> tuple[list[Problem], list[str]]:
        rds = client("rds")
        db = rds.describe_db_instances(DBInstanceIdentifier=name)["DBInstances"][0]
        p = self.params
        facts = [
            f"{db.get('DBInstanceClass')}",
            f"Multi-AZ {db.get('MultiAZ')}",
            f"backups {db.get('BackupRetentionPeriod')} days",
            f"encrypted {db.get('StorageEncrypted')}",
            f"replicas {db.get('ReadReplicaDBInstanceIdentifiers') or []}",
        ]
        checks = [
            (db.get("DBInstanceStatus") == "available", f"status {db.get('DBInstanceStatus')}"),
            (
                p.instance_class is None or db.get("DBInstanceClass") == p.instance_class,
                f"class {db.get('DBInstanceClass')}, want {p.instance_class}",
            ),
            (db.get("MultiAZ") is True, "not Multi-AZ"),
            (
                (db.get("BackupRetentionPeriod") or 0) >= p.backup_days,
                f"backups kept {db.get('BackupRetentionPeriod')} days, want {p.backup_days}",
            ),
            (db.get("StorageEncrypted") is True, "storage not encrypted"),
            (not db.get("PubliclyAccessible"), "publicly accessible"),
        ]
        problems = [why for ok, why in checks if not ok]
        replicas = db.get("ReadReplicaDBInstanceIdentifiers") or []
        if p.replica and not replicas:
            problems.append("no read replica")
        for replica in replicas:
            found = rds.describe_db_instances(DBInstanceIdentifier=replica)["DBInstances"][0]
            if found.get("DBInstanceStatus") != "available":
                problems.append(f"replica {replica} status {found.get('DBInstanceStatus')}")
        return problems, facts

    def _elasticache(
        self, client: Callable[[str], Any], name: str
    ) -> tuple[list[Problem], list[str]]:
        group = client("elasticache").describe_replication_groups(ReplicationGroupId=name)[
            "ReplicationGroups"
        ][0]
        members = group.get("MemberClusters") or []
        facts = [
            f"{len(members)} member(s)",
            f"Multi-AZ {group.get('MultiAZ')}",
            f"failover {group.get('AutomaticFailover')}",
        ]
        checks = [
            (group.get("Status") == "available", f"status {group.get('Status')}"),
            (
                len(members) >= self.params.cache_nodes,
                f"{len(members)} member(s), want {self.params.cache_nodes}",
            ),
            (group.get("MultiAZ") == "enabled", f"Multi-AZ {group.get('MultiAZ')}"),
            (
                group.get("AutomaticFailover") == "enabled",
                f"automatic failover {group.get('AutomaticFailover')}",
            ),
            (group.get("AtRestEncryptionEnabled") is True, "not encrypted at rest"),
            (group.get("TransitEncryptionEnabled") is True, "not encrypted in transit"),
        ]
        return [why for ok, why in checks if not ok], facts


_INSPECT = {"eks": Aws._eks, "rds": Aws._rds, "elasticache": Aws._elasticache}


def _client_factory(env: dict[str, str], region: str) -> Callable[[str], Any]:
    import boto3

    session = boto3.session.Session(region_name=region)

    def client(service: str) -> Any:
        specific = env.get(f"AWS_ENDPOINT_URL_{service.upper()}")
        endpoint = specific or env.get("AWS_ENDPOINT_URL")
        return session.client(service, endpoint_url=endpoint or None)

    return client


def _failure_or_error(exc: Exception, resource: str, name: str) -> Result:
    from botocore.exceptions import BotoCoreError, ClientError

    if isinstance(exc, ClientError):
        code = exc.response.get("Error", {}).get("Code", "")
        if "NotFound" in code or code in {
            "ResourceNotFoundException",
            "ReplicationGroupNotFoundFault",
        }:
            return Result.failed(f"{resource} {name} does not exist in the account ({code})")
        return Result.errored(
            f"AWS refused describing {resource} {name}: {code}: "
            f"{exc.response.get('Error', {}).get('Message', '')}"
        )
    if isinstance(exc, BotoCoreError):
        return Result.errored(f"cannot reach AWS for {resource} {name}: {exc}")
    return Result.errored(f"describing {resource} {name} failed: {type(exc).__name__}: {exc}")
