"""The `propctl infra plan` tables: the resources the program would create (with the
properties worth reading for each type) and the policies, pass or fail each."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import RenderableType

    from propctl.provision.plan import Plan, PlannedResource
    from propctl.provision.policies import Outcome

PLAIN_WIDTH = 160  # `-o FILE`: wide enough for the key properties column
POLICY_STYLE = {"pass": "green", "fail": "bold red", "skip": "yellow"}


def plan_view(plan: Plan, outcomes: list[Outcome]) -> list[RenderableType]:
    """What `propctl infra plan` prints: resources, policies, and the count of each verdict."""
    from rich.table import Table

    resources = Table(
        title=f"{plan.project} / {plan.stack}: {len(plan.resources)} resources to create",
        title_justify="left",
    )
    resources.add_column("type", max_width=40, overflow="fold")
    resources.add_column("name", max_width=28, overflow="fold")
    resources.add_column("key properties", overflow="fold")
    for r in plan.resources:
        resources.add_row(r.type, r.name, key_properties(r))
    policies = Table(title="policies", title_justify="left")
    for column in ("status", "policy", "detail"):
        policies.add_column(column, overflow="fold")
    for o in outcomes:
        policies.add_row(f"[{POLICY_STYLE[o.status]}]{o.status}[/]", o.name, o.message)
    counts = {s: sum(o.status == s for o in outcomes) for s in ("pass", "fail", "skip")}
    summary = f"{counts['pass']} passed, {counts['fail']} failed, {counts['skip']} skipped"
    return [resources, policies, summary]


KEY_PROPERTIES: dict[str, tuple[str, ...]] = {
    "aws:ec2/vpc:Vpc": ("cidrBlock",),
    "aws:ec2/subnet:Subnet": ("cidrBlock", "availabilityZone"),
    "aws:ec2/flowLog:FlowLog": ("trafficType", "logDestinationType"),
    "aws:eks/cluster:Cluster": (
        "version",
        "vpcConfig.endpointPrivateAccess",
        "vpcConfig.endpointPublicAccess",
        "enabledClusterLogTypes",
    ),
    "aws:eks/nodeGroup:NodeGroup": ("scalingConfig", "instanceTypes"),
    "aws:ec2/launchTemplate:LaunchTemplate": ("metadataOptions.httpTokens",),
    "aws:rds/instance:Instance": (
        "instanceClass",
        "engineVersion",
        "multiAz",
        "backupRetentionPeriod",
        "storageEncrypted",
        "publiclyAccessible",
        "replicateSourceDb",
    ),
    "aws:elasticache/replicationGroup:ReplicationGroup": (
        "nodeType",
        "numCacheClusters",
        "multiAzEnabled",
        "automaticFailoverEnabled",
        "transitEncryptionEnabled",
    ),
    "aws:ec2/securityGroup:SecurityGroup": ("description",),
    "aws:kms/key:Key": ("enableKeyRotation",),
    "aws:kms/alias:Alias": ("name",),
    "aws:eks/addon:Addon": ("addonName",),
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": ("policyArn", "accessScope"),
    "aws:ecr/repository:Repository": ("name", "imageTagMutability"),
    "aws:cloudwatch/metricAlarm:MetricAlarm": ("metricName", "threshold"),
    "aws:budgets/budget:Budget": ("limitAmount", "timeUnit"),
}


def key_properties(resource: PlannedResource) -> str:
    parts = []
    for path in KEY_PROPERTIES.get(resource.type, ()):
        value: Any = resource.get(*path.split("."))
        if value is None:
            continue
        if isinstance(value, dict):
            value = " ".join(f"{k}={v}" for k, v in sorted(value.items()))
        elif isinstance(value, list):
            value = ",".join(str(v) for v in value)
        parts.append(f"{path.split('.')[-1]}={value}")
    return "  ".join(parts)
