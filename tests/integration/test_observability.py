"""Alarms, alert topics and the dashboard."""

from __future__ import annotations

import json

import pytest

from .helpers import alarm_metrics, all_alarms, dimension, key_arn, lb_label, load_balancer, region_of


def _ours(alarms: list[dict], topic_arn: str) -> list[dict]:
    return [a for a in alarms if topic_arn in a.get("AlarmActions", [])]


def _assert_notifies(alarm: dict, topic_arn: str) -> None:
    assert alarm["AlarmActions"] == [topic_arn], alarm["AlarmActions"]
    assert alarm["OKActions"] == [topic_arn], alarm["OKActions"]
    assert alarm.get("ActionsEnabled", True) is True


def test_cpu_alarm_notifies_alert_topic(aws, outputs, deployed):
    alarms = [
        a
        for a in all_alarms(aws, deployed.web_region)
        for m in alarm_metrics(a)
        if m["Namespace"] == "AWS/EC2"
        and m["MetricName"] == "CPUUtilization"
        and dimension(m, "AutoScalingGroupName") == outputs["AutoScalingGroupName"]
    ]
    assert len(alarms) == 1, f"{len(alarms)} CPU alarms on {outputs['AutoScalingGroupName']}"
    _assert_notifies(alarms[0], outputs["AlertTopicArn"])


def test_alb_5xx_alarm_notifies_alert_topic(aws, outputs, deployed):
    label = lb_label(load_balancer(aws, outputs["LoadBalancerDNS"]))
    alarms = [
        a
        for a in all_alarms(aws, deployed.web_region)
        for m in alarm_metrics(a)
        if m["Namespace"] == "AWS/ApplicationELB"
        and m["MetricName"] == "HTTPCode_ELB_5XX_Count"
        and dimension(m, "LoadBalancer") == label
    ]
    assert len(alarms) == 1, f"{len(alarms)} 5xx alarms on {label}"
    _assert_notifies(alarms[0], outputs["AlertTopicArn"])


@pytest.fixture(scope="module")
def cloudfront_alarms(aws, outputs) -> list[dict]:
    """CloudFront alarms that notify the edge topic (found by the topic, so a
    wrong dimension shows up as a wrong value, not as a missing alarm)."""
    region = region_of(outputs["EdgeAlertTopicArn"])
    return [
        a
        for a in _ours(all_alarms(aws, region), outputs["EdgeAlertTopicArn"])
        if any(m["Namespace"] == "AWS/CloudFront" for m in alarm_metrics(a))
    ]


def test_cloudfront_4xx_alarm_in_us_east_1(cloudfront_alarms, outputs):
    assert region_of(outputs["EdgeAlertTopicArn"]) == "us-east-1", "CloudFront metrics exist only in us-east-1"
    rate = [a for a in cloudfront_alarms if any(m["MetricName"] == "4xxErrorRate" for m in alarm_metrics(a))]
    assert len(rate) == 1, [a["AlarmName"] for a in cloudfront_alarms]
    _assert_notifies(rate[0], outputs["EdgeAlertTopicArn"])


def test_cloudfront_alarm_watches_the_distribution(cloudfront_alarms, outputs):
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
    misplaced = [
        a["AlarmName"]
        for a in all_alarms(aws, deployed.web_region)
        for m in alarm_metrics(a)
        if m["Namespace"] == "AWS/CloudFront"
        and (
            outputs["AlertTopicArn"] in a.get("AlarmActions", [])
            or dimension(m, "DistributionId") == outputs["CloudFrontDistributionId"]
            or deployed.endpoint is not None  # the emulator holds only our resources
        )
    ]
    assert not misplaced, f"CloudFront alarms in {deployed.web_region} never fire (D5): {misplaced}"


@pytest.mark.parametrize("output_key", ["AlertTopicArn", "EdgeAlertTopicArn"])
def test_alert_topic_encrypted_with_customer_managed_key(aws, outputs, output_key):
    topic = outputs[output_key]
    region = region_of(topic)
    key = aws("sns", region).get_topic_attributes(TopicArn=topic)["Attributes"].get("KmsMasterKeyId")
    assert key, f"{topic} is not encrypted"
    assert key != "alias/aws/sns", "CloudWatch cannot publish to a topic encrypted with the AWS-managed key (D10)"
    metadata = aws("kms", region).describe_key(KeyId=key)["KeyMetadata"]
    assert metadata["KeyManager"] == "CUSTOMER"
    assert metadata["KeyState"] == "Enabled"
    if output_key == "AlertTopicArn":
        assert key_arn(aws, key, region) == outputs["TelemetryKeyArn"]


def test_dashboard_exists(aws, outputs):
    dashboard = aws("cloudwatch").get_dashboard(DashboardName=outputs["DashboardName"])
    widgets = json.loads(dashboard["DashboardBody"]).get("widgets", [])
    assert widgets, "the dashboard is empty"
