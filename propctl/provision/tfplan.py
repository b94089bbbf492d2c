"""Export a plan as Terraform plan JSON (`terraform show -json` format), so policy engines made
for Terraform — checkov's `terraform_plan` framework, OPA/conftest — can judge a Pulumi program.

Terraform names: `aws:rds/instance:Instance` -> `aws_db_instance`, camelCase -> snake_case,
Pulumi's pluralised list fields back to Terraform's block names (`parameters` -> `parameter`),
and blocks (objects) as one-element lists, as Terraform writes them. Values that hold secrets
stay redacted (`[secret]`) and are flagged in `sensitive_values`. Where an input is another
resource's id or ARN, `configuration` records the reference, so graph checks see connections."""

from __future__ import annotations

import re
from typing import Any

from propctl.provision.plan import Plan, PlannedResource
from propctl.provision.program import SECRET_PLACEHOLDER

FORMAT_VERSION = "1.2"
TERRAFORM_VERSION = "1.9.8"
PROVIDERS = {
    "aws": "registry.terraform.io/hashicorp/aws",
    "random": "registry.terraform.io/hashicorp/random",
}
MODULE_PREFIX = {"rds": "db_", "ec2": "", "index": "", "iam": "iam_", "vpc": "vpc_"}
TYPE_OVERRIDES = {
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": "aws_iam_openid_connect_provider",
    "aws:ec2/flowLog:FlowLog": "aws_flow_log",
    "aws:rds/cluster:Cluster": "aws_rds_cluster",
    "aws:serverlessrepository/cloudFormationStack:CloudFormationStack": (
        "aws_serverlessapplicationrepository_cloudformation_stack"
    ),
}
ATTRIBUTE_RENAMES = {
    "parameters": "parameter",
    "routes": "route",
    "clientIdLists": "client_id_list",
    "thumbprintLists": "thumbprint_list",
    "identities": "identity",
    "oidcs": "oidc",
    "logDeliveryConfigurations": "log_delivery_configuration",
    "nodeGroupConfigurations": "node_group_configuration",
    "encryptionConfigurations": "encryption_configuration",
    "notifications": "notification",
}
MAP_FIELDS = frozenset({"tags", "tagsAll", "labels"})
NO_REFERENCES = frozenset({"tags", "tagsAll", "labels", "description"})


def terraform_type(token: str) -> str:
    if token in TYPE_OVERRIDES:
        return TYPE_OVERRIDES[token]
    package, rest = token.split(":", 1)
    module, member = rest.split(":", 1)
    module = module.split("/")[0]
    prefix = MODULE_PREFIX.get(module, f"{module}_")
    member_name = snake(member)
    if member_name.startswith(f"{package}_"):  # random:index/randomPassword -> random_password
        member_name = member_name[len(package) + 1 :]
    return f"{package}_{prefix}{member_name}"


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def attribute(name: str) -> str:
    return ATTRIBUTE_RENAMES.get(name) or snake(name)


def local_name(name: str) -> str:
    clean = re.sub(r"[^A-Za-z0-9_]", "_", name)
    return clean if clean[:1].isalpha() or clean[:1] == "_" else f"r_{clean}"


def export(plan: Plan) -> dict[str, Any]:
    addresses = {_key(r): f"{terraform_type(r.type)}.{local_name(r.name)}" for r in plan.resources}
    planned, changes, config = [], [], []
    for r in plan.resources:
        kind, label = terraform_type(r.type), local_name(r.name)
        values = {attribute(k): _value(k, v) for k, v in r.inputs.items()}
        provider = PROVIDERS.get(r.type.split(":")[0], r.type.split(":")[0])
        common = {
            "address": addresses[_key(r)],
            "mode": "managed",
            "type": kind,
            "name": label,
            "provider_name": provider,
        }
        planned.append(
            {
                **common,
                "schema_version": 0,
                "values": values,
                "sensitive_values": _sensitive(values),
            }
        )
        changes.append(
            {
                **common,
                "change": {
                    "actions": ["create"],
                    "before": None,
                    "after": values,
                    "after_unknown": {},
                    "before_sensitive": False,
                    "after_sensitive": _sensitive(values),
                },
            }
        )
        config.append(
            {
                "address": addresses[_key(r)],
                "mode": "managed",
                "type": kind,
                "name": label,
                "provider_config_key": r.type.split(":")[0],
                "expressions": _expressions(r, plan, addresses),
                "schema_version": 0,
            }
        )
    return {
        "format_version": FORMAT_VERSION,
        "terraform_version": TERRAFORM_VERSION,
        "variables": {"stack": {"value": plan.stack}},
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": changes,
        "configuration": {
            "provider_config": {p: {"name": p, "full_name": PROVIDERS[p]} for p in PROVIDERS},
            "root_module": {"resources": config},
        },
    }


def _key(r: PlannedResource) -> str:
    return f"{r.type}::{r.name}"  # the same name may be used by resources of two types


def _value(key: str, value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _value(k, v) for k, v in value.items()} if key in MAP_FIELDS else [_block(value)]
    if isinstance(value, list):  # a list of blocks, or of plain values
        return [_block(v) if isinstance(v, dict) else v for v in value]
    return value


def _block(value: dict[str, Any]) -> dict[str, Any]:
    return {attribute(k): _value(k, v) for k, v in value.items()}


def _sensitive(values: Any) -> Any:
    if isinstance(values, dict):
        out = {k: _sensitive(v) for k, v in values.items()}
        return {k: v for k, v in out.items() if v not in ({}, [], False)}
    if isinstance(values, list):
        inner = [_sensitive(v) for v in values]
        return inner if any(x not in ({}, [], False) for x in inner) else []
    return values == SECRET_PLACEHOLDER


def _expressions(r: PlannedResource, plan: Plan, addresses: dict[str, str]) -> dict[str, Any]:
    return {
        attribute(k): e
        for k, v in r.inputs.items()
        if k not in NO_REFERENCES
        if (e := _expression(v, plan, addresses)) is not None
    }


def _expression(value: Any, plan: Plan, addresses: dict[str, str]) -> Any:
    if isinstance(value, dict):
        inner = {
            attribute(k): e
            for k, v in value.items()
            if k not in NO_REFERENCES
            if (e := _expression(v, plan, addresses)) is not None
        }
        return [inner] if inner else None
    strings = (
        [value]
        if isinstance(value, str)
        else [v for v in value if isinstance(v, str)]
        if isinstance(value, list)
        else []
    )
    refs: list[str] = []
    for text in strings:
        source = plan.provenance.get(text)
        if source and source[0] in addresses:
            refs += [f"{addresses[source[0]]}.{source[1]}", addresses[source[0]]]
    if isinstance(value, list) and any(isinstance(v, dict) for v in value):
        blocks = [_expression(v, plan, addresses) for v in value if isinstance(v, dict)]
        return [b[0] for b in blocks if b] or None
    return {"references": refs} if refs else None
