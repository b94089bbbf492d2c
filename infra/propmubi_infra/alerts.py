"""Where alerts go: an SNS topic (KMS-encrypted; CloudWatch and AWS Budgets may publish to it),
an e-mail subscription when `alarmEmail` is set, and a monthly cost budget
(`monthlyBudgetUsd`) that notifies the topic at 80 % forecast and 100 % actual spend."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from propmubi_infra import kms
from propmubi_infra.settings import Settings

PUBLISHERS = ["cloudwatch.amazonaws.com", "budgets.amazonaws.com"]


class Alerts(pulumi.ComponentResource):
    def __init__(
        self, name: str, settings: Settings, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("propmubi:infra:Alerts", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        s = settings
        key = kms.key(f"{name}-key", s, "alert topic", child, service=PUBLISHERS)
        self.topic = aws.sns.Topic(
            f"{name}-topic",
            name=s.name("alerts"),
            kms_master_key_id=key.arn,
            tags=s.tags("alerts"),
            opts=child,
        )
        account = aws.get_caller_identity().account_id
        aws.sns.TopicPolicy(
            f"{name}-topic-policy",
            arn=self.topic.arn,
            policy=self.topic.arn.apply(lambda arn: _publish_policy(arn, account)),
            opts=child,
        )
        if s.alarm_email:
            aws.sns.TopicSubscription(
                f"{name}-email",
                topic=self.topic.arn,
                protocol="email",
                endpoint=s.alarm_email,
                opts=child,
            )
        if s.monthly_budget_usd > 0:
            self._budget(name, s, child)
        self.register_outputs({"topicArn": self.topic.arn})

    def _budget(self, name: str, s: Settings, child: pulumi.ResourceOptions) -> None:
        notify = [
            ("FORECASTED", 80),
            ("ACTUAL", 100),
        ]
        aws.budgets.Budget(
            f"{name}-budget",
            name=s.name("monthly"),
            budget_type="COST",
            limit_amount=str(s.monthly_budget_usd),
            limit_unit="USD",
            time_unit="MONTHLY",
            notifications=[
                aws.budgets.BudgetNotificationArgs(
                    comparison_operator="GREATER_THAN",
                    notification_type=kind,
                    threshold=threshold,
                    threshold_type="PERCENTAGE",
                    subscriber_sns_topic_arns=[self.topic.arn],
                )
                for kind, threshold in notify
            ],
            tags=s.tags("monthly-budget"),
            opts=child,
        )


def _publish_policy(topic_arn: str, account: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "ServicesPublish",
                    "Effect": "Allow",
                    "Principal": {"Service": PUBLISHERS},
                    "Action": "SNS:Publish",
                    "Resource": topic_arn,
                    "Condition": {"StringEquals": {"aws:SourceAccount": account}},
                }
            ],
        }
    )
