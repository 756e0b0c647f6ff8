"""S3 buckets: static content and the three log destinations.

Every bucket: public access blocked, TLS-only policy, generated name (D8),
retention from the caller. Log buckets differ in encryption because their
writers differ:

* ``access_logs`` receives S3 server access logs: SSE-S3 is the only
  encryption S3 log delivery supports.
* ``alb_logs``: ELB access-log delivery supports SSE-S3 only (D7).
* ``cdn_logs``: CloudFront standard logging writes with ACLs, so the bucket
  needs ``ObjectWriter`` ownership (D6).

Log integrity: every log bucket is versioned and keeps overwritten or deleted
log versions for ``log_noncurrent_version_days``. With ``log_object_lock_days``
the ALB and CloudFront log buckets get S3 Object Lock, GOVERNANCE mode, as
their default retention: no log version is deleted sooner without
``s3:BypassGovernanceRetention``. The access-log bucket never does: "Object
Lock blocks server access log delivery. You must choose a destination bucket
that doesn't have Object Lock enabled"
(https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshooting-server-access-logging.html;
D28). The ELB and CloudFront log pages name no Object Lock restriction
(https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html,
https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging-legacy-s3.html).
``ObjectLockEnabled`` is create-only: turning the lock on replaces those buckets.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from webstack.constructs.acknowledge import acknowledge, skip_checkov, skip_checkov_on_cdk_handler

_SSE_S3_ONLY = (
    "log delivery to this bucket (S3 server access logs, ELB access logs, CloudFront standard logs) "
    "supports SSE-S3 only (pitfalls D7)"
)
_NO_REPLICATION = (
    "cross-region replication is a disaster-recovery decision with its own region and cost; "
    "versioning, retention and lifecycle protect the data in this region"
)


class Storage(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        content_key: kms.IKey,
        removal_policy: RemovalPolicy,
        noncurrent_version_expiration_days: int,
        log_expiration_days: int,
        log_noncurrent_version_days: int,
        log_object_lock_days: int | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        disposable = removal_policy == RemovalPolicy.DESTROY
        common: dict[str, Any] = dict(
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            minimum_tls_version=1.2,
            removal_policy=removal_policy,
            auto_delete_objects=disposable,
        )
        log_lifecycle = [
            s3.LifecycleRule(
                id="ExpireLogs",
                expiration=Duration.days(log_expiration_days),
                # Versioning guards logs against overwrite and deletion; old versions
                # stay this long (S3 lifecycle waits for an Object Lock to end).
                noncurrent_version_expiration=Duration.days(log_noncurrent_version_days),
                abort_incomplete_multipart_upload_after=Duration.days(1),
            )
        ]

        def log_bucket(
            construct_id: str,
            *,
            ownership: s3.ObjectOwnership = s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            access_log_prefix: str | None = None,
            lockable: bool = False,
        ) -> s3.Bucket:
            lock: dict[str, Any] = {}
            if lockable and log_object_lock_days is not None:
                lock = dict(
                    object_lock_enabled=True,
                    object_lock_default_retention=s3.ObjectLockRetention.governance(
                        Duration.days(log_object_lock_days)
                    ),
                )
            bucket = s3.Bucket(
                self,
                construct_id,
                encryption=s3.BucketEncryption.S3_MANAGED,
                versioned=True,
                object_ownership=ownership,
                server_access_logs_bucket=self.access_logs if access_log_prefix else None,
                server_access_logs_prefix=access_log_prefix,
                lifecycle_rules=log_lifecycle,
                **lock,
                **common,
            )
            acknowledge(bucket, "NIST.800.53.R5-S3DefaultEncryptionKMS", _SSE_S3_ONLY)
            return bucket

        self.access_logs = log_bucket("AccessLogs")
        skip_checkov(
            self.access_logs,
            "CKV_AWS_18",
            "this bucket receives the other buckets' server access logs; logging it into itself is an "
            "infinite loop of logs, which AWS advises against "
            "(https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html)",
        )
        if disposable:
            skip_checkov_on_cdk_handler(
                self, "Custom::S3AutoDeleteObjectsCustomResourceProvider", "auto-delete-objects"
            )

        self.content = s3.Bucket(
            self,
            "Content",
            encryption=s3.BucketEncryption.KMS,
            encryption_key=content_key,
            # One data key per bucket-hour instead of one KMS call per object.
            bucket_key_enabled=True,
            versioned=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix="content/",
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="NoncurrentVersions",
                    noncurrent_version_expiration=Duration.days(noncurrent_version_expiration_days),
                    abort_incomplete_multipart_upload_after=Duration.days(7),
                ),
                s3.LifecycleRule(
                    id="TierColdObjects",
                    transitions=[
                        s3.Transition(
                            storage_class=s3.StorageClass.INTELLIGENT_TIERING,
                            transition_after=Duration.days(30),
                        )
                    ],
                ),
            ],
            **common,
        )

        self.alb_logs = log_bucket("AlbLogs", access_log_prefix="alb-logs/", lockable=True)
        self.cdn_logs = log_bucket(
            "CdnLogs", ownership=s3.ObjectOwnership.OBJECT_WRITER, access_log_prefix="cdn-logs/", lockable=True
        )
        for bucket in (self.access_logs, self.content, self.alb_logs, self.cdn_logs):
            acknowledge(bucket, "NIST.800.53.R5-S3BucketReplicationEnabled", _NO_REPLICATION)
