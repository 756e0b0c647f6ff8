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


def test_cloudfront_reads_content_through_its_origin_access_control(aws, deployed, outputs):
    """The distribution asks its S3 origin as cloudfront.amazonaws.com: the
    emulator evaluates the content bucket's policy (AWS:SourceArn = this
    distribution) and the data key's policy for kms:Decrypt (D2), over its
    /webstack-api/cloudfront route."""
    import urllib.error
    import urllib.request

    bucket, key = outputs["S3BucketName"], f"behaviour/{uuid.uuid4().hex[:12]}.html"
    s3 = aws("s3")
    s3.put_object(Bucket=bucket, Key=key, Body=b"<p>through the OAC</p>", ContentType="text/html")
    url = f"{deployed.endpoint}/webstack-api/cloudfront/{outputs['CloudFrontDistributionId']}/{key}"
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            assert (response.status, response.read()) == (200, b"<p>through the OAC</p>")
    except urllib.error.HTTPError as error:
        pytest.fail(f"CloudFront got {error.code} {error.headers.get('x-webstack-refused-by')}: {error.read()!r}")
    finally:
        s3.delete_object(Bucket=bucket, Key=key)


def test_scale_out_launches_with_the_cmk_encrypted_volume(aws, outputs):
    """Auto Scaling's service-linked role may use the data key for the launch
    template's EBS volume (D1): the new instance starts, no activity fails."""
    group_name = outputs["AutoScalingGroupName"]
    autoscaling = aws("autoscaling")
    group = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[group_name])["AutoScalingGroups"][0]
    desired = group["DesiredCapacity"]
    if desired >= group["MaxSize"]:
        pytest.skip(f"{group_name} is at its maximum ({desired}): no room to scale out")
    autoscaling.set_desired_capacity(AutoScalingGroupName=group_name, DesiredCapacity=desired + 1)
    try:
        group = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[group_name])["AutoScalingGroups"][0]
        activities = autoscaling.describe_scaling_activities(AutoScalingGroupName=group_name)["Activities"]
        failed = [a.get("StatusMessage") for a in activities if a["StatusCode"] == "Failed"]
        assert failed == [], f"launches of {group_name} failed (does the data key admit the Auto Scaling role? D1)"
        assert len(group["Instances"]) == desired + 1
        assert activities[0]["StatusCode"] == "Successful"
    finally:
        autoscaling.set_desired_capacity(AutoScalingGroupName=group_name, DesiredCapacity=desired)


def _rotation_handler() -> Any:
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "webstack/constructs/assets/rotate-api-key/index.py"
    spec = importlib.util.spec_from_file_location("webstack_rotate_api_key", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_api_key_rotation_runs_as_the_rotation_role(aws, deployed, web_resources):
    """RotateSecret: Secrets Manager may invoke the rotation function (D20); the
    function -- webstack's handler, run here with a session of its execution
    role -- reads, writes and promotes the new version through the role's
    policies and the data key's policy, which the emulator evaluates."""
    import boto3

    sm = aws("secretsmanager")
    (secret_id,) = [
        r["PhysicalResourceId"]
        for r in web_resources
        if r["ResourceType"] == "AWS::SecretsManager::Secret" and r["LogicalResourceId"].startswith("SecretsApiKey")
    ]
    secret = sm.describe_secret(SecretId=secret_id)
    before = json.loads(sm.get_secret_value(SecretId=secret_id)["SecretString"])["api_key"]
    token = sm.rotate_secret(SecretId=secret_id)["VersionId"]
    role_arn = aws("lambda").get_function(FunctionName=secret["RotationLambdaARN"])["Configuration"]["Role"]
    credentials = aws("sts").assume_role(RoleArn=role_arn, RoleSessionName="rotation")["Credentials"]
    as_role = boto3.client(
        "secretsmanager",
        region_name=sm.meta.region_name,
        endpoint_url=deployed.endpoint,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )
    handler = _rotation_handler()
    for step in ("createSecret", "setSecret", "testSecret", "finishSecret"):
        handler.handler({"SecretId": secret["ARN"], "ClientRequestToken": token, "Step": step}, None, client=as_role)
    after = json.loads(sm.get_secret_value(SecretId=secret_id)["SecretString"])["api_key"]
    assert after != before and len(after) == len(before) and after.isalnum()
    assert "AWSCURRENT" in sm.describe_secret(SecretId=secret_id)["VersionIdsToStages"][token]


# -- the paging path as configured (the local pager `make up` subscribes) ------
def _pager_url(aws: Any, deployed: Any) -> str:
    from webstack_tools import local_pager

    return aws("sqs").get_queue_url(QueueName=local_pager.queue_name(deployed.env_name))["QueueUrl"]


def _pages(aws: Any, url: str, alarm_name: str, reason: str, seconds: float = 5.0) -> list[dict]:
    from webstack_tools import local_pager

    found = []
    for envelope in local_pager.notifications(aws("sqs"), url, wait_seconds=seconds):
        message = json.loads(envelope["Message"])
        if message.get("AlarmName") == alarm_name and message.get("NewStateReason") == reason:
            found.append(message)
            if message["NewStateValue"] == "ALARM":
                break
    return found


def _fire(aws: Any, region: str, alarm_name: str) -> str:
    reason = f"behaviour test {uuid.uuid4().hex[:8]}"
    aws("cloudwatch", region).set_alarm_state(AlarmName=alarm_name, StateValue="ALARM", StateReason=reason)
    return reason


@pytest.mark.parametrize(
    ("region_of", "topic_output"), [("web_region", "AlertTopicArn"), ("edge_region", "EdgeAlertTopicArn")]
)
def test_the_configured_pager_receives_each_regions_page(aws, deployed, outputs, region_of, topic_output):
    """The subscription the configuration makes (alarms.subscribers: the local pager queue,
    in the web region) gets the page of each region's composite alarm -- the edge topic
    in us-east-1 delivers across regions."""
    region = getattr(deployed, region_of)
    composite = _paging_composite(aws, region, outputs[topic_output])
    url = _pager_url(aws, deployed)
    reason = _fire(aws, region, composite["AlarmName"])
    try:
        pages = _pages(aws, url, composite["AlarmName"], reason)
        assert [p["NewStateValue"] for p in pages] == ["ALARM"], _action_history(aws, region, composite["AlarmName"])
    finally:
        _set_state(aws, region, composite["AlarmName"], "OK")


def _expect_no_page(aws: Any, deployed: Any, topic: str) -> None:
    """The web region's paging alarm fires; nothing reaches the pager and the alarm's
    history records the failed action on ``topic``, as CloudWatch records it."""
    region = deployed.web_region
    composite = _paging_composite(aws, region, topic)
    reason = _fire(aws, region, composite["AlarmName"])
    try:
        assert _pages(aws, _pager_url(aws, deployed), composite["AlarmName"], reason, seconds=3) == []
        history = _action_history(aws, region, composite["AlarmName"])
        assert any(h.startswith(f"Failed to execute action {topic}") for h in history), history
    finally:
        _set_state(aws, region, composite["AlarmName"], "OK")


@pytest.fixture
def restore_topic_policy(aws, outputs) -> Iterator[Any]:
    sns = aws("sns")
    topic = outputs["AlertTopicArn"]
    policy = sns.get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"]
    yield sns, topic, json.loads(policy)
    sns.set_topic_attributes(TopicArn=topic, AttributeName="Policy", AttributeValue=policy)


def test_a_topic_policy_that_only_denies_stops_the_page(aws, deployed, outputs, restore_topic_policy):
    """Broken on purpose: the topic policy CDK's enforce_ssl alone makes (D15: the TLS Deny,
    nothing allowing CloudWatch). The page never arrives; the alarm's history says why."""
    sns, topic, policy = restore_topic_policy
    deny_only = {**policy, "Statement": [s for s in policy["Statement"] if s["Effect"] == "Deny"]}
    assert deny_only["Statement"], "the topic policy has no TLS Deny to keep"
    sns.set_topic_attributes(TopicArn=topic, AttributeName="Policy", AttributeValue=json.dumps(deny_only))
    _expect_no_page(aws, deployed, topic)


@pytest.fixture
def restore_telemetry_key_policy(aws, outputs) -> Iterator[Any]:
    kms = aws("kms")
    key = outputs["TelemetryKeyArn"]
    policy = kms.get_key_policy(KeyId=key, PolicyName="default")["Policy"]
    yield kms, key, json.loads(policy)
    kms.put_key_policy(KeyId=key, PolicyName="default", Policy=policy)


def test_a_topic_key_that_does_not_admit_cloudwatch_stops_the_page(
    aws, deployed, outputs, restore_telemetry_key_policy
):
    """Broken on purpose: the alert topic's key policy without its CloudWatch statement
    (D10). SNS cannot get a data key for CloudWatch's publish: no page, a failed action."""
    kms, key, policy = restore_telemetry_key_policy

    def admits_cloudwatch(statement: dict) -> bool:
        return "cloudwatch.amazonaws.com" in json.dumps(statement.get("Principal", {}))

    without = {**policy, "Statement": [s for s in policy["Statement"] if not admits_cloudwatch(s)]}
    assert len(without["Statement"]) < len(policy["Statement"]), "the key policy names no CloudWatch statement"
    kms.put_key_policy(KeyId=key, PolicyName="default", Policy=json.dumps(without))
    _expect_no_page(aws, deployed, outputs["AlertTopicArn"])


def test_cloudfront_is_refused_by_a_bucket_policy_for_another_distribution(aws, deployed, outputs):
    """Broken on purpose (D2): the content bucket's policy names another distribution in
    AWS:SourceArn. CloudFront's read through the OAC gets S3's 403."""
    import urllib.error
    import urllib.request

    s3 = aws("s3")
    bucket, key = outputs["S3BucketName"], f"behaviour/{uuid.uuid4().hex[:12]}.txt"
    policy = s3.get_bucket_policy(Bucket=bucket)["Policy"]
    ours = outputs["CloudFrontDistributionId"]
    s3.put_object(Bucket=bucket, Key=key, Body=b"not for other distributions")
    s3.put_bucket_policy(Bucket=bucket, Policy=policy.replace(f"distribution/{ours}", "distribution/EOTHERDIST0001"))
    try:
        assert f"distribution/{ours}" in policy, "the bucket policy does not name this distribution"
        url = f"{deployed.endpoint}/webstack-api/cloudfront/{ours}/{key}"
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(url, timeout=10)
        assert refused.value.code == 403
    finally:
        s3.put_bucket_policy(Bucket=bucket, Policy=policy)
        s3.delete_object(Bucket=bucket, Key=key)


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
