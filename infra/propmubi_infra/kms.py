"""Customer-managed KMS keys, one per purpose, rotated yearly, each with an explicit key policy:
the account administers it; the services named may use it."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from propmubi_infra.settings import Settings


def key(
    name: str,
    settings: Settings,
    purpose: str,
    opts: pulumi.ResourceOptions | None = None,
    service: str | list[str] | None = None,
) -> aws.kms.Key:
    services = [service] if isinstance(service, str) else list(service or [])
    k = aws.kms.Key(
        name,
        description=f"propmubi {settings.environment}: {purpose}",
        enable_key_rotation=True,
        deletion_window_in_days=30,
        policy=_policy(services),
        tags=settings.tags(name),
        opts=opts,
    )
    # The whole logical name: aliases are unique per account and region, and two keys of one
    # stack that shared a suffix ("database-key", "cache-key") would collide.
    aws.kms.Alias(
        f"{name}-alias", name=f"alias/{settings.name(name)}", target_key_id=k.key_id, opts=opts
    )
    return k


def _policy(services: list[str]) -> str:
    account = aws.get_caller_identity().account_id
    statements: list[dict[str, object]] = [
        {
            "Sid": "AccountAdministers",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
            "Action": "kms:*",
            "Resource": "*",
        }
    ]
    if services:
        statements.append(
            {
                "Sid": "ServiceUses",
                "Effect": "Allow",
                "Principal": {"Service": services[0] if len(services) == 1 else services},
                "Action": [
                    "kms:Encrypt*",
                    "kms:Decrypt*",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                    "kms:Describe*",
                ],
                "Resource": "*",
            }
        )
    return json.dumps({"Version": "2012-10-17", "Statement": statements})
