"""Pulumi mocks that record the plan: every custom resource's type token, name and inputs as the
program passed them, with the computed fields AWS would fill (ids, ARNs, endpoints, the EKS OIDC
issuer) answered with plausible fakes so the program can run to the end.

`PlanMocks` has the shape of `pulumi.runtime.Mocks` (the monitor only calls these methods), so
this module needs no Pulumi import of its own at load time."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from propctl.provision.program import SECRET_PLACEHOLDER

ACCOUNT = "123456789012"
SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
# Inputs that hold a credential even when the program forgot to mark it secret.
SENSITIVE_KEYS = frozenset(
    {"password", "authToken", "secretString", "masterPassword", "result", "bcryptHash"}
)


@dataclass
class Recorded:
    urn: str
    type: str
    name: str
    id: str
    inputs: dict[str, Any]
    custom: bool


@dataclass
class PlanMocks:
    region: str = "eu-west-1"
    resources: list[Recorded] = field(default_factory=list)
    secrets: set[str] = field(default_factory=set)  # raw secret values seen, to spot leaks
    # computed value -> (resource name, attribute): lets exporters turn values into references
    provenance: dict[str, tuple[str, str]] = field(default_factory=dict)
    date: str = ""  # the plan's date (ISO), set by plan.start

    def new_resource(self, args: Any) -> tuple[str | None, dict[str, Any]]:  # a MockResourceArgs
        import pulumi

        raw = dict(args.inputs)
        rid = args.resource_id or f"{args.name}-{_digest(args.typ + args.name)}"
        computed = self._computed(args.typ, args.name, rid, raw)
        state = {**raw, **computed}
        if args.custom and not args.typ.startswith("random:"):
            for attr, value in computed.items():
                if isinstance(value, str) and attr in REFERABLE:
                    self.provenance.setdefault(value, (f"{args.typ}::{args.name}", _snake(attr)))
        inputs = self._redact(raw)
        self.resources.append(
            Recorded(
                urn=f"urn:pulumi:{pulumi.get_stack()}::{pulumi.get_project()}::{args.typ}::{args.name}",
                type=args.typ,
                name=args.name,
                id=rid,
                inputs=inputs,
                custom=bool(args.custom),
            )
        )
        return rid, state

    def register_transform(self, transform: Any) -> None:
        """Stack transforms are not run by the mock monitor; nothing to record."""

    def register_invoke_transform(self, transform: Any) -> None:
        """Invoke transforms likewise."""

    def call(
        self, args: Any
    ) -> tuple[dict[str, Any], list[Any]] | dict[str, Any]:  # a MockCallArgs
        if args.token == "aws:index/getAvailabilityZones:getAvailabilityZones":
            letters = "abcdef"
            return {
                "id": self.region,
                "names": [f"{self.region}{x}" for x in letters[:3]],
                "zoneIds": [f"euw1-az{i}" for i in range(1, 4)],
                "state": "available",
                "groupNames": [self.region],
            }
        if args.token in ("aws:index/getRegion:getRegion", "aws:index/region:Region"):
            return {"id": self.region, "name": self.region, "region": self.region}
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "id": ACCOUNT,
                "accountId": ACCOUNT,
                "arn": f"arn:aws:iam::{ACCOUNT}:root",
                "userId": ACCOUNT,
            }
        raise NotImplementedError(
            f"the offline plan cannot answer the data source {args.token!r}; "
            "propctl's mocks know getAvailabilityZones, getRegion and getCallerIdentity"
        )

    # ---- computed fields ----------------------------------------------------------------
    def _computed(self, typ: str, name: str, rid: str, raw: dict[str, Any]) -> dict[str, Any]:
        service = typ.split(":")[1].split("/")[0] if ":" in typ else "x"
        out: dict[str, Any] = {
            "id": rid,
            "arn": f"arn:aws:{service}:{self.region}:{ACCOUNT}:{name}",
        }
        label = raw.get("name") or raw.get("identifier") or name
        special = _SPECIAL.get(typ)
        if special:
            out.update(special(self, name, rid, str(label), raw))
        return out

    def _redact(self, value: Any, key: str = "") -> Any:
        if isinstance(value, dict):
            if value.get(SECRET_SIG_KEY) == SECRET_SIG:
                self._remember(value.get("value"))
                return SECRET_PLACEHOLDER
            return {k: self._redact(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self._redact(v, key) for v in value]
        if key in SENSITIVE_KEYS and value not in (None, ""):
            self._remember(value)
            return SECRET_PLACEHOLDER
        if isinstance(value, float) and value.is_integer():
            return int(value)  # the wire format has only doubles; the program passed an int
        return value

    def _remember(self, value: Any) -> None:
        if isinstance(value, str) and value:
            self.secrets.add(value)


REFERABLE = frozenset({"id", "arn", "name", "keyId", "identifier"})


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:8]


def _eks_cluster(
    m: PlanMocks, name: str, rid: str, label: str, raw: dict[str, Any]
) -> dict[str, Any]:
    oidc = f"https://oidc.eks.{m.region}.amazonaws.com/id/{_digest(label).upper()}"
    vpc = dict(raw.get("vpcConfig") or {})
    vpc.update(clusterSecurityGroupId=f"sg-eks-{_digest(label)}", vpcId=f"vpc-{_digest(label)}")
    return {
        "name": label,
        "endpoint": f"https://{_digest(label).upper()}.gr7.{m.region}.eks.amazonaws.com",
        "identities": [{"oidcs": [{"issuer": oidc}]}],
        "vpcConfig": vpc,
        "certificateAuthority": {"data": "bW9jaw=="},
        "status": "ACTIVE",
    }


def _rds(m: PlanMocks, name: str, rid: str, label: str, raw: dict[str, Any]) -> dict[str, Any]:
    address = f"{label}.c{_digest(label)}.{m.region}.rds.amazonaws.com"
    return {
        "identifier": label,
        "address": address,
        "endpoint": f"{address}:5432",
        "port": 5432,
        "resourceId": f"db-{_digest(label).upper()}",
    }


def _redis(m: PlanMocks, name: str, rid: str, label: str, raw: dict[str, Any]) -> dict[str, Any]:
    group = raw.get("replicationGroupId") or label
    base = f"{group}.{_digest(group)}.euw1.cache.amazonaws.com"
    return {
        "primaryEndpointAddress": f"master.{base}",
        "readerEndpointAddress": f"replica.{base}",
        "memberClusters": [
            f"{group}-00{i}" for i in range(1, int(raw.get("numCacheClusters") or 1) + 1)
        ],
    }


def _sar_stack(
    m: PlanMocks, name: str, rid: str, label: str, raw: dict[str, Any]
) -> dict[str, Any]:
    # The AWS rotation applications export the function's ARN as RotationLambdaARN.
    function = (raw.get("parameters") or {}).get("functionName") or label
    arn = f"arn:aws:lambda:{m.region}:{ACCOUNT}:function:{function}"
    return {"outputs": {"RotationLambdaARN": arn}}


def _password(m: PlanMocks, name: str, rid: str, label: str, raw: dict[str, Any]) -> dict[str, Any]:
    value = f"mock-{_digest('secret' + name)}-{_digest(name + 'secret')}"
    m.secrets.add(value)
    return {"result": value}


_SPECIAL: dict[str, Callable[[PlanMocks, str, str, str, dict[str, Any]], dict[str, Any]]] = {
    "aws:eks/cluster:Cluster": _eks_cluster,
    "aws:rds/instance:Instance": _rds,
    "aws:elasticache/replicationGroup:ReplicationGroup": _redis,
    "random:index/randomPassword:RandomPassword": _password,
    "aws:serverlessrepository/cloudFormationStack:CloudFormationStack": _sar_stack,
    "aws:ec2/launchTemplate:LaunchTemplate": lambda m, n, r, lab, raw: {"latestVersion": 1},
    "aws:kms/key:Key": lambda m, n, r, lab, raw: {"keyId": r},
    "aws:iam/role:Role": lambda m, n, r, lab, raw: {
        "name": lab,
        "arn": f"arn:aws:iam::{ACCOUNT}:role/{lab}",
    },
    "aws:rds/parameterGroup:ParameterGroup": lambda m, n, r, lab, raw: {"name": lab},
    "aws:rds/subnetGroup:SubnetGroup": lambda m, n, r, lab, raw: {"name": lab},
    "aws:elasticache/subnetGroup:SubnetGroup": lambda m, n, r, lab, raw: {"name": lab},
}
