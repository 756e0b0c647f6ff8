"""Alerting and dashboards: golden signals, alarms worth waking up for.

* :class:`AlertTopic`: SNS topics encrypted with a customer-managed key that
  CloudWatch may use (D10), TLS-only, whose topic policy lets this account's
  alarms publish (D15): ``topic`` pages people, ``events_topic`` carries
  routine events and the individual alarms' state changes.
* :class:`RegionalAlarms`: the web tier (ALB, targets, ASG). Each alarm
  reports to the events topic; one composite "service degraded" alarm pages.
* :class:`EdgeAlarms`: CloudFront (and WAF) alarms, which must live in
  us-east-1 where those metrics are published (D5), with their own composite.
* :class:`Dashboard`: one per environment; CloudFront/WAF widgets read
  us-east-1.

Why hand-built widgets and not cdklabs/cdk-monitoring-constructs: it has no
alarms for a standalone ALB or an EC2 Auto Scaling Group (the core of this
platform), it adds a large jsii library to every synth (this project measures
synth time against an empty app), and the dashboard here is a dozen widgets
whose metrics the unit tests pin one by one.

Every alarm description says what it means and the first thing to check, and
links its runbook section (docs/runbook.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import (
    Aws,
    Duration,
    RemovalPolicy,
)
from aws_cdk import (
    aws_autoscaling as autoscaling,
)
from aws_cdk import (
    aws_cloudwatch as cloudwatch,
)
from aws_cdk import (
    aws_cloudwatch_actions as cw_actions,
)
from aws_cdk import (
    aws_elasticloadbalancingv2 as elbv2,
)
from aws_cdk import (
    aws_iam as iam,
)
from aws_cdk import (
    aws_kms as kms,
)
from aws_cdk import (
    aws_sns as sns,
)
from aws_cdk import (
    aws_sns_subscriptions as subs,
)
from aws_cdk import (
    aws_sqs as sqs,
)
from constructs import Construct

from webstack.config import Alarms as AlarmThresholds
from webstack.config.models import Subscriber
from webstack.constructs.acknowledge import acknowledge
from webstack.constructs.keys import allow_cloudwatch_alarms
from webstack_pitfalls.aws import CLOUDFRONT_REGION

RUNBOOK = "docs/runbook.md"


def runbook(anchor: str) -> str:
    return f"Runbook: {RUNBOOK}#{anchor}"


def allow_cloudwatch_alarms_to_publish(topic: sns.Topic) -> None:
    """D15: a topic policy replaces SNS's default policy, so with only the TLS
    Deny of ``enforce_ssl`` nothing allows CloudWatch to publish and every
    alarm action fails ("... is not authorized to perform: SNS:Publish",
    https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger).
    Scoped to this account's alarms in this region (confused deputy:
    https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html).

    Auto Scaling needs no statement here: it publishes as its service-linked
    role, whose managed policy allows sns:Publish, and within one account an
    identity policy's Allow is enough (IAM policy evaluation logic); what it
    does need is the topic key (D16, keys.allow_autoscaling_notifications).
    """
    topic.add_to_resource_policy(
        iam.PolicyStatement(
            sid="AllowCloudWatchAlarmsOfThisAccountToPublish",
            principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
            actions=["sns:Publish"],
            resources=[topic.topic_arn],
            conditions={
                "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
                "ArnLike": {"aws:SourceArn": f"arn:{Aws.PARTITION}:cloudwatch:{Aws.REGION}:{Aws.ACCOUNT_ID}:alarm:*"},
            },
        )
    )


def _subscription(scope: Construct, subscriber: Subscriber) -> sns.ITopicSubscription:
    """A paging webhook, or a standard SQS queue (same or another region: SNS
    delivers across regions to SQS,
    https://docs.aws.amazon.com/sns/latest/dg/sns-cross-region-delivery.html).
    The queue is imported: its owner keeps its policy, which must let this
    topic send (https://docs.aws.amazon.com/sns/latest/dg/subscribe-sqs-queue-to-sns-topic.html)."""
    if subscriber.protocol == "https":
        return subs.UrlSubscription(subscriber.endpoint, protocol=sns.SubscriptionProtocol.HTTPS)
    queue_name = subscriber.endpoint.rsplit(":", 1)[-1]
    return subs.SqsSubscription(sqs.Queue.from_queue_arn(scope, f"Pager-{queue_name}", subscriber.endpoint))


class AlertTopic(Construct):
    """Attributes: ``topic`` (pages people), ``events_topic`` (routine events and
    individual alarm states, for dashboards or chat hooks), ``key``. Creates its
    own CMK unless one is given."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        emails: Sequence[str],
        removal_policy: RemovalPolicy,
        key: kms.IKey | None = None,
        subscribers: Sequence[Subscriber] = (),
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
        allow_cloudwatch_alarms_to_publish(self.topic)
        for email in emails:
            self.topic.add_subscription(subs.EmailSubscription(email))
        for subscriber in subscribers:
            self.topic.add_subscription(_subscription(self, subscriber))
        # Routine events (every scale-out, every single alarm) would train people
        # to ignore the paging topic; they go here.
        self.events_topic = sns.Topic(
            self, "EventsTopic", display_name="webstack events", master_key=key, enforce_ssl=True
        )
        allow_cloudwatch_alarms_to_publish(self.events_topic)


@dataclass(frozen=True)
class Topics:
    page: sns.ITopic
    events: sns.ITopic


def _notify(alarm: cloudwatch.AlarmBase, topic: sns.ITopic) -> None:
    action = cw_actions.SnsAction(topic)
    alarm.add_alarm_action(action)
    alarm.add_ok_action(action)


def _composite(
    scope: Construct, construct_id: str, *, alarms: Sequence[cloudwatch.IAlarm], description: str, topics: Topics
) -> cloudwatch.CompositeAlarm:
    composite = cloudwatch.CompositeAlarm(
        scope,
        construct_id,
        alarm_rule=cloudwatch.AlarmRule.any_of(*alarms),
        alarm_description=description,
    )
    _notify(composite, topics.page)
    return composite


class _AlarmSet(Construct):
    """Shared plumbing: create alarms that report to the events topic."""

    def __init__(self, scope: Construct, construct_id: str, *, topics: Topics, thresholds: AlarmThresholds) -> None:
        super().__init__(scope, construct_id)
        self.topics = topics
        self.thresholds = thresholds
        self.period = Duration.seconds(thresholds.period_seconds)
        self.alarms: dict[str, cloudwatch.Alarm] = {}

    def _alarm(
        self,
        name: str,
        metric: cloudwatch.Metric | cloudwatch.MathExpression,
        *,
        threshold: float,
        description: str,
        comparison: cloudwatch.ComparisonOperator = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        missing: cloudwatch.TreatMissingData = cloudwatch.TreatMissingData.NOT_BREACHING,
        evaluation_periods: int | None = None,
    ) -> cloudwatch.Alarm:
        alarm = metric.create_alarm(
            self,
            name,
            alarm_description=description,
            threshold=threshold,
            evaluation_periods=evaluation_periods or self.thresholds.evaluation_periods,
            comparison_operator=comparison,
            treat_missing_data=missing,
        )
        _notify(alarm, self.topics.events)
        self.alarms[name] = alarm
        return alarm


class RegionalAlarms(_AlarmSet):
    """Alarms on the web tier; ``service_degraded`` is the one that pages."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        topics: Topics,
        thresholds: AlarmThresholds,
        auto_scaling_group: autoscaling.AutoScalingGroup,
        min_capacity: int,
        load_balancer: elbv2.ApplicationLoadBalancer,
        target_group: elbv2.ApplicationTargetGroup,
    ) -> None:
        super().__init__(scope, construct_id, topics=topics, thresholds=thresholds)
        t, period = thresholds, self.period
        lb, tg = load_balancer.metrics, target_group.metrics
        asg_name = auto_scaling_group.auto_scaling_group_name

        self._alarm(
            "AsgCpuHigh",
            asg_metric("CPUUtilization", asg_name, namespace="AWS/EC2", statistic="Average", period=period),
            threshold=t.cpu_high_percent,
            description=(
                f"Web instances average above {t.cpu_high_percent}% CPU although scaling tracks CPU. First check: "
                f"is the group at max capacity (raise capacity.max) or is one request type expensive? "
                f"{runbook('asg-cpu-high')}"
            ),
            # No datapoints means no instances: InServiceBelowMin covers that.
        )
        self._alarm(
            "InServiceBelowMin",
            asg_metric(
                "GroupInServiceInstances", asg_name, namespace="AWS/AutoScaling", statistic="Minimum", period=period
            ),
            threshold=min_capacity,
            comparison=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
            # No datapoints from the group is itself the outage.
            missing=cloudwatch.TreatMissingData.BREACHING,
            description=(
                f"Fewer than {min_capacity} instances in service. First check: the ASG activity history for "
                f"launch errors (capacity, AMI, KMS key policy: pitfalls D1). {runbook('in-service-below-min')}"
            ),
        )
        self._alarm(
            "UnhealthyHosts",
            tg.unhealthy_host_count(statistic="Maximum", period=period),
            threshold=0,
            description=(
                "At least one target fails the /api/health check. First check: target health reasons in the "
                f"target group, then the webstack-app service via Session Manager. {runbook('unhealthy-hosts')}"
            ),
        )
        self._alarm(
            "LatencyP99",
            tg.target_response_time(statistic="p99", period=period),
            threshold=t.p99_latency_seconds,
            description=(
                f"1% of requests take longer than {t.p99_latency_seconds}s at the targets. First check: CPU and "
                f"in-service count (capacity), then slow dependencies. {runbook('latency-p99')}"
            ),
        )
        self._alarm(
            "Alb5xx",
            lb.http_code_elb(elbv2.HttpCodeElb.ELB_5XX_COUNT, statistic="Sum", period=period),
            threshold=t.alb_5xx_count,
            description=(
                f"The load balancer itself returned more than {t.alb_5xx_count} 5xx per period: usually no healthy "
                f"targets (502/503) or target timeouts (504). First check: UnhealthyHosts. {runbook('alb-5xx')}"
            ),
        )
        self._alarm(
            "Target5xxRate",
            target_5xx_rate(target_group, period),
            threshold=t.target_5xx_rate_percent,
            description=(
                f"More than {t.target_5xx_rate_percent}% of requests fail in the application (target 5xx). "
                f"First check: the latest deploy (instance refresh) and application logs. {runbook('target-5xx-rate')}"
            ),
        )
        self.service_degraded = _composite(
            self,
            "ServiceDegraded",
            alarms=list(self.alarms.values()),
            description=(
                "webstack web tier is degraded: one of its alarms is in ALARM (see the alarm status widget). "
                f"This is the alarm that pages. {runbook('service-degraded')}"
            ),
            topics=topics,
        )


class EdgeAlarms(_AlarmSet):
    """CloudFront and WAF alarms; must be created in a us-east-1 stack (D5)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        topics: Topics,
        thresholds: AlarmThresholds,
        distribution_id: str,
        web_acl_metric_name: str | None = None,
    ) -> None:
        super().__init__(scope, construct_id, topics=topics, thresholds=thresholds)
        t, period = thresholds, self.period
        self._alarm(
            "CloudFront4xxRate",
            cloudfront_metric(distribution_id, "4xxErrorRate", statistic="Average", period=period),
            threshold=t.cloudfront_4xx_rate_percent,
            description=(
                f"More than {t.cloudfront_4xx_rate_percent}% of viewer requests got a 4xx. First check: a static "
                f"deploy with missing objects, or one client hammering bad URLs (WAF sampled requests). "
                f"{runbook('cloudfront-4xx-rate')}"
            ),
        )
        self._alarm(
            "CloudFront5xxRate",
            cloudfront_metric(distribution_id, "5xxErrorRate", statistic="Average", period=period),
            threshold=t.cloudfront_5xx_rate_percent,
            description=(
                f"More than {t.cloudfront_5xx_rate_percent}% of viewer requests got a 5xx. First check: the origin "
                f"(web tier alarms in the app region), then CloudFront's origin-error metrics. "
                f"{runbook('cloudfront-5xx-rate')}"
            ),
        )
        if web_acl_metric_name:
            self._alarm(
                "WafBlockedSpike",
                waf_metric(web_acl_metric_name, "BlockedRequests", period=period),
                threshold=t.waf_blocked_requests,
                description=(
                    f"WAF blocked more than {t.waf_blocked_requests} requests per period: an attack, or a rule that "
                    f"blocks real users. First check: sampled requests of the top blocking rule. "
                    f"{runbook('waf-blocked-spike')}"
                ),
            )
        self.service_degraded = _composite(
            self,
            "EdgeDegraded",
            alarms=list(self.alarms.values()),
            description=(
                "webstack edge (CloudFront/WAF) is degraded: one of its alarms is in ALARM. This is the alarm "
                f"that pages for the edge. {runbook('edge-degraded')}"
            ),
            topics=topics,
        )


def target_5xx_rate(target_group: elbv2.IApplicationTargetGroup, period: Duration) -> cloudwatch.MathExpression:
    """Application (target) 5xx responses as a share of requests (%)."""
    tg = target_group.metrics
    return cloudwatch.MathExpression(
        expression="100 * FILL(errors, 0) / FILL(requests, 1)",
        using_metrics={
            "errors": tg.http_code_target(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, statistic="Sum", period=period),
            "requests": tg.request_count(statistic="Sum", period=period),
        },
        label="Target 5xx rate (%)",
        period=period,
    )


class RollbackAlarms(Construct):
    """Alarms that roll back a deploy: the instance refresh fails, and the stack
    update rolls back, when one of them is in ALARM during the refresh or its
    bake time (``UpdatePolicy.AutoScalingInstanceRefresh``'s AlarmSpecification,
    https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-updatepolicy.html#cfn-attributes-updatepolicy-instancerefresh;
    at most 10 alarms).

    The same signals and thresholds as :class:`RegionalAlarms`' target 5xx
    rate, p99 latency and unhealthy hosts, as separate alarms: they never page
    (no action, or the events topic only), because a rolled-back deploy is
    handled by the rollback; the regional alarms still page through
    ``ServiceDegraded`` if the fleet stays unhealthy. Attribute: ``alarms``.

    :param target_group: the web tier's target group (attached to its load balancer).
    :param thresholds: alarm thresholds and evaluation (config ``alarms``).
    :param events_topic: receives their state changes. Default None: no action at all.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        target_group: elbv2.IApplicationTargetGroup,
        thresholds: AlarmThresholds,
        events_topic: sns.ITopic | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        t, period = thresholds, Duration.seconds(thresholds.period_seconds)
        tg = target_group.metrics
        signals: list[tuple[str, cloudwatch.Metric | cloudwatch.MathExpression, float, str]] = [
            (
                "Target5xxRate",
                target_5xx_rate(target_group, period),
                t.target_5xx_rate_percent,
                f"Deploy gate: more than {t.target_5xx_rate_percent}% of requests fail at the targets",
            ),
            (
                "LatencyP99",
                tg.target_response_time(statistic="p99", period=period),
                t.p99_latency_seconds,
                f"Deploy gate: target p99 response time above {t.p99_latency_seconds}s",
            ),
            (
                "UnhealthyHosts",
                tg.unhealthy_host_count(statistic="Maximum", period=period),
                0,
                "Deploy gate: at least one target fails the health check",
            ),
        ]
        self.alarms: list[cloudwatch.Alarm] = []
        for name, metric, threshold, what in signals:
            alarm = metric.create_alarm(
                self,
                name,
                alarm_description=f"{what}. In ALARM during an instance refresh it rolls the deploy back; it "
                "does not page. First check: the failed refresh's status reason (describe-instance-refreshes), "
                f"then the new launch template version. {runbook('deploy-rollback')}",
                threshold=threshold,
                evaluation_periods=t.evaluation_periods,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            )
            if events_topic is not None:
                _notify(alarm, events_topic)
            self.alarms.append(alarm)
        if events_topic is None:
            acknowledge(
                self,
                "NIST.800.53.R5-CloudWatchAlarmAction",
                "deploy-gate alarms act through the instance refresh that lists them (rollback), not through "
                "alarm actions; they must not page, and no events topic is configured here",
            )


def asg_metric(name: str, asg_name: str, *, namespace: str, statistic: str, period: Duration) -> cloudwatch.Metric:
    return cloudwatch.Metric(
        namespace=namespace,
        metric_name=name,
        dimensions_map={"AutoScalingGroupName": asg_name},
        statistic=statistic,
        period=period,
    )


def cloudfront_metric(distribution_id: str, metric_name: str, *, statistic: str, period: Duration) -> cloudwatch.Metric:
    """A CloudFront metric; they are published in us-east-1 only (D5)."""
    return cloudwatch.Metric(
        namespace="AWS/CloudFront",
        metric_name=metric_name,
        dimensions_map={"DistributionId": distribution_id, "Region": "Global"},
        statistic=statistic,
        period=period,
        region=CLOUDFRONT_REGION,
    )


def waf_metric(web_acl_metric_name: str, metric_name: str, *, period: Duration) -> cloudwatch.Metric:
    """A CLOUDFRONT-scope web ACL metric (us-east-1). The WebACL dimension is the
    ACL's VisibilityConfig MetricName, which webstack sets, so no cross-stack
    reference is needed; Rule=ALL sums every rule."""
    return cloudwatch.Metric(
        namespace="AWS/WAFV2",
        metric_name=metric_name,
        dimensions_map={"WebACL": web_acl_metric_name, "Rule": "ALL"},
        statistic="Sum",
        period=period,
        region=CLOUDFRONT_REGION,
    )


_GUIDE = """## webstack {env} — golden signals
Row 1 **Alarms**: the paging composite and every alarm behind it ({runbook}).
Row 2 **Traffic and errors** at the load balancer: requests, ELB vs target 4xx/5xx.
Row 3 **Latency and health**: target response time p50/p90/p99; healthy vs unhealthy hosts.
Row 4 **Capacity**: desired vs in-service instances and their CPU (scaling tracks CPU and requests per target).
Row 5 **Edge** (us-east-1): CloudFront requests, cache hit rate, 4xx/5xx rates{waf}."""


class Dashboard(Construct):
    """Golden signals of the environment on one page."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        env_name: str,
        load_balancer: elbv2.ApplicationLoadBalancer,
        target_group: elbv2.ApplicationTargetGroup,
        auto_scaling_group: autoscaling.AutoScalingGroup,
        distribution_id: str,
        alarms: Sequence[cloudwatch.IAlarm],
        period: Duration,
        web_acl_metric_name: str | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        lb, tg = load_balancer.metrics, target_group.metrics
        asg_name = auto_scaling_group.auto_scaling_group_name
        self.dashboard = cloudwatch.Dashboard(self, "Dashboard", default_interval=Duration.hours(3))
        d = self.dashboard
        d.add_widgets(
            cloudwatch.TextWidget(
                markdown=_GUIDE.format(
                    env=env_name,
                    runbook=RUNBOOK,
                    waf="; WAF allowed vs blocked requests" if web_acl_metric_name else "",
                ),
                width=10,
                height=6,
            ),
            cloudwatch.AlarmStatusWidget(title="Alarms", alarms=list(alarms), width=14, height=6),
        )
        d.add_widgets(
            cloudwatch.GraphWidget(title="ALB requests", left=[lb.request_count(period=period)], width=8),
            cloudwatch.GraphWidget(
                title="4xx: ELB vs targets",
                left=[
                    lb.http_code_elb(elbv2.HttpCodeElb.ELB_4XX_COUNT, period=period),
                    lb.http_code_target(elbv2.HttpCodeTarget.TARGET_4XX_COUNT, period=period),
                ],
                width=8,
            ),
            cloudwatch.GraphWidget(
                title="5xx: ELB vs targets",
                left=[
                    lb.http_code_elb(elbv2.HttpCodeElb.ELB_5XX_COUNT, period=period),
                    lb.http_code_target(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, period=period),
                ],
                width=8,
            ),
        )
        d.add_widgets(
            cloudwatch.GraphWidget(
                title="Target response time p50 / p90 / p99 (s)",
                left=[tg.target_response_time(statistic=s, period=period, label=s) for s in ("p50", "p90", "p99")],
                width=12,
            ),
            cloudwatch.GraphWidget(
                title="Healthy vs unhealthy hosts",
                left=[
                    tg.healthy_host_count(statistic="Minimum", period=period),
                    tg.unhealthy_host_count(statistic="Maximum", period=period),
                ],
                width=12,
            ),
        )
        d.add_widgets(
            cloudwatch.GraphWidget(
                title="Instances: desired vs in service",
                left=[
                    asg_metric(
                        "GroupDesiredCapacity",
                        asg_name,
                        namespace="AWS/AutoScaling",
                        statistic="Maximum",
                        period=period,
                    ),
                    asg_metric(
                        "GroupInServiceInstances",
                        asg_name,
                        namespace="AWS/AutoScaling",
                        statistic="Minimum",
                        period=period,
                    ),
                ],
                width=12,
            ),
            cloudwatch.GraphWidget(
                title="Instance CPU (%)",
                left=[asg_metric("CPUUtilization", asg_name, namespace="AWS/EC2", statistic="Average", period=period)],
                width=12,
            ),
        )
        edge = [
            cloudwatch.GraphWidget(
                title="CloudFront requests (us-east-1)",
                left=[cloudfront_metric(distribution_id, "Requests", statistic="Sum", period=period)],
                width=6,
            ),
            cloudwatch.GraphWidget(
                title="CloudFront cache hit rate (%)",
                left=[cloudfront_metric(distribution_id, "CacheHitRate", statistic="Average", period=period)],
                width=6,
            ),
            cloudwatch.GraphWidget(
                title="CloudFront 4xx / 5xx error rate (%)",
                left=[
                    cloudfront_metric(distribution_id, "4xxErrorRate", statistic="Average", period=period),
                    cloudfront_metric(distribution_id, "5xxErrorRate", statistic="Average", period=period),
                ],
                width=6,
            ),
        ]
        if web_acl_metric_name:
            edge.append(
                cloudwatch.GraphWidget(
                    title="WAF allowed vs blocked (us-east-1)",
                    left=[
                        waf_metric(web_acl_metric_name, "AllowedRequests", period=period),
                        waf_metric(web_acl_metric_name, "BlockedRequests", period=period),
                    ],
                    width=6,
                )
            )
        d.add_widgets(*edge)
