"""An alarm that changes state publishes to its topics only if the topic
policy and the topic key's policy let CloudWatch do it
(webstack_emulator/alarm_actions.py, delivery.py)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar

import pytest

from webstack_emulator.alarm_actions import RuleError, evaluate_rule

ACCOUNT = "123456789012"
TLS_DENY = {
    "Sid": "AllowPublishThroughSSLOnly",
    "Effect": "Deny",
    "Principal": "*",
    "Action": "sns:Publish",
    "Resource": {"Ref": "Topic"},
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}
CLOUDWATCH_ALLOW = {
    "Sid": "AllowCloudWatchAlarmsToPublish",
    "Effect": "Allow",
    "Principal": {"Service": "cloudwatch.amazonaws.com"},
    "Action": "sns:Publish",
    "Resource": {"Ref": "Topic"},
    "Condition": {
        "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
        "ArnLike": {
            "aws:SourceArn": {"Fn::Sub": "arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:*"}
        },
    },
}
ROOT_STATEMENT = {
    "Effect": "Allow",
    "Principal": {"AWS": {"Fn::Sub": "arn:aws:iam::${AWS::AccountId}:root"}},
    "Action": "kms:*",
    "Resource": "*",
}
CLOUDWATCH_KEY_STATEMENT = {
    "Effect": "Allow",
    "Principal": {"Service": "cloudwatch.amazonaws.com"},
    "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
    "Resource": "*",
    "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}},
}


def _alarm(name: str, topic: str = "Topic", **extra):
    return {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "AlarmName": name,
            "Namespace": "AWS/EC2",
            "MetricName": "CPUUtilization",
            "Statistic": "Average",
            "Period": 60,
            "EvaluationPeriods": 1,
            "Threshold": 90,
            "ComparisonOperator": "GreaterThanThreshold",
            "AlarmActions": [{"Ref": topic}],
            "OKActions": [{"Ref": topic}],
            **extra,
        },
    }


def _resources(*, statements=None, key_statements=None, alarm_name="cpu"):
    resources = {
        "Topic": {"Type": "AWS::SNS::Topic", "Properties": {}},
        "Queue": {"Type": "AWS::SQS::Queue"},
        "Alarm": _alarm(alarm_name),
    }
    if statements is not None:
        resources["Policy"] = {
            "Type": "AWS::SNS::TopicPolicy",
            "Properties": {
                "Topics": [{"Ref": "Topic"}],
                "PolicyDocument": {"Version": "2012-10-17", "Statement": statements},
            },
        }
    if key_statements is not None:
        resources["Key"] = {
            "Type": "AWS::KMS::Key",
            "Properties": {"KeyPolicy": {"Version": "2012-10-17", "Statement": key_statements}},
        }
        resources["Topic"]["Properties"]["KmsMasterKeyId"] = {"Fn::GetAtt": ["Key", "Arn"]}
    return resources


def _subscribe_queue(aws, stack):
    queue_url = stack.resources["Queue"]
    queue_arn = aws("sqs").get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    aws("sns").subscribe(TopicArn=stack.resources["Topic"], Protocol="sqs", Endpoint=queue_arn)
    return queue_url


def _messages(aws, queue_url):
    received = aws("sqs").receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
    return [json.loads(json.loads(m["Body"])["Message"]) for m in received.get("Messages", [])]


def _actions(aws, alarm_name):
    items = aws("cloudwatch").describe_alarm_history(AlarmName=alarm_name, HistoryItemType="Action")
    return [i["HistorySummary"] for i in items["AlarmHistoryItems"]]


def _set(aws, name, state):
    aws("cloudwatch").set_alarm_state(AlarmName=name, StateValue=state, StateReason="test")


def test_tls_only_topic_policy_refuses_the_alarm(deploy, aws):
    # D15: the TLS Deny is the whole topic policy; nothing allows CloudWatch.
    stack = deploy(_resources(statements=[TLS_DENY], alarm_name="tls-only"))
    queue = _subscribe_queue(aws, stack)
    _set(aws, "tls-only", "ALARM")
    assert _messages(aws, queue) == []
    topic = stack.resources["Topic"]
    alarm_arn = f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:tls-only"
    assert _actions(aws, "tls-only") == [
        f'Failed to execute action {topic}. Received error: "Resource: {alarm_arn} is not authorized to perform: '
        f'SNS:Publish on resource: {topic}"'
    ]


def test_allow_for_cloudwatch_delivers_alarm_and_recovery(deploy, aws):
    stack = deploy(_resources(statements=[TLS_DENY, CLOUDWATCH_ALLOW], alarm_name="allowed"))
    queue = _subscribe_queue(aws, stack)
    _set(aws, "allowed", "ALARM")
    _set(aws, "allowed", "OK")
    states = [(m["OldStateValue"], m["NewStateValue"]) for m in _messages(aws, queue)]
    assert sorted(states) == [("ALARM", "OK"), ("OK", "ALARM")]
    topic = stack.resources["Topic"]
    assert _actions(aws, "allowed") == [f"Successfully executed action {topic}"] * 2
    history = aws("cloudwatch").describe_alarm_history(AlarmName="allowed", HistoryItemType="StateUpdate")
    assert [i["HistorySummary"] for i in history["AlarmHistoryItems"]] == [
        "Alarm updated from ALARM to OK",
        "Alarm updated from OK to ALARM",
    ]


def test_default_topic_policy_admits_alarms_of_the_account(deploy, aws):
    # No AWS::SNS::TopicPolicy: SNS's default policy (AWS:SourceOwner = the
    # account) lets the account's alarms publish.
    stack = deploy(_resources(alarm_name="default-policy"))
    queue = _subscribe_queue(aws, stack)
    _set(aws, "default-policy", "ALARM")
    assert [m["AlarmName"] for m in _messages(aws, queue)] == ["default-policy"]


def test_same_state_and_disabled_actions_publish_nothing(deploy, aws):
    stack = deploy(_resources(statements=[CLOUDWATCH_ALLOW], alarm_name="quiet"))
    queue = _subscribe_queue(aws, stack)
    _set(aws, "quiet", "OK")  # already OK: no transition
    aws("cloudwatch").disable_alarm_actions(AlarmNames=["quiet"])
    _set(aws, "quiet", "ALARM")
    assert _messages(aws, queue) == []
    assert _actions(aws, "quiet") == []


def test_key_without_cloudwatch_refuses_the_alarm(deploy, aws):
    # D10: a CMK whose policy does not admit CloudWatch.
    stack = deploy(_resources(statements=[CLOUDWATCH_ALLOW], key_statements=[ROOT_STATEMENT], alarm_name="no-key-use"))
    queue = _subscribe_queue(aws, stack)
    _set(aws, "no-key-use", "ALARM")
    assert _messages(aws, queue) == []
    topic = stack.resources["Topic"]
    assert _actions(aws, "no-key-use") == [
        f'Failed to execute action {topic}. Received error: "CloudWatch Alarms does not have authorization to '
        'access the SNS topic encryption key."'
    ]


def test_key_admitting_cloudwatch_delivers(deploy, aws):
    stack = deploy(
        _resources(
            statements=[CLOUDWATCH_ALLOW], key_statements=[ROOT_STATEMENT, CLOUDWATCH_KEY_STATEMENT], alarm_name="keyed"
        )
    )
    queue = _subscribe_queue(aws, stack)
    _set(aws, "keyed", "ALARM")
    assert [m["NewStateValue"] for m in _messages(aws, queue)] == ["ALARM"]


def test_aws_managed_sns_key_refuses_the_alarm(deploy, aws):
    resources = _resources(statements=[CLOUDWATCH_ALLOW], alarm_name="aws-sns-key")
    resources["Topic"]["Properties"]["KmsMasterKeyId"] = "alias/aws/sns"
    stack = deploy(resources)
    queue = _subscribe_queue(aws, stack)
    _set(aws, "aws-sns-key", "ALARM")
    assert _messages(aws, queue) == []
    assert "does not have authorization to access the SNS topic encryption key" in _actions(aws, "aws-sns-key")[0]


def test_composite_alarm_follows_its_children_and_pages(deploy, aws):
    resources = _resources(statements=[TLS_DENY, CLOUDWATCH_ALLOW], alarm_name="child-a")
    resources["ChildB"] = _alarm("child-b", topic="Topic")
    rule = {"Fn::Sub": 'ALARM("${Alarm.Arn}") OR ALARM("${ChildB.Arn}")'}
    resources["Composite"] = {
        "Type": "AWS::CloudWatch::CompositeAlarm",
        "Properties": {
            "AlarmName": "degraded",
            "AlarmRule": rule,
            "AlarmActions": [{"Ref": "Topic"}],
            "OKActions": [{"Ref": "Topic"}],
        },
    }
    stack = deploy(resources)
    queue = _subscribe_queue(aws, stack)
    _set(aws, "child-b", "ALARM")
    composite = aws("cloudwatch").describe_alarms(AlarmNames=["degraded"], AlarmTypes=["CompositeAlarm"])
    assert composite["CompositeAlarms"][0]["StateValue"] == "ALARM"
    _set(aws, "child-b", "OK")
    got = sorted((m["AlarmName"], m["NewStateValue"]) for m in _messages(aws, queue))
    assert got == [("child-b", "ALARM"), ("child-b", "OK"), ("degraded", "ALARM"), ("degraded", "OK")]
    assert len(_actions(aws, "degraded")) == 2


def test_composite_alarm_set_directly_pages(deploy, aws):
    resources = _resources(statements=[CLOUDWATCH_ALLOW], alarm_name="solo-child")
    resources["Composite"] = {
        "Type": "AWS::CloudWatch::CompositeAlarm",
        "Properties": {
            "AlarmName": "solo-composite",
            "AlarmRule": {"Fn::Sub": 'ALARM("${Alarm.Arn}")'},
            "AlarmActions": [{"Ref": "Topic"}],
        },
    }
    stack = deploy(resources)
    queue = _subscribe_queue(aws, stack)
    _set(aws, "solo-composite", "ALARM")
    messages = _messages(aws, queue)
    assert [(m["AlarmName"], m["AlarmRule"]) for m in messages] == [("solo-composite", messages[0]["AlarmRule"])]
    assert "solo-child" in messages[0]["AlarmRule"]


class _Collector(BaseHTTPRequestHandler):
    received: ClassVar[list[dict]] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Collector.received.append(json.loads(body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_http_endpoint_on_localhost_receives_the_alarm(deploy, aws):
    server = HTTPServer(("127.0.0.1", 0), _Collector)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        stack = deploy(_resources(statements=[CLOUDWATCH_ALLOW], alarm_name="to-http"))
        aws("sns").subscribe(
            TopicArn=stack.resources["Topic"], Protocol="http", Endpoint=f"http://127.0.0.1:{server.server_port}/hook"
        )
        _set(aws, "to-http", "ALARM")
        assert [json.loads(m["Message"])["AlarmName"] for m in _Collector.received] == ["to-http"]
        assert _Collector.received[0]["Subject"] == 'ALARM: "to-http" in US East (N. Virginia)'
    finally:
        server.shutdown()


def test_email_subscription_waits_for_confirmation(deploy, aws):
    stack = deploy(_resources(statements=[CLOUDWATCH_ALLOW], alarm_name="to-email"))
    sns = aws("sns")
    arn = sns.subscribe(
        TopicArn=stack.resources["Topic"], Protocol="email", Endpoint="ops@corp.test", ReturnSubscriptionArn=True
    )["SubscriptionArn"]
    attributes = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
    assert attributes["PendingConfirmation"] == "true"


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ('ALARM("a") OR ALARM("b")', True),
        ('ALARM("a") AND ALARM("b")', False),
        ('(ALARM("a") OR OK("a")) AND NOT INSUFFICIENT_DATA(c)', True),
        ("NOT ALARM(b)", False),
        ("TRUE AND NOT FALSE", True),
        ('OK("arn:aws:cloudwatch:us-east-1:123456789012:alarm:b")', False),
    ],
)
def test_composite_rule_expressions(rule, expected):
    # Create_Composite_Alarm.html, "Rule expression syntax".
    states = {"a": "OK", "b": "ALARM", "c": "OK", "arn:aws:cloudwatch:us-east-1:123456789012:alarm:b": "ALARM"}
    assert evaluate_rule(rule, states) is expected


def test_unreadable_composite_rule_is_an_error():
    with pytest.raises(RuleError):
        evaluate_rule('ALARM("a") OR', {})


def test_a_deleted_queue_does_not_stop_the_other_deliveries(deploy, aws):
    # SNS drops a message its endpoint cannot take (delivery retries) and
    # still delivers to the other subscriptions; the alarm action succeeds.
    stack = deploy(_resources(statements=[CLOUDWATCH_ALLOW], alarm_name="gone-queue"))
    sqs = aws("sqs")
    gone = sqs.create_queue(QueueName="gone-queue")["QueueUrl"]
    gone_arn = sqs.get_queue_attributes(QueueUrl=gone, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    aws("sns").subscribe(TopicArn=stack.resources["Topic"], Protocol="sqs", Endpoint=gone_arn)
    sqs.delete_queue(QueueUrl=gone)
    queue = _subscribe_queue(aws, stack)
    _set(aws, "gone-queue", "ALARM")
    assert [m["AlarmName"] for m in _messages(aws, queue)] == ["gone-queue"]
    assert _actions(aws, "gone-queue") == [f"Successfully executed action {stack.resources['Topic']}"]
