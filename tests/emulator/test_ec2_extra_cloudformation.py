"""``AWS::EC2::KeyPair`` (providers/ec2_extra.py)."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

OUTPUTS = {
    "Name": {"Ref": "K"},
    "Id": {"Fn::GetAtt": ["K", "KeyPairId"]},
    "Fingerprint": {"Fn::GetAtt": ["K", "KeyFingerprint"]},
}


def _template(name, **props):
    return {
        "K": {"Type": "AWS::EC2::KeyPair", "Properties": {"KeyName": name, **props}},
        # the key pair used by a launch template, as an instance would use it
        "Lt": {
            "Type": "AWS::EC2::LaunchTemplate",
            "Properties": {"LaunchTemplateData": {"KeyName": {"Ref": "K"}, "InstanceType": "t3.micro"}},
        },
    }


def test_created_key_pair_stores_its_private_key_and_deletes_it(deploy, aws):
    stack = deploy(_template("kp-created", KeyType="ed25519"), OUTPUTS)
    ec2, ssm = aws("ec2"), aws("ssm")
    out = stack.outputs
    pair = ec2.describe_key_pairs(KeyNames=["kp-created"])["KeyPairs"][0]
    assert (
        out["Name"] == "kp-created" and out["Id"] == pair["KeyPairId"] and out["Fingerprint"] == pair["KeyFingerprint"]
    )
    assert pair["KeyType"] == "ed25519"
    secret = ssm.get_parameter(Name=f"/ec2/keypair/{out['Id']}", WithDecryption=True)["Parameter"]
    assert secret["Type"] == "SecureString" and "PRIVATE KEY" in secret["Value"]
    lt = ec2.describe_launch_template_versions(LaunchTemplateId=stack.resources["Lt"])["LaunchTemplateVersions"][0]
    assert lt["LaunchTemplateData"]["KeyName"] == "kp-created"

    # a replacement needs a new name: the new pair is made, the old one removed
    stack = deploy(_template("kp-renamed", KeyType="ed25519"), OUTPUTS, update_of=stack)
    assert [p["KeyName"] for p in ec2.describe_key_pairs()["KeyPairs"] if p["KeyName"].startswith("kp-")] == [
        "kp-renamed"
    ]
    assert ssm.get_parameters(Names=[f"/ec2/keypair/{out['Id']}"])["Parameters"] == []

    new_id = stack.outputs["Id"]
    aws("cloudformation").delete_stack(StackName=stack.name)
    assert "kp-renamed" not in [p["KeyName"] for p in ec2.describe_key_pairs()["KeyPairs"]]
    assert ssm.get_parameters(Names=[f"/ec2/keypair/{new_id}"])["Parameters"] == []


def test_replacing_a_key_pair_without_renaming_it_fails(deploy):
    stack = deploy(_template("kp-fixed"), OUTPUTS)
    stack = deploy(_template("kp-fixed", KeyType="ed25519"), OUTPUTS, update_of=stack, expect_ok=False)
    assert stack.status.startswith("UPDATE_ROLLBACK"), stack.status
    assert any("custom-named resource requires replacing" in f for f in stack.failures())


@pytest.fixture
def public_key():
    key = Ed25519PrivateKey.generate().public_key()
    return key.public_bytes(Encoding.OpenSSH, PublicFormat.OpenSSH).decode()


def test_imported_key_pair_writes_no_parameter(deploy, aws, public_key):
    stack = deploy(_template("kp-imported", PublicKeyMaterial=public_key), OUTPUTS)
    pair = aws("ec2").describe_key_pairs(KeyNames=["kp-imported"])["KeyPairs"][0]
    assert pair["KeyPairId"] == stack.outputs["Id"]
    assert aws("ssm").get_parameters(Names=[f"/ec2/keypair/{stack.outputs['Id']}"])["Parameters"] == []
    aws("cloudformation").delete_stack(StackName=stack.name)
