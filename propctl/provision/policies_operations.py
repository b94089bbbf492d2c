"""Policies for a platform that works once created (issue 15, item 1): who can reach the
cluster, the add-ons it needs, an image registry for every service, alarms that reach someone,
a budget, and GitHub's OIDC trust scoped to one repository. Registered into
`policies.POLICIES` when that module loads."""

from __future__ import annotations

import json
from typing import Any

from propctl.provision.plan import Plan, PlannedResource
from propctl.provision.policies import EKS, RDS, REDIS, Verdict, policy
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
