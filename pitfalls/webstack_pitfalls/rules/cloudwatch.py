"""CloudWatch alarms on CloudFront metrics: the one region those metrics exist in (D5)."""

from __future__ import annotations

from collections.abc import Iterator

from ..template import TemplateView, as_list
from .base import Hit, Rule


def check_cloudfront_alarm_in_us_east_1(view: TemplateView) -> Iterator[Hit]:
    finding = view.region_finding()
    if finding is None:
        return
    for lid, props in view.of_type("AWS::CloudWatch::Alarm"):
        namespaces = [props.get("Namespace")]
        for metric in as_list(props.get("Metrics")):
            stat = (metric or {}).get("MetricStat") or {}
            namespaces.append((stat.get("Metric") or {}).get("Namespace"))
        if "AWS/CloudFront" in namespaces:
            yield Hit(lid, finding, "Properties")


CLOUDFRONT_ALARM_IN_US_EAST_1 = Rule(
    name="CloudFrontAlarmInUsEast1",
    pitfall="D5",
    info="A CloudWatch alarm on the AWS/CloudFront namespace is outside us-east-1 "
    "([Region]/[RegionUnknown]); it stays INSUFFICIENT_DATA forever.",
    explanation="Create CloudFront alarms (and their SNS topic) in a us-east-1 stack; CloudFront publishes metrics "
    "only there.",
    link="https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/monitoring-using-cloudwatch.html",
    check=check_cloudfront_alarm_in_us_east_1,
)
