"""ECR: one repository per service image and one per events worker image, named
`propmubi-<stack>-<service>` and `propmubi-<stack>-<service>-events-worker`: scanned on push,
tags immutable (an image is addressed by its commit), encrypted with a KMS key, and a lifecycle
policy that expires untagged layers and keeps the newest images."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from propmubi_infra import kms
from propmubi_infra.settings import Settings

KEEP_IMAGES = 100
UNTAGGED_DAYS = 7
LIFECYCLE = json.dumps(
    {
        "rules": [
            {
                "rulePriority": 1,
                "description": f"untagged images go after {UNTAGGED_DAYS} days",
                "selection": {
                    "tagStatus": "untagged",
                    "countType": "sinceImagePushed",
                    "countUnit": "days",
                    "countNumber": UNTAGGED_DAYS,
                },
                "action": {"type": "expire"},
            },
            {
                "rulePriority": 2,
                "description": f"keep the newest {KEEP_IMAGES} images",
                "selection": {
                    "tagStatus": "any",
                    "countType": "imageCountMoreThan",
                    "countNumber": KEEP_IMAGES,
                },
                "action": {"type": "expire"},
            },
        ]
    }
)


def image_names(s: Settings) -> list[str]:
    return [n for svc in s.services for n in (svc, f"{svc}-events-worker")]


class Registry(pulumi.ComponentResource):
    def __init__(
        self, name: str, settings: Settings, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("propmubi:infra:Registry", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        s = settings
        key = kms.key(f"{name}-key", s, "ECR image encryption", child)
        self.repositories: list[aws.ecr.Repository] = []
        self.urls: dict[str, pulumi.Output[str]] = {}
        for image in image_names(s):
            repo = aws.ecr.Repository(
                f"{name}-{image}",
                name=s.name(image),
                image_tag_mutability="IMMUTABLE",
                image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(
                    scan_on_push=True
                ),
                encryption_configurations=[
                    aws.ecr.RepositoryEncryptionConfigurationArgs(
                        encryption_type="KMS", kms_key=key.arn
                    )
                ],
                force_delete=False,
                tags=s.tags(image),
                opts=child,
            )
            aws.ecr.LifecyclePolicy(
                f"{name}-{image}-lifecycle", repository=repo.name, policy=LIFECYCLE, opts=child
            )
            self.repositories.append(repo)
            self.urls[image] = repo.repository_url
        self.register_outputs({"repositories": self.urls})
