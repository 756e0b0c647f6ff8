"""``AWS::SecretsManager::SecretTargetAttachment`` (providers/secrets_attachments.py)."""

from __future__ import annotations

import json

import pytest

# moto reports this module's Lambda/RDS models badly in data.json: see conftest.
pytestmark = pytest.mark.usefixtures("forget_dashboard_models")


def _template(target="Db"):
    return {
        "S": {
            "Type": "AWS::SecretsManager::Secret",
            "Properties": {
                "GenerateSecretString": {
                    "SecretStringTemplate": json.dumps({"username": "admin"}),
                    "GenerateStringKey": "password",
                    "PasswordLength": 24,
                    "ExcludePunctuation": True,
                }
            },
        },
        "Db": _db(),
        "Db2": _db(),
        "A": {
            "Type": "AWS::SecretsManager::SecretTargetAttachment",
            "Properties": {"SecretId": {"Ref": "S"}, "TargetId": {"Ref": target}, "TargetType": "AWS::RDS::DBInstance"},
        },
        # what reads the completed secret references the attachment (CDK's attach() does)
        "P": {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": {"Ref": "A"}}},
    }


def _db():
    return {
        "Type": "AWS::RDS::DBInstance",
        "Properties": {
            "Engine": "postgres",
            "DBInstanceClass": "db.t3.micro",
            "AllocatedStorage": "20",
            "MasterUsername": "admin",
            "MasterUserPassword": "not-the-generated-one",
        },
    }


def test_attachment_completes_the_secret_and_follows_the_target(deploy, aws):
    stack = deploy(_template(), {"Ref": {"Ref": "A"}, "Id": {"Fn::GetAtt": ["A", "Id"]}, "Secret": {"Ref": "S"}})
    sm = aws("secretsmanager")
    assert stack.outputs["Ref"] == stack.outputs["Id"] == stack.outputs["Secret"]
    doc = json.loads(sm.get_secret_value(SecretId=stack.outputs["Secret"])["SecretString"])
    db = aws("rds").describe_db_instances(DBInstanceIdentifier=stack.resources["Db"])["DBInstances"][0]
    assert doc["username"] == "admin" and len(doc["password"]) == 24
    assert doc["engine"] == "postgres" and doc["dbInstanceIdentifier"] == db["DBInstanceIdentifier"]
    assert (doc["host"], doc["port"]) == (db["Endpoint"]["Address"], db["Endpoint"]["Port"])
    assert aws("ssm").get_parameter(Name=stack.resources["P"])["Parameter"]["Value"] == stack.outputs["Secret"]

    stack = deploy(_template(target="Db2"), {"Secret": {"Ref": "S"}}, update_of=stack)
    doc2 = json.loads(sm.get_secret_value(SecretId=stack.outputs["Secret"])["SecretString"])
    assert doc2["dbInstanceIdentifier"] == stack.resources["Db2"] and doc2["password"] == doc["password"]

    cfn = aws("cloudformation")
    stack_id = cfn.describe_stacks(StackName=stack.name)["Stacks"][0]["StackId"]
    cfn.delete_stack(StackName=stack.name)
    assert cfn.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"] == "DELETE_COMPLETE"


def test_attachment_to_a_missing_instance_fails(deploy):
    template = _template()
    del template["Db"], template["Db2"], template["P"]
    template["A"]["Properties"]["TargetId"] = "no-such-db"
    stack = deploy(template, expect_ok=False)
    assert stack.status == "ROLLBACK_COMPLETE"
    assert any("DBInstanceNotFound" in f for f in stack.failures())


def test_unemulated_target_type_fails_loudly(deploy):
    template = _template()
    del template["Db"], template["Db2"], template["P"]
    template["A"]["Properties"].update({"TargetId": "cluster-1", "TargetType": "AWS::Redshift::Cluster"})
    stack = deploy(template, expect_ok=False)
    assert any("not emulated: SecretTargetAttachment TargetType AWS::Redshift::Cluster" in f for f in stack.failures())
