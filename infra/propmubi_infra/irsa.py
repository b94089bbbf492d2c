"""IAM roles for Kubernetes service accounts (IRSA): a role that only one service account of
the cluster may assume, through the cluster's OIDC provider."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from propmubi_infra.settings import Settings


def trust(provider: aws.iam.OpenIdConnectProvider, namespace: str, account: str) -> pulumi.Output:
    def document(args: list[str]) -> str:
        arn, url = args
        issuer = url.removeprefix("https://")
        return json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "sts:AssumeRoleWithWebIdentity",
                        "Principal": {"Federated": arn},
                        "Condition": {
                            "StringEquals": {
                                f"{issuer}:aud": "sts.amazonaws.com",
                                f"{issuer}:sub": f"system:serviceaccount:{namespace}:{account}",
                            }
                        },
                    }
                ],
            }
        )

    return pulumi.Output.all(provider.arn, provider.url).apply(document)


def role(
    name: str,
    s: Settings,
    provider: aws.iam.OpenIdConnectProvider,
    service_account: str,
    policy_arns: list[pulumi.Input[str]],
    description: str,
    opts: pulumi.ResourceOptions,
) -> aws.iam.Role:
    namespace, account = service_account.split("/")
    created = aws.iam.Role(
        name,
        assume_role_policy=trust(provider, namespace, account),
        description=description,
        tags=s.tags(name),
        opts=opts,
    )
    for i, arn in enumerate(policy_arns):
        aws.iam.RolePolicyAttachment(
            f"{name}-policy-{i}", role=created.name, policy_arn=arn, opts=opts
        )
    return created
