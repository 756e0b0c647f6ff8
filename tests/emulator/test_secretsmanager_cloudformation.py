"""Secrets Manager secrets, rotation and resource policies (providers/secretsmanager.py)."""

from __future__ import annotations

import json


def test_secret_generation_rotation_and_resource_policy(deploy, aws):
    stack = deploy(
        {
            "S": {
                "Type": "AWS::SecretsManager::Secret",
                "Properties": {
                    "GenerateSecretString": {
                        "SecretStringTemplate": '{"username":"app"}',
                        "GenerateStringKey": "password",
                        "PasswordLength": 24,
                        "ExcludePunctuation": True,
                    }
                },
            },
            "R": {
                "Type": "AWS::SecretsManager::RotationSchedule",
                "Properties": {
                    "SecretId": {"Ref": "S"},
                    "RotationLambdaARN": "arn:aws:lambda:us-east-1:123456789012:function:rot",
                    "RotationRules": {"ScheduleExpression": "rate(30 days)"},
                },
            },
            "P": {
                "Type": "AWS::SecretsManager::ResourcePolicy",
                "Properties": {
                    "SecretId": {"Ref": "S"},
                    "ResourcePolicy": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Deny",
                                "Principal": "*",
                                "Action": "secretsmanager:DeleteSecret",
                                "Resource": "*",
                            }
                        ],
                    },
                },
            },
        }
    )
    sm = aws("secretsmanager")
    value = json.loads(sm.get_secret_value(SecretId=stack.resources["S"])["SecretString"])
    assert value["username"] == "app" and len(value["password"]) == 24 and value["password"].isalnum()
    described = sm.describe_secret(SecretId=stack.resources["S"])
    assert described["RotationEnabled"] and described["RotationRules"]["AutomaticallyAfterDays"] == 30
    assert "DeleteSecret" in sm.get_resource_policy(SecretId=stack.resources["S"])["ResourcePolicy"]
