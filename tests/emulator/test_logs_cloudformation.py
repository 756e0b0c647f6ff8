"""``AWS::Logs::LogGroup`` (providers/logs.py)."""

from __future__ import annotations

from tests.emulator.templates import KEY_POLICY

# The key must admit CloudWatch Logs for log groups of this account (pitfalls D18).
LOGS_KEY_POLICY = {
    **KEY_POLICY,
    "Statement": [
        *KEY_POLICY["Statement"],
        {
            "Effect": "Allow",
            "Principal": {"Service": "logs.us-east-1.amazonaws.com"},
            "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
            "Resource": "*",
            "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:123456789012:*"}},
        },
    ],
}


def test_log_group_keeps_kms_key_and_retention(deploy, aws):
    stack = deploy(
        {
            "K": {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": LOGS_KEY_POLICY}},
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
