"""Buckets: the content bucket and the three log buckets, found by output."""

from __future__ import annotations

import os

import pytest

from .helpers import as_list, key_arn, statements

LOG_BUCKETS = ["AccessLogBucketName", "AlbLogBucketName", "CdnLogBucketName"]


def _default_encryption(aws, bucket: str) -> dict:
    rules = aws("s3").get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert len(rules) == 1, rules
    return rules[0]["ApplyServerSideEncryptionByDefault"]


def test_content_bucket_exists(aws, outputs):
    aws("s3").head_bucket(Bucket=outputs["S3BucketName"])


def test_content_bucket_encrypted_with_data_key(aws, outputs):
    sse = _default_encryption(aws, outputs["S3BucketName"])
    assert sse["SSEAlgorithm"] == "aws:kms"
    assert "KMSMasterKeyID" in sse, "SSE-KMS without a key means the AWS-managed aws/s3 key"
    assert key_arn(aws, sse["KMSMasterKeyID"]) == outputs["DataKeyArn"]


def test_content_bucket_versioned(aws, outputs):
    assert aws("s3").get_bucket_versioning(Bucket=outputs["S3BucketName"]).get("Status") == "Enabled"


def test_content_bucket_blocks_public_access(aws, outputs):
    block = aws("s3").get_public_access_block(Bucket=outputs["S3BucketName"])["PublicAccessBlockConfiguration"]
    assert block == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }


def test_content_bucket_denies_plain_http(aws, outputs):
    bucket = outputs["S3BucketName"]
    policy = aws("s3").get_bucket_policy(Bucket=bucket)["Policy"]
    denies = [
        s
        for s in statements(policy)
        if s.get("Effect") == "Deny"
        and str(s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport")).lower() == "false"
    ]
    assert denies, f"no Deny on aws:SecureTransport=false in {policy}"
    deny = denies[0]
    assert deny["Principal"] in ("*", {"AWS": "*"}), deny
    assert "s3:*" in as_list(deny["Action"]), deny
    resources = as_list(deny["Resource"])
    assert f"arn:aws:s3:::{bucket}" in resources and f"arn:aws:s3:::{bucket}/*" in resources, resources


@pytest.mark.parametrize("output_key", LOG_BUCKETS)
def test_log_bucket_sse_s3(aws, outputs, output_key):
    # S3 server access logs and ALB logs can only be delivered to SSE-S3 buckets;
    # CloudFront standard logs likewise do not support SSE-KMS with a CMK by default.
    assert _default_encryption(aws, outputs[output_key])["SSEAlgorithm"] == "AES256"


@pytest.mark.parametrize("output_key", LOG_BUCKETS)
def test_log_bucket_blocks_public_access(aws, outputs, output_key):
    block = aws("s3").get_public_access_block(Bucket=outputs[output_key])["PublicAccessBlockConfiguration"]
    assert all(block.values()) and len(block) == 4, block


def test_cdn_log_bucket_accepts_acl_delivery(aws, outputs):
    # CloudFront standard logging writes with ACLs: BucketOwnerEnforced breaks it.
    rules = aws("s3").get_bucket_ownership_controls(Bucket=outputs["CdnLogBucketName"])["OwnershipControls"]["Rules"]
    assert [r["ObjectOwnership"] for r in rules] == ["ObjectWriter"]


def test_content_bucket_access_logged(aws, outputs):
    logging = aws("s3").get_bucket_logging(Bucket=outputs["S3BucketName"]).get("LoggingEnabled")
    assert logging, "content bucket has no server access logging"
    assert logging["TargetBucket"] == outputs["AccessLogBucketName"]


def test_log_buckets_lock_and_keep_log_versions_as_configured(aws, outputs, deployed):
    """Log integrity: Object Lock (GOVERNANCE, the configured days) on the ALB and CloudFront log
    buckets only when configured, never on the server-access-log target (D28); every log bucket
    keeps noncurrent versions for the configured days."""
    from botocore.exceptions import ClientError

    from webstack.app import read_overrides
    from webstack.config import load_config
    from webstack_tools import local_pager

    # As deployed: the override file, and a protected environment's local pager (make up's).
    overrides = local_pager.completed(deployed.env_name, read_overrides(os.environ.get("WEBSTACK_CONFIG")))
    config = load_config(deployed.env_name, overrides)
    s3 = aws("s3")
    for key in ("AlbLogBucketName", "CdnLogBucketName"):
        if config.log_bucket_object_lock_days is None:
            with pytest.raises(ClientError, match="ObjectLockConfigurationNotFoundError"):
                s3.get_object_lock_configuration(Bucket=outputs[key])
            continue
        lock = s3.get_object_lock_configuration(Bucket=outputs[key])["ObjectLockConfiguration"]
        assert lock["ObjectLockEnabled"] == "Enabled", key
        retention = lock["Rule"]["DefaultRetention"]
        assert (retention["Mode"], retention["Days"]) == ("GOVERNANCE", config.log_bucket_object_lock_days), key
    with pytest.raises(ClientError, match="ObjectLockConfigurationNotFoundError"):
        s3.get_object_lock_configuration(Bucket=outputs["AccessLogBucketName"])
    for key in LOG_BUCKETS:
        rules = s3.get_bucket_lifecycle_configuration(Bucket=outputs[key])["Rules"]
        noncurrent = [
            r["NoncurrentVersionExpiration"]["NoncurrentDays"] for r in rules if "NoncurrentVersionExpiration" in r
        ]
        assert noncurrent == [config.log_bucket_noncurrent_version_days], key


def _deployed_config():
    """The configuration the deployment was synthesized from (as `make up` completes it)."""
    from webstack.config import load_config, parse_overrides
    from webstack_tools import local_pager

    from .conftest import CONFIG, ENV_NAME

    return load_config(ENV_NAME, local_pager.completed(ENV_NAME, parse_overrides(CONFIG) if CONFIG else None))


def test_site_is_in_the_content_bucket_with_cache_control_by_kind(aws, outputs):
    config = _deployed_config()
    folder = config.site.folder
    expected = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    s3 = aws("s3")
    bucket = outputs["S3BucketName"]
    listed = sorted(o["Key"] for o in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket).search("Contents"))
    assert set(expected) <= set(listed), f"missing from the bucket: {sorted(set(expected) - set(listed))}"
    assert "index.html" in expected and any(k.startswith("assets/") for k in expected)
    immutable = f"public, max-age={config.cdn.immutable_ttl_days * 86400}, immutable"
    page = f"public, max-age={config.cdn.html_ttl_seconds}"
    for key in expected:
        head = s3.head_object(Bucket=bucket, Key=key)
        assert head["CacheControl"] == (immutable if key.startswith("assets/") else page), key
        assert head["ServerSideEncryption"] == "aws:kms", key
        assert (folder / key).read_bytes() == s3.get_object(Bucket=bucket, Key=key)["Body"].read(), key
    assert s3.head_object(Bucket=bucket, Key="index.html")["ContentType"] == "text/html"
    scripts = [k for k in expected if k.endswith(".js")]
    assert scripts and all(s3.head_object(Bucket=bucket, Key=k)["ContentType"] == "text/javascript" for k in scripts)


def test_deploy_invalidated_the_pages_on_the_distribution(aws, outputs):
    cloudfront = aws("cloudfront", "us-east-1")
    distribution = outputs["CloudFrontDistributionId"]
    listed = cloudfront.list_invalidations(DistributionId=distribution)["InvalidationList"].get("Items", [])
    assert listed, "no invalidation: the pages' deployment did not invalidate the distribution"
    paths = {
        path
        for item in listed
        for path in cloudfront.get_invalidation(DistributionId=distribution, Id=item["Id"])["Invalidation"][
            "InvalidationBatch"
        ]["Paths"]["Items"]
    }
    assert {"/", "/index.html"} <= paths
