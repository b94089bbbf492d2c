"""ElastiCache Redis: a replication group of three nodes across the zones, Multi-AZ with
automatic failover, encrypted at rest (KMS) and in transit, an AUTH token generated here and
kept in Secrets Manager, and daily snapshots."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from propmubi_infra import kms, versions
from propmubi_infra.security import REDIS_PORT
from propmubi_infra.settings import Settings


class Cache(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        settings: Settings,
        private_subnet_ids: list[pulumi.Output],
        security_group: aws.ec2.SecurityGroup,
        azs: list[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("propmubi:infra:Cache", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        s = settings
        key = kms.key(f"{name}-key", s, "ElastiCache at-rest encryption, auth token", child)
        subnets = aws.elasticache.SubnetGroup(
            f"{name}-subnets",
            subnet_ids=private_subnet_ids,
            description="Private subnets for ElastiCache",
            tags=s.tags("cache-subnets"),
            opts=child,
        )
        token = random.RandomPassword(f"{name}-auth-token", length=64, special=False, opts=child)
        self.secret = aws.secretsmanager.Secret(
            f"{name}-auth",
            name=s.name("cache-auth-token"),
            kms_key_id=key.arn,
            description="AUTH token of the ElastiCache Redis replication group",
            recovery_window_in_days=30 if s.is_production else 7,
            tags=s.tags("cache-auth"),
            opts=child,
        )
        aws.secretsmanager.SecretVersion(
            f"{name}-auth-value", secret_id=self.secret.id, secret_string=token.result, opts=child
        )
        self.group = aws.elasticache.ReplicationGroup(
            f"{name}-redis",
            replication_group_id=s.name("redis"),
            description=f"propmubi {s.environment} Redis",
            engine="redis",
            engine_version=versions.redis_version(),
            node_type=s.cache_node_type,
            port=REDIS_PORT,
            num_cache_clusters=s.cache_nodes,
            preferred_cache_cluster_azs=azs[: s.cache_nodes],
            automatic_failover_enabled=True,
            multi_az_enabled=True,
            at_rest_encryption_enabled=True,
            kms_key_id=key.arn,
            transit_encryption_enabled=True,
            auth_token=token.result,
            snapshot_retention_limit=s.cache_snapshot_retention_days,
            snapshot_window="01:00-02:00",
            maintenance_window="sun:04:30-sun:05:30",
            subnet_group_name=subnets.name,
            security_group_ids=[security_group.id],
            auto_minor_version_upgrade=True,
            apply_immediately=False,
            tags=s.tags("redis"),
            opts=child,
        )
        self.register_outputs({"primaryEndpoint": self.group.primary_endpoint_address})
