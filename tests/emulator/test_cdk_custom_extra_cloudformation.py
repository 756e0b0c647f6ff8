"""CDK's ``Custom::S3BucketNotifications`` and ``Custom::LogRetention``
handlers, emulated natively (providers/cdk_custom.py)."""

from __future__ import annotations

TOKEN = "arn:aws:lambda:us-east-1:123456789012:function:never-invoked"
LOG_TOKEN = "arn:aws:lambda:us-east-1:123456789012:function:LogRetentionHandler"


def _notifications(config: dict, managed: bool = True, skip_validation: bool = False) -> dict:
    return {
        "B": {"Type": "AWS::S3::Bucket"},
        "T": {"Type": "AWS::SNS::Topic"},
        "Q": {"Type": "AWS::SQS::Queue"},
        "N": {
            "Type": "Custom::S3BucketNotifications",
            "DependsOn": ["T", "Q"],
            "Properties": {
                "ServiceToken": TOKEN,
                "BucketName": {"Ref": "B"},
                "NotificationConfiguration": config,
                "Managed": managed,
                "SkipDestinationValidation": skip_validation,
            },
        },
    }


TOPIC_CONFIG = {
    "TopicConfigurations": [
        {
            "Events": ["s3:ObjectCreated:Put"],
            "Filter": {
                "Key": {"FilterRules": [{"Name": "suffix", "Value": ".csv"}, {"Name": "prefix", "Value": "up"}]}
            },
            "TopicArn": {"Ref": "T"},
        }
    ]
}
QUEUE_CONFIG = {"QueueConfigurations": [{"Events": ["s3:ObjectRemoved:*"], "QueueArn": {"Fn::GetAtt": ["Q", "Arn"]}}]}


def test_bucket_notifications_are_put_updated_and_emptied_on_delete(deploy, aws):
    stack = deploy(_notifications(TOPIC_CONFIG))
    s3 = aws("s3")
    bucket = stack.resources["B"]
    assert stack.resources["N"] == "N"  # the handler answers the logical id
    config = s3.get_bucket_notification_configuration(Bucket=bucket)
    (topic,) = config["TopicConfigurations"]
    assert topic["TopicArn"] == stack.resources["T"]
    assert topic["Events"] == ["s3:ObjectCreated:Put"]
    rules = {r["Name"].lower(): r["Value"] for r in topic["Filter"]["Key"]["FilterRules"]}
    assert rules == {"suffix": ".csv", "prefix": "up"}
    assert "QueueConfigurations" not in config

    stack = deploy(_notifications(QUEUE_CONFIG), update_of=stack)
    config = s3.get_bucket_notification_configuration(Bucket=bucket)
    assert "TopicConfigurations" not in config
    assert [q["Events"] for q in config["QueueConfigurations"]] == [["s3:ObjectRemoved:*"]]

    # the custom resource alone goes away: a managed bucket has no notifications left
    resources = _notifications(QUEUE_CONFIG)
    del resources["N"]
    deploy(resources, update_of=stack)
    config = s3.get_bucket_notification_configuration(Bucket=bucket)
    assert not config.get("TopicConfigurations") and not config.get("QueueConfigurations")
    aws("cloudformation").delete_stack(StackName=stack.name)


def test_unmanaged_bucket_keeps_the_notifications_others_made(deploy, aws):
    s3, sqs = aws("s3"), aws("sqs")
    s3.create_bucket(Bucket="imported-notifications-bucket")
    other = sqs.get_queue_attributes(
        QueueUrl=sqs.create_queue(QueueName="someone-elses-queue")["QueueUrl"], AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    s3.put_bucket_notification_configuration(
        Bucket="imported-notifications-bucket",
        NotificationConfiguration={
            "QueueConfigurations": [{"Id": "theirs", "QueueArn": other, "Events": ["s3:ObjectCreated:*"]}]
        },
    )
    resources = _notifications(TOPIC_CONFIG, managed=False)
    del resources["B"]
    resources["N"]["Properties"]["BucketName"] = "imported-notifications-bucket"
    stack = deploy(resources)
    config = s3.get_bucket_notification_configuration(Bucket="imported-notifications-bucket")
    assert [q["Id"] for q in config["QueueConfigurations"]] == ["theirs"]
    (mine,) = config["TopicConfigurations"]
    stack_id = aws("cloudformation").describe_stacks(StackName=stack.name)["Stacks"][0]["StackId"]
    assert mine["Id"].startswith(f"{stack_id}-")

    aws("cloudformation").delete_stack(StackName=stack.name)
    config = s3.get_bucket_notification_configuration(Bucket="imported-notifications-bucket")
    assert [q["Id"] for q in config["QueueConfigurations"]] == ["theirs"]
    assert not config.get("TopicConfigurations")


def test_missing_destination_fails_as_s3_refuses_it(deploy):
    missing = {
        "TopicConfigurations": [
            {"Events": ["s3:ObjectCreated:*"], "TopicArn": "arn:aws:sns:us-east-1:123456789012:no-such-topic"}
        ]
    }
    stack = deploy(_notifications(missing), expect_ok=False)
    assert stack.status == "ROLLBACK_COMPLETE"
    (failure,) = [f for f in stack.failures() if f.startswith("N:")]
    assert (
        "Received response status [FAILED] from custom resource. Message returned: Error: An error occurred "
        "(InvalidArgument) when calling the PutBucketNotificationConfiguration operation: "
        "Unable to validate the following destination configurations." in failure
    )


def test_skip_destination_validation_accepts_a_missing_destination(deploy, aws):
    arn = "arn:aws:sns:us-east-1:123456789012:not-yet-there"
    config = {"TopicConfigurations": [{"Events": ["s3:ObjectCreated:*"], "TopicArn": arn}]}
    stack = deploy(_notifications(config, skip_validation=True))
    got = aws("s3").get_bucket_notification_configuration(Bucket=stack.resources["B"])
    assert [t["TopicArn"] for t in got["TopicConfigurations"]] == [arn]
    aws("cloudformation").delete_stack(StackName=stack.name)


def _retention(name: str, days: int | None = None, removal: str | None = None) -> dict:
    props: dict = {"ServiceToken": LOG_TOKEN, "LogGroupName": name}
    if days is not None:
        props["RetentionInDays"] = days
    if removal:
        props["RemovalPolicy"] = removal
    return {"R": {"Type": "Custom::LogRetention", "Properties": props}}


def _group(aws, name):
    groups = aws("logs").describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    return next((g for g in groups if g["logGroupName"] == name), None)


def test_log_retention_creates_the_group_and_sets_then_removes_retention(deploy, aws):
    name = "/aws/lambda/retention-demo"
    stack = deploy(_retention(name, 7), {"Name": {"Fn::GetAtt": ["R", "LogGroupName"]}, "Ref": {"Ref": "R"}})
    assert stack.outputs == {"Name": name, "Ref": name}
    assert _group(aws, name)["retentionInDays"] == 7
    # the handler's own log group gets one day
    assert _group(aws, "/aws/lambda/LogRetentionHandler")["retentionInDays"] == 1

    stack = deploy(_retention(name), update_of=stack)  # no RetentionInDays: never expire
    assert "retentionInDays" not in _group(aws, name)

    aws("cloudformation").delete_stack(StackName=stack.name)
    assert _group(aws, name) is not None  # RemovalPolicy retain (the default) keeps the group


def test_log_retention_keeps_an_existing_group_and_destroy_deletes_it(deploy, aws):
    name = "/aws/lambda/retention-existing"
    aws("logs").create_log_group(logGroupName=name)
    stack = deploy(_retention(name, 30, removal="destroy"))
    assert _group(aws, name)["retentionInDays"] == 30
    aws("cloudformation").delete_stack(StackName=stack.name)
    assert _group(aws, name) is None


def test_log_retention_failure_is_the_handlers_answer(deploy):
    # CreateLogGroup refuses names longer than 512 characters
    stack = deploy(_retention("/aws/lambda/" + "x" * 510, 7), expect_ok=False)
    (failure,) = [f for f in stack.failures() if f.startswith("R:")]
    assert "Received response status [FAILED] from custom resource. Message returned: " in failure
    assert "logGroupName" in failure
