"""RDS PostgreSQL: Multi-AZ, KMS-encrypted, private, 30-day backups, IAM authentication,
Performance Insights, enhanced monitoring, log exports, SSL forced and queries logged by its
parameter group, a generated master password kept in Secrets Manager and rotated every 30 days
by AWS's rotation function (rotation.py), and a read replica.

The password is generated here rather than managed by RDS (`manage_master_user_password`)
because AWS cannot create a read replica of an instance whose password RDS manages.

Only the engine's major version is pinned (versions.yaml): RDS applies minor versions itself
(`auto_minor_version_upgrade`), and a pinned minor would be drift after each one. The replica
sets no backup retention: RDS for PostgreSQL read replicas do not support automated backups."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from propmubi_infra import kms, rotation, versions
from propmubi_infra.settings import Settings

LOG_EXPORTS = ["postgresql", "upgrade"]


class Database(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        settings: Settings,
        private_subnet_ids: list[pulumi.Output],
        security_group: aws.ec2.SecurityGroup,
        rotation_group: aws.ec2.SecurityGroup,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("propmubi:infra:Database", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        s = settings
        major = versions.postgres_major()
        key = kms.key(f"{name}-key", s, "RDS storage, Performance Insights, secret", child)
        subnets = aws.rds.SubnetGroup(
            f"{name}-subnets",
            subnet_ids=private_subnet_ids,
            description="Private subnets for RDS",
            tags=s.tags("db-subnets"),
            opts=child,
        )
        params = aws.rds.ParameterGroup(
            f"{name}-params",
            family=f"postgres{major}",
            description="Force SSL; log slow queries, DDL and connections",
            parameters=[
                aws.rds.ParameterGroupParameterArgs(
                    name="rds.force_ssl", value="1", apply_method="pending-reboot"
                ),
                aws.rds.ParameterGroupParameterArgs(name="log_statement", value="ddl"),
                aws.rds.ParameterGroupParameterArgs(name="log_min_duration_statement", value="500"),
                aws.rds.ParameterGroupParameterArgs(name="log_connections", value="1"),
                aws.rds.ParameterGroupParameterArgs(name="log_disconnections", value="1"),
            ],
            tags=s.tags("db-params"),
            opts=child,
        )
        password = random.RandomPassword(
            f"{name}-password",
            length=32,
            special=True,
            override_special="!#$%^&*()-_=+[]{}<>:?",
            opts=child,
        )
        self.secret = aws.secretsmanager.Secret(
            f"{name}-master",
            name=s.name("db-master"),
            kms_key_id=key.arn,
            description="Master credentials of the RDS PostgreSQL primary",
            recovery_window_in_days=30 if s.is_production else 7,
            tags=s.tags("db-master"),
            opts=child,
        )
        monitoring = aws.iam.Role(
            f"{name}-monitoring",
            description="RDS enhanced monitoring",
            assume_role_policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": "sts:AssumeRole",
                            "Principal": {"Service": "monitoring.rds.amazonaws.com"},
                        }
                    ],
                }
            ),
            tags=s.tags("db-monitoring"),
            opts=child,
        )
        aws.iam.RolePolicyAttachment(
            f"{name}-monitoring-policy",
            role=monitoring.name,
            opts=child,
            policy_arn="arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
        )
        common = dict(
            instance_class=s.db_instance_class,
            storage_encrypted=True,
            kms_key_id=key.arn,
            publicly_accessible=s.db_publicly_accessible,
            vpc_security_group_ids=[security_group.id],
            parameter_group_name=params.name,
            iam_database_authentication_enabled=True,
            performance_insights_enabled=True,
            performance_insights_kms_key_id=key.arn,
            performance_insights_retention_period=7,
            monitoring_interval=60,
            monitoring_role_arn=monitoring.arn,
            enabled_cloudwatch_logs_exports=LOG_EXPORTS,
            auto_minor_version_upgrade=True,
            copy_tags_to_snapshot=True,
            deletion_protection=s.deletion_protection,
            storage_type="gp3",
        )
        self.primary = aws.rds.Instance(
            f"{name}-primary",
            identifier=s.name("db"),
            engine="postgres",
            engine_version=major,
            allocated_storage=s.db_allocated_storage,
            max_allocated_storage=s.db_allocated_storage * 4,
            db_name="propmubi",
            username="propmubi",
            password=password.result,
            db_subnet_group_name=subnets.name,
            multi_az=True,
            backup_retention_period=s.db_backup_retention_days,
            backup_window="02:00-03:00",
            maintenance_window="sun:03:30-sun:04:30",
            skip_final_snapshot=False,
            final_snapshot_identifier=s.name("db-final"),
            tags=s.tags("db"),
            **common,
            opts=child,
        )
        self.replica = aws.rds.Instance(
            f"{name}-replica",
            identifier=s.name("db-replica"),
            replicate_source_db=self.primary.identifier,
            multi_az=s.db_replica_multi_az,
            skip_final_snapshot=True,
            tags=s.tags("db-replica"),
            **common,
            opts=child,
        )
        self._credentials(name, password, child)
        rotation.rotate(name, s, self.secret, key, private_subnet_ids, rotation_group, child)
        self.register_outputs(
            {"primaryEndpoint": self.primary.endpoint, "replicaEndpoint": self.replica.endpoint}
        )

    def _credentials(
        self, name: str, password: random.RandomPassword, child: pulumi.ResourceOptions
    ) -> None:
        """The secret's value in the shape the rotation function reads. Once rotation has
        changed it, Pulumi must not put the first password back: it ignores later changes to
        the value and to which version is current."""
        value = pulumi.Output.all(password.result, self.primary.address).apply(
            lambda args: json.dumps(
                {
                    "engine": "postgres",
                    "host": args[1],
                    "port": 5432,
                    "dbname": "propmubi",
                    "username": "propmubi",
                    "password": args[0],
                }
            )
        )
        aws.secretsmanager.SecretVersion(
            f"{name}-master-value",
            secret_id=self.secret.id,
            secret_string=pulumi.Output.secret(value),
            opts=pulumi.ResourceOptions.merge(
                child, pulumi.ResourceOptions(ignore_changes=["secretString", "versionStages"])
            ),
        )
