"""``AWS::Logs::MetricFilter`` and ``AWS::Logs::SubscriptionFilter`` (providers/logs_filters.py)."""

from __future__ import annotations

import pytest

# moto reports this module's Lambda/RDS models badly in data.json: see conftest.
pytestmark = pytest.mark.usefixtures("forget_dashboard_models")


ROLE = "arn:aws:iam::123456789012:role/logs-to-lambda"
LAMBDA_ROLE = {
    "Type": "AWS::IAM::Role",
    "Properties": {
        "AssumeRolePolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
    },
}


def _function():
    return {
        "Type": "AWS::Lambda::Function",
        "Properties": {
            "Runtime": "python3.12",
            "Handler": "index.handler",
            "Role": {"Fn::GetAtt": ["FnRole", "Arn"]},
            "Code": {"ZipFile": "def handler(event, context):\n    return None\n"},
        },
    }


def _template(pattern, destination="Dest", metric="Errors"):
    return {
        "FnRole": LAMBDA_ROLE,
        "G": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 7}},
        "Dest": _function(),
        "Dest2": _function(),
        "Mf": {
            "Type": "AWS::Logs::MetricFilter",
            "Properties": {
                "LogGroupName": {"Ref": "G"},
                "FilterPattern": pattern,
                "MetricTransformations": [
                    {
                        "MetricName": metric,
                        "MetricNamespace": "Webstack",
                        "MetricValue": "1",
                        "DefaultValue": 0,
                        "Unit": "Count",
                    }
                ],
            },
        },
        "Sf": {
            "Type": "AWS::Logs::SubscriptionFilter",
            "Properties": {
                "FilterName": "to-archive",
                "LogGroupName": {"Ref": "G"},
                "FilterPattern": pattern,
                "DestinationArn": {"Fn::GetAtt": [destination, "Arn"]},
                "RoleArn": ROLE,
            },
        },
        "Alarm": {
            "Type": "AWS::CloudWatch::Alarm",
            "Properties": {
                "MetricName": metric,
                "Namespace": "Webstack",
                "Statistic": "Sum",
                "Period": 60,
                "EvaluationPeriods": 1,
                "Threshold": 1,
                "ComparisonOperator": "GreaterThanOrEqualToThreshold",
                "AlarmDescription": {"Fn::Join": ["", ["from filter ", {"Ref": "Mf"}]]},
            },
        },
    }


def test_metric_and_subscription_filters_create_update_delete(deploy, aws):
    stack = deploy(_template("ERROR"), {"Mf": {"Ref": "Mf"}, "Sf": {"Ref": "Sf"}})
    logs = aws("logs")
    group = stack.resources["G"]
    mf = logs.describe_metric_filters(logGroupName=group)["metricFilters"]
    assert [f["filterName"] for f in mf] == [stack.outputs["Mf"]]
    assert mf[0]["filterPattern"] == "ERROR"
    assert mf[0]["metricTransformations"][0]["metricName"] == "Errors"
    assert stack.outputs["Mf"].startswith(f"{stack.name}-Mf-")
    sf = logs.describe_subscription_filters(logGroupName=group)["subscriptionFilters"]
    assert stack.outputs["Sf"] == "to-archive"
    assert [(f["filterName"], f["filterPattern"]) for f in sf] == [("to-archive", "ERROR")]
    alarm = aws("cloudwatch").describe_alarms(AlarmNamePrefix=stack.name)["MetricAlarms"][0]
    assert alarm["AlarmDescription"] == f"from filter {stack.outputs['Mf']}"

    stack = deploy(_template("FATAL", destination="Dest2", metric="Fatals"), {"Mf": {"Ref": "Mf"}}, update_of=stack)
    mf = logs.describe_metric_filters(logGroupName=group)["metricFilters"]
    assert [(f["filterPattern"], f["metricTransformations"][0]["metricName"]) for f in mf] == [("FATAL", "Fatals")]
    sf = logs.describe_subscription_filters(logGroupName=group)["subscriptionFilters"]
    assert [(f["filterPattern"], f["destinationArn"].split(":")[-1]) for f in sf] == [
        ("FATAL", stack.resources["Dest2"])
    ]

    aws("cloudformation").delete_stack(StackName=stack.name)
    assert logs.describe_metric_filters(metricNamespace="Webstack", metricName="Fatals")["metricFilters"] == []


def test_filter_on_a_missing_log_group_fails(deploy):
    stack = deploy(
        {
            "Mf": {
                "Type": "AWS::Logs::MetricFilter",
                "Properties": {
                    "LogGroupName": "/no/such/group",
                    "FilterPattern": "",
                    "MetricTransformations": [{"MetricName": "M", "MetricNamespace": "N", "MetricValue": "1"}],
                },
            }
        },
        expect_ok=False,
    )
    assert stack.status == "ROLLBACK_COMPLETE"
    assert any("The specified log group does not exist." in f for f in stack.failures())
