"""Who may use the cluster. With `authentication_mode="API"` only access entries grant access:
the admin role named in stack config (`adminRoleName`) gets cluster admin, and the CI deploy
role - assumed by GitHub Actions through OIDC, only from the stack's GitHub environment -
gets admin in the environment's namespace (the roadmap's `environments`) and pushes to the
stack's ECR repositories.

The GitHub OIDC provider (token.actions.githubusercontent.com) is one per account, so it is
created at bootstrap (docs/infra.md), not here."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from propmubi_infra.settings import Settings

GITHUB_ISSUER = "token.actions.githubusercontent.com"
CLUSTER_ADMIN = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
NAMESPACE_ADMIN = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy"
ECR_PUSH = [
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:CompleteLayerUpload",
    "ecr:DescribeImages",
    "ecr:InitiateLayerUpload",
    "ecr:PutImage",
    "ecr:UploadLayerPart",
]


def grant(
    name: str,
    s: Settings,
    cluster: aws.eks.Cluster,
    repositories: list[aws.ecr.Repository],
    child: pulumi.ResourceOptions,
) -> aws.iam.Role | None:
    account = aws.get_caller_identity().account_id
    if s.admin_role_name:
        _entry(
            f"{name}-admin",
            s,
            cluster,
            f"arn:aws:iam::{account}:role/{s.admin_role_name}",
            CLUSTER_ADMIN,
            None,
            child,
        )
    if not s.github_repository:
        return None  # policy `cluster-access-entries` fails: nothing can deploy
    deploy = aws.iam.Role(
        f"{name}-deploy-role",
        name=s.name("deploy"),
        description=f"CI deploy role: GitHub Actions of {s.github_repository}, "
        f"environment {s.environment}",
        assume_role_policy=_github_trust(account, s),
        tags=s.tags("deploy"),
        opts=child,
    )
    aws.iam.RolePolicy(
        f"{name}-deploy-policy",
        role=deploy.id,
        policy=pulumi.Output.all(cluster.arn, *[r.arn for r in repositories]).apply(
            lambda arns: _deploy_policy(arns[0], arns[1:])
        ),
        opts=child,
    )
    _entry(
        f"{name}-deploy",
        s,
        cluster,
        deploy.arn,
        NAMESPACE_ADMIN,
        s.deploy_namespaces,
        child,
    )
    return deploy


def _entry(
    name: str,
    s: Settings,
    cluster: aws.eks.Cluster,
    principal: pulumi.Input[str],
    policy: str,
    namespaces: list[str] | None,
    child: pulumi.ResourceOptions,
) -> None:
    entry = aws.eks.AccessEntry(
        f"{name}-entry",
        cluster_name=cluster.name,
        principal_arn=principal,
        type="STANDARD",
        tags=s.tags(f"{name}-entry"),
        opts=child,
    )
    scope = (
        aws.eks.AccessPolicyAssociationAccessScopeArgs(type="namespace", namespaces=namespaces)
        if namespaces is not None
        else aws.eks.AccessPolicyAssociationAccessScopeArgs(type="cluster")
    )
    aws.eks.AccessPolicyAssociation(
        f"{name}-policy",
        cluster_name=cluster.name,
        principal_arn=entry.principal_arn,
        policy_arn=policy,
        access_scope=scope,
        opts=child,
    )


def _github_trust(account: str, s: Settings) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Principal": {
                        "Federated": f"arn:aws:iam::{account}:oidc-provider/{GITHUB_ISSUER}"
                    },
                    "Condition": {
                        "StringEquals": {
                            f"{GITHUB_ISSUER}:aud": "sts.amazonaws.com",
                            # Only jobs that declare `environment: <stack>` in this repository.
                            f"{GITHUB_ISSUER}:sub": (
                                f"repo:{s.github_repository}:environment:{s.environment}"
                            ),
                        }
                    },
                }
            ],
        }
    )


def _deploy_policy(cluster_arn: str, repository_arns: list[str]) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "EcrLogin",
                    "Effect": "Allow",
                    "Action": "ecr:GetAuthorizationToken",
                    "Resource": "*",
                },
                {
                    "Sid": "EcrPush",
                    "Effect": "Allow",
                    "Action": ECR_PUSH,
                    "Resource": repository_arns,
                },
                {
                    "Sid": "Kubeconfig",
                    "Effect": "Allow",
                    "Action": "eks:DescribeCluster",
                    "Resource": cluster_arn,
                },
            ],
        }
    )
