"""The cluster's managed add-ons (VPC CNI, CoreDNS, kube-proxy, the EBS CSI driver with its
IRSA role) and the IRSA role of the AWS Load Balancer Controller.

The controller itself is a Helm chart installed with the cluster's Kubernetes manifests (the
ingress of `propctl scaffold ingress`), into kube-system under the service account
`aws-load-balancer-controller`. Its IAM policy belongs to the controller's version, so it is
created at bootstrap from that version's `iam_policy.json` (docs/infra.md) and attached here
by name. Add-on versions are left to EKS: it installs the default version for the cluster's
Kubernetes version."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from propmubi_infra import irsa
from propmubi_infra.settings import Settings

EBS_CSI_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"
EBS_CSI_ACCOUNT = "kube-system/ebs-csi-controller-sa"
LBC_ACCOUNT = "kube-system/aws-load-balancer-controller"
LBC_POLICY_NAME = "AWSLoadBalancerControllerIAMPolicy"
# Installed before the nodes exist: networking. After: those that run pods.
BEFORE_NODES = ("vpc-cni", "kube-proxy")
AFTER_NODES = ("coredns",)


def install(
    name: str,
    s: Settings,
    cluster: aws.eks.Cluster,
    provider: aws.iam.OpenIdConnectProvider,
    node_group: aws.eks.NodeGroup,
    child: pulumi.ResourceOptions,
) -> dict[str, aws.iam.Role]:
    for addon in BEFORE_NODES:
        _addon(f"{name}-{addon}", cluster, addon, None, child)
    after = pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[node_group]))
    for addon in AFTER_NODES:
        _addon(f"{name}-{addon}", cluster, addon, None, after)
    ebs_role = irsa.role(
        f"{name}-ebs-csi-role",
        s,
        provider,
        EBS_CSI_ACCOUNT,
        [EBS_CSI_POLICY],
        "EBS CSI driver (IRSA: kube-system/ebs-csi-controller-sa)",
        child,
    )
    _addon(f"{name}-aws-ebs-csi-driver", cluster, "aws-ebs-csi-driver", ebs_role, after)
    account = aws.get_caller_identity().account_id
    lbc_role = irsa.role(
        f"{name}-lb-controller-role",
        s,
        provider,
        LBC_ACCOUNT,
        [f"arn:aws:iam::{account}:policy/{LBC_POLICY_NAME}"],
        "AWS Load Balancer Controller (IRSA: kube-system/aws-load-balancer-controller)",
        child,
    )
    return {"ebs-csi": ebs_role, "lb-controller": lbc_role}


def _addon(
    name: str,
    cluster: aws.eks.Cluster,
    addon: str,
    role: aws.iam.Role | None,
    opts: pulumi.ResourceOptions,
) -> aws.eks.Addon:
    return aws.eks.Addon(
        name,
        cluster_name=cluster.name,
        addon_name=addon,
        service_account_role_arn=role.arn if role else None,
        resolve_conflicts_on_create="OVERWRITE",
        resolve_conflicts_on_update="PRESERVE",
        opts=opts,
    )
