"""Alerting and dashboards.

* :class:`AlertTopic`: an SNS topic encrypted with a customer-managed key
  that CloudWatch may use (D10), TLS-only, with optional e-mail subscribers.
* :class:`RegionalAlarms`: alarms on metrics that live in the app region
  (EC2/ASG, ALB).
* :class:`EdgeAlarms`: alarms on CloudFront metrics, which exist only in
  us-east-1 (D5); created by a stack in us-east-1.
* :class:`Dashboard`: one per environment; CloudFront widgets read from
  us-east-1.
"""

from __future__ import annotations

from typing import Sequence

from aws_cdk import (
    Duration,
    RemovalPolicy,
    aws_autoscaling as autoscaling,
    aws_cloudwatch as cloudwatch,
    aws_cloudwatch_actions as cw_actions,
    aws_elasticloadbalancingv2 as elbv2,
    aws_kms as kms,
    aws_sns as sns,
    aws_sns_subscriptions as subs,
)
from constructs import Construct

from webstack.constructs.keys import allow_cloudwatch_alarms

CLOUDFRONT_METRICS_REGION = "us-east-1"


class AlertTopic(Construct):
    """Attributes: ``topic`` (pages people), ``events_topic`` (routine events, for
    integrations), ``key``. Creates its own CMK unless one is given."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        emails: Sequence[str],
        removal_policy: RemovalPolicy,
        key: kms.IKey | None = None,
        with_events_topic: bool = False,
    ) -> None:
        super().__init__(scope, construct_id)
        if key is None:
            key = kms.Key(
                self,
                "Key",
                description="webstack alert topic",
                enable_key_rotation=True,
                removal_policy=removal_policy,
            )
            allow_cloudwatch_alarms(key)
        self.key = key
        self.topic = sns.Topic(self, "Topic", display_name="webstack alerts", master_key=key, enforce_ssl=True)
        for email in emails:
            self.topic.add_subscription(subs.EmailSubscription(email))
        self.events_topic: sns.Topic | None = None
        if with_events_topic:
            # Routine events (every scale-out and scale-in) would train people to
            # ignore the paging topic; they go here for dashboards or chat hooks.
            self.events_topic = sns.Topic(
                self, "EventsTopic", display_name="webstack events", master_key=key, enforce_ssl=True
            )


def _wire(alarm: cloudwatch.Alarm, topic: sns.ITopic) -> cloudwatch.Alarm:
    action = cw_actions.SnsAction(topic)
    alarm.add_alarm_action(action)
    alarm.add_ok_action(action)
    return alarm


class RegionalAlarms(Construct):
    """Alarms on the web tier. Attribute: ``alarms`` (name -> Alarm)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        topic: sns.ITopic,
        auto_scaling_group: autoscaling.AutoScalingGroup,
        load_balancer: elbv2.ApplicationLoadBalancer,
        cpu_high_percent: int,
        alb_5xx_count: int,
        evaluation_periods: int,
        period: Duration,
    ) -> None:
        super().__init__(scope, construct_id)
        cpu = cloudwatch.Metric(
            namespace="AWS/EC2",
            metric_name="CPUUtilization",
            dimensions_map={"AutoScalingGroupName": auto_scaling_group.auto_scaling_group_name},
            statistic="Average",
            period=period,
        )
        self.cpu_high = _wire(
            cpu.create_alarm(
                self,
                "AsgCpuHigh",
                alarm_description=(
                    f"Average CPU of the web instances has been above {cpu_high_percent}% for "
                    f"{evaluation_periods} periods although scaling tracks CPU: check whether the group is at "
                    "max capacity and which requests are expensive."
                ),
                threshold=cpu_high_percent,
                evaluation_periods=evaluation_periods,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                # No data means no instances reporting: the in-service alarm covers that.
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            ),
            topic,
        )
        elb_5xx = load_balancer.metrics.http_code_elb(
            elbv2.HttpCodeElb.ELB_5XX_COUNT, statistic="Sum", period=period
        )
        self.alb_5xx = _wire(
            elb_5xx.create_alarm(
                self,
                "Alb5xx",
                alarm_description=(
                    f"The load balancer itself returned more than {alb_5xx_count} 5xx responses per period: "
                    "usually no healthy targets (check target health and the instances' nginx) or timeouts."
                ),
                threshold=alb_5xx_count,
                evaluation_periods=evaluation_periods,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                # ELB publishes no datapoint when nothing failed.
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            ),
            topic,
        )
        self.alarms = {"AsgCpuHigh": self.cpu_high, "Alb5xx": self.alb_5xx}


def cloudfront_metric(distribution_id: str, metric_name: str, *, statistic: str, period: Duration) -> cloudwatch.Metric:
    """A CloudFront metric; they are published in us-east-1 only (D5)."""
    return cloudwatch.Metric(
        namespace="AWS/CloudFront",
        metric_name=metric_name,
        dimensions_map={"DistributionId": distribution_id, "Region": "Global"},
        statistic=statistic,
        period=period,
        region=CLOUDFRONT_METRICS_REGION,
    )


class EdgeAlarms(Construct):
    """CloudFront alarms; must be created in a us-east-1 stack (D5)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        topic: sns.ITopic,
        distribution_id: str,
        error_rate_4xx_percent: int,
        evaluation_periods: int,
        period: Duration,
    ) -> None:
        super().__init__(scope, construct_id)
        rate_4xx = cloudfront_metric(distribution_id, "4xxErrorRate", statistic="Average", period=period)
        self.error_rate_4xx = _wire(
            rate_4xx.create_alarm(
                self,
                "CloudFront4xxRate",
                alarm_description=(
                    f"More than {error_rate_4xx_percent}% of viewer requests got a 4xx: check for a broken "
                    "deploy of static content (missing objects) or a client hammering bad URLs."
                ),
                threshold=error_rate_4xx_percent,
                evaluation_periods=evaluation_periods,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            ),
            topic,
        )
        self.alarms = {"CloudFront4xxRate": self.error_rate_4xx}


class Dashboard(Construct):
    """Golden signals of the environment on one page."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        load_balancer: elbv2.ApplicationLoadBalancer,
        auto_scaling_group: autoscaling.AutoScalingGroup,
        distribution_id: str,
        alarms: Sequence[cloudwatch.IAlarm],
        period: Duration,
    ) -> None:
        super().__init__(scope, construct_id)
        lb = load_balancer.metrics
        asg_name = auto_scaling_group.auto_scaling_group_name
        cpu = cloudwatch.Metric(
            namespace="AWS/EC2",
            metric_name="CPUUtilization",
            dimensions_map={"AutoScalingGroupName": asg_name},
            statistic="Average",
            period=period,
        )
        self.dashboard = cloudwatch.Dashboard(self, "Dashboard", default_interval=Duration.hours(3))
        self.dashboard.add_widgets(
            cloudwatch.AlarmStatusWidget(title="Alarms", alarms=list(alarms), width=24, height=3),
        )
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(title="ALB requests", left=[lb.request_count(period=period)], width=8),
            cloudwatch.GraphWidget(
                title="ALB 5xx (ELB and targets)",
                left=[
                    lb.http_code_elb(elbv2.HttpCodeElb.ELB_5XX_COUNT, period=period),
                    lb.http_code_target(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, period=period),
                ],
                width=8,
            ),
            cloudwatch.GraphWidget(title="Web instances CPU", left=[cpu], width=8),
        )
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="CloudFront requests (us-east-1)",
                left=[cloudfront_metric(distribution_id, "Requests", statistic="Sum", period=period)],
                width=12,
            ),
            cloudwatch.GraphWidget(
                title="CloudFront error rates (us-east-1)",
                left=[
                    cloudfront_metric(distribution_id, "4xxErrorRate", statistic="Average", period=period),
                    cloudfront_metric(distribution_id, "5xxErrorRate", statistic="Average", period=period),
                ],
                width=12,
            ),
        )
