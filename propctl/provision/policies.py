"""propctl's infrastructure policies: one named policy per property Task 13 asks of the program
(issue 7, item 1). A policy reads the plan and returns pass or fail with a message that names
the resource; production-only properties report `skip` on other stacks, with the reason."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from propctl.provision.plan import Plan, PlannedResource

VPC = "aws:ec2/vpc:Vpc"
SUBNET = "aws:ec2/subnet:Subnet"
NAT = "aws:ec2/natGateway:NatGateway"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
EKS = "aws:eks/cluster:Cluster"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
OIDC = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
RDS = "aws:rds/instance:Instance"
PARAMS = "aws:rds/parameterGroup:ParameterGroup"
SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
SECRET_ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"
REDIS = "aws:elasticache/replicationGroup:ReplicationGroup"
SG = "aws:ec2/securityGroup:SecurityGroup"
SG_RULES = (
    "aws:ec2/securityGroupRule:SecurityGroupRule",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
)
LOG_TYPES = {"api", "audit", "authenticator", "controllerManager", "scheduler"}
OPEN = {"0.0.0.0/0", "::/0"}
PRODUCTION_DB_CLASS = "db.r6g.xlarge"
BACKUP_DAYS = 30


@dataclass(frozen=True)
class Outcome:
    name: str
    status: str  # pass | fail | skip
    message: str

    def as_json(self) -> dict[str, str]:
        return {"name": self.name, "status": self.status, "message": self.message}


Verdict = tuple[bool, str]


@dataclass(frozen=True)
class Policy:
    name: str
    description: str
    check: Callable[[Plan], Verdict]
    stacks: frozenset[str] | None = None  # None: every stack

    def evaluate(self, plan: Plan) -> Outcome:
        if self.stacks is not None and plan.stack not in self.stacks:
            return Outcome(self.name, "skip", f"applies to {', '.join(sorted(self.stacks))} only")
        ok, message = self.check(plan)
        return Outcome(self.name, "pass" if ok else "fail", message)


POLICIES: dict[str, Policy] = {}


def policy(
    name: str, description: str, stacks: set[str] | None = None
) -> Callable[[Callable[[Plan], Verdict]], Callable[[Plan], Verdict]]:
    def add(fn: Callable[[Plan], Verdict]) -> Callable[[Plan], Verdict]:
        if name in POLICIES:
            raise ValueError(f"policy {name!r} is defined twice")
        POLICIES[name] = Policy(name, description, fn, frozenset(stacks) if stacks else None)
        return fn

    return add


def evaluate(plan: Plan, names: list[str] | None = None) -> list[Outcome]:
    unknown = [n for n in names or [] if n not in POLICIES]
    if unknown:
        from propctl.errors import UserError

        raise UserError(
            f"unknown infrastructure polic{'y' if len(unknown) == 1 else 'ies'}: "
            f"{', '.join(unknown)}",
            hint="`propctl infra policies` lists them",
        )
    chosen = [POLICIES[n] for n in names] if names else list(POLICIES.values())
    return [p.evaluate(plan) for p in chosen]


# ---- helpers --------------------------------------------------------------------------------


def _all(
    items: list[PlannedResource],
    what: str,
    test: Callable[[PlannedResource], bool],
    explain: Callable[[PlannedResource], str],
) -> Verdict:
    if not items:
        return False, f"no {what} in the plan"
    bad = [r for r in items if not test(r)]
    if bad:
        return False, "; ".join(f"{r.name}: {explain(r)}" for r in bad)
    names = ", ".join(r.name for r in items)
    return True, f"{what}: {names}"


def _primaries(plan: Plan) -> list[PlannedResource]:
    return [r for r in plan.of_type(RDS) if not r.get("replicateSourceDb")]


def _subnets(plan: Plan, public: bool) -> list[PlannedResource]:
    def is_public(r: PlannedResource) -> bool:
        tags = r.get("tags", default={})
        return (
            bool(r.get("mapPublicIpOnLaunch"))
            or tags.get("tier") == "public"
            or "kubernetes.io/role/elb" in tags
        )

    return [r for r in plan.of_type(SUBNET) if is_public(r) == public]


def _groups_of(plan: Plan, ids: list[str]) -> list[PlannedResource]:
    return [g for g in (plan.by_id(i) for i in ids) if g is not None and g.type == SG]


# ---- network --------------------------------------------------------------------------------


@policy("network-three-azs", "public and private subnets in 3 availability zones")
def _three_azs(plan: Plan) -> Verdict:
    for public in (True, False):
        zones = {r.get("availabilityZone") for r in _subnets(plan, public)}
        if len(zones - {None}) < 3:
            return (
                False,
                f"{'public' if public else 'private'} subnets span {len(zones)} "
                "availability zone(s); 3 are required",
            )
    return True, "public and private subnets in 3 availability zones each"


@policy("network-public-private-subnets", "a VPC with both public and private subnets")
def _subnet_tiers(plan: Plan) -> Verdict:
    if not plan.of_type(VPC):
        return False, "no VPC in the plan"
    public, private = _subnets(plan, True), _subnets(plan, False)
    if not public or not private:
        return False, f"{len(public)} public and {len(private)} private subnets; both needed"
    return True, f"{len(public)} public, {len(private)} private subnets"


@policy("network-nat", "private subnets reach out through NAT gateways")
def _nat(plan: Plan) -> Verdict:
    gateways = plan.of_type(NAT)
    return (
        (True, f"{len(gateways)} NAT gateway(s)")
        if gateways
        else (False, "no NAT gateway: private subnets have no way out")
    )


@policy("network-flow-logs", "VPC flow logs capture all traffic")
def _flow_logs(plan: Plan) -> Verdict:
    vpc_ids = {v.id for v in plan.of_type(VPC)}
    logged = {f.get("vpcId") for f in plan.of_type(FLOW_LOG) if f.get("trafficType") == "ALL"}
    missing = [v.name for v in plan.of_type(VPC) if v.id not in logged]
    if not vpc_ids:
        return False, "no VPC in the plan"
    return (
        (False, f"no flow log with trafficType ALL on {', '.join(missing)}")
        if missing
        else (True, "flow logs (ALL traffic) on every VPC")
    )


# ---- cluster --------------------------------------------------------------------------------


@policy("cluster-private-endpoint", "EKS API endpoint private; public only from set CIDRs")
def _endpoint(plan: Plan) -> Verdict:
    def ok(r: PlannedResource) -> bool:
        public = r.get("vpcConfig", "endpointPublicAccess", default=True)
        cidrs = set(r.get("vpcConfig", "publicAccessCidrs", default=[]))
        return bool(r.get("vpcConfig", "endpointPrivateAccess")) and (
            not public or (bool(cidrs) and not cidrs & OPEN)
        )

    return _all(
        plan.of_type(EKS),
        "EKS cluster with a private endpoint",
        ok,
        lambda r: (
            f"endpointPrivateAccess={r.get('vpcConfig', 'endpointPrivateAccess')}, "
            f"endpointPublicAccess={r.get('vpcConfig', 'endpointPublicAccess', default=True)}, "
            f"publicAccessCidrs={r.get('vpcConfig', 'publicAccessCidrs', default=['0.0.0.0/0'])}"
        ),
    )


@policy("cluster-control-plane-logs", "all five EKS control-plane log types enabled")
def _cp_logs(plan: Plan) -> Verdict:
    return _all(
        plan.of_type(EKS),
        "EKS cluster logging every control-plane log type",
        lambda r: LOG_TYPES <= set(r.get("enabledClusterLogTypes", default=[])),
        lambda r: (
            "missing log types "
            + ", ".join(sorted(LOG_TYPES - set(r.get("enabledClusterLogTypes", default=[]))))
        ),
    )


@policy("cluster-secrets-encryption", "Kubernetes secrets encrypted with a KMS key")
def _secrets_kms(plan: Plan) -> Verdict:
    def ok(r: PlannedResource) -> bool:
        config = r.get("encryptionConfig", default={})
        return "secrets" in (config.get("resources") or []) and bool(
            (config.get("provider") or {}).get("keyArn")
        )

    return _all(
        plan.of_type(EKS),
        "EKS cluster encrypting secrets with KMS",
        ok,
        lambda r: "encryptionConfig must list `secrets` with a provider keyArn",
    )


@policy("cluster-node-scaling", "a managed node group scaling 3 to 10 nodes")
def _scaling(plan: Plan) -> Verdict:
    def ok(r: PlannedResource) -> bool:
        c = r.get("scalingConfig", default={})
        return (
            c.get("minSize") == 3
            and c.get("maxSize") == 10
            and 3 <= (c.get("desiredSize") or 0) <= 10
        )

    return _all(
        plan.of_type(NODE_GROUP),
        "node groups scaling 3-10",
        ok,
        lambda r: f"scalingConfig {r.get('scalingConfig')} (want min 3, max 10)",
    )


@policy("cluster-nodes-private", "nodes run in the private subnets only")
def _nodes_private(plan: Plan) -> Verdict:
    private = {s.id for s in _subnets(plan, False)}
    return _all(
        plan.of_type(NODE_GROUP),
        "node groups in private subnets",
        lambda r: bool(r.get("subnetIds")) and set(r.get("subnetIds")) <= private,
        lambda r: "subnetIds include a public or unknown subnet",
    )


@policy("cluster-irsa", "IAM roles for service accounts: an OIDC provider for the cluster")
def _irsa(plan: Plan) -> Verdict:
    providers = [
        p for p in plan.of_type(OIDC) if "sts.amazonaws.com" in (p.get("clientIdLists") or [])
    ]
    if not plan.of_type(EKS):
        return False, "no EKS cluster in the plan"
    return (
        (True, f"OIDC provider {providers[0].name} (audience sts.amazonaws.com)")
        if providers
        else (False, "no IAM OIDC provider with audience sts.amazonaws.com")
    )


@policy("cluster-imdsv2", "IMDSv2 required on every node")
def _imdsv2(plan: Plan) -> Verdict:
    def ok(r: PlannedResource) -> bool:
        template = plan.by_id(str(r.get("launchTemplate", "id", default="")))
        return template is not None and template.get("metadataOptions", "httpTokens") == "required"

    return _all(
        plan.of_type(NODE_GROUP),
        "node groups requiring IMDSv2",
        ok,
        lambda r: "needs a launch template with metadataOptions.httpTokens=required",
    )


# ---- database -------------------------------------------------------------------------------


def _db(
    name: str,
    description: str,
    test: Callable[[PlannedResource], bool],
    explain: Callable[[PlannedResource], str],
    *,
    replicas: bool = False,
    stacks: set[str] | None = None,
) -> None:
    def check(plan: Plan) -> Verdict:
        items = plan.of_type(RDS) if replicas else _primaries(plan)
        return _all(items, f"RDS instances that are {description}", test, explain)

    policy(name, f"RDS PostgreSQL: {description}", stacks)(check)


_db(
    "database-postgres",
    "PostgreSQL",
    lambda r: r.get("engine") == "postgres",
    lambda r: f"engine {r.get('engine')!r}",
)
_db(
    "database-instance-class",
    f"{PRODUCTION_DB_CLASS} in production",
    lambda r: r.get("instanceClass") == PRODUCTION_DB_CLASS,
    lambda r: f"instanceClass {r.get('instanceClass')!r}",
    replicas=True,
    stacks={"production"},
)
_db(
    "database-multi-az",
    "Multi-AZ",
    lambda r: r.get("multiAz") is True,
    lambda r: f"multiAz={r.get('multiAz')}",
)
_db(
    "database-encrypted",
    "encrypted with a KMS key",
    lambda r: r.get("storageEncrypted") is True and bool(r.get("kmsKeyId")),
    lambda r: f"storageEncrypted={r.get('storageEncrypted')}, kmsKeyId={r.get('kmsKeyId')}",
    replicas=True,
)
_db(
    "database-not-public",
    "not publicly accessible",
    lambda r: not r.get("publiclyAccessible"),
    lambda r: "publiclyAccessible=true: the database would get a public address",
    replicas=True,
)
_db(
    "database-backups-30d",
    f"backed up for {BACKUP_DAYS} days",
    lambda r: (r.get("backupRetentionPeriod") or 0) >= BACKUP_DAYS,
    lambda r: f"backupRetentionPeriod={r.get('backupRetentionPeriod')} (want {BACKUP_DAYS})",
)
_db(
    "database-deletion-protection",
    "protected from deletion in production",
    lambda r: r.get("deletionProtection") is True,
    lambda r: f"deletionProtection={r.get('deletionProtection')}",
    replicas=True,
    stacks={"production"},
)
_db(
    "database-iam-auth",
    "using IAM authentication",
    lambda r: r.get("iamDatabaseAuthenticationEnabled") is True,
    lambda r: "iamDatabaseAuthenticationEnabled is not true",
    replicas=True,
)
_db(
    "database-performance-insights",
    "watched by Performance Insights",
    lambda r: r.get("performanceInsightsEnabled") is True,
    lambda r: "performanceInsightsEnabled is not true",
    replicas=True,
)
_db(
    "database-enhanced-monitoring",
    "under enhanced monitoring",
    lambda r: (r.get("monitoringInterval") or 0) > 0 and bool(r.get("monitoringRoleArn")),
    lambda r: (
        f"monitoringInterval={r.get('monitoringInterval')} and a monitoringRoleArn are needed"
    ),
    replicas=True,
)
_db(
    "database-log-exports",
    "exporting PostgreSQL logs",
    lambda r: "postgresql" in (r.get("enabledCloudwatchLogsExports") or []),
    lambda r: "enabledCloudwatchLogsExports lacks `postgresql`",
    replicas=True,
)


@policy("database-parameters", "a parameter group forcing SSL and logging queries")
def _params(plan: Plan) -> Verdict:
    def ok(r: PlannedResource) -> bool:
        group = next(
            (
                p
                for p in plan.of_type(PARAMS)
                if p.get("name", default=p.name) == r.get("parameterGroupName")
                or p.name == r.get("parameterGroupName")
            ),
            None,
        )
        if group is None:
            return False
        values = {p.get("name"): str(p.get("value")) for p in group.get("parameters") or []}
        logs = (
            values.get("log_statement") in {"ddl", "mod", "all"}
            or int(values.get("log_min_duration_statement", "-1")) >= 0
        )
        return values.get("rds.force_ssl") == "1" and logs

    return _all(
        _primaries(plan),
        "RDS instances with SSL forced and queries logged",
        ok,
        lambda r: (
            "its parameter group must set rds.force_ssl=1 and log_statement or "
            "log_min_duration_statement"
        ),
    )


@policy("database-password-secret", "a generated master password kept in Secrets Manager")
def _password(plan: Plan) -> Verdict:
    def ok(r: PlannedResource) -> bool:
        return not r.get("manageMasterUserPassword") and r.get("password") is not None

    verdict = _all(
        _primaries(plan),
        "RDS primaries with a generated password",
        ok,
        lambda r: (
            "manageMasterUserPassword=true: AWS cannot replicate such an instance"
            if r.get("manageMasterUserPassword")
            else "no password set"
        ),
    )
    if verdict[0] and not plan.of_type(SECRET_VERSION):
        return False, "no Secrets Manager secret version holds the password"
    return verdict


@policy("database-read-replica", "a read replica of the primary")
def _replica(plan: Plan) -> Verdict:
    primaries = {r.get("identifier") for r in _primaries(plan)} | {r.id for r in _primaries(plan)}
    replicas = [r for r in plan.of_type(RDS) if r.get("replicateSourceDb") in primaries]
    return (
        (True, f"read replica {replicas[0].name}")
        if replicas
        else (False, "no RDS instance replicates the primary (replicateSourceDb)")
    )


# ---- cache ----------------------------------------------------------------------------------


def _cache(
    name: str,
    description: str,
    test: Callable[[PlannedResource], bool],
    explain: Callable[[PlannedResource], str],
) -> None:
    def check(plan: Plan) -> Verdict:
        return _all(plan.of_type(REDIS), f"Redis replication groups {description}", test, explain)

    policy(name, f"ElastiCache Redis: {description}")(check)


_cache(
    "cache-three-nodes",
    "with 3 nodes",
    lambda r: r.get("numCacheClusters") == 3,
    lambda r: f"numCacheClusters={r.get('numCacheClusters')}",
)
_cache(
    "cache-multi-az-failover",
    "Multi-AZ with automatic failover",
    lambda r: r.get("multiAzEnabled") is True and r.get("automaticFailoverEnabled") is True,
    lambda r: (
        f"multiAzEnabled={r.get('multiAzEnabled')}, "
        f"automaticFailoverEnabled={r.get('automaticFailoverEnabled')}"
    ),
)
_cache(
    "cache-encrypted-at-rest",
    "encrypted at rest with a KMS key",
    lambda r: r.get("atRestEncryptionEnabled") in (True, "true") and bool(r.get("kmsKeyId")),
    lambda r: "atRestEncryptionEnabled and kmsKeyId are needed",
)
_cache(
    "cache-encrypted-in-transit",
    "encrypted in transit",
    lambda r: r.get("transitEncryptionEnabled") is True,
    lambda r: "transitEncryptionEnabled is not true",
)
_cache(
    "cache-auth-token",
    "protected by an AUTH token",
    lambda r: r.get("authToken") is not None,
    lambda r: "no authToken",
)
_cache(
    "cache-backups",
    "with automatic backups",
    lambda r: (r.get("snapshotRetentionLimit") or 0) > 0,
    lambda r: "snapshotRetentionLimit is 0: no automatic backups",
)


# ---- security groups ------------------------------------------------------------------------


def _rules(group: PlannedResource, direction: str) -> list[dict[str, Any]]:
    return [x for x in group.get(direction, default=[]) if isinstance(x, dict)]


@policy("security-group-descriptions", "a description on every security group and rule")
def _descriptions(plan: Plan) -> Verdict:
    missing = [g.name for g in plan.of_type(SG) if not g.get("description")]
    for group in plan.of_type(SG):
        for direction in ("ingress", "egress"):
            missing += [
                f"{group.name} {direction} rule {i}"
                for i, rule in enumerate(_rules(group, direction))
                if not rule.get("description")
            ]
    for token in SG_RULES:
        missing += [r.name for r in plan.of_type(token) if not r.get("description")]
    if not plan.of_type(SG):
        return False, "no security group in the plan"
    return (
        (False, "no description: " + ", ".join(missing))
        if missing
        else (True, f"{len(plan.of_type(SG))} groups, every group and rule described")
    )


@policy("security-no-open-ingress", "no ingress from 0.0.0.0/0 or ::/0")
def _open_ingress(plan: Plan) -> Verdict:
    bad = [
        f"{g.name} ingress rule {i}"
        for g in plan.of_type(SG)
        for i, rule in enumerate(_rules(g, "ingress"))
        if OPEN & set((rule.get("cidrBlocks") or []) + (rule.get("ipv6CidrBlocks") or []))
    ]
    bad += [
        r.name
        for token in SG_RULES
        for r in plan.of_type(token)
        if r.get("type", default="ingress") == "ingress"
        and "Egress" not in r.type
        and (OPEN & {r.get("cidrIpv4"), r.get("cidrIpv6")} or OPEN & set(r.get("cidrBlocks") or []))
    ]
    if not plan.of_type(SG):
        return False, "no security group in the plan"
    return (
        (False, "open to the internet: " + ", ".join(bad))
        if bad
        else (True, "no ingress rule admits 0.0.0.0/0 or ::/0")
    )


@policy(
    "security-data-stores-cluster-only",
    "the database and cache admit only the cluster's nodes (the database also its secret's "
    "rotation function)",
)
def _data_stores(plan: Plan) -> Verdict:
    node_groups = plan.of_type(NODE_GROUP)
    templates = [plan.by_id(str(n.get("launchTemplate", "id", default=""))) for n in node_groups]
    node_sgs = {sg for t in templates if t for sg in t.get("vpcSecurityGroupIds") or []}
    rotation_sgs = rotation_groups(plan) - node_sgs
    stores = plan.of_type(RDS) + plan.of_type(REDIS)
    if not stores:
        return False, "no database or cache in the plan"
    problems = []
    for store in stores:
        ids = store.get("vpcSecurityGroupIds") or store.get("securityGroupIds") or []
        groups = _groups_of(plan, ids)
        allowed = node_sgs | (rotation_sgs if store.type == RDS else set())
        if not groups:
            problems.append(f"{store.name}: no security group of its own")
        for group in groups:
            for rule in _rules(group, "ingress"):
                sources = set(rule.get("securityGroups") or [])
                if (
                    rule.get("cidrBlocks")
                    or rule.get("ipv6CidrBlocks")
                    or rule.get("self")
                    or not sources
                    or not sources <= allowed
                ):
                    problems.append(f"{store.name}: {group.name} admits {_source(rule)}")
    return (
        (False, "; ".join(problems))
        if problems
        else (
            True,
            f"{len(stores)} data stores admit only the node security group"
            + (" (the database also its rotation function)" if rotation_sgs else ""),
        )
    )


SAR_STACK = "aws:serverlessrepository/cloudFormationStack:CloudFormationStack"
RDS_ROTATION_APP = re.compile(
    r"^arn:aws:serverlessrepo:[a-z0-9-]+:297356227824:applications/"
    r"SecretsManagerRDS\w+Rotation(Single|Multi)User$"
)


def rotation_groups(plan: Plan) -> set[str]:
    """Security groups of AWS's own RDS rotation functions (Serverless Application Repository,
    AWS's publisher account) that a secret rotation of the plan uses; a group that admits
    anything itself does not count."""
    used = {str(r.get("rotationLambdaArn")) for r in plan.of_type(SECRET_ROTATION)}
    found: set[str] = set()
    for stack in plan.of_type(SAR_STACK):
        if not RDS_ROTATION_APP.match(str(stack.get("applicationId", default=""))):
            continue
        function = stack.get("parameters", "functionName", default="")
        if not any(arn.endswith(f":function:{function}") for arn in used):
            continue
        ids = str(stack.get("parameters", "vpcSecurityGroupIds", default="")).split(",")
        found |= {i for i in ids if (g := plan.by_id(i)) and not _rules(g, "ingress")}
    return found


def _source(rule: dict[str, Any]) -> str:
    parts = (rule.get("cidrBlocks") or []) + (rule.get("securityGroups") or [])
    return ", ".join(parts) or ("itself" if rule.get("self") else "an unknown source")


# ---- outputs --------------------------------------------------------------------------------


@policy("outputs-no-secrets", "stack outputs hold no secret in plain text")
def _outputs(plan: Plan) -> Verdict:
    if plan.leaked_outputs:
        return False, "outputs with a secret in plain text: " + ", ".join(plan.leaked_outputs)
    return True, f"{len(plan.outputs)} outputs, none holding a secret"


# ---- what AWS would reject, and what a working platform needs (their own modules) ----------

from propctl.provision import policies_aws, policies_operations  # noqa: E402, F401
