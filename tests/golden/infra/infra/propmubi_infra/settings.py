"""The stack's configuration, read once: which environment the stack is (name, namespace) from
`environments.yaml` beside the program (written by `propctl scaffold infra` from the roadmap's
`environments`), and what differs per account from `Pulumi.<stack>.yaml` (namespace `propmubi`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import yaml

ENVIRONMENTS_FILE = Path(__file__).resolve().parent.parent / "environments.yaml"
# Defined once in the roadmap, never per stack: a stack file setting them is refused.
FROM_ROADMAP = ("environment", "deployNamespaces")

CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
# The roadmap's services (checklists/roadmap.yaml `services`; a test keeps the two equal):
# each gets an ECR repository for its image and one for its events worker's image.
SERVICES = [
    "auth",
    "property",
    "trust",
    "agent",
    "crm",
    "builder",
    "legal",
    "reputation",
    "marketing",
]
# Tags the program sets itself: stack config may add tags, never change these.
OWN_TAGS = frozenset({"Name", "project", "environment", "managed-by"})
TAG_KEY = re.compile(r"^[\w .:/=+\-@]{1,128}$")


@dataclass(frozen=True)
class Settings:
    environment: str
    vpc_cidr: str
    nat_gateway_per_az: bool
    cluster_version: str | None  # None: the newest in standard support (versions.yaml)
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
    db_connections_alarm: int
    deletion_protection: bool
    cache_node_type: str
    cache_nodes: int
    cache_snapshot_retention_days: int
    admin_role_name: str | None = None
    github_repository: str | None = None
    deploy_namespaces: list[str] = field(default_factory=list)
    alarm_email: str | None = None
    monthly_budget_usd: int = 0
    services: list[str] = field(default_factory=lambda: list(SERVICES))
    az_count: int = 3
    extra_tags: dict[str, str] = field(default_factory=dict)

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    def name(self, suffix: str) -> str:
        return f"propmubi-{self.environment}-{suffix}"

    def tags(self, name: str) -> dict[str, str]:
        own = {
            "Name": self.name(name),
            "project": "propmubi",
            "environment": self.environment,
            "managed-by": "pulumi",
        }
        return {**self.extra_tags, **own}


def environment(stack: str, path: Path = ENVIRONMENTS_FILE) -> dict[str, Any]:
    """The roadmap's environment whose `stack` is this one."""
    data = yaml.safe_load(path.read_text("utf-8")) if path.is_file() else None
    found = data.get("environments") if isinstance(data, dict) else None
    if not isinstance(found, list):
        raise ValueError(
            f"{path.name}: no `environments` list beside the program; "
            "run `propctl scaffold infra` to write it from the roadmap"
        )
    for env in found:
        if isinstance(env, dict) and env.get("stack") == stack:
            return env
    known = ", ".join(str(e.get("stack")) for e in found if isinstance(e, dict)) or "none"
    raise ValueError(
        f"{path.name}: no environment has stack {stack!r} (stacks: {known}); set `stack: "
        f"{stack}` on one of the roadmap's `environments`, then run `propctl scaffold infra`"
    )


def load() -> Settings:
    cfg = pulumi.Config("propmubi")
    stack = pulumi.get_stack()
    for key in FROM_ROADMAP:
        if cfg.get(key) is not None:
            raise ValueError(
                f"Pulumi.{stack}.yaml sets propmubi:{key}: the environment and its namespace "
                "come from the roadmap's `environments` (environments.yaml); remove the key"
            )
    env = environment(stack)
    return Settings(
        environment=str(env["name"]),
        vpc_cidr=cfg.get("vpcCidr") or "10.20.0.0/16",
        nat_gateway_per_az=cfg.get_bool("natGatewayPerAz") or False,
        cluster_version=cfg.get("clusterVersion") or None,
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
        db_connections_alarm=_int(cfg, "dbConnectionsAlarm", 400),
        deletion_protection=cfg.get_bool("deletionProtection") or False,
        cache_node_type=cfg.get("cacheNodeType") or "cache.t4g.medium",
        cache_nodes=_int(cfg, "cacheNodes", 3),
        cache_snapshot_retention_days=_int(cfg, "cacheSnapshotRetentionDays", 7),
        admin_role_name=cfg.get("adminRoleName") or None,
        github_repository=cfg.get("githubRepository") or None,
        deploy_namespaces=[str(env["namespace"])],
        alarm_email=cfg.get("alarmEmail") or None,
        monthly_budget_usd=_int(cfg, "monthlyBudgetUsd", 0),
        extra_tags=_tags(cfg.get_object("tags") or {}),
    )


def _int(cfg: pulumi.Config, key: str, default: int) -> int:
    value = cfg.get_int(key)
    return default if value is None else value


def _tags(raw: object) -> dict[str, str]:
    """`propmubi:tags`: extra tags on every resource; the program's own tags cannot be
    overridden (a stack must not relabel production as something else)."""
    if not isinstance(raw, dict):
        raise ValueError("config propmubi:tags must be a mapping of tag key: value")
    clashing = sorted(set(raw) & OWN_TAGS)
    if clashing:
        raise ValueError(
            f"config propmubi:tags sets {', '.join(clashing)}: the program sets those itself; "
            "remove them from the stack file"
        )
    bad = [k for k in raw if not TAG_KEY.match(str(k)) or str(k).lower().startswith("aws:")]
    if bad:
        raise ValueError(
            f"config propmubi:tags: invalid tag key(s) {', '.join(map(str, bad))} "
            "(1-128 characters, no `aws:` prefix)"
        )
    return {str(k): str(v) for k, v in raw.items()}
