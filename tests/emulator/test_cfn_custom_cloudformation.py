"""A template's own custom resources fail loudly (providers/cfn_custom.py)."""

from __future__ import annotations

import pytest

# moto reports this module's Lambda/RDS models badly in data.json: see conftest.
pytestmark = pytest.mark.usefixtures("forget_dashboard_models")


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
HANDLER = (
    "import cfnresponse\n"
    "def handler(event, context):\n"
    "    cfnresponse.send(event, context, cfnresponse.SUCCESS, {'Value': 'x'})\n"
)


@pytest.mark.parametrize("resource_type", ["Custom::Greeting", "AWS::CloudFormation::CustomResource"])
def test_custom_resource_backed_by_the_templates_own_lambda_fails_loudly(deploy, aws, resource_type):
    stack = deploy(
        {
            "FnRole": LAMBDA_ROLE,
            "Fn": {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "Runtime": "python3.12",
                    "Handler": "index.handler",
                    "Role": {"Fn::GetAtt": ["FnRole", "Arn"]},
                    "Code": {"ZipFile": HANDLER},
                },
            },
            "Greeting": {
                "Type": resource_type,
                "Properties": {"ServiceToken": {"Fn::GetAtt": ["Fn", "Arn"]}, "Name": "world"},
            },
            "UsesIt": {
                "Type": "AWS::SSM::Parameter",
                "Properties": {"Type": "String", "Value": {"Fn::GetAtt": ["Greeting", "Value"]}},
            },
        },
        expect_ok=False,
    )
    assert stack.status == "ROLLBACK_COMPLETE"
    [failure] = [f for f in stack.failures() if f.startswith("Greeting:")]
    function_arn = "arn:aws:lambda:us-east-1:123456789012:function:"
    assert "not emulated: custom resource backed by " + function_arn in failure
    assert "(python3.12, inline ZipFile code): the local emulator cannot run arbitrary Lambda code" in failure
    assert resource_type in failure
    # the rollback removed what the stack had made
    assert not [f for f in aws("lambda").list_functions()["Functions"] if f["FunctionName"].startswith(stack.name)]


def test_custom_resource_backed_by_a_topic_names_it(deploy):
    token = "arn:aws:sns:us-east-1:123456789012:provisioning"
    stack = deploy({"C": {"Type": "Custom::Thing", "Properties": {"ServiceToken": token}}}, expect_ok=False)
    assert any(f"not emulated: custom resource backed by SNS topic {token}" in f for f in stack.failures())


def test_cdk_handlers_are_still_served_natively(deploy):
    # Custom::S3AutoDeleteObjects is registered by providers/cdk_custom.py and wins over the fallback
    stack = deploy(
        {
            "B": {"Type": "AWS::S3::Bucket"},
            "Ad": {
                "Type": "Custom::S3AutoDeleteObjects",
                "Properties": {
                    "ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:cdk",
                    "BucketName": {"Ref": "B"},
                },
            },
        }
    )
    assert stack.status == "CREATE_COMPLETE"
