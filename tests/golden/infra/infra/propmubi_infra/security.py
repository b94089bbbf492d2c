"""Security groups: one for the cluster's nodes, one for the database, one for the cache, one for
the database secret's rotation function. Every group and rule has a description; the cache
admits only the nodes, the database the nodes and the rotation function; nothing admits
0.0.0.0/0."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from propmubi_infra.settings import Settings

POSTGRES_PORT = 5432
REDIS_PORT = 6379


class SecurityGroups(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        settings: Settings,
        vpc: aws.ec2.Vpc,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("propmubi:infra:SecurityGroups", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        s = settings
        self.nodes = aws.ec2.SecurityGroup(
            f"{name}-nodes",
            vpc_id=vpc.id,
            tags=s.tags("nodes-sg"),
            description="EKS worker nodes: traffic between nodes, HTTPS out",
            ingress=[
                aws.ec2.SecurityGroupIngressArgs(
                    description="Node to node (pods, kubelet, CoreDNS)",
                    protocol="-1",
                    from_port=0,
                    to_port=0,
                    self=True,
                )
            ],
            egress=[
                aws.ec2.SecurityGroupEgressArgs(
                    description="HTTPS to AWS APIs and image registries through the NAT",
                    protocol="tcp",
                    from_port=443,
                    to_port=443,
                    cidr_blocks=["0.0.0.0/0"],
                ),
                aws.ec2.SecurityGroupEgressArgs(
                    description="Anything inside the VPC (database, cache, other nodes)",
                    protocol="-1",
                    from_port=0,
                    to_port=0,
                    cidr_blocks=[s.vpc_cidr],
                ),
            ],
            opts=child,
        )
        self.rotation = aws.ec2.SecurityGroup(
            f"{name}-rotation",
            vpc_id=vpc.id,
            tags=s.tags("rotation-sg"),
            description="Secrets Manager rotation function of the database secret",
            egress=[
                aws.ec2.SecurityGroupEgressArgs(
                    description="HTTPS to the Secrets Manager API through the NAT",
                    protocol="tcp",
                    from_port=443,
                    to_port=443,
                    cidr_blocks=["0.0.0.0/0"],
                ),
                aws.ec2.SecurityGroupEgressArgs(
                    description="PostgreSQL inside the VPC (the database it rotates)",
                    protocol="tcp",
                    from_port=POSTGRES_PORT,
                    to_port=POSTGRES_PORT,
                    cidr_blocks=[s.vpc_cidr],
                ),
            ],
            opts=child,
        )
        self.database = self._data_store(
            f"{name}-database",
            s,
            vpc,
            "database-sg",
            "RDS PostgreSQL: reachable only from EKS nodes and the rotation function",
            POSTGRES_PORT,
            "PostgreSQL from EKS nodes",
            child,
            (self.rotation, "PostgreSQL from the secret's rotation function"),
        )
        self.cache = self._data_store(
            f"{name}-cache",
            s,
            vpc,
            "cache-sg",
            "ElastiCache Redis: reachable only from EKS nodes",
            REDIS_PORT,
            "Redis (TLS) from EKS nodes",
            child,
        )
        self.register_outputs({})

    def _data_store(
        self,
        name: str,
        s: Settings,
        vpc: aws.ec2.Vpc,
        tag: str,
        description: str,
        port: int,
        rule: str,
        child: pulumi.ResourceOptions,
        *others: tuple[aws.ec2.SecurityGroup, str],
    ) -> aws.ec2.SecurityGroup:
        # No egress block: the provider removes AWS's default allow-all egress rule.
        return aws.ec2.SecurityGroup(
            name,
            vpc_id=vpc.id,
            description=description,
            tags=s.tags(tag),
            ingress=[
                aws.ec2.SecurityGroupIngressArgs(
                    description=text,
                    protocol="tcp",
                    from_port=port,
                    to_port=port,
                    security_groups=[group.id],
                )
                for group, text in [(self.nodes, rule), *others]
            ],
            opts=child,
        )
