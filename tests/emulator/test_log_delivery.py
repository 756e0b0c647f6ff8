"""Log delivery evaluated when it happens (webstack_emulator/log_delivery.py):
S3 server access logs, ALB access logs and CloudFront standard logs arrive in
their bucket when its policy / ACL / encryption admit the writer, and are
silently missing -- recorded in the emulator's delivery log -- when not."""

from __future__ import annotations

import datetime
import gzip
import http.client
import json
import re

import pytest
from botocore.exceptions import ClientError

from webstack_emulator import log_delivery

from .test_service_rules import (
    ACCOUNT,
    ELB_ACCOUNT_US_EAST_1,
    _distribution_stack,
    _load_balancer_stack,
    _log_delivery_grant,
    _ownership,
    _policy,
)

AWSLOGSDELIVERY = "c4c1ede66af53448b93c283ce9448c4ba468c9432aa01d700d3878632f77d2d0"
LOG_DELIVERY_GROUP = "http://acs.amazonaws.com/groups/s3/LogDelivery"
TLS_ONLY_DENY = {
    "Effect": "Deny",
    "Principal": {"AWS": "*"},
    "Action": "s3:*",
    "Resource": [{"Fn::GetAtt": ["Logs", "Arn"]}, {"Fn::Sub": "${Logs.Arn}/*"}],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}
ROOT_ADMIN = {
    "Effect": "Allow",
    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
    "Action": "kms:*",
    "Resource": "*",
}


def _sse(algorithm, key=None):
    by_default = {"SSEAlgorithm": algorithm}
    if key is not None:
        by_default["KMSMasterKeyID"] = key
    return {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": by_default}]}


def _objects(aws, bucket):
    return {o["Key"] for o in aws("s3").list_objects_v2(Bucket=bucket).get("Contents", [])}


def _assert_missing(aws, delivery, refused_by):
    """Refused as AWS refuses it: nothing written, the refusal in the delivery log."""
    assert not delivery.delivered and delivery.refused_by == refused_by, delivery
    assert delivery.key not in _objects(aws, delivery.bucket)
    assert log_delivery.LOG.of(delivery.kind, delivery.source)[-1] == delivery


# -- S3 server access logs ------------------------------------------------------------------
def _logging_grant(source="Source"):
    return {
        "Effect": "Allow",
        "Principal": {"Service": "logging.s3.amazonaws.com"},
        "Action": "s3:PutObject",
        "Resource": {"Fn::Sub": "${Logs.Arn}/src/*"},
        "Condition": {
            "ArnLike": {"aws:SourceArn": {"Fn::GetAtt": [source, "Arn"]}},
            "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
        },
    }


def _server_logging_stack(*statements, target=None, key_format=None):
    logging = {"DestinationBucketName": {"Ref": "Logs"}, "LogFilePrefix": "src/"}
    if key_format is not None:
        logging["TargetObjectKeyFormat"] = key_format
    resources = {
        "Logs": {"Type": "AWS::S3::Bucket", "Properties": target or {"BucketEncryption": _sse("AES256")}},
        "Source": {"Type": "AWS::S3::Bucket", "Properties": {"LoggingConfiguration": logging}},
        "Other": {"Type": "AWS::S3::Bucket"},
        "Key": {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": _policy(ROOT_ADMIN)}},
    }
    if statements:
        resources["LogsPolicy"] = {
            "Type": "AWS::S3::BucketPolicy",
            "Properties": {"Bucket": {"Ref": "Logs"}, "PolicyDocument": _policy(*statements)},
        }
    return resources


def test_server_access_log_arrives_under_the_target_prefix_with_sse_s3(deploy, aws):
    stack = deploy(_server_logging_stack(TLS_ONLY_DENY, _logging_grant()))
    source, target = stack.resources["Source"], stack.resources["Logs"]
    got = log_delivery.deliver("s3", ACCOUNT, source)
    assert got.delivered and got.bucket == target, got
    assert re.fullmatch(r"src/\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d-[0-9A-F]{16}", got.key)
    obj = aws("s3").get_object(Bucket=target, Key=got.key)
    assert obj["ServerSideEncryption"] == "AES256"
    record = obj["Body"].read().decode()
    assert f" {source} [" in record and " REST.GET.BUCKET " in record


def test_partitioned_key_format_puts_account_region_bucket_and_event_date_in_the_key(deploy):
    stack = deploy(
        _server_logging_stack(_logging_grant(), key_format={"PartitionedPrefix": {"PartitionDateSource": "EventTime"}})
    )
    source = stack.resources["Source"]
    got = log_delivery.deliver("s3", ACCOUNT, source)
    pattern = rf"src/{ACCOUNT}/us-east-1/{source}/(\d{{4}})/(\d\d)/(\d\d)/\1-\2-\3-00-00-00-[0-9A-F]{{16}}"
    assert got.delivered and re.fullmatch(pattern, got.key), got


def test_target_policy_without_the_logging_principal_leaves_the_log_missing(deploy, aws):
    stack = deploy(_server_logging_stack(TLS_ONLY_DENY))
    got = log_delivery.deliver("s3", ACCOUNT, stack.resources["Source"])
    _assert_missing(aws, got, "bucket-policy")
    assert "does not allow logging.s3.amazonaws.com s3:PutObject" in got.reason


def test_logging_grant_scoped_to_another_source_bucket_leaves_the_log_missing(deploy, aws):
    stack = deploy(_server_logging_stack(_logging_grant(source="Other")))
    got = log_delivery.deliver("s3", ACCOUNT, stack.resources["Source"])
    _assert_missing(aws, got, "bucket-policy")
    assert f"aws:SourceArn arn:aws:s3:::{stack.resources['Source']}" in got.reason


def test_sse_kms_target_leaves_the_log_missing_even_with_the_grant(deploy, aws):
    target = {"BucketEncryption": _sse("aws:kms", {"Fn::GetAtt": ["Key", "Arn"]})}
    stack = deploy(_server_logging_stack(_logging_grant(), target=target))
    got = log_delivery.deliver("s3", ACCOUNT, stack.resources["Source"])
    _assert_missing(aws, got, "encryption")
    assert "SSE-S3 only" in got.reason


def test_explicit_deny_in_the_target_policy_wins_over_the_grant(deploy, aws):
    deny = {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": {"Fn::Sub": "${Logs.Arn}/*"}}
    stack = deploy(_server_logging_stack(_logging_grant(), deny))
    _assert_missing(aws, log_delivery.deliver("s3", ACCOUNT, stack.resources["Source"]), "bucket-policy")


@pytest.mark.parametrize(("ownership", "delivered"), [("ObjectWriter", True), ("BucketOwnerEnforced", False)])
def test_log_delivery_group_acl_counts_only_while_acls_are_enabled(deploy, aws, ownership, delivered):
    stack = deploy(_server_logging_stack(target={"BucketEncryption": _sse("AES256"), **_ownership(ownership)}))
    aws("s3").put_bucket_acl(Bucket=stack.resources["Logs"], ACL="log-delivery-write")
    got = log_delivery.deliver("s3", ACCOUNT, stack.resources["Source"])
    assert got.delivered is delivered, got
    if not delivered:
        assert "its ACLs are disabled" in got.reason


def _object_lock(days):
    """A bucket's Object Lock properties as CDK writes them (GOVERNANCE default retention)."""
    return {
        "VersioningConfiguration": {"Status": "Enabled"},
        "ObjectLockEnabled": True,
        "ObjectLockConfiguration": {
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": days}},
        },
    }


def test_object_lock_target_leaves_the_server_access_log_missing(deploy, aws):
    """ "Object Lock blocks server access log delivery"
    (https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshooting-server-access-logging.html)."""
    target = {"BucketEncryption": _sse("AES256"), **_object_lock(1)}
    stack = deploy(_server_logging_stack(_logging_grant(), target=target))
    _assert_missing(aws, log_delivery.deliver("s3", ACCOUNT, stack.resources["Source"]), "object-lock")


def test_bucket_without_logging_is_bad_input_not_a_refusal(deploy):
    stack = deploy({"Plain": {"Type": "AWS::S3::Bucket"}})
    with pytest.raises(log_delivery.LogSourceError, match="has no server access logging") as err:
        log_delivery.deliver("s3", ACCOUNT, stack.resources["Plain"])
    assert err.value.status == 400


# -- ALB access logs ------------------------------------------------------------------------
ELB_ACCOUNT_GRANT = {"AWS": f"arn:aws:iam::{ELB_ACCOUNT_US_EAST_1}:root"}


@pytest.fixture
def alb(deploy, aws):
    stack = deploy(_load_balancer_stack("AES256", _log_delivery_grant(ELB_ACCOUNT_GRANT)))
    lb = aws("elbv2").describe_load_balancers(LoadBalancerArns=[stack.resources["Lb"]])["LoadBalancers"][0]
    return lb, stack.resources["Logs"]


def test_alb_access_log_arrives_gzipped_under_awslogs_with_sse_s3(aws, alb):
    lb, bucket = alb
    got = log_delivery.deliver("elb", ACCOUNT, lb["LoadBalancerArn"])
    full_name = lb["LoadBalancerArn"].split(":loadbalancer/", 1)[1]
    pattern = (
        rf"alb/AWSLogs/{ACCOUNT}/elasticloadbalancing/us-east-1/\d{{4}}/\d\d/\d\d/{ACCOUNT}_elasticloadbalancing_"
        rf"us-east-1_{re.escape(full_name.replace('/', '.'))}_\d{{8}}T\d{{4}}Z_[\d.]+_[a-z0-9]{{8}}\.log\.gz"
    )
    assert got.delivered and got.bucket == bucket and re.fullmatch(pattern, got.key), got
    obj = aws("s3").get_object(Bucket=bucket, Key=got.key)
    assert obj["ServerSideEncryption"] == "AES256"
    entry = gzip.decompress(obj["Body"].read()).decode()
    assert entry.startswith("http ") and f" {full_name} " in entry


def test_alb_log_bucket_policy_replaced_without_the_elb_grant_leaves_the_log_missing(aws, alb):
    lb, bucket = alb
    aws("s3").put_bucket_policy(Bucket=bucket, Policy=json.dumps(_policy()))
    got = log_delivery.deliver("elb", ACCOUNT, lb["LoadBalancerName"])
    _assert_missing(aws, got, "bucket-policy")
    assert ELB_ACCOUNT_US_EAST_1 in got.reason


def test_alb_log_bucket_switched_to_sse_kms_leaves_the_log_missing(aws, alb):
    lb, bucket = alb
    key = aws("kms").create_key()["KeyMetadata"]["Arn"]
    aws("s3").put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key}}]
        },
    )
    _assert_missing(aws, log_delivery.deliver("elb", ACCOUNT, lb["LoadBalancerArn"]), "encryption")


def test_alb_log_in_an_object_lock_bucket_cannot_be_deleted_before_its_retention_ends(deploy, aws):
    resources = _load_balancer_stack("AES256", _log_delivery_grant(ELB_ACCOUNT_GRANT))
    resources["Logs"]["Properties"].update(_object_lock(30))
    stack = deploy(resources)
    bucket, s3 = stack.resources["Logs"], aws("s3")
    configured = s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"]
    assert configured["ObjectLockEnabled"] == "Enabled"
    # (moto also answers "Years": 0, which AWS leaves out.)
    assert {k: configured["Rule"]["DefaultRetention"][k] for k in ("Mode", "Days")} == {
        "Mode": "GOVERNANCE",
        "Days": 30,
    }
    got = log_delivery.deliver("elb", ACCOUNT, stack.resources["Lb"])
    assert got.delivered, got
    head = s3.head_object(Bucket=bucket, Key=got.key)
    assert head["ObjectLockMode"] == "GOVERNANCE"
    left = head["ObjectLockRetainUntilDate"] - datetime.datetime.now(datetime.UTC)
    assert datetime.timedelta(days=29) < left <= datetime.timedelta(days=30)
    with pytest.raises(ClientError) as refused:
        s3.delete_object(Bucket=bucket, Key=got.key, VersionId=head["VersionId"])
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    # A delete without a version id only adds a delete marker: the locked log version stays.
    s3.delete_object(Bucket=bucket, Key=got.key)
    versions = s3.list_object_versions(Bucket=bucket, Prefix=got.key)["Versions"]
    assert [v["VersionId"] for v in versions] == [head["VersionId"]]
    # GOVERNANCE mode: a principal allowed s3:BypassGovernanceRetention may remove it on purpose.
    s3.delete_object(Bucket=bucket, Key=got.key, VersionId=head["VersionId"], BypassGovernanceRetention=True)
    assert "Versions" not in s3.list_object_versions(Bucket=bucket, Prefix=got.key)


def test_object_lock_turned_on_later_locks_the_next_objects_of_the_same_bucket(deploy, aws):
    """Turning Object Lock on for a deployed, versioned log bucket is an update of that bucket
    (no create-only ObjectLockEnabled in the schema; S3 enables it on existing buckets, D28):
    objects written afterwards get the default retention."""
    resources = {"Logs": {"Type": "AWS::S3::Bucket", "Properties": {"VersioningConfiguration": {"Status": "Enabled"}}}}
    stack = deploy(resources)
    locked = deploy({"Logs": {"Type": "AWS::S3::Bucket", "Properties": _object_lock(1)}}, update_of=stack)
    bucket, s3 = locked.resources["Logs"], aws("s3")
    assert bucket == stack.resources["Logs"]
    version = s3.put_object(Bucket=bucket, Key="AWSLogs/later.log.gz", Body=b"log")["VersionId"]
    head = s3.head_object(Bucket=bucket, Key="AWSLogs/later.log.gz", VersionId=version)
    assert head["ObjectLockMode"] == "GOVERNANCE"
    with pytest.raises(ClientError) as refused:
        s3.delete_object(Bucket=bucket, Key="AWSLogs/later.log.gz", VersionId=version)
    assert refused.value.response["Error"]["Code"] == "AccessDenied"


def test_alb_without_access_logs_is_bad_input(aws, alb):
    lb, _ = alb
    aws("elbv2").modify_load_balancer_attributes(
        LoadBalancerArn=lb["LoadBalancerArn"], Attributes=[{"Key": "access_logs.s3.enabled", "Value": "false"}]
    )
    with pytest.raises(log_delivery.LogSourceError, match="has no access logs"):
        log_delivery.deliver("elb", ACCOUNT, lb["LoadBalancerArn"])


# -- CloudFront standard logs ---------------------------------------------------------------
def _cdn(deploy, log_bucket=None, key_statements=None):
    resources = _distribution_stack(log_bucket or _ownership("ObjectWriter"))
    if key_statements is not None:
        resources["Key"] = {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": _policy(*key_statements)}}
    stack = deploy(resources)
    return stack.resources["D"], stack.resources["Logs"]


def _kms_bucket(key="Key"):
    return {**_ownership("ObjectWriter"), "BucketEncryption": _sse("aws:kms", {"Fn::GetAtt": [key, "Arn"]})}


def _delivery_key_grant(*actions):
    return {
        "Effect": "Allow",
        "Principal": {"Service": "delivery.logs.amazonaws.com"},
        "Action": list(actions),
        "Resource": "*",
    }


def _grants(aws, bucket):
    acl = aws("s3").get_bucket_acl(Bucket=bucket)
    return {(g["Grantee"].get("ID") or g["Grantee"].get("URI"), g["Permission"]) for g in acl["Grants"]}


def test_cloudfront_grants_awslogsdelivery_when_logging_is_enabled(deploy, aws):
    _, bucket = _cdn(deploy)
    assert (AWSLOGSDELIVERY, "FULL_CONTROL") in _grants(aws, bucket)


def test_cloudfront_log_arrives_with_the_log_file_acl(deploy, aws):
    distribution, bucket = _cdn(deploy)
    got = log_delivery.deliver("cloudfront", ACCOUNT, distribution)
    assert got.delivered and re.fullmatch(rf"cdn/{distribution}\.\d{{4}}-\d\d-\d\d-\d\d\.[A-Z0-9]{{8}}\.gz", got.key)
    body = gzip.decompress(aws("s3").get_object(Bucket=bucket, Key=got.key)["Body"].read()).decode()
    header, fields, record = body.splitlines()
    assert header == "#Version: 1.0" and len(fields.split()) - 1 == len(record.split("\t")) == 33
    acl = aws("s3").get_object_acl(Bucket=bucket, Key=got.key)
    assert {(g["Grantee"].get("ID"), g["Permission"]) for g in acl["Grants"]} >= {
        (AWSLOGSDELIVERY, "READ"),
        (AWSLOGSDELIVERY, "WRITE"),
    }


def test_cloudfront_log_bucket_acl_reset_leaves_the_log_missing(deploy, aws):
    distribution, bucket = _cdn(deploy)
    aws("s3").put_bucket_acl(Bucket=bucket, ACL="private")
    _assert_missing(aws, log_delivery.deliver("cloudfront", ACCOUNT, distribution), "bucket-acl")


def test_cloudfront_log_bucket_switched_to_bucket_owner_enforced_leaves_the_log_missing(deploy, aws):
    distribution, bucket = _cdn(deploy)
    # S3 accepts BucketOwnerEnforced only once the ACL grants nobody else, so the grant goes first.
    aws("s3").put_bucket_acl(Bucket=bucket, ACL="private")
    aws("s3").put_bucket_ownership_controls(
        Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    )
    got = log_delivery.deliver("cloudfront", ACCOUNT, distribution)
    _assert_missing(aws, got, "object-ownership")


def test_cloudfront_log_bucket_policy_denying_writes_without_sse_header_leaves_the_log_missing(deploy, aws):
    distribution, bucket = _cdn(deploy)
    deny = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:PutObject",
        "Resource": f"arn:aws:s3:::{bucket}/*",
        "Condition": {"Null": {"s3:x-amz-server-side-encryption": "true"}},
    }
    aws("s3").put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [deny]}))
    _assert_missing(aws, log_delivery.deliver("cloudfront", ACCOUNT, distribution), "bucket-policy")


def test_cloudfront_log_to_sse_kms_bucket_whose_key_admits_log_delivery_is_kms_encrypted(deploy, aws):
    keys = (ROOT_ADMIN, _delivery_key_grant("kms:GenerateDataKey*"))
    distribution, bucket = _cdn(deploy, _kms_bucket(), keys)
    got = log_delivery.deliver("cloudfront", ACCOUNT, distribution)
    assert got.delivered, got
    assert aws("s3").head_object(Bucket=bucket, Key=got.key)["ServerSideEncryption"] == "aws:kms"


def test_cloudfront_log_to_sse_kms_bucket_whose_key_lacks_log_delivery_leaves_the_log_missing(deploy, aws):
    distribution, _ = _cdn(deploy, _kms_bucket(), (ROOT_ADMIN,))
    got = log_delivery.deliver("cloudfront", ACCOUNT, distribution)
    _assert_missing(aws, got, "key-policy")
    assert "delivery.logs.amazonaws.com kms:GenerateDataKey" in got.reason


def test_cloudfront_log_with_bucket_key_needs_decrypt_too(deploy, aws):
    distribution, bucket = _cdn(deploy, _kms_bucket(), (ROOT_ADMIN, _delivery_key_grant("kms:GenerateDataKey*")))
    key = aws("s3").get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    key["BucketKeyEnabled"] = True
    aws("s3").put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [key]})
    got = log_delivery.deliver("cloudfront", ACCOUNT, distribution)
    _assert_missing(aws, got, "key-policy")
    assert got.reason.endswith("kms:Decrypt")


def test_cloudfront_log_to_a_bucket_under_the_aws_managed_key_is_missing(deploy, aws):
    distribution, _ = _cdn(deploy, {**_ownership("ObjectWriter"), "BucketEncryption": _sse("aws:kms")})
    _assert_missing(aws, log_delivery.deliver("cloudfront", ACCOUNT, distribution), "key-policy")


def test_unknown_kind_and_missing_source_are_bad_input():
    with pytest.raises(log_delivery.LogSourceError, match="use one of s3, elb, cloudfront"):
        log_delivery.deliver("vpc", ACCOUNT, "x")
    with pytest.raises(log_delivery.LogSourceError, match="no distribution E404"):
        log_delivery.deliver("cloudfront", ACCOUNT, "E404")


# -- the HTTP route -------------------------------------------------------------------------
def _call(port, method, path, host=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, headers={"Host": host or f"localhost:{port}"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def test_route_delivers_and_answers_json(emulator, deploy):
    stack = deploy(_server_logging_stack(_logging_grant()))
    status, body = _call(emulator.port, "POST", f"/webstack-api/logs/s3/{stack.resources['Source']}")
    answer = json.loads(body)
    assert status == 200 and answer["delivered"] is True and answer["bucket"] == stack.resources["Logs"]
    assert answer["key"].startswith("src/") and "reason" not in answer


def test_route_answers_a_refusal_and_lists_it(emulator, deploy):
    stack = deploy(_server_logging_stack(TLS_ONLY_DENY))
    source = stack.resources["Source"]
    status, body = _call(emulator.port, "POST", f"/webstack-api/logs/s3/{source}")
    answer = json.loads(body)
    assert status == 200 and answer["delivered"] is False and answer["refused_by"] == "bucket-policy"
    assert "key" not in answer and answer["reason"]
    status, body = _call(emulator.port, "GET", f"/webstack-api/logs/s3/{source}")
    assert status == 200 and json.loads(body)["deliveries"][-1] == answer


def test_route_bad_input_and_host_check(emulator):
    status, body = _call(emulator.port, "POST", "/webstack-api/logs/s3/no-such-bucket-here")
    assert status == 404 and "no bucket named no-such-bucket-here" in json.loads(body)["error"]
    assert _call(emulator.port, "POST", "/webstack-api/logs/s3")[0] == 404
    assert _call(emulator.port, "POST", "/webstack-api/logs/s3/x", host="attacker.example:80")[0] == 403
