"""Policies for a platform that works once created (issue 15, item 1): who can reach the
cluster, the add-ons it needs, an image registry for every service, alarms that reach someone,
a budget, and GitHub's OIDC trust scoped to one repository. Registered into
`policies.POLICIES` when that module loads."""

from __future__ import annotations

import json
from typing import Any

from propctl.provision.plan import Plan, PlannedResource
from propctl.provision.policies import (
    EKS,
    RDS,
    REDIS,
    SECRET_ROTATION,
    SG,
    Verdict,
    _subnets,
    policy,
    rotation_groups,
)
from propctl.provision.policies_aws import ACCESS_ENTRY, ACCESS_POLICY, ADDON

ROLE = "aws:iam/role:Role"
ECR = "aws:ecr/repository:Repository"
ECR_LIFECYCLE = "aws:ecr/lifecyclePolicy:LifecyclePolicy"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TOPIC = "aws:sns/topic:Topic"
BUDGET = "aws:budgets/budget:Budget"
GITHUB = "token.actions.githubusercontent.com"
CLUSTER_ADMIN = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
ADDONS = ("vpc-cni", "coredns", "kube-proxy", "aws-ebs-csi-driver")
EBS_CSI_ACCOUNT = "system:serviceaccount:kube-system:ebs-csi-controller-sa"
LBC_ACCOUNT = "system:serviceaccount:kube-system:aws-load-balancer-controller"
RDS_METRICS = {"CPUUtilization", "FreeStorageSpace", "DatabaseConnections"}
REPLICA_METRICS = RDS_METRICS | {"ReplicaLag"}
CACHE_METRICS = {"EngineCPUUtilization", "Evictions", "DatabaseMemoryUsagePercentage"}
WORKER_SUFFIX = "-events-worker"


def _trust(role: PlannedResource) -> list[dict[str, Any]]:
    raw = role.get("assumeRolePolicy", default="{}")
    try:
        document = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError:
        return []
    statements = document.get("Statement", []) if isinstance(document, dict) else []
    return [s for s in ([statements] if isinstance(statements, dict) else statements)]


def _federated(statement: dict[str, Any]) -> str:
    principal = statement.get("Principal") or {}
    return str(principal.get("Federated", "")) if isinstance(principal, dict) else ""


def _conditions(statement: dict[str, Any], operator: str) -> dict[str, Any]:
    return (statement.get("Condition") or {}).get(operator) or {}


def _github_roles(plan: Plan) -> list[PlannedResource]:
    return [r for r in plan.of_type(ROLE) if any(GITHUB in _federated(s) for s in _trust(r))]


def _role_arns(plan: Plan, role: PlannedResource) -> set[str]:
    """What an input naming `role` looks like: its mocked ARN, or one built from its name."""
    arns = {v for v, (key, attr) in plan.provenance.items() if key == f"{ROLE}::{role.name}"}
    name = role.get("name")
    return arns | ({f":role/{name}"} if name else set())


def _names(plan: Plan, arn: str, role: PlannedResource) -> bool:
    return any(
        arn == a or (a.startswith(":role/") and arn.endswith(a)) for a in _role_arns(plan, role)
    )


# ---- cluster access -------------------------------------------------------------------------


@policy("cluster-access-entries", "access entries for an admin role and the CI deploy role")
def _access(plan: Plan) -> Verdict:
    if not plan.of_type(EKS):
        return False, "no EKS cluster in the plan"
    entries = {str(e.get("principalArn")) for e in plan.of_type(ACCESS_ENTRY)}
    associations = [
        (str(a.get("principalArn")), str(a.get("policyArn"))) for a in plan.of_type(ACCESS_POLICY)
    ]
    granted = {p for p, _ in associations if p in entries}
    admins = {p for p, policy_arn in associations if p in entries and policy_arn == CLUSTER_ADMIN}
    deployers = [r for r in _github_roles(plan) if any(_names(plan, p, r) for p in granted)]
    problems = []
    if not admins:
        problems.append(
            "no access entry with AmazonEKSClusterAdminPolicy: with authenticationMode API "
            "only the cluster's creator could administer it (set adminRoleName)"
        )
    if not deployers:
        problems.append(
            "no access entry for a CI deploy role (a role GitHub Actions assumes through OIDC): "
            "CI could not deploy (set githubRepository)"
        )
    if problems:
        return False, "; ".join(problems)
    return True, (
        f"admin: {', '.join(sorted(admins))}; CI deploy: {', '.join(r.name for r in deployers)}"
    )


@policy("cluster-addons", "managed add-ons: vpc-cni, coredns, kube-proxy, EBS CSI with IRSA")
def _addons(plan: Plan) -> Verdict:
    if not plan.of_type(EKS):
        return False, "no EKS cluster in the plan"
    installed = {str(a.get("addonName")): a for a in plan.of_type(ADDON)}
    problems = [f"add-on {name} is not installed" for name in ADDONS if name not in installed]
    ebs = installed.get("aws-ebs-csi-driver")
    if ebs is not None and not _irsa_for(
        plan, str(ebs.get("serviceAccountRoleArn", default="")), EBS_CSI_ACCOUNT
    ):
        problems.append(
            "aws-ebs-csi-driver has no IRSA role trusted by kube-system/ebs-csi-controller-sa: "
            "its volumes would never be created (PVCs stay Pending)"
        )
    if not any(_trusts_account(r, LBC_ACCOUNT) for r in plan.of_type(ROLE)):
        problems.append("no IRSA role for kube-system/aws-load-balancer-controller")
    if problems:
        return False, "; ".join(problems)
    return True, f"{', '.join(ADDONS)}; IRSA roles for the EBS CSI driver and the LB controller"


def _trusts_account(role: PlannedResource, account: str) -> bool:
    return any(
        account in _conditions(s, "StringEquals").values() and "oidc" in _federated(s)
        for s in _trust(role)
    )


def _irsa_for(plan: Plan, arn: str, account: str) -> bool:
    return any(_names(plan, arn, r) and _trusts_account(r, account) for r in plan.of_type(ROLE))


# ---- registry ---------------------------------------------------------------------------------


@policy("registry-repositories", "ECR for every service and worker: scanned, immutable, KMS")
def _registry(plan: Plan) -> Verdict:
    repos = plan.of_type(ECR)
    if not repos:
        return False, "no ECR repository in the plan: CI has nowhere to push images"
    names = {str(r.get("name", default=r.name)) for r in repos}
    with_lifecycle = {str(p.get("repository")) for p in plan.of_type(ECR_LIFECYCLE)}
    problems = []
    for r in repos:
        name = str(r.get("name", default=r.name))
        if r.get("imageScanningConfiguration", "scanOnPush") is not True:
            problems.append(f"{name}: not scanned on push")
        if r.get("imageTagMutability") != "IMMUTABLE":
            problems.append(f"{name}: tags are mutable (a tag could be re-pointed)")
        if r.get("encryptionConfigurations", 0, "encryptionType") != "KMS":
            problems.append(f"{name}: not encrypted with KMS")
        if name not in with_lifecycle:
            problems.append(f"{name}: no lifecycle policy (images pile up forever)")
        if not name.endswith(WORKER_SUFFIX) and f"{name}{WORKER_SUFFIX}" not in names:
            problems.append(f"{name}: no repository for its events worker image")
    if problems:
        return False, "; ".join(problems)
    return True, f"{len(repos)} repositories scanned on push, immutable, KMS, with lifecycles"


# ---- monitoring -------------------------------------------------------------------------------


def _topic_actions(plan: Plan, alarm: PlannedResource) -> bool:
    actions = alarm.get("alarmActions", default=[]) or []
    return any((plan.provenance.get(str(a)) or [""])[0].startswith(f"{TOPIC}::") for a in actions)


@policy("monitoring-alarms", "CloudWatch alarms on RDS and ElastiCache, sent to an SNS topic")
def _alarms(plan: Plan) -> Verdict:
    watched: dict[str, set[str]] = {}
    problems = []
    for alarm in plan.of_type(ALARM):
        if not _topic_actions(plan, alarm):
            problems.append(f"{alarm.name}: its alarmActions reach no SNS topic of the plan")
            continue
        dims = alarm.get("dimensions", default={}) or {}
        for value in dims.values():
            watched.setdefault(str(value), set()).add(str(alarm.get("metricName")))
    for db in plan.of_type(RDS):
        ident = str(db.get("identifier", default=db.name))
        want = REPLICA_METRICS if db.get("replicateSourceDb") else RDS_METRICS
        missing = want - watched.get(ident, set())
        if missing:
            problems.append(f"{ident}: no alarm on {', '.join(sorted(missing))}")
    for group in plan.of_type(REDIS):
        gid = str(group.get("replicationGroupId", default=group.name))
        for i in range(1, int(group.get("numCacheClusters", default=1)) + 1):
            node = f"{gid}-{i:03d}"
            missing = CACHE_METRICS - watched.get(node, set())
            if missing:
                problems.append(f"{node}: no alarm on {', '.join(sorted(missing))}")
    if not plan.of_type(RDS) and not plan.of_type(REDIS):
        return False, "no database or cache in the plan to watch"
    if problems:
        return False, "; ".join(problems)
    return True, f"{len(plan.of_type(ALARM))} alarms, every one to an SNS topic"


@policy("monitoring-budget", "a cost budget that notifies someone")
def _budget(plan: Plan) -> Verdict:
    budgets = plan.of_type(BUDGET)
    if not budgets:
        return False, "no AWS Budgets budget in the plan: nobody hears about runaway cost"
    for b in budgets:
        for n in b.get("notifications", default=[]) or []:
            if n.get("subscriberSnsTopicArns") or n.get("subscriberEmailAddresses"):
                limit = f"{b.get('limitAmount')} {b.get('limitUnit')} {b.get('timeUnit')}"
                return True, f"budget {b.get('name', default=b.name)} ({limit}) notifies"
    return False, "no budget notification has a subscriber (SNS topic or e-mail)"


# ---- secret rotation --------------------------------------------------------------------------

SECRET = "aws:secretsmanager/secret:Secret"
MAX_ROTATION_DAYS = 90


@policy("database-secret-rotation", "the database secret rotated by AWS's RDS rotation function")
def _rotation(plan: Plan) -> Verdict:
    if not any(not r.get("replicateSourceDb") for r in plan.of_type(RDS)):
        return False, "no RDS primary in the plan"
    secrets = {s.id for s in plan.of_type(SECRET)}
    groups = rotation_groups(plan)  # AWS's rotation functions that a rotation uses
    admitted = {
        src
        for db in plan.of_type(RDS)
        for g in db.get("vpcSecurityGroupIds", default=[]) or []
        if (group := plan.by_id(str(g))) is not None and group.type == SG
        for rule in group.get("ingress", default=[]) or []
        for src in rule.get("securityGroups") or []
    }
    private = {s.id for s in _subnets(plan, False)}
    problems, good = [], []
    for rotation in plan.of_type(SECRET_ROTATION):
        days = rotation.get("rotationRules", "automaticallyAfterDays")
        schedule = rotation.get("rotationRules", "scheduleExpression")
        stack = _rotation_stack(plan, str(rotation.get("rotationLambdaArn", default="")))
        if rotation.get("secretId") not in secrets:
            problems.append(f"{rotation.name}: rotates no secret of the plan")
        elif stack is None:
            problems.append(f"{rotation.name}: its function is not AWS's RDS rotation function")
        elif not (schedule or (days and days <= MAX_ROTATION_DAYS)):
            problems.append(f"{rotation.name}: rotates every {days} days (at most 90)")
        elif not _reaches(stack, groups & admitted, private):
            problems.append(
                f"{rotation.name}: the function cannot reach the database (its security group "
                "must be admitted by the database's, its subnets private ones with a NAT)"
            )
        else:
            good.append(rotation.name)
    if problems:
        return False, "; ".join(problems)
    if not good:
        return False, "no Secrets Manager rotation for the database's master secret"
    return True, f"rotated: {', '.join(good)}"


def _rotation_stack(plan: Plan, arn: str) -> PlannedResource | None:
    from propctl.provision.policies import RDS_ROTATION_APP, SAR_STACK

    for stack in plan.of_type(SAR_STACK):
        function = stack.get("parameters", "functionName", default="")
        if (
            function
            and arn.endswith(f":function:{function}")
            and RDS_ROTATION_APP.match(str(stack.get("applicationId", default="")))
        ):
            return stack
    return None


def _reaches(stack: PlannedResource, groups: set[str], private: set[str]) -> bool:
    ids = set(str(stack.get("parameters", "vpcSecurityGroupIds", default="")).split(","))
    subnets = set(str(stack.get("parameters", "vpcSubnetIds", default="")).split(","))
    return bool(ids & groups) and bool(subnets) and subnets <= private


# ---- security groups in use ------------------------------------------------------------------

# Where a resource names the security groups its network interfaces get.
SG_USERS = {
    "aws:ec2/launchTemplate:LaunchTemplate": ("vpcSecurityGroupIds",),
    "aws:ec2/instance:Instance": ("vpcSecurityGroupIds",),
    "aws:rds/instance:Instance": ("vpcSecurityGroupIds",),
    "aws:elasticache/replicationGroup:ReplicationGroup": ("securityGroupIds",),
    "aws:ec2/vpcEndpoint:VpcEndpoint": ("securityGroupIds",),
    "aws:lambda/function:Function": ("vpcConfig", "securityGroupIds"),
    "aws:eks/cluster:Cluster": ("vpcConfig", "securityGroupIds"),
}


@policy("security-groups-attached", "every security group is attached to something it guards")
def _attached(plan: Plan) -> Verdict:
    from propctl.provision.policies import SAR_STACK

    groups = plan.of_type(SG)
    if not groups:
        return False, "no security group in the plan"
    used: set[str] = set()
    for kind, path in SG_USERS.items():
        for r in plan.of_type(kind):
            used |= {str(i) for i in r.get(*path, default=[]) or []}
    for stack in plan.of_type(SAR_STACK):  # a function the stack creates gets these groups
        used |= set(str(stack.get("parameters", "vpcSecurityGroupIds", default="")).split(","))
    idle = [g.name for g in groups if g.id not in used]
    if idle:
        return False, f"attached to nothing (delete them or attach them): {', '.join(idle)}"
    return True, f"{len(groups)} security groups, each attached"


# ---- GitHub OIDC trust ----------------------------------------------------------------------


@policy("iam-github-trust-scoped", "roles GitHub Actions assumes trust one repository and audience")
def _github_trust(plan: Plan) -> Verdict:
    roles = _github_roles(plan)
    problems = []
    for role in roles:
        for s in _trust(role):
            if GITHUB not in _federated(s):
                continue
            equals, like = _conditions(s, "StringEquals"), _conditions(s, "StringLike")
            aud = equals.get(f"{GITHUB}:aud")
            subs = equals.get(f"{GITHUB}:sub") or like.get(f"{GITHUB}:sub")
            subs = [subs] if isinstance(subs, str) else list(subs or [])
            if aud != "sts.amazonaws.com":
                problems.append(f"{role.name}: audience not pinned to sts.amazonaws.com")
            if not subs or any(not _scoped(sub) for sub in subs):
                problems.append(
                    f"{role.name}: subject {subs or 'unset'} lets other repositories or "
                    "branches assume it; name repo:OWNER/NAME:environment:ENV"
                )
    if not roles:  # absence is not evidence: there is nothing scoped to judge
        return False, "no role trusts GitHub Actions' OIDC provider: nothing to judge"
    if problems:
        return False, "; ".join(problems)
    return True, f"{', '.join(r.name for r in roles)}: one repository, audience sts.amazonaws.com"


def _scoped(sub: str) -> bool:
    parts = sub.split(":")
    return len(parts) >= 4 and parts[0] == "repo" and "/" in parts[1] and "*" not in sub
