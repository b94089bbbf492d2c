"""The EKS cluster: private API endpoint (public only from configured CIDRs), every
control-plane log type, secrets encrypted with a KMS key, a managed node group scaling 3-10 in
the private subnets with IMDSv2 required, IRSA through the cluster's OIDC provider, and the
managed add-ons (addons.py). The Kubernetes version is the stack's `clusterVersion`, else the
newest in standard support on the run's date (versions.yaml)."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from propmubi_infra import addons, kms, versions
from propmubi_infra.settings import CONTROL_PLANE_LOG_TYPES, Settings

# The root CA of the EKS OIDC issuers (Amazon Root CA 1's thumbprint, as AWS documents).
OIDC_THUMBPRINT = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280"


def _assume(service: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": service}}
            ],
        }
    )


def _role(
    name: str,
    s: Settings,
    service: str,
    policies: list[str],
    description: str,
    child: pulumi.ResourceOptions,
) -> aws.iam.Role:
    role = aws.iam.Role(
        name,
        assume_role_policy=_assume(service),
        description=description,
        tags=s.tags(name),
        opts=child,
    )
    for policy in policies:
        aws.iam.RolePolicyAttachment(
            f"{name}-{policy.rsplit('/', 1)[-1]}", role=role.name, policy_arn=policy, opts=child
        )
    return role


class Cluster(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        settings: Settings,
        private_subnet_ids: list[pulumi.Output],
        node_security_group: aws.ec2.SecurityGroup,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("propmubi:infra:Cluster", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        s = settings
        key = kms.key(f"{name}-secrets-key", s, "EKS secrets encryption", child)
        role = _role(
            f"{name}-role",
            s,
            "eks.amazonaws.com",
            ["arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"],
            "EKS control plane",
            child,
        )
        self.cluster = aws.eks.Cluster(
            name,
            name=s.name("eks"),
            role_arn=role.arn,
            version=s.cluster_version or versions.eks_version(versions.run_date()),
            vpc_config=aws.eks.ClusterVpcConfigArgs(
                subnet_ids=private_subnet_ids,
                endpoint_private_access=True,
                endpoint_public_access=bool(s.public_access_cidrs),
                public_access_cidrs=s.public_access_cidrs or None,
            ),
            enabled_cluster_log_types=CONTROL_PLANE_LOG_TYPES,
            encryption_config=aws.eks.ClusterEncryptionConfigArgs(
                resources=["secrets"],
                provider=aws.eks.ClusterEncryptionConfigProviderArgs(key_arn=key.arn),
            ),
            # Access is granted by explicit entries only (access.py): the creator (the admin
            # role running `up`) would otherwise get an implicit entry, and the explicit one
            # for the same role would fail with ResourceInUseException.
            access_config=aws.eks.ClusterAccessConfigArgs(
                authentication_mode="API", bootstrap_cluster_creator_admin_permissions=False
            ),
            deletion_protection=s.deletion_protection,
            tags=s.tags("eks"),
            opts=child,
        )
        self.oidc_provider = aws.iam.OpenIdConnectProvider(
            f"{name}-oidc",
            url=self.cluster.identities[0].oidcs[0].issuer,
            client_id_lists=["sts.amazonaws.com"],
            thumbprint_lists=[OIDC_THUMBPRINT],
            tags=s.tags("eks-oidc"),
            opts=child,
        )
        self.node_group = self._node_group(name, s, private_subnet_ids, node_security_group, child)
        self.irsa_roles = addons.install(
            name, s, self.cluster, self.oidc_provider, self.node_group, child
        )
        self.register_outputs({"clusterName": self.cluster.name, "endpoint": self.cluster.endpoint})

    def _node_group(
        self,
        name: str,
        s: Settings,
        subnet_ids: list[pulumi.Output],
        node_sg: aws.ec2.SecurityGroup,
        child: pulumi.ResourceOptions,
    ) -> aws.eks.NodeGroup:
        role = _role(
            f"{name}-node-role",
            s,
            "ec2.amazonaws.com",
            [
                "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
                "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
                "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
            ],
            "EKS worker nodes",
            child,
        )
        template = aws.ec2.LaunchTemplate(
            f"{name}-nodes-lt",
            description="EKS nodes: IMDSv2 only, encrypted root volume",
            metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(
                http_endpoint="enabled",
                http_tokens="required",
                http_put_response_hop_limit=1,
                instance_metadata_tags="disabled",
            ),
            block_device_mappings=[
                aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
                    device_name="/dev/xvda",
                    ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
                        volume_size=50,
                        volume_type="gp3",
                        encrypted="true",
                        delete_on_termination="true",
                    ),
                )
            ],
            vpc_security_group_ids=[self.cluster.vpc_config.cluster_security_group_id, node_sg.id],
            update_default_version=True,
            tags=s.tags("eks-nodes-lt"),
            opts=child,
        )
        return aws.eks.NodeGroup(
            f"{name}-nodes",
            cluster_name=self.cluster.name,
            node_role_arn=role.arn,
            subnet_ids=subnet_ids,
            instance_types=s.node_instance_types,
            scaling_config=aws.eks.NodeGroupScalingConfigArgs(
                min_size=s.node_min_size, desired_size=s.node_desired_size, max_size=s.node_max_size
            ),
            update_config=aws.eks.NodeGroupUpdateConfigArgs(max_unavailable=1),
            launch_template=aws.eks.NodeGroupLaunchTemplateArgs(
                id=template.id, version=template.latest_version.apply(str)
            ),
            tags=s.tags("eks-nodes"),
            # The cluster autoscaler moves the desired size; a later `up` must not undo that.
            opts=pulumi.ResourceOptions.merge(
                child, pulumi.ResourceOptions(ignore_changes=["scalingConfig.desiredSize"])
            ),
        )
