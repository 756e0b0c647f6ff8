"""SNS topic policies and subscriptions (providers/sns.py)."""

from __future__ import annotations

import json


def test_sns_topic_policy_and_subscription(deploy, aws):
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": "sns:Publish",
                "Resource": {"Ref": "T"},
            }
        ],
    }
    stack = deploy(
        {
            "T": {"Type": "AWS::SNS::Topic"},
            "P": {"Type": "AWS::SNS::TopicPolicy", "Properties": {"Topics": [{"Ref": "T"}], "PolicyDocument": policy}},
            "S": {
                "Type": "AWS::SNS::Subscription",
                "Properties": {"TopicArn": {"Ref": "T"}, "Protocol": "email", "Endpoint": "ops@corp.test"},
            },
        }
    )
    sns = aws("sns")
    stored = json.loads(sns.get_topic_attributes(TopicArn=stack.resources["T"])["Attributes"]["Policy"])
    assert stored["Statement"][0]["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    subs = sns.list_subscriptions_by_topic(TopicArn=stack.resources["T"])["Subscriptions"]
    assert [s["SubscriptionArn"] for s in subs] == [stack.resources["S"]]
