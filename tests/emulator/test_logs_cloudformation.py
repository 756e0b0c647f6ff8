"""``AWS::Logs::LogGroup`` (providers/logs.py)."""

from __future__ import annotations

from tests.emulator.templates import KEY_POLICY


def test_log_group_keeps_kms_key_and_retention(deploy, aws):
    stack = deploy(
        {
            "K": {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": KEY_POLICY}},
            "L": {
                "Type": "AWS::Logs::LogGroup",
                "Properties": {"RetentionInDays": 30, "KmsKeyId": {"Fn::GetAtt": ["K", "Arn"]}},
            },
        },
        outputs={"Arn": {"Fn::GetAtt": ["L", "Arn"]}},
    )
    group = aws("logs").describe_log_groups(logGroupNamePrefix=stack.resources["L"])["logGroups"][0]
    assert group["retentionInDays"] == 30 and group["kmsKeyId"].endswith(stack.resources["K"])
    assert stack.outputs["Arn"].endswith(f":log-group:{stack.resources['L']}:*")
