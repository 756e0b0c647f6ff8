"""KMS keys: rotation, retention, and the key policies that make them usable (D1, D2, D10, D16)."""

from __future__ import annotations

import json

import pytest

from tests.synth import alert_topic, only


def _key(template, description_prefix):
    keys = template.find_resources("AWS::KMS::Key")
    matches = {k: v for k, v in keys.items() if v["Properties"]["Description"].startswith(description_prefix)}
    return only(matches)


def _statements(key):
    return key["Properties"]["KeyPolicy"]["Statement"]


def _by_sid(key, sid):
    return only({s.get("Sid", ""): s for s in _statements(key) if s.get("Sid") == sid})[1]


def test_all_keys_rotate(each_env):
    for template in each_env.templates().values():
        for key in template.find_resources("AWS::KMS::Key").values():
            assert key["Properties"]["EnableKeyRotation"] is True


def test_key_retention_follows_config(each_env):
    expected = "Retain" if each_env.config.retain_data else "Delete"
    for template in each_env.templates().values():
        for key in template.find_resources("AWS::KMS::Key").values():
            assert key["DeletionPolicy"] == expected
            assert key["UpdateReplacePolicy"] == expected


def test_d1_autoscaling_service_linked_role_may_use_data_key(dev):
    _, key = _key(dev.web, "webstack data")
    use = _by_sid(key, "AllowAutoScalingServiceLinkedRoleUseOfTheKey")
    assert set(use["Action"]) == {
        "kms:Encrypt",
        "kms:Decrypt",
        "kms:ReEncrypt*",
        "kms:GenerateDataKey*",
        "kms:DescribeKey",
    }
    # Principal "*" narrowed by aws:PrincipalArn: valid even before the role exists.
    assert use["Principal"] == {"AWS": "*"}
    arn = json.dumps(use["Condition"]["ArnEquals"]["aws:PrincipalArn"])
    assert "role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling" in arn
    assert "kms:CallerAccount" in use["Condition"]["StringEquals"]
    grant = _by_sid(key, "AllowAutoScalingServiceLinkedRoleAttachmentOfPersistentResources")
    assert grant["Action"] == "kms:CreateGrant"
    assert grant["Condition"]["Bool"] == {"kms:GrantIsForAWSResource": "true"}


def test_d2_cloudfront_may_decrypt_content_scoped_by_source_arn(dev):
    _, key = _key(dev.web, "webstack data")
    cloudfront = [s for s in _statements(key) if s.get("Principal") == {"Service": "cloudfront.amazonaws.com"}]
    assert len(cloudfront) == 1
    statement = cloudfront[0]
    assert "kms:Decrypt" in json.dumps(statement["Action"])
    assert "AWS:SourceArn" in json.dumps(statement["Condition"])


@pytest.mark.parametrize("stack", ["web", "edge_monitoring"])
def test_d10_cloudwatch_may_use_alert_topic_keys(dev, stack):
    template = dev.alerting_templates()[stack]
    _, topic = alert_topic(template)
    key_id = topic["Properties"]["KmsMasterKeyId"]["Fn::GetAtt"][0]
    key = template.to_json()["Resources"][key_id]
    statement = _by_sid(key, "AllowCloudWatchAlarmsToPublishToEncryptedTopics")
    assert statement["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert set(statement["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey*"}


def test_d16_autoscaling_service_linked_role_may_use_the_topic_key(each_env):
    # The group notifies topics encrypted with the telemetry key; SNS needs
    # the role itself in that key's policy, via SNS only.
    _, key = _key(each_env.web, "webstack telemetry")
    statement = _by_sid(key, "AllowAutoScalingServiceLinkedRoleToPublishToEncryptedTopics")
    assert statement["Principal"] == {"AWS": "*"}
    assert set(statement["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey*"}
    arn = json.dumps(statement["Condition"]["ArnEquals"]["aws:PrincipalArn"])
    assert "role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling" in arn
    same = statement["Condition"]["StringEquals"]
    assert same["kms:CallerAccount"] == {"Ref": "AWS::AccountId"}
    assert "sns." in json.dumps(same["kms:ViaService"])
    _, topic = alert_topic(each_env.web)
    assert topic["Properties"]["KmsMasterKeyId"]["Fn::GetAtt"][0].startswith("KeysTelemetryKey")


def test_cloudwatch_logs_may_use_telemetry_key(dev):
    _, key = _key(dev.web, "webstack telemetry")
    statement = _by_sid(key, "AllowCloudWatchLogsOfThisAccount")
    assert "logs." in json.dumps(statement["Principal"])
    assert "kms:EncryptionContext:aws:logs:arn" in statement["Condition"]["ArnLike"]


def test_no_key_grants_kms_star_to_a_service(each_env):
    for template in each_env.templates().values():
        for key in template.find_resources("AWS::KMS::Key").values():
            for statement in _statements(key):
                if "Service" in statement.get("Principal", {}):
                    assert statement["Action"] != "kms:*"
