"""Which properties of a planned resource the `infra plan` table shows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from propctl.provision.plan import PlannedResource

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
