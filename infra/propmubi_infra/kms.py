"""Customer-managed KMS keys, one per purpose, rotated yearly."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from propmubi_infra.settings import Settings


def key(name: str, settings: Settings, purpose: str,
        opts: pulumi.ResourceOptions | None = None) -> aws.kms.Key:
    k = aws.kms.Key(name, description=f"propmubi {settings.environment}: {purpose}",
                    enable_key_rotation=True, deletion_window_in_days=30,
                    tags=settings.tags(name), opts=opts)
    aws.kms.Alias(f"{name}-alias", name=f"alias/{settings.name(name.split('-', 1)[-1])}",
                  target_key_id=k.key_id, opts=opts)
    return k
