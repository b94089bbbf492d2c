"""The roadmap's `environments`: staging and production, each defined once (its Kubernetes
namespace, its Pulumi stack, its API host). The overlays, workflows, ingress, live checks and the
Pulumi program all take them from here. What differs per AWS account (region, account, roles,
sizes) stays in the stack's `Pulumi.<stack>.yaml`.

A roadmap without the section gets `default_environments()`: what propctl generated before the
section existed (namespaces `propmubi-staging` and `propmubi-production`, stacks `staging` and
`production`, hosts `api.staging.propmubi.com` and `api.propmubi.com`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Loc = tuple[str | int, ...]
# The generators lay out one overlay, one deploy job and one stack per role: the names are fixed.
ENVIRONMENT_NAMES: tuple[str, ...] = ("staging", "production")
EnvironmentName = Literal["staging", "production"]
# Kubernetes namespaces are DNS-1123 labels: lower-case alphanumerics and '-', 63 at most.
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
# Pulumi stack names: letters, digits, '-', '_', '.'; at most 100 characters.
STACK_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")
_LABEL = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
HOST_NAME = re.compile(rf"^{_LABEL}(\.{_LABEL})+$")
# Namespaces propctl's generators use for something else, or that Kubernetes owns.
RESERVED_NAMESPACES = frozenset(
    {"observability", "default", "kube-system", "kube-public", "kube-node-lease"}
)


class Environment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: EnvironmentName = Field(
        description="The role: `staging` or `production` (also the GitHub environment's name)."
    )
    namespace: str = Field(description="The Kubernetes namespace the services deploy into.")
    stack: str = Field(description="The Pulumi stack (`infra/Pulumi.<stack>.yaml`).")
    host: str = Field(description="The API's public host name, e.g. api.propmubi.com.")

    @field_validator("namespace")
    @classmethod
    def _namespace(cls, value: str) -> str:
        if not DNS_LABEL.fullmatch(value):
            raise ValueError(
                f"namespace {value!r} is not a DNS-1123 label: use at most 63 lower-case "
                "letters, digits and '-', starting and ending with a letter or digit "
                "(e.g. propmubi-staging)"
            )
        if value in RESERVED_NAMESPACES:
            raise ValueError(
                f"namespace {value!r} is reserved (Kubernetes' own, or propctl's "
                "observability stack): choose another, e.g. propmubi-staging"
            )
        return value

    @field_validator("stack")
    @classmethod
    def _stack(cls, value: str) -> str:
        if not STACK_NAME.fullmatch(value):
            raise ValueError(
                f"stack {value!r} is not a Pulumi stack name: use letters, digits, '-', '_' "
                "and '.', 100 at most (e.g. staging)"
            )
        return value

    @field_validator("host")
    @classmethod
    def _host(cls, value: str) -> str:
        if len(value) > 253 or not HOST_NAME.fullmatch(value):
            raise ValueError(
                f"host {value!r} is not a DNS host name: use lower-case labels separated by "
                "dots (e.g. api.propmubi.com)"
            )
        return value

    def as_dict(self) -> dict[str, str]:
        return {
            "name": self.name,
            "namespace": self.namespace,
            "stack": self.stack,
            "host": self.host,
        }


def default_environments() -> list[Environment]:
    return [
        Environment(
            name="staging",
            namespace="propmubi-staging",
            stack="staging",
            host="api.staging.propmubi.com",
        ),
        Environment(
            name="production",
            namespace="propmubi-production",
            stack="production",
            host="api.propmubi.com",
        ),
    ]


def environment_problems(environments: list[Environment]) -> Iterator[tuple[Loc, str]]:
    """Both roles defined, and no name, namespace, stack or host used twice."""
    for field in ("name", "namespace", "stack", "host"):
        seen: dict[str, int] = {}
        for i, env in enumerate(environments):
            value = getattr(env, field)
            if value in seen:
                yield (
                    ("environments", i, field),
                    f"duplicate {field} {value!r} (first at environments.{seen[value]}): "
                    f"give each environment its own {field}",
                )
            else:
                seen[value] = i
    missing = [n for n in ENVIRONMENT_NAMES if n not in {e.name for e in environments}]
    if missing:
        yield (
            ("environments",),
            f"no environment named {' or '.join(missing)}: the generators need both staging and "
            "production; add e.g. `- {name: "
            + missing[0]
            + ", namespace: propmubi-"
            + missing[0]
            + ", stack: "
            + missing[0]
            + ", host: api.propmubi.com}`",
        )
