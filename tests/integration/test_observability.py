"""Alarms, alert topics and the dashboard.

An alarm "pages" a topic when its state change reaches the topic, directly
(its own actions) or through a composite alarm whose rule names it: webstack
sends each alarm to an events topic and pages through one composite per
region, and these tests accept either wiring as long as the page arrives.
"""

from __future__ import annotations

import json

import pytest

from .helpers import (
    alarm_metrics,
    all_alarms,
    all_composites,
    dimension,
    key_arn,
    lb_label,
    load_balancer,
    notified,
    region_of,
)


def _assert_pages(alarm: dict, composites: list[dict], topic_arn: str) -> None:
    assert alarm.get("ActionsEnabled", True) is True
    assert alarm.get("AlarmActions"), f"{alarm['AlarmName']} has no alarm actions"
    assert alarm.get("OKActions"), f"{alarm['AlarmName']} has no OK actions"
    assert topic_arn in notified(alarm, composites, "AlarmActions"), f"{alarm['AlarmName']} never reaches {topic_arn}"
    assert topic_arn in notified(alarm, composites, "OKActions"), (
        f"recovery of {alarm['AlarmName']} never reaches {topic_arn}"
    )


def _metric_alarms(aws, region, namespace, metric_name, *, dimension_name, value) -> list[dict]:
    return [
        a
        for a in all_alarms(aws, region)
        for m in alarm_metrics(a)
        if m["Namespace"] == namespace and m["MetricName"] == metric_name and dimension(m, dimension_name) == value
    ]


def test_cpu_alarm_pages_alert_topic(aws, outputs, deployed):
    region = deployed.web_region
    alarms = _metric_alarms(
        aws,
        region,
        "AWS/EC2",
        "CPUUtilization",
        dimension_name="AutoScalingGroupName",
        value=outputs["AutoScalingGroupName"],
    )
    assert len(alarms) == 1, f"{len(alarms)} CPU alarms on {outputs['AutoScalingGroupName']}"
    _assert_pages(alarms[0], all_composites(aws, region), outputs["AlertTopicArn"])


def test_alb_5xx_alarm_pages_alert_topic(aws, outputs, deployed):
    region = deployed.web_region
    label = lb_label(load_balancer(aws, outputs["LoadBalancerDNS"]))
    alarms = _metric_alarms(
        aws, region, "AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", dimension_name="LoadBalancer", value=label
    )
    assert len(alarms) == 1, f"{len(alarms)} 5xx alarms on {label}"
    _assert_pages(alarms[0], all_composites(aws, region), outputs["AlertTopicArn"])


@pytest.fixture(scope="module")
def cloudfront_alarms(aws, outputs) -> list[dict]:
    """CloudFront alarms that page the edge topic (found by the topic, so a
    wrong dimension shows up as a wrong value, not as a missing alarm)."""
    region = region_of(outputs["EdgeAlertTopicArn"])
    composites = all_composites(aws, region)
    return [
        a
        for a in all_alarms(aws, region)
        if any(m["Namespace"] == "AWS/CloudFront" for m in alarm_metrics(a))
        and outputs["EdgeAlertTopicArn"] in notified(a, composites)
    ]


def test_cloudfront_4xx_alarm_in_us_east_1_pages_edge_topic(aws, cloudfront_alarms, outputs):
    region = region_of(outputs["EdgeAlertTopicArn"])
    assert region == "us-east-1", "CloudFront metrics exist only in us-east-1 (D5)"
    rate = [a for a in cloudfront_alarms if any(m["MetricName"] == "4xxErrorRate" for m in alarm_metrics(a))]
    assert len(rate) == 1, [a["AlarmName"] for a in cloudfront_alarms]
    _assert_pages(rate[0], all_composites(aws, region), outputs["EdgeAlertTopicArn"])


def test_cloudfront_alarms_watch_the_distribution(cloudfront_alarms, outputs):
    assert cloudfront_alarms
    for alarm in cloudfront_alarms:
        for metric in alarm_metrics(alarm):
            assert dimension(metric, "DistributionId") == outputs["CloudFrontDistributionId"], (
                f"{alarm['AlarmName']} watches DistributionId={dimension(metric, 'DistributionId')!r}"
            )
            assert dimension(metric, "Region") == "Global"


def test_no_cloudfront_alarm_in_web_region(aws, outputs, deployed):
    if deployed.web_region == "us-east-1":
        pytest.skip("the web region is us-east-1 itself")
    composites = all_composites(aws, deployed.web_region)
    misplaced = [
        a["AlarmName"]
        for a in all_alarms(aws, deployed.web_region)
        for m in alarm_metrics(a)
        if m["Namespace"] == "AWS/CloudFront"
        and (
            outputs["AlertTopicArn"] in notified(a, composites)
            or dimension(m, "DistributionId") == outputs["CloudFrontDistributionId"]
            or deployed.endpoint is not None  # the emulator holds only our resources
        )
    ]
    assert not misplaced, f"CloudFront alarms in {deployed.web_region} never fire (D5): {misplaced}"


def _alarm_topics(aws, outputs, deployed) -> set[str]:
    """The paging topics (outputs) and every topic our alarms notify."""
    topics = {outputs["AlertTopicArn"], outputs["EdgeAlertTopicArn"]}
    for region, topic in ((deployed.web_region, "AlertTopicArn"), (deployed.edge_region, "EdgeAlertTopicArn")):
        composites = all_composites(aws, region)
        for alarm in all_alarms(aws, region) + composites:
            if outputs[topic] in notified(alarm, composites):
                topics |= {
                    a
                    for a in alarm.get("AlarmActions", []) + alarm.get("OKActions", [])
                    if a.startswith("arn:aws:sns:")
                }
    return topics


def test_alert_topics_encrypted_with_customer_managed_keys(aws, outputs, deployed):
    topics = _alarm_topics(aws, outputs, deployed)
    assert len(topics) >= 2
    for topic in sorted(topics):
        region = region_of(topic)
        key = aws("sns", region).get_topic_attributes(TopicArn=topic)["Attributes"].get("KmsMasterKeyId")
        assert key, f"{topic} is not encrypted"
        assert key != "alias/aws/sns", f"{topic}: CloudWatch cannot publish with the AWS-managed key (D10)"
        metadata = aws("kms", region).describe_key(KeyId=key)["KeyMetadata"]
        assert metadata["KeyManager"] == "CUSTOMER", topic
        assert metadata["KeyState"] == "Enabled", topic
    key = aws("sns").get_topic_attributes(TopicArn=outputs["AlertTopicArn"])["Attributes"]["KmsMasterKeyId"]
    assert key_arn(aws, key, deployed.web_region) == outputs["TelemetryKeyArn"]


def test_dashboard_exists(aws, outputs):
    dashboard = aws("cloudwatch").get_dashboard(DashboardName=outputs["DashboardName"])
    widgets = json.loads(dashboard["DashboardBody"]).get("widgets", [])
    assert widgets, "the dashboard is empty"
