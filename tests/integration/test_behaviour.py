"""Behaviour: an alarm reaches a person, a scaling event reaches the events
topic, each log source's logs reach its bucket.

The other integration tests read configuration (an alarm *names* the topic,
the topic *has* a key). These make the thing happen the way an operator
would see it: subscribe a queue to the topic through the API, put an alarm
into ALARM, scale the group out, and expect the message in the queue. The
emulator evaluates the topic policy and the topic key's policy at that
moment, as AWS does, so a policy that only denies (D15) or a key that does
not admit the publisher (D10, D16) shows here as a message that never
arrives; the alarm's history then says why ("Failed to execute action ...").

They change state (alarm states, desired capacity) and would page the
people subscribed to a real account's topic; log delivery on demand is the
emulator's own route (AWS delivers on its schedule): local target only.
"""

from __future__ import annotations

import gzip
import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from .helpers import all_alarms, all_composites, as_list, distribution_config, lb_label, load_balancer, statements

pytestmark = pytest.mark.usefixtures("local_only")


@pytest.fixture(scope="module")
def local_only(deployed) -> None:
    if deployed.endpoint is None:
        pytest.skip("changes alarm states and capacity: runs against the emulator only")


@pytest.fixture
def queue(aws) -> Iterator[dict[str, Any]]:
    """A fresh SQS queue that SNS may deliver to (the queue policy an operator
    writes); its subscriptions are removed with it."""
    sqs = aws("sqs")
    url = sqs.create_queue(QueueName=f"behaviour-{uuid.uuid4().hex[:12]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "sns.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": arn,
            }
        ],
    }
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
    subscriptions: list[str] = []
    yield {"url": url, "arn": arn, "subscriptions": subscriptions}
    for subscription in subscriptions:
        aws("sns", subscription.split(":")[3]).unsubscribe(SubscriptionArn=subscription)
    sqs.delete_queue(QueueUrl=url)


def _subscribe(aws: Any, topic_arn: str, queue: dict[str, Any]) -> None:
    sns = aws("sns", topic_arn.split(":")[3])
    subscription = sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue["arn"], ReturnSubscriptionArn=True)
    queue["subscriptions"].append(subscription["SubscriptionArn"])


def _received(aws: Any, queue: dict[str, Any], *, want: int, seconds: float = 5.0) -> list[dict]:
    sqs, found, until = aws("sqs"), [], time.monotonic() + seconds
    while len(found) < want and time.monotonic() < until:
        batch = sqs.receive_message(QueueUrl=queue["url"], MaxNumberOfMessages=10, WaitTimeSeconds=1)
        for message in batch.get("Messages", []):
            found.append(json.loads(json.loads(message["Body"])["Message"]))
            sqs.delete_message(QueueUrl=queue["url"], ReceiptHandle=message["ReceiptHandle"])
    return found


def _action_history(aws: Any, region: str, alarm_name: str) -> list[str]:
    items = aws("cloudwatch", region).describe_alarm_history(AlarmName=alarm_name, HistoryItemType="Action")
    return [i["HistorySummary"] for i in items["AlarmHistoryItems"]]


def _set_state(aws: Any, region: str, alarm_name: str, state: str) -> None:
    aws("cloudwatch", region).set_alarm_state(AlarmName=alarm_name, StateValue=state, StateReason="behaviour test")


def _paging_composite(aws: Any, region: str, topic_arn: str) -> dict:
    composites = [c for c in all_composites(aws, region) if topic_arn in c.get("AlarmActions", [])]
    assert len(composites) == 1, f"{len(composites)} composite alarms page {topic_arn}"
    return composites[0]


def _cpu_alarm(aws: Any, region: str, group_name: str) -> dict:
    for alarm in all_alarms(aws, region):
        dims = {d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])}
        if alarm.get("MetricName") == "CPUUtilization" and dims.get("AutoScalingGroupName") == group_name:
            return alarm
    raise AssertionError(f"no CPU alarm on {group_name}")


def _expect_page(aws: Any, region: str, alarm_name: str, queue: dict[str, Any]) -> list[dict]:
    _set_state(aws, region, alarm_name, "ALARM")
    try:
        messages = [m for m in _received(aws, queue, want=1) if m.get("AlarmName") == alarm_name]
        assert messages, f"no notification of {alarm_name} arrived; its action history: " + "; ".join(
            _action_history(aws, region, alarm_name)
        )
        return messages
    finally:
        _set_state(aws, region, alarm_name, "OK")
        _received(aws, queue, want=10, seconds=1)


def test_composite_alarm_pages_the_alert_topic(aws, deployed, outputs, queue):
    region, topic = deployed.web_region, outputs["AlertTopicArn"]
    _subscribe(aws, topic, queue)
    composite = _paging_composite(aws, region, topic)
    (page,) = _expect_page(aws, region, composite["AlarmName"], queue)
    assert page["NewStateValue"] == "ALARM" and page["AlarmArn"] == composite["AlarmArn"]


def test_regional_alarm_reaches_the_events_topic(aws, deployed, outputs, queue):
    region = deployed.web_region
    alarm = _cpu_alarm(aws, region, outputs["AutoScalingGroupName"])
    for topic in alarm["AlarmActions"]:
        _subscribe(aws, topic, queue)
    (message,) = _expect_page(aws, region, alarm["AlarmName"], queue)
    assert message["Trigger"]["MetricName"] == "CPUUtilization"


def test_edge_composite_alarm_pages_the_edge_topic(aws, deployed, outputs, queue):
    region, topic = deployed.edge_region, outputs["EdgeAlertTopicArn"]
    _subscribe(aws, topic, queue)
    composite = _paging_composite(aws, region, topic)
    (page,) = _expect_page(aws, region, composite["AlarmName"], queue)
    assert page["AlarmArn"] == composite["AlarmArn"]


def test_scale_out_reaches_the_events_topic(aws, deployed, outputs, queue):
    group_name = outputs["AutoScalingGroupName"]
    autoscaling = aws("autoscaling")
    configs = autoscaling.describe_notification_configurations(AutoScalingGroupNames=[group_name])
    launches = {
        c["TopicARN"]
        for c in configs["NotificationConfigurations"]
        if c["NotificationType"].endswith("INSTANCE_LAUNCH")
    }
    assert launches, f"{group_name} notifies no topic of launches"
    for topic in launches:
        _subscribe(aws, topic, queue)
    group = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[group_name])["AutoScalingGroups"][0]
    desired = group["DesiredCapacity"]
    if desired >= group["MaxSize"]:
        pytest.skip(f"{group_name} is at its maximum ({desired}): no room to scale out")
    autoscaling.set_desired_capacity(AutoScalingGroupName=group_name, DesiredCapacity=desired + 1)
    try:
        messages = [m for m in _received(aws, queue, want=1) if m.get("Event") == "autoscaling:EC2_INSTANCE_LAUNCH"]
        assert messages, (
            f"no launch notification of {group_name} arrived in {sorted(launches)} "
            "(does the topic key admit the Auto Scaling service-linked role? D16)"
        )
        assert messages[0]["AutoScalingGroupName"] == group_name
    finally:
        autoscaling.set_desired_capacity(AutoScalingGroupName=group_name, DesiredCapacity=desired)


# --------------------------------------------------------------------------
# Log delivery: the emulator's POST /webstack-api/logs/<kind>/<resource> writes
# one log object now, as S3 / ELB / CloudFront would, after evaluating the
# target bucket's policy, ACL, Object Ownership and encryption at that moment
# (webstack_emulator/log_delivery.py). AWS reports a refused delivery nowhere:
# the log is just missing, so a refusal answers delivered: false.
# --------------------------------------------------------------------------
LOGGING_SERVICE = "logging.s3.amazonaws.com"


def _deliver(deployed: Any, kind: str, resource: str) -> dict[str, Any]:
    from urllib.parse import quote
    from urllib.request import Request, urlopen

    url = f"{deployed.endpoint}/webstack-api/logs/{kind}/{quote(resource, safe='')}"
    with urlopen(Request(url, method="POST", data=b""), timeout=30) as response:
        answer: dict[str, Any] = json.loads(response.read())
    return answer


def _account(outputs: dict[str, str]) -> str:
    return outputs["DataKeyArn"].split(":")[4]


@pytest.fixture(scope="module")
def logged_buckets(aws, web_resources) -> dict[str, str]:
    """``{source bucket: target bucket}`` of every web-stack bucket with server access logging."""
    s3, found = aws("s3"), {}
    for resource in web_resources:
        if resource["ResourceType"] == "AWS::S3::Bucket":
            logging = s3.get_bucket_logging(Bucket=resource["PhysicalResourceId"]).get("LoggingEnabled")
            if logging:
                found[resource["PhysicalResourceId"]] = logging["TargetBucket"]
    assert found, "no bucket of the web stack has server access logging"
    return found


@contextmanager
def _bucket_policy(aws: Any, bucket: str, policy: dict[str, Any]) -> Iterator[None]:
    s3 = aws("s3")
    original = s3.get_bucket_policy(Bucket=bucket)["Policy"]
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    try:
        yield
    finally:
        s3.put_bucket_policy(Bucket=bucket, Policy=original)


def _logging_statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in statements(policy) if LOGGING_SERVICE in as_list((s.get("Principal") or {}).get("Service"))]


def test_every_logged_bucket_delivers_server_access_logs_to_the_access_log_bucket(
    aws, deployed, outputs, logged_buckets
):
    s3 = aws("s3")
    for source, target in logged_buckets.items():
        assert target == outputs["AccessLogBucketName"], f"{source} logs to {target}"
        prefix = s3.get_bucket_logging(Bucket=source)["LoggingEnabled"]["TargetPrefix"]
        got = _deliver(deployed, "s3", source)
        assert got["delivered"], f"server access log of {source} refused: {got.get('reason')}"
        assert got["bucket"] == target and got["key"].startswith(prefix)
        obj = s3.get_object(Bucket=target, Key=got["key"])
        assert obj["ServerSideEncryption"] == "AES256"
        assert f" {source} [" in obj["Body"].read().decode()


def test_access_log_bucket_policy_without_the_logging_grant_refuses_every_source(
    aws, deployed, outputs, logged_buckets
):
    target = outputs["AccessLogBucketName"]
    policy = json.loads(aws("s3").get_bucket_policy(Bucket=target)["Policy"])
    assert _logging_statements(policy), f"{target}'s policy admits no {LOGGING_SERVICE}"
    kept = [s for s in statements(policy) if s not in _logging_statements(policy)]
    with _bucket_policy(aws, target, {**policy, "Statement": kept}):
        for source in logged_buckets:
            got = _deliver(deployed, "s3", source)
            assert not got["delivered"] and got["refused_by"] == "bucket-policy", got
    assert _deliver(deployed, "s3", outputs["S3BucketName"])["delivered"], "restoring the policy did not heal delivery"


def test_logging_grant_scoped_to_another_source_refuses_only_that_source(aws, deployed, outputs, logged_buckets):
    target, content = outputs["AccessLogBucketName"], outputs["S3BucketName"]
    policy = json.loads(aws("s3").get_bucket_policy(Bucket=target)["Policy"])
    content_arn = f"arn:aws:s3:::{content}"
    other = next(source for source in logged_buckets if source != content)
    rescoped = json.loads(json.dumps(policy).replace(f'"{content_arn}"', f'"arn:aws:s3:::{other}"'))
    assert rescoped != policy, f"no logging grant names {content_arn} as aws:SourceArn"
    with _bucket_policy(aws, target, rescoped):
        refused = _deliver(deployed, "s3", content)
        assert not refused["delivered"] and f"aws:SourceArn {content_arn}" in refused["reason"], refused
        assert _deliver(deployed, "s3", other)["delivered"]


def test_alb_delivers_access_logs_to_the_alb_log_bucket(aws, deployed, outputs):
    lb = load_balancer(aws, outputs["LoadBalancerDNS"])
    attrs = {
        a["Key"]: a["Value"]
        for a in aws("elbv2").describe_load_balancer_attributes(LoadBalancerArn=lb["LoadBalancerArn"])["Attributes"]
    }
    assert attrs["access_logs.s3.bucket"] == outputs["AlbLogBucketName"]
    got = _deliver(deployed, "elb", lb["LoadBalancerArn"])
    assert got["delivered"], f"ALB access log refused: {got.get('reason')}"
    prefix = attrs.get("access_logs.s3.prefix", "").strip("/")
    head = f"{prefix}/" if prefix else ""
    account, region = _account(outputs), deployed.web_region
    assert got["key"].startswith(f"{head}AWSLogs/{account}/elasticloadbalancing/{region}/"), got["key"]
    obj = aws("s3").get_object(Bucket=got["bucket"], Key=got["key"])
    assert obj["ServerSideEncryption"] == "AES256"
    assert f" {lb_label(lb)} " in gzip.decompress(obj["Body"].read()).decode()


def test_alb_log_bucket_switched_to_sse_kms_gets_no_logs(aws, deployed, outputs):
    bucket, s3 = outputs["AlbLogBucketName"], aws("s3")
    lb = load_balancer(aws, outputs["LoadBalancerDNS"])
    original = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
    kms = {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": outputs["DataKeyArn"]}
    s3.put_bucket_encryption(
        Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": kms}]}
    )
    try:
        got = _deliver(deployed, "elb", lb["LoadBalancerArn"])
        assert not got["delivered"] and got["refused_by"] == "encryption", got
    finally:
        s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration=original)
    assert _deliver(deployed, "elb", lb["LoadBalancerArn"])["delivered"]


def test_distribution_delivers_standard_logs_to_the_cdn_log_bucket(aws, deployed, outputs):
    distribution = outputs["CloudFrontDistributionId"]
    logging = distribution_config(aws, distribution)["DistributionConfig"]["Logging"]
    assert logging["Enabled"] and logging["Bucket"].startswith(outputs["CdnLogBucketName"] + ".")
    got = _deliver(deployed, "cloudfront", distribution)
    assert got["delivered"], f"CloudFront standard log refused: {got.get('reason')}"
    prefix = logging["Prefix"] if logging["Prefix"].endswith("/") or not logging["Prefix"] else logging["Prefix"] + "/"
    assert got["bucket"] == outputs["CdnLogBucketName"] and got["key"].startswith(f"{prefix}{distribution}.")
    obj = aws("s3").get_object(Bucket=got["bucket"], Key=got["key"])
    assert obj["ServerSideEncryption"] == "AES256"
    assert gzip.decompress(obj["Body"].read()).decode().startswith("#Version: 1.0\n#Fields: date time")


def test_cdn_log_bucket_acl_reset_gets_no_logs(aws, deployed, outputs):
    bucket, s3 = outputs["CdnLogBucketName"], aws("s3")
    distribution = outputs["CloudFrontDistributionId"]
    original = s3.get_bucket_acl(Bucket=bucket)
    s3.put_bucket_acl(Bucket=bucket, ACL="private")
    try:
        got = _deliver(deployed, "cloudfront", distribution)
        assert not got["delivered"] and got["refused_by"] == "bucket-acl", got
    finally:
        s3.put_bucket_acl(Bucket=bucket, AccessControlPolicy={"Grants": original["Grants"], "Owner": original["Owner"]})
    assert _deliver(deployed, "cloudfront", distribution)["delivered"]
