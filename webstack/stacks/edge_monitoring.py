"""us-east-1 stack for what must live where CloudFront publishes metrics (D5)."""

from __future__ import annotations

from aws_cdk import CfnOutput
from constructs import Construct

from webstack.config import EnvironmentConfig
from webstack.constructs.observability import AlertTopic, EdgeAlarms, Topics
from webstack.constructs.retention import removal_policy
from webstack.stacks.base import EnvironmentStack
from webstack_pitfalls.aws import CLOUDFRONT_REGION


class EdgeMonitoringStack(EnvironmentStack):
    """CloudFront alarms and their own CMK-encrypted alert topic, in us-east-1."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        distribution_id: str,
        web_acl_metric_name: str | None = None,
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            config=config,
            region=CLOUDFRONT_REGION,
            purpose="CloudFront alarms (us-east-1, where CloudFront metrics live)",
        )
        alerts = AlertTopic(
            self,
            "Alerts",
            emails=config.alarms.emails,
            subscribers=config.alarms.subscribers,
            removal_policy=removal_policy(config.retain_data),
        )
        EdgeAlarms(
            self,
            "Alarms",
            topics=Topics(page=alerts.topic, events=alerts.events_topic),
            thresholds=config.alarms,
            distribution_id=distribution_id,
            web_acl_metric_name=web_acl_metric_name,
        )
        CfnOutput(self, "EdgeAlertTopicArn", value=alerts.topic.topic_arn)
