"""Storage and Keys alone: retention decided by the caller, encryption per writer."""

from __future__ import annotations

from aws_cdk import RemovalPolicy, Stack

from tests.constructs.conftest import key_in, resources
from webstack.constructs.keys import Keys
from webstack.constructs.storage import Storage


def storage(stack: Stack, removal: RemovalPolicy, *, lock_days: int | None = None) -> Storage:
    return Storage(
        stack,
        "Storage",
        content_key=key_in(stack),
        removal_policy=removal,
        noncurrent_version_expiration_days=30,
        log_expiration_days=90,
        log_noncurrent_version_days=45,
        log_object_lock_days=lock_days,
    )


def _by_name(stack: Stack, built: Storage) -> dict[str, dict]:
    buckets = resources(stack, "AWS::S3::Bucket")
    names = ("content", "alb_logs", "cdn_logs", "access_logs")
    return {n: buckets[stack.get_logical_id(getattr(built, n).node.default_child)] for n in names}


def _encryption(bucket: dict) -> dict:
    return bucket["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]


def test_disposable_storage_is_emptied_and_deleted(stack):
    storage(stack, RemovalPolicy.DESTROY)
    buckets = resources(stack, "AWS::S3::Bucket")
    assert len(buckets) == 4
    assert all(b["DeletionPolicy"] == "Delete" for b in buckets.values())
    assert len(resources(stack, "Custom::S3AutoDeleteObjects")) == 4


def test_retained_storage_keeps_every_bucket_and_its_objects(stack):
    storage(stack, RemovalPolicy.RETAIN)
    buckets = resources(stack, "AWS::S3::Bucket")
    assert all(b["DeletionPolicy"] == "Retain" and b["UpdateReplacePolicy"] == "Retain" for b in buckets.values())
    assert resources(stack, "Custom::S3AutoDeleteObjects") == {}


def test_encryption_follows_each_writer(stack):
    built = storage(stack, RemovalPolicy.RETAIN)
    ids = {
        name: stack.get_logical_id(getattr(built, name).node.default_child)
        for name in ("content", "alb_logs", "cdn_logs", "access_logs")
    }
    buckets = resources(stack, "AWS::S3::Bucket")
    content = _encryption(buckets[ids["content"]])
    assert content["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert content["BucketKeyEnabled"] is True
    for log_bucket in ("alb_logs", "cdn_logs", "access_logs"):
        # Log delivery (S3, ELB, CloudFront) writes SSE-S3 only (D7).
        assert _encryption(buckets[ids[log_bucket]])["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    ownership = buckets[ids["cdn_logs"]]["Properties"]["OwnershipControls"]["Rules"][0]["ObjectOwnership"]
    assert ownership == "ObjectWriter", "CloudFront standard logs are written with ACLs (D6)"
    for bucket in buckets.values():
        assert bucket["Properties"]["VersioningConfiguration"] == {"Status": "Enabled"}
        assert bucket["Properties"]["PublicAccessBlockConfiguration"]["BlockPublicPolicy"] is True


def test_keys_rotate_and_follow_the_removal_policy(stack):
    Keys(stack, "Keys", removal_policy=RemovalPolicy.RETAIN)
    keys = resources(stack, "AWS::KMS::Key")
    assert len(keys) == 2
    for key in keys.values():
        assert key["Properties"]["EnableKeyRotation"] is True
        assert key["DeletionPolicy"] == "Retain"
    assert len(resources(stack, "AWS::KMS::Alias")) == 2


def test_disposable_keys_are_scheduled_for_deletion(stack):
    Keys(stack, "Keys", removal_policy=RemovalPolicy.DESTROY)
    assert all(k["DeletionPolicy"] == "Delete" for k in resources(stack, "AWS::KMS::Key").values())


def test_log_buckets_keep_noncurrent_log_versions_as_configured(stack):
    """Overwritten or deleted logs stay recoverable for the configured days."""
    by_name = _by_name(stack, storage(stack, RemovalPolicy.RETAIN))
    for name in ("alb_logs", "cdn_logs", "access_logs"):
        rule = by_name[name]["Properties"]["LifecycleConfiguration"]["Rules"][0]
        assert rule["NoncurrentVersionExpiration"]["NoncurrentDays"] == 45, name


def test_object_lock_guards_alb_and_cloudfront_logs_only(stack):
    """GOVERNANCE default retention where the writer accepts it; never on the server-access-log
    target, which S3 log delivery refuses (D28)."""
    by_name = _by_name(stack, storage(stack, RemovalPolicy.RETAIN, lock_days=60))
    for name in ("alb_logs", "cdn_logs"):
        props = by_name[name]["Properties"]
        assert props["ObjectLockEnabled"] is True, name
        assert props["ObjectLockConfiguration"] == {
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 60}},
        }
        assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    for name in ("access_logs", "content"):
        assert "ObjectLockEnabled" not in by_name[name]["Properties"], name
        assert "ObjectLockConfiguration" not in by_name[name]["Properties"], name


def test_no_object_lock_unless_configured(stack):
    by_name = _by_name(stack, storage(stack, RemovalPolicy.RETAIN))
    assert not any("ObjectLockEnabled" in b["Properties"] for b in by_name.values())
