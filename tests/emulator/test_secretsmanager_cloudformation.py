"""Secrets Manager secrets, rotation and resource policies (providers/secretsmanager.py)."""

from __future__ import annotations

import json


def test_secret_generation_and_resource_policy(deploy, aws):
    # A rotation schedule needs a Lambda that Secrets Manager may invoke (D20): see test_service_rules.py.
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
    assert "DeleteSecret" in sm.get_resource_policy(SecretId=stack.resources["S"])["ResourcePolicy"]
