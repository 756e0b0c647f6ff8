"""S3 bucket fidelity, bucket policies and TLS-only policy evaluation."""

from __future__ import annotations

import json

import pytest

from webstack_emulator.providers import s3 as s3_provider

TLS_ONLY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": "s3:*",
            "Resource": [{"Fn::GetAtt": ["B", "Arn"]}, {"Fn::Join": ["", [{"Fn::GetAtt": ["B", "Arn"]}, "/*"]]}],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    ],
}

BUCKET = {
    "Type": "AWS::S3::Bucket",
    "Properties": {
        "VersioningConfiguration": {"Status": "Enabled"},
        "PublicAccessBlockConfiguration": {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        },
        "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
        "BucketEncryption": {
            "ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
        "LifecycleConfiguration": {
            "Rules": [
                {
                    "Id": "expire",
                    "Status": "Enabled",
                    "ExpirationInDays": 90,
                    "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
                    "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
                    "Transitions": [{"StorageClass": "STANDARD_IA", "TransitionInDays": 30}],
                }
            ]
        },
        "LoggingConfiguration": {"DestinationBucketName": {"Ref": "Logs"}, "LogFilePrefix": "b/"},
        "Tags": [{"Key": "aws-cdk:auto-delete-objects", "Value": "true"}],
    },
}
LOGS = {
    "Type": "AWS::S3::Bucket",
    "Properties": {"OwnershipControls": {"Rules": [{"ObjectOwnership": "ObjectWriter"}]}},
}


@pytest.fixture(scope="module")
def stack(deploy):
    return deploy(
        {
            "B": BUCKET,
            "Logs": LOGS,
            "P": {"Type": "AWS::S3::BucketPolicy", "Properties": {"Bucket": {"Ref": "B"}, "PolicyDocument": TLS_ONLY}},
        },
        outputs={"Arn": {"Fn::GetAtt": ["B", "Arn"]}, "Regional": {"Fn::GetAtt": ["B", "RegionalDomainName"]}},
    )


def test_bucket_properties_are_applied(stack, aws):
    s3 = aws("s3")
    name = stack.resources["B"]
    assert s3.get_bucket_versioning(Bucket=name)["Status"] == "Enabled"
    pab = s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"]
    assert all(pab.values()) and len(pab) == 4
    own = s3.get_bucket_ownership_controls(Bucket=name)["OwnershipControls"]["Rules"][0]
    assert own["ObjectOwnership"] == "BucketOwnerEnforced"
    rule = s3.get_bucket_lifecycle_configuration(Bucket=name)["Rules"][0]
    assert rule["ID"] == "expire" and rule["Expiration"]["Days"] == 90
    assert rule["NoncurrentVersionExpiration"]["NoncurrentDays"] == 30
    assert rule["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"] == 7
    assert rule["Transitions"][0]["StorageClass"] == "STANDARD_IA"
    logging = s3.get_bucket_logging(Bucket=name)["LoggingEnabled"]
    assert logging == {"TargetBucket": stack.resources["Logs"], "TargetPrefix": "b/"}
    enc = s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert enc["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert stack.outputs["Arn"] == f"arn:aws:s3:::{name}"
    assert stack.outputs["Regional"] == f"{name}.s3.us-east-1.amazonaws.com"


def test_policy_stored_as_written_and_tls_only_policy_allows_https(stack, aws):
    s3 = aws("s3")
    name = stack.resources["B"]
    policy = json.loads(s3.get_bucket_policy(Bucket=name)["Policy"])
    assert policy["Statement"][0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    s3.put_object(Bucket=name, Key="k", Body=b"v")
    assert s3.get_object(Bucket=name, Key="k")["Body"].read() == b"v"


def test_tls_only_policy_denies_plain_http(stack, aws):
    s3 = aws("s3")
    name = stack.resources["B"]
    s3_provider.REQUEST_CONTEXT["aws:SecureTransport"] = "false"
    try:
        with pytest.raises(Exception) as err:
            s3.put_object(Bucket=name, Key="plain", Body=b"v")
        assert "403" in str(err.value) or "AccessDenied" in str(err.value)
    finally:
        s3_provider.REQUEST_CONTEXT.update(s3_provider.DEFAULT_REQUEST_CONTEXT)


@pytest.mark.parametrize(
    ("condition", "context", "expected"),
    [
        ({"Bool": {"aws:SecureTransport": "false"}}, {"aws:SecureTransport": "true"}, "NEUTRAL"),
        ({"Bool": {"aws:SecureTransport": "false"}}, {"aws:SecureTransport": "false"}, "DENIED"),
        ({"NumericLessThan": {"s3:TlsVersion": "1.2"}}, {"s3:TlsVersion": "1.3"}, "NEUTRAL"),
        ({"NumericLessThan": {"s3:TlsVersion": "1.2"}}, {"s3:TlsVersion": "1.0"}, "DENIED"),
        ({"StringEquals": {"aws:SourceArn": "arn:x"}}, {}, "NEUTRAL"),
    ],
)
def test_deny_statements_apply_only_when_their_condition_holds(condition, context, expected):
    policy = {
        "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": condition}]
    }
    assert s3_provider.evaluate_policy(policy, "s3:GetObject", "arn:aws:s3:::b/k", context) == expected


def test_update_changes_versioning_and_tags(deploy, aws):
    first = deploy({"B": {"Type": "AWS::S3::Bucket", "Properties": {"Tags": [{"Key": "a", "Value": "1"}]}}})
    name = first.resources["B"]
    deploy(
        {
            "B": {
                "Type": "AWS::S3::Bucket",
                "Properties": {"Tags": [{"Key": "a", "Value": "2"}], "VersioningConfiguration": {"Status": "Enabled"}},
            }
        },
        update_of=first,
    )
    s3 = aws("s3")
    assert s3.get_bucket_versioning(Bucket=name)["Status"] == "Enabled"
    assert s3.get_bucket_tagging(Bucket=name)["TagSet"] == [{"Key": "a", "Value": "2"}]


def test_deleting_a_non_empty_bucket_fails_like_aws(deploy, aws):
    stack = deploy({"B": {"Type": "AWS::S3::Bucket"}})
    aws("s3").put_object(Bucket=stack.resources["B"], Key="k", Body=b"v")
    cfn = aws("cloudformation")
    cfn.delete_stack(StackName=stack.name)
    assert aws("s3").head_bucket(Bucket=stack.resources["B"])
    assert cfn.describe_stacks(StackName=stack.name)["Stacks"][0]["StackStatus"] == "DELETE_FAILED"


def _log_bucket(locked: bool) -> dict:
    props: dict = {"VersioningConfiguration": {"Status": "Enabled"}}
    if locked:
        props["ObjectLockEnabled"] = True
        props["ObjectLockConfiguration"] = {
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 30}},
        }
    return {"Logs": {"Type": "AWS::S3::Bucket", "Properties": props}}


def test_object_lock_is_turned_on_in_place_and_never_off(deploy, aws):
    """Turning Object Lock on for an existing, versioned bucket is an update, not a
    replacement: AWS::S3::Bucket's schema lists no create-only ObjectLockEnabled, its
    ObjectLockConfiguration updates with "No interruption", and S3 enables Object Lock
    on existing buckets (userguide/object-lock-configure.html, "Enable Object Lock on an
    existing S3 bucket"). Once on it cannot be turned off ("After you enable Object Lock
    on a bucket, you can't disable Object Lock or suspend versioning")."""
    stack = deploy(_log_bucket(locked=False))
    locked = deploy(_log_bucket(locked=True), update_of=stack)
    assert locked.resources["Logs"] == stack.resources["Logs"]
    s3 = aws("s3")
    config = s3.get_object_lock_configuration(Bucket=stack.resources["Logs"])["ObjectLockConfiguration"]
    retention = config["Rule"]["DefaultRetention"]
    assert (retention["Mode"], retention["Days"]) == ("GOVERNANCE", 30)
    unlocked = deploy(_log_bucket(locked=False), update_of=stack, expect_ok=False)
    assert unlocked.status == "UPDATE_ROLLBACK_COMPLETE"
    assert any("can't disable Object Lock" in f for f in unlocked.failures()), unlocked.failures()
