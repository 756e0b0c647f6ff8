"""Auto Scaling notifications reach an encrypted topic only if the topic key
admits the Auto Scaling service-linked role (D16;
webstack_emulator/scaling_notifications.py, delivery.py)."""

from __future__ import annotations

import json

from webstack_emulator import delivery

SLR_PATH = "role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
SLR = {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:" + SLR_PATH}
ROOT_STATEMENT = {
    "Effect": "Allow",
    "Principal": {"AWS": {"Fn::Sub": "arn:aws:iam::${AWS::AccountId}:root"}},
    "Action": "kms:*",
    "Resource": "*",
}
SLR_TOPIC_USE = {
    "Sid": "AllowAutoScalingServiceLinkedRoleToPublishToEncryptedTopics",
    "Effect": "Allow",
    "Principal": {"AWS": "*"},
    "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
    "Resource": "*",
    "Condition": {
        "ArnEquals": {"aws:PrincipalArn": SLR},
        "StringEquals": {"kms:CallerAccount": {"Ref": "AWS::AccountId"}},
    },
}
TLS_DENY = {
    "Effect": "Deny",
    "Principal": "*",
    "Action": "sns:Publish",
    "Resource": {"Ref": "Topic"},
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}
EVENTS = ["autoscaling:EC2_INSTANCE_LAUNCH", "autoscaling:EC2_INSTANCE_TERMINATE"]


def _resources(key_statements, topic_statements=(TLS_DENY,)):
    return {
        "Key": {
            "Type": "AWS::KMS::Key",
            "Properties": {"KeyPolicy": {"Version": "2012-10-17", "Statement": key_statements}},
        },
        "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"KmsMasterKeyId": {"Fn::GetAtt": ["Key", "Arn"]}}},
        "Policy": {
            "Type": "AWS::SNS::TopicPolicy",
            "Properties": {
                "Topics": [{"Ref": "Topic"}],
                "PolicyDocument": {"Version": "2012-10-17", "Statement": list(topic_statements)},
            },
        },
        "Queue": {"Type": "AWS::SQS::Queue"},
        "Lt": {
            "Type": "AWS::EC2::LaunchTemplate",
            "Properties": {"LaunchTemplateData": {"ImageId": "ami-12345678", "InstanceType": "t3.micro"}},
        },
        "Group": {
            "Type": "AWS::AutoScaling::AutoScalingGroup",
            "Properties": {
                "MinSize": "1",
                "MaxSize": "3",
                "AvailabilityZones": ["us-east-1a"],
                "LaunchTemplate": {
                    "LaunchTemplateId": {"Ref": "Lt"},
                    "Version": {"Fn::GetAtt": ["Lt", "LatestVersionNumber"]},
                },
                "NotificationConfigurations": [{"TopicARN": {"Ref": "Topic"}, "NotificationTypes": EVENTS}],
            },
        },
    }


def _scale_out(aws, stack):
    queue_url = stack.resources["Queue"]
    queue_arn = aws("sqs").get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    aws("sns").subscribe(TopicArn=stack.resources["Topic"], Protocol="sqs", Endpoint=queue_arn)
    aws("autoscaling").set_desired_capacity(AutoScalingGroupName=stack.resources["Group"], DesiredCapacity=2)
    received = aws("sqs").receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(json.loads(m["Body"])["Message"]) for m in received]


def _group_arn(aws, stack):
    group = aws("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[stack.resources["Group"]])
    return group["AutoScalingGroups"][0]["AutoScalingGroupARN"]


def test_notification_configurations_from_the_template(deploy, aws):
    stack = deploy(_resources([ROOT_STATEMENT, SLR_TOPIC_USE]))
    configs = aws("autoscaling").describe_notification_configurations(AutoScalingGroupNames=[stack.resources["Group"]])
    assert sorted(c["NotificationType"] for c in configs["NotificationConfigurations"]) == EVENTS
    assert {c["TopicARN"] for c in configs["NotificationConfigurations"]} == {stack.resources["Topic"]}


def test_key_admitting_the_service_linked_role_delivers_launches(deploy, aws):
    stack = deploy(_resources([ROOT_STATEMENT, SLR_TOPIC_USE]))
    messages = _scale_out(aws, stack)
    assert [(m["Event"], m["AutoScalingGroupName"]) for m in messages] == [
        ("autoscaling:EC2_INSTANCE_LAUNCH", stack.resources["Group"])
    ]
    # The group's first instance, launched at creation, was notified too.
    outcomes = delivery.LOG.of(_group_arn(aws, stack))
    assert [o.delivered for o in outcomes] == [True, True]


def test_key_without_the_service_linked_role_refuses_notifications(deploy, aws):
    # D16: the default key policy delegates to IAM, and the role's managed
    # policy grants no use of customer managed keys.
    stack = deploy(_resources([ROOT_STATEMENT]))
    assert _scale_out(aws, stack) == []
    outcomes = delivery.LOG.of(_group_arn(aws, stack))
    assert {(o.delivered, o.refused_by) for o in outcomes} == {(False, "key-policy")}


def test_topic_policy_needs_no_allow_for_the_role_of_the_same_account(deploy, aws):
    # The role's own policy allows sns:Publish; within one account that is
    # enough unless the topic policy denies it (policy evaluation logic).
    stack = deploy(_resources([ROOT_STATEMENT, SLR_TOPIC_USE], topic_statements=[TLS_DENY]))
    assert len(_scale_out(aws, stack)) == 1
    deny_role = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "sns:Publish",
        "Resource": {"Ref": "Topic"},
        "Condition": {"ArnEquals": {"aws:PrincipalArn": SLR}},
    }
    denied = deploy(_resources([ROOT_STATEMENT, SLR_TOPIC_USE], topic_statements=[deny_role]))
    assert _scale_out(aws, denied) == []
    assert {o.refused_by for o in delivery.LOG.of(_group_arn(aws, denied))} == {"topic-policy"}


def test_put_and_delete_notification_configuration(deploy, aws):
    stack = deploy(_resources([ROOT_STATEMENT, SLR_TOPIC_USE]))
    autoscaling, group = aws("autoscaling"), stack.resources["Group"]
    autoscaling.put_notification_configuration(
        AutoScalingGroupName=group,
        TopicARN=stack.resources["Topic"],
        NotificationTypes=["autoscaling:EC2_INSTANCE_TERMINATE"],
    )
    configs = autoscaling.describe_notification_configurations(AutoScalingGroupNames=[group])[
        "NotificationConfigurations"
    ]
    assert [c["NotificationType"] for c in configs] == ["autoscaling:EC2_INSTANCE_TERMINATE"]
    autoscaling.delete_notification_configuration(AutoScalingGroupName=group, TopicARN=stack.resources["Topic"])
    assert (
        autoscaling.describe_notification_configurations(AutoScalingGroupNames=[group])["NotificationConfigurations"]
        == []
    )
