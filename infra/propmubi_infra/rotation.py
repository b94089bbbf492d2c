"""Rotation of the database's master secret: AWS's single-user rotation function for RDS
PostgreSQL, deployed from the Serverless Application Repository into the private subnets (it
reaches Secrets Manager through the NAT and the database on 5432), and a rotation schedule.

The replica follows the primary's password by replication. Pulumi keeps the first password in
its state but never pushes it again unless its RandomPassword is replaced; the secret's version
ignores later changes (database.py), so a rotated password is not put back."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from propmubi_infra.settings import Settings

APPLICATION = (
    "arn:aws:serverlessrepo:us-east-1:297356227824:applications/"
    "SecretsManagerRDSPostgreSQLRotationSingleUser"
)
ROTATE_EVERY_DAYS = 30


def rotate(
    name: str,
    s: Settings,
    secret: aws.secretsmanager.Secret,
    key: aws.kms.Key,
    subnet_ids: list[pulumi.Output],
    group: aws.ec2.SecurityGroup,
    child: pulumi.ResourceOptions,
) -> aws.secretsmanager.SecretRotation:
    region = aws.get_region().region
    function = aws.serverlessrepository.CloudFormationStack(
        f"{name}-rotation-function",
        name=s.name("db-rotation"),
        application_id=APPLICATION,
        capabilities=["CAPABILITY_IAM", "CAPABILITY_RESOURCE_POLICY"],
        parameters={
            "endpoint": f"https://secretsmanager.{region}.amazonaws.com",
            "functionName": s.name("db-rotation"),
            "vpcSubnetIds": pulumi.Output.all(*subnet_ids).apply(",".join),
            "vpcSecurityGroupIds": group.id,
            "kmsKeyArn": key.arn,  # the function may decrypt and re-encrypt the secret
        },
        tags=s.tags("db-rotation"),
        opts=child,
    )
    return aws.secretsmanager.SecretRotation(
        f"{name}-rotation",
        secret_id=secret.id,
        rotation_lambda_arn=function.outputs["RotationLambdaARN"],
        rotation_rules=aws.secretsmanager.SecretRotationRotationRulesArgs(
            automatically_after_days=ROTATE_EVERY_DAYS
        ),
        opts=child,
    )
