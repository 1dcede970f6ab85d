"""``AwsCostGuard``: an ``aws.budgets.Budget`` on an AWS site, filtered by the
``hybridplan:site`` cost-allocation tag, alerting an SNS topic (and optional e-mails) at
thresholds of the plan's monthly cost for the site."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from .aws_names import budget_name, policy_document
from .labels import cost_tags
from .spec import AwsCostGuardArgs

GUARD_TYPE = "hybridplan:aws:AwsCostGuard"


def budget_notifications(
    thresholds_pct: tuple[int, ...], emails: tuple[str, ...], topic_arn: pulumi.Input[str]
) -> list[dict[str, Any]]:
    """Budget notifications: actual spend above each threshold, and forecast above 100 %,
    each to the SNS topic and the alert e-mails (if any)."""
    subscribers: dict[str, Any] = {"subscriber_sns_topic_arns": [topic_arn]}
    if emails:
        subscribers["subscriber_email_addresses"] = list(emails)
    alerts = [("ACTUAL", pct) for pct in sorted(set(thresholds_pct))] + [("FORECASTED", 100)]
    return [
        {
            "comparison_operator": "GREATER_THAN",
            "notification_type": kind,
            "threshold": pct,
            "threshold_type": "PERCENTAGE",
            **subscribers,
        }
        for kind, pct in alerts
    ]


def budget_topic_policy(topic_arn: str, account_id: str) -> str:
    """Only AWS Budgets of this account may publish to the alert topic."""
    return policy_document(
        {
            "Sid": "AllowBudgetsToPublish",
            "Effect": "Allow",
            "Principal": {"Service": "budgets.amazonaws.com"},
            "Action": "SNS:Publish",
            "Resource": topic_arn,
            "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
        }
    )


class AwsCostGuard(pulumi.ComponentResource):
    """A monthly cost budget on the site's tagged spend, alerting an SNS topic."""

    topic: aws.sns.Topic
    budget: aws.budgets.Budget

    def __init__(
        self, name: str, args: AwsCostGuardArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(GUARD_TYPE, name, None, opts)
        stack = args.stack
        tags = cost_tags(stack, **{"hybridplan:component": "cost-guard"})
        child = pulumi.ResourceOptions(parent=self)
        self.topic = aws.sns.Topic(
            "budget-alerts",
            name_prefix=f"hybridplan-{stack.site}-budget-",
            # No SSE with the AWS-managed SNS key: AWS Budgets cannot publish to it.
            tags=tags,
            opts=child,
        )
        identity = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self))
        aws.sns.TopicPolicy(
            "budget-alerts-policy",
            arn=self.topic.arn,
            policy=pulumi.Output.all(self.topic.arn, identity.account_id).apply(
                lambda v: budget_topic_policy(v[0], v[1])
            ),
            opts=child,
        )
        notifications = budget_notifications(
            args.alert_thresholds_pct, args.alert_emails, self.topic.arn
        )
        self.budget = aws.budgets.Budget(
            "budget",
            name=budget_name(stack.site, stack.env),
            budget_type="COST",
            limit_amount=args.usd_per_month,
            limit_unit="USD",
            time_unit="MONTHLY",
            cost_filters=[
                {"name": "TagKeyValue", "values": [f"user:hybridplan:site${stack.site}"]}
            ],
            notifications=notifications,
            tags=tags,
            opts=child,
        )
        self.register_outputs({"budget": self.budget.name})
