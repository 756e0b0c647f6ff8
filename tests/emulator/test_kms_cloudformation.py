"""``AWS::KMS::Key`` (providers/kms.py)."""

from __future__ import annotations

import json

from tests.emulator.templates import KEY_POLICY


def test_kms_key_with_tags_rotation_policy_and_in_place_update(deploy, aws):
    key = {
        "Type": "AWS::KMS::Key",
        "Properties": {
            "KeyPolicy": KEY_POLICY,
            "EnableKeyRotation": True,
            "Tags": [{"Key": "app", "Value": "web"}],
            "PendingWindowInDays": 7,
        },
    }
    stack = deploy({"K": key}, outputs={"Arn": {"Fn::GetAtt": ["K", "Arn"]}})
    kms = aws("kms")
    key_id = stack.resources["K"]
    assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is True
    assert json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"]) == KEY_POLICY
    assert kms.list_resource_tags(KeyId=key_id)["Tags"] == [{"TagKey": "app", "TagValue": "web"}]
    key["Properties"] = dict(key["Properties"], Description="changed", EnableKeyRotation=False)
    deploy({"K": key}, update_of=stack)
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["Description"] == "changed"  # same key id
    aws("cloudformation").delete_stack(StackName=stack.name)
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "PendingDeletion"
