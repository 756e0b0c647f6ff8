"""Buckets: encryption, versioning, public access, TLS-only, logging, lifecycle, names."""

from __future__ import annotations

import json

import pytest

from tests.synth import ref_id

BLOCK_ALL = {
    "BlockPublicAcls": True,
    "BlockPublicPolicy": True,
    "IgnorePublicAcls": True,
    "RestrictPublicBuckets": True,
}


def _buckets(synth):
    resources = synth.web.find_resources("AWS::S3::Bucket")
    by_role = {}
    for logical_id, bucket in resources.items():
        for role in ("AccessLogs", "Content", "AlbLogs", "CdnLogs"):
            if logical_id.startswith(f"Storage{role}"):
                by_role[role] = (logical_id, bucket)
    assert len(by_role) == len(resources) == 4, list(resources)
    return by_role


def _sse(bucket):
    return bucket["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]


def test_every_bucket_blocks_public_access_and_has_generated_name(each_env):
    for logical_id, bucket in _buckets(each_env).values():
        assert bucket["Properties"]["PublicAccessBlockConfiguration"] == BLOCK_ALL, logical_id
        assert "BucketName" not in bucket["Properties"], f"D8: {logical_id} has an explicit name"


def test_every_bucket_is_tls_only(each_env):
    policies = each_env.web.find_resources("AWS::S3::BucketPolicy")
    secured = set()
    for policy in policies.values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if (
                statement["Effect"] == "Deny"
                and statement.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false"
            ):
                secured.add(ref_id(policy["Properties"]["Bucket"]))
    assert secured == {logical_id for logical_id, _ in _buckets(each_env).values()}


def test_content_bucket_sse_kms_versioned_logged_with_lifecycle(each_env):
    _, content = _buckets(each_env)["Content"]
    sse = _sse(content)
    assert sse["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    key_id = sse["ServerSideEncryptionByDefault"]["KMSMasterKeyID"]["Fn::GetAtt"][0]
    assert key_id.startswith("KeysDataKey")
    assert sse["BucketKeyEnabled"] is True
    assert content["Properties"]["VersioningConfiguration"] == {"Status": "Enabled"}
    access_logs_id, _ = _buckets(each_env)["AccessLogs"]
    assert ref_id(content["Properties"]["LoggingConfiguration"]["DestinationBucketName"]) == access_logs_id
    rules = {r["Id"]: r for r in content["Properties"]["LifecycleConfiguration"]["Rules"]}
    assert (
        rules["NoncurrentVersions"]["NoncurrentVersionExpiration"]["NoncurrentDays"]
        == each_env.config.noncurrent_version_expiration_days
    )
    assert rules["TierColdObjects"]["Transitions"][0]["StorageClass"] == "INTELLIGENT_TIERING"


@pytest.mark.parametrize("role", ["AccessLogs", "AlbLogs", "CdnLogs"])
def test_log_buckets_sse_s3_and_expire(each_env, role):
    """S3 server access logs and ALB logs (D7) support SSE-S3 only."""
    _, bucket = _buckets(each_env)[role]
    assert _sse(bucket)["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    rules = bucket["Properties"]["LifecycleConfiguration"]["Rules"]
    assert rules[0]["ExpirationInDays"] == each_env.config.log_bucket_expiration_days


def test_cdn_log_bucket_allows_acl_delivery(dev):
    """CloudFront standard logs are written with ACLs (D6)."""
    _, bucket = _buckets(dev)["CdnLogs"]
    assert bucket["Properties"]["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "ObjectWriter"}]
    for role in ("Content", "AlbLogs", "AccessLogs"):
        _, other = _buckets(dev)[role]
        assert other["Properties"]["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]


def test_alb_log_bucket_admits_elb_delivery(dev):
    alb_logs_id, _ = _buckets(dev)["AlbLogs"]
    policies = [
        p
        for p in dev.web.find_resources("AWS::S3::BucketPolicy").values()
        if ref_id(p["Properties"]["Bucket"]) == alb_logs_id
    ]
    text = json.dumps(policies)
    assert "s3:PutObject" in text
    # us-west-2's ELB account or the log-delivery service principal.
    assert "797873946194" in text or "logdelivery.elasticloadbalancing.amazonaws.com" in text


def test_log_buckets_keep_noncurrent_versions_for_the_configured_days(each_env):
    for role in ("AccessLogs", "AlbLogs", "CdnLogs"):
        _, bucket = _buckets(each_env)[role]
        assert bucket["Properties"]["VersioningConfiguration"] == {"Status": "Enabled"}
        rule = bucket["Properties"]["LifecycleConfiguration"]["Rules"][0]
        assert (
            rule["NoncurrentVersionExpiration"]["NoncurrentDays"] == each_env.config.log_bucket_noncurrent_version_days
        )


def test_protected_environment_keeps_and_locks_its_logs_longer(dev, prod):
    """prod (deletion protection) keeps log versions 90 days and locks ALB and CloudFront logs
    for 90 days; dev locks nothing and keeps old versions a week."""
    assert (dev.config.log_bucket_noncurrent_version_days, dev.config.log_bucket_object_lock_days) == (7, None)
    assert (prod.config.log_bucket_noncurrent_version_days, prod.config.log_bucket_object_lock_days) == (90, 90)
    for role in ("AlbLogs", "CdnLogs"):
        _, bucket = _buckets(prod)[role]
        retention = bucket["Properties"]["ObjectLockConfiguration"]["Rule"]["DefaultRetention"]
        assert bucket["Properties"]["ObjectLockEnabled"] is True
        assert retention == {"Mode": "GOVERNANCE", "Days": 90}
        assert "ObjectLockEnabled" not in _buckets(dev)[role][1]["Properties"]
    # S3 server access logs refuse an Object Lock target (D28).
    assert "ObjectLockEnabled" not in _buckets(prod)["AccessLogs"][1]["Properties"]
