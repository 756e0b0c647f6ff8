"""``AWS::SQS::Queue`` and ``AWS::SQS::QueuePolicy`` (providers/sqs.py)."""

from __future__ import annotations

import json


def _policy(sid):
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": sid,
                "Effect": "Allow",
                "Principal": {"Service": "sns.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": "*",
            }
        ],
    }


def _queues(sid, visibility=30, tags=None):
    return {
        "Dlq": {"Type": "AWS::SQS::Queue", "Properties": {"MessageRetentionPeriod": 1209600}},
        "Q": {
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "VisibilityTimeout": visibility,
                "RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": ["Dlq", "Arn"]}, "maxReceiveCount": 3},
                "Tags": tags or [{"Key": "team", "Value": "web"}],
            },
        },
        "P": {
            "Type": "AWS::SQS::QueuePolicy",
            "Properties": {"Queues": [{"Ref": "Q"}], "PolicyDocument": _policy(sid)},
        },
    }


OUTPUTS = {
    "Url": {"Ref": "Q"},
    "UrlAttr": {"Fn::GetAtt": ["Q", "QueueUrl"]},
    "Arn": {"Fn::GetAtt": ["Q", "Arn"]},
    "Name": {"Fn::GetAtt": ["Q", "QueueName"]},
    "PolicyId": {"Fn::GetAtt": ["P", "Id"]},
}


def test_queue_attributes_policy_update_and_delete(deploy, aws):
    stack = deploy(_queues("one"), OUTPUTS)
    sqs = aws("sqs")
    out = stack.outputs
    assert out["Url"] == out["UrlAttr"] == stack.resources["Q"]
    assert out["Name"].startswith(f"{stack.name}-Q-") and out["Arn"].endswith(":" + out["Name"])
    url = sqs.get_queue_url(QueueName=out["Name"])["QueueUrl"]
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attrs["VisibilityTimeout"] == "30"
    assert json.loads(attrs["RedrivePolicy"])["maxReceiveCount"] == 3
    assert json.loads(attrs["Policy"])["Statement"][0]["Sid"] == "one"
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "web"}
    assert out["PolicyId"]

    stack = deploy(_queues("two", visibility=120, tags=[{"Key": "team", "Value": "ops"}]), OUTPUTS, update_of=stack)
    assert stack.outputs["Url"] == out["Url"]  # updated in place
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attrs["VisibilityTimeout"] == "120"
    assert json.loads(attrs["Policy"])["Statement"][0]["Sid"] == "two"
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "ops"}

    aws("cloudformation").delete_stack(StackName=stack.name)
    assert not [u for u in sqs.list_queues().get("QueueUrls", []) if stack.name in u]


def test_named_fifo_queue_and_rename_replaces(deploy, aws):
    props = {"QueueName": "orders-a.fifo", "FifoQueue": True, "ContentBasedDeduplication": True}
    stack = deploy(
        {"Q": {"Type": "AWS::SQS::Queue", "Properties": props}}, {"Name": {"Fn::GetAtt": ["Q", "QueueName"]}}
    )
    sqs = aws("sqs")
    url = sqs.get_queue_url(QueueName="orders-a.fifo")["QueueUrl"]
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attrs["FifoQueue"] == "true" and attrs["ContentBasedDeduplication"] == "true"

    stack = deploy(
        {"Q": {"Type": "AWS::SQS::Queue", "Properties": {**props, "QueueName": "orders-b.fifo"}}},
        {"Name": {"Fn::GetAtt": ["Q", "QueueName"]}},
        update_of=stack,
    )
    assert stack.outputs["Name"] == "orders-b.fifo"
    names = [u.rsplit("/", 1)[-1] for u in sqs.list_queues(QueueNamePrefix="orders-").get("QueueUrls", [])]
    assert names == ["orders-b.fifo"]
    aws("cloudformation").delete_stack(StackName=stack.name)


def test_generated_fifo_queue_name_ends_in_fifo(deploy):
    stack = deploy(
        {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"FifoQueue": True}}},
        {"Name": {"Fn::GetAtt": ["Q", "QueueName"]}},
    )
    assert stack.outputs["Name"].endswith(".fifo")


def test_queue_policy_for_a_missing_queue_fails(deploy):
    stack = deploy(
        {
            "P": {
                "Type": "AWS::SQS::QueuePolicy",
                "Properties": {
                    "Queues": ["https://sqs.us-east-1.amazonaws.com/123456789012/no-such-queue"],
                    "PolicyDocument": _policy("x"),
                },
            }
        },
        expect_ok=False,
    )
    assert stack.status == "ROLLBACK_COMPLETE"
    assert any("NonExistentQueue" in f for f in stack.failures())
