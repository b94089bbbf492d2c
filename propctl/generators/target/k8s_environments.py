"""The environments the Kubernetes manifests deploy into. What each one is (its namespace, its
Pulumi stack, its API host) comes from the roadmap's `environments` (one source of truth); what
differs per AWS account (region, VPC range) from the stack that creates it, `Pulumi.<stack>.yaml`
of the repo's `infra/` program, else the bundled one. The VPC range bounds the services' egress
to PostgreSQL and Redis, which AWS runs inside the VPC, not in the cluster."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from propctl.errors import UserError
from propctl.memo import derived

if TYPE_CHECKING:
    from collections.abc import Sequence

    from propctl.roadmap.facts import EnvironmentView

PROJECT = "propmubi"
OBSERVABILITY_NAMESPACE = "observability"
POSTGRES_PORT = 5432
REDIS_PORT = 6379


@dataclass(frozen=True)
class Environment:
    name: str
    namespace: str
    stack: str
    host: str
    region: str
    vpc_cidr: str

    def as_dict(self) -> dict[str, str]:
        return {
            "name": self.name,
            "namespace": self.namespace,
            "stack": self.stack,
            "host": self.host,
            "region": self.region,
            "vpc_cidr": self.vpc_cidr,
        }


def program_dir(repo: Path | None) -> Path:
    """The repo's own Pulumi program (`infra/`), else the one bundled with propctl."""
    if repo is not None and (repo / "infra" / "Pulumi.yaml").is_file():
        return repo / "infra"
    from propctl.resources import infra_dir

    return infra_dir()


def environments(
    defined: Sequence[EnvironmentView] | None = None, repo: Path | None = None
) -> tuple[Environment, ...]:
    """Staging and production as the roadmap defines them (`roadmap.environments`; None: the
    defaults of a roadmap without the section), with their stacks' region and range."""
    if defined is None:
        from propctl.roadmap.environments import default_environments

        defined = default_environments()
    found = tuple((e.name, e.namespace, e.stack, e.host) for e in defined)
    return _environments(found, str(program_dir(repo)))


def by_name(
    defined: Sequence[EnvironmentView] | None = None, repo: Path | None = None
) -> dict[str, Environment]:
    return {env.name: env for env in environments(defined, repo)}


@cache
def _environments(
    defined: tuple[tuple[str, str, str, str], ...], folder: str
) -> tuple[Environment, ...]:
    found = []
    for name, namespace, stack, host in defined:
        path = Path(folder) / f"Pulumi.{stack}.yaml"
        if not path.is_file():
            raise UserError(
                f"environments.{name}: stack {stack!r} has no {path}",
                hint=f"write {path.name} (its region and vpcCidr), or set `stack:` of the "
                f"roadmap's {name} environment to one of the stacks there",
            )
        raw = path.read_bytes()
        region, cidr = derived(
            "pulumi-stack-region-cidr", raw, partial(_region_and_cidr, path, raw), _two_strings
        )
        try:
            ipaddress.ip_network(cidr)
        except ValueError:
            raise UserError(f"{path}: {PROJECT}:vpcCidr {cidr!r} is not a network") from None
        found.append(Environment(name, namespace, stack, host, region, cidr))
    return tuple(found)


def _two_strings(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 2 and all(isinstance(x, str) for x in value)


def _region_and_cidr(path: Path, raw: bytes) -> list[str]:
    """The stack's `aws:region` and `propmubi:vpcCidr` (kept by `memo.derived`: the YAML parser
    costs more than the rest of a service's render)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load(raw.decode("utf-8"), Loader=loader) or {}  # noqa: S506 (a safe loader)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: not YAML a stack file can be: {exc}") from None
    config = data.get("config", {}) if isinstance(data, dict) else {}
    config = config if isinstance(config, dict) else {}
    return [str(config.get("aws:region", "")), str(config.get(f"{PROJECT}:vpcCidr", ""))]


def variables(
    defined: Sequence[EnvironmentView] | None = None, repo: Path | None = None
) -> dict[str, Any]:
    """What the k8s templates need besides the service itself."""
    return {
        "environments": {env.name: env.as_dict() for env in environments(defined, repo)},
        "observability_namespace": OBSERVABILITY_NAMESPACE,
        "postgres_port": POSTGRES_PORT,
        "redis_port": REDIS_PORT,
    }
