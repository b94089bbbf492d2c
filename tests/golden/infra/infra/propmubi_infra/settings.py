"""The stack's configuration, read once from `Pulumi.<stack>.yaml` (namespace `propmubi`)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi

CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"]


@dataclass(frozen=True)
class Settings:
    environment: str
    vpc_cidr: str
    nat_gateway_per_az: bool
    cluster_version: str
    public_access_cidrs: list[str]
    node_instance_types: list[str]
    node_min_size: int
    node_desired_size: int
    node_max_size: int
    db_instance_class: str
    db_allocated_storage: int
    db_replica_multi_az: bool
    db_backup_retention_days: int
    db_publicly_accessible: bool
    deletion_protection: bool
    cache_node_type: str
    cache_nodes: int
    cache_snapshot_retention_days: int
    az_count: int = 3
    extra_tags: dict[str, str] = field(default_factory=dict)

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    def name(self, suffix: str) -> str:
        return f"propmubi-{self.environment}-{suffix}"

    def tags(self, name: str) -> dict[str, str]:
        return {"Name": self.name(name), "project": "propmubi",
                "environment": self.environment, "managed-by": "pulumi", **self.extra_tags}


def load() -> Settings:
    cfg = pulumi.Config("propmubi")
    return Settings(
        environment=cfg.require("environment"),
        vpc_cidr=cfg.get("vpcCidr") or "10.20.0.0/16",
        nat_gateway_per_az=cfg.get_bool("natGatewayPerAz") or False,
        cluster_version=cfg.get("clusterVersion") or "1.31",
        public_access_cidrs=list(cfg.get_object("publicAccessCidrs") or []),
        node_instance_types=list(cfg.get_object("nodeInstanceTypes") or ["m6i.large"]),
        node_min_size=_int(cfg, "nodeMinSize", 3),
        node_desired_size=_int(cfg, "nodeDesiredSize", 3),
        node_max_size=_int(cfg, "nodeMaxSize", 10),
        db_instance_class=cfg.require("dbInstanceClass"),
        db_allocated_storage=_int(cfg, "dbAllocatedStorage", 100),
        db_replica_multi_az=cfg.get_bool("dbReplicaMultiAz") or False,
        db_backup_retention_days=_int(cfg, "dbBackupRetentionDays", 30),
        # Off unless a stack says otherwise; policy `database-not-public` fails when it is on.
        db_publicly_accessible=cfg.get_bool("dbPubliclyAccessible") or False,
        deletion_protection=cfg.get_bool("deletionProtection") or False,
        cache_node_type=cfg.get("cacheNodeType") or "cache.t4g.medium",
        cache_nodes=_int(cfg, "cacheNodes", 3),
        cache_snapshot_retention_days=_int(cfg, "cacheSnapshotRetentionDays", 7),
    )


def _int(cfg: pulumi.Config, key: str, default: int) -> int:
    value = cfg.get_int(key)
    return default if value is None else value
