"""The environments the Kubernetes manifests deploy into, taken from the Pulumi stacks that create
them (one source of truth): each stack's namespace, AWS region and VPC range. The range bounds the
services' egress to PostgreSQL and Redis, which AWS runs inside the VPC, not in the cluster."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from functools import cache
from typing import Any

import yaml

from propctl.errors import UserError

PROJECT = "propmubi"
STACKS = ("staging", "production")
OBSERVABILITY_NAMESPACE = "observability"
POSTGRES_PORT = 5432
REDIS_PORT = 6379


@dataclass(frozen=True)
class Environment:
    name: str
    namespace: str
    region: str
    vpc_cidr: str

    def as_dict(self) -> dict[str, str]:
        return {
            "name": self.name,
            "namespace": self.namespace,
            "region": self.region,
            "vpc_cidr": self.vpc_cidr,
        }


@cache
def environments() -> tuple[Environment, ...]:
    """Staging and production, from the bundled program's `Pulumi.<stack>.yaml`."""
    from propctl.resources import infra_dir

    found = []
    for stack in STACKS:
        path = infra_dir() / f"Pulumi.{stack}.yaml"
        config: dict[str, Any] = (yaml.safe_load(path.read_text("utf-8")) or {}).get("config", {})
        cidr = str(config.get(f"{PROJECT}:vpcCidr", ""))
        try:
            ipaddress.ip_network(cidr)
        except ValueError:
            raise UserError(f"{path}: {PROJECT}:vpcCidr {cidr!r} is not a network") from None
        region = str(config.get("aws:region", ""))
        found.append(Environment(stack, f"{PROJECT}-{stack}", region, cidr))
    return tuple(found)


def variables() -> dict[str, Any]:
    """What the k8s templates need besides the service itself."""
    return {
        "environments": {env.name: env.as_dict() for env in environments()},
        "observability_namespace": OBSERVABILITY_NAMESPACE,
        "postgres_port": POSTGRES_PORT,
        "redis_port": REDIS_PORT,
    }
