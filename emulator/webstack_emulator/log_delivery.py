"""AWS services writing access logs into S3 buckets, allowed or refused as AWS
decides at the moment of the write.

:func:`deliver` writes one log object *now* for a log source -- a bucket with
server access logging, an application load balancer with access logs, a
distribution with standard logging -- or records why AWS would not. The
emulator's HTTP interface exposes it at ``POST /webstack-api/logs/<kind>/<resource>``
and the record of every attempt (:data:`LOG`) at ``GET /webstack-api/logs``
(server.py). Object names and contents: :mod:`.log_records`.

What AWS shows when it cannot deliver: nothing but missing objects. None of
the three services documents an error, event or metric for a refused log
write; the pages say only that logs are not delivered ("If you remove
permissions for the awslogsdelivery account, CloudFront won't be able to
save logs to the S3 bucket", standard-logging-legacy-s3.html; a server
access log target with SSE-KMS "would launch but fail to generate any logs",
aws/aws-cdk#23513). So a refusal is not an error of the delivery call: the
answer says ``delivered: false`` with the emulator's explanation, which AWS
does not give.

**S3 server access logs** (``kind`` ``s3``, resource: the source bucket name;
https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html).
The source's logging configuration names ``TargetBucket`` / ``TargetPrefix``
(and ``TargetObjectKeyFormat``). The target bucket must be in the same
Region, must not have S3 Object Lock or Requester Pays, and "You can use
default bucket encryption on the target bucket only if you use server-side
encryption with Amazon S3 managed keys (SSE-S3) ... Default server-side
encryption with AWS Key Management Service (AWS KMS) keys (SSE-KMS) is not
supported" -- AWS's answer in awsdocs/amazon-s3-developer-guide#38 too
("we support SSE-S3 (AES-256) for server access log delivery buckets");
aws/aws-cdk#25350 reports delivery to a customer-managed-key bucket working,
the emulator follows the documentation. The write is
``s3:PutObject`` by the logging service principal ``logging.s3.amazonaws.com``
with ``aws:SourceArn`` = the source bucket ARN and ``aws:SourceAccount`` =
its account (the page's example policy conditions on both): the target's
bucket policy must allow it, or -- only when Object Ownership is not
``BucketOwnerEnforced``, which disables ACLs -- its ACL must grant the Log
Delivery group (``http://acs.amazonaws.com/groups/s3/LogDelivery``) ``WRITE``
and ``READ_ACP``. An applicable Deny in the bucket policy refuses either way
("make sure that they don't prevent Amazon S3 from delivering access logs").

**ALB access logs** (``kind`` ``elb``, resource: the load balancer ARN or
name; https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html).
Attributes ``access_logs.s3.enabled`` / ``.bucket`` / ``.prefix``. "The
bucket must be located in the same Region as the load balancer"; "The only
server-side encryption option that's supported is Amazon S3-managed keys
(SSE-S3)". The writer is the region's ELB account (regions available before
August 2022) or ``logdelivery.elasticloadbalancing.amazonaws.com``
(:func:`~.providers.service_rules.elbv2.log_delivery_principals`), with
``aws:SourceAccount`` / ``aws:SourceArn`` of the load balancer, as
ModifyLoadBalancerAttributes' test write already evaluates it
(``service_rules/elbv2.py``); whether ELB sends ``x-amz-acl`` is not
documented, so a policy that requires it is not satisfied.

**CloudFront standard logs, legacy** (``kind`` ``cloudfront``, resource: the
distribution id; https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging-legacy-s3.html).
``Logging.Bucket`` of the distribution config. The ``awslogsdelivery``
account writes through the bucket ACL: it needs ``FULL_CONTROL`` for its
canonical user (CloudFront adds that grant when logging is enabled,
``service_rules/cloudfront.py``; whether a narrower grant suffices is not
documented, so the emulator requires what CloudFront grants), and ACLs must
be enabled (Object Ownership not ``BucketOwnerEnforced``). Buckets in
af-south-1, ap-east-1, eu-south-1 and me-south-1 get no logs. For SSE-KMS
with a customer managed key, the key policy must allow
``delivery.logs.amazonaws.com`` ``kms:GenerateDataKey*``, plus ``kms:Decrypt``
with an S3 Bucket Key; "You can't use SSE-KMS with the AWS managed key"
(``aws/s3`` admits principals of the account only). The key is asked with
``kms:ViaService`` ``s3.<region>.amazonaws.com`` and the ``aws:s3:arn``
encryption context, as S3 asks for any SSE-KMS write
(https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#encryption-context).
The account's IAM identity is not documented, so of the bucket policy only
statements for any principal (``"*"``) can apply to it -- a Deny among them
refuses. Its writes are reported to carry no ``x-amz-server-side-encryption``
header (widdix/aws-cf-templates#739; AWS does not document the request), so a
policy denying writes without one refuses.
Each log file's ACL: the bucket owner ``FULL_CONTROL``, awslogsdelivery
``READ`` and ``WRITE`` ("ACL for each log file").

Every write is over TLS (``aws:SecureTransport`` true, ``s3:TlsVersion``
1.3) and S3 applies the target bucket's default encryption to the object. A
policy condition the evaluator cannot decide raises :class:`NotEmulated`
instead of a guess.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from moto.iam.access_control import PermissionResult

from . import log_records
from .origin_access import key_record
from .policy import Decision, Principal, Request, UnsupportedCondition, evaluate_key_access, evaluate_policy

PARTITION = "aws"
KINDS = ("s3", "elb", "cloudfront")
S3_LOGGING = "logging.s3.amazonaws.com"
CLOUDFRONT_LOG_DELIVERY = "delivery.logs.amazonaws.com"
LOG_DELIVERY_GROUP = "http://acs.amazonaws.com/groups/s3/LogDelivery"
TLS_CONTEXT = {"aws:SecureTransport": "true", "s3:TlsVersion": "1.3"}
# "CloudFront doesn't deliver access logs to buckets in these Regions"
# (standard-logging-legacy-s3.html, "Choosing an Amazon S3 bucket").
CLOUDFRONT_NO_LOG_REGIONS = frozenset({"af-south-1", "ap-east-1", "eu-south-1", "me-south-1"})


class LogSourceError(LookupError):
    """The log source does not exist or does not log: ``status`` 404 or 400."""

    def __init__(self, message: str, status: int = 404) -> None:
        super().__init__(message)
        self.status = status


class NotEmulated(RuntimeError):
    """A policy the emulator cannot evaluate; AWS's decision is unknown here."""


@dataclass(frozen=True)
class Delivery:
    """One attempt. ``refused_by``: ``no-such-bucket``, ``region``,
    ``object-lock``, ``requester-pays``, ``encryption``, ``bucket-policy``,
    ``bucket-acl``, ``object-ownership``, ``key-policy``, ``key-state``."""

    kind: str
    source: str
    bucket: str
    delivered: bool
    key: str = ""
    reason: str = ""
    refused_by: str = ""

    def as_json(self) -> dict[str, Any]:
        """``{delivered, kind, source, bucket, key}`` or ``{..., reason, refused_by}``."""
        body = asdict(self)
        for name in ("reason", "refused_by") if self.delivered else ("key",):
            body.pop(name)
        return body


@dataclass
class DeliveryLog:
    """Every log delivery attempt of this process (AWS shows none of them)."""

    entries: list[Delivery] = field(default_factory=list)

    def record(self, delivery: Delivery) -> Delivery:
        self.entries.append(delivery)
        return delivery

    def clear(self) -> None:
        self.entries.clear()

    def of(self, kind: str | None = None, source: str | None = None) -> list[Delivery]:
        return [d for d in self.entries if kind in (None, d.kind) and source in (None, d.source)]


LOG = DeliveryLog()


@dataclass(frozen=True)
class _Attempt:
    kind: str
    source: str
    bucket_name: str
    key: str

    def refused(self, refused_by: str, reason: str) -> Delivery:
        return Delivery(self.kind, self.source, self.bucket_name, False, self.key, reason, refused_by)

    def delivered(self) -> Delivery:
        return Delivery(self.kind, self.source, self.bucket_name, True, self.key)


def _now() -> datetime:
    return datetime.now(UTC)


def _s3(account_id: str) -> Any:
    from moto.s3.models import s3_backends

    return s3_backends[account_id][PARTITION]


def _policy_text(bucket: Any) -> str | None:
    policy = bucket.policy
    return policy.decode() if isinstance(policy, bytes) else policy


def _bucket_policy(bucket: Any, request: Request) -> PermissionResult:
    """DENIED / PERMITTED / NEUTRAL of the bucket policy alone (service
    principals and other accounts' principals have no identity policies here).
    An Allow naming the caller's account delegates to that account: ELB's
    account grants its own log writer."""
    try:
        result = evaluate_policy(_policy_text(bucket), request)
    except UnsupportedCondition as err:
        raise NotEmulated(f"not emulated: bucket policy of {bucket.name}: {err}") from None
    if result.result is PermissionResult.NEUTRAL and result.delegated:
        return PermissionResult.PERMITTED
    return result.result


def _encryption(bucket: Any) -> Any:
    from .providers.service_rules.s3 import default_encryption

    return default_encryption(bucket)


def _object_ownership(bucket: Any) -> str:
    from .providers.service_rules.cloudfront import object_ownership

    return object_ownership(bucket)


def _acl_grants(bucket: Any, *, uri: str = "", canonical_id: str = "") -> set[str]:
    """Permissions the bucket ACL grants one grantee (a group URI or a canonical user)."""
    found: set[str] = set()
    for grant in getattr(bucket.acl, "grants", None) or []:
        for grantee in grant.grantees:
            if (uri and grantee.uri == uri) or (canonical_id and grantee.id == canonical_id and not grantee.uri):
                found.update(grant.permissions)
    return found


def _write(account_id: str, attempt: _Attempt, body: bytes, acl: Any = None) -> Delivery:
    """PutObject with the bucket's default encryption (moto applies it) and its Object Lock
    default retention, which S3 applies to every new object version
    (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObjectLockConfiguration.html);
    moto applies it in its HTTP layer only, so it is set here. Whether ELB and CloudFront
    send the Content-MD5 or checksum header S3 wants for such a write is not documented;
    their pages name no Object Lock restriction, so the write is accepted."""
    s3 = _s3(account_id)
    bucket = s3.get_bucket(attempt.bucket_name)
    lock: dict[str, Any] = {}
    if bucket.has_default_lock:
        lock = {"lock_mode": bucket.default_lock_mode, "lock_until": bucket.default_retention()}
    key = s3.put_object(attempt.bucket_name, attempt.key, body, **lock)
    if acl is not None:
        key.set_acl(acl)
    return attempt.delivered()


def _target_bucket(account_id: str, attempt: _Attempt, region: str) -> tuple[Any, Delivery | None]:
    bucket = _s3(account_id).buckets.get(attempt.bucket_name)
    if bucket is None:
        return None, attempt.refused("no-such-bucket", f"bucket {attempt.bucket_name} does not exist")
    if bucket.region_name != region:
        return bucket, attempt.refused(
            "region", f"bucket {attempt.bucket_name} is in {bucket.region_name}, the log source in {region}"
        )
    return bucket, None


# -- S3 server access logs ---------------------------------------------------------------
def _server_log_source(account_id: str, name: str) -> tuple[Any, Mapping[str, Any]]:
    source = _s3(account_id).buckets.get(name)
    if source is None:
        raise LogSourceError(f"no bucket named {name}: name the source bucket whose access logs to deliver")
    logging = source.logging or {}
    if not logging.get("TargetBucket"):
        raise LogSourceError(
            f"bucket {name} has no server access logging: set LoggingConfiguration (PutBucketLogging) first", 400
        )
    return source, logging


def _server_log_refusal(bucket: Any, source: Any, attempt: _Attempt, account_id: str) -> Delivery | None:
    if bucket.object_lock_enabled:
        return attempt.refused("object-lock", f"bucket {bucket.name} has S3 Object Lock; it cannot receive access logs")
    if bucket.payer == "Requester":
        return attempt.refused("requester-pays", f"bucket {bucket.name} has Requester Pays enabled")
    algorithm = _encryption(bucket).algorithm
    if algorithm.startswith("aws:kms"):
        return attempt.refused(
            "encryption", f"bucket {bucket.name} encrypts with {algorithm}; server access logs support SSE-S3 only"
        )
    context = {**TLS_CONTEXT, "aws:SourceArn": f"arn:{PARTITION}:s3:::{source.name}", "aws:SourceAccount": account_id}
    object_arn = f"arn:{PARTITION}:s3:::{bucket.name}/{attempt.key}"
    request = Request(Principal.service(S3_LOGGING), "s3:PutObject", object_arn, context, resource_account=account_id)
    verdict = _bucket_policy(bucket, request)
    if verdict is PermissionResult.DENIED:
        return attempt.refused("bucket-policy", f"the bucket policy of {bucket.name} denies {S3_LOGGING} s3:PutObject")
    if verdict is PermissionResult.PERMITTED:
        return None
    acls_on = _object_ownership(bucket) != "BucketOwnerEnforced"
    granted = _acl_grants(bucket, uri=LOG_DELIVERY_GROUP)
    if acls_on and ("FULL_CONTROL" in granted or {"WRITE", "READ_ACP"} <= granted):
        return None
    acl_note = (
        "its ACL does not grant the Log Delivery group WRITE and READ_ACP" if acls_on else "its ACLs are disabled"
    )
    return attempt.refused(
        "bucket-policy",
        f"the bucket policy of {bucket.name} does not allow {S3_LOGGING} s3:PutObject on {object_arn} with "
        f"aws:SourceArn arn:{PARTITION}:s3:::{source.name} and aws:SourceAccount {account_id}, and {acl_note}",
    )


def deliver_server_access_log(account_id: str, source_name: str) -> Delivery:
    from moto.s3.models import OWNER

    source, logging = _server_log_source(account_id, source_name)
    now = _now()
    key = log_records.server_access_log_key(logging, account_id, source.region_name, source_name, now)
    attempt = _Attempt("s3", source_name, str(logging["TargetBucket"]), key)
    bucket, refused = _target_bucket(account_id, attempt, source.region_name)
    refused = refused or _server_log_refusal(bucket, source, attempt, account_id)
    if refused is not None:
        return refused
    body = log_records.server_access_log_record(OWNER, source_name, source.region_name, account_id, now)
    return _write(account_id, attempt, body)


# -- ALB access logs ----------------------------------------------------------------------
def _load_balancer(account_id: str, resource: str) -> tuple[Any, str]:
    from moto.elbv2.models import elbv2_backends

    regions = [resource.split(":")[3]] if resource.startswith("arn:") else list(elbv2_backends[account_id].keys())
    for region in regions:
        for lb in elbv2_backends[account_id][region].load_balancers.values():
            if resource in (lb.arn, lb.name):
                return lb, region
    raise LogSourceError(f"no load balancer {resource}: name it by ARN or name")


def _node_ip(account_id: str, region: str, full_name: str) -> str:
    """The private IP of one of the load balancer's ENIs (its nodes; providers/elbv2.py)."""
    from moto.ec2.models import ec2_backends

    for eni in ec2_backends[account_id][region].enis.values():
        if eni.description == f"ELB {full_name}" and eni.private_ip_address:
            return str(eni.private_ip_address)
    return "0.0.0.0"  # a load balancer without subnets has no node; AWS always has one


def _elb_refusal(bucket: Any, lb: Any, region: str, attempt: _Attempt, account_id: str) -> Delivery | None:
    from .providers.service_rules.elbv2 import log_delivery_principals

    algorithm = _encryption(bucket).algorithm
    if algorithm.startswith("aws:kms"):
        return attempt.refused(
            "encryption", f"bucket {bucket.name} encrypts with {algorithm}; ELB access logs support SSE-S3 only"
        )
    context = {**TLS_CONTEXT, "aws:SourceAccount": account_id, "aws:SourceArn": lb.arn}
    object_arn = f"arn:{PARTITION}:s3:::{bucket.name}/{attempt.key}"
    principals = log_delivery_principals(region)
    verdicts = [
        _bucket_policy(bucket, Request(p, "s3:PutObject", object_arn, context, resource_account=account_id))
        for p in principals
    ]
    # Either writer may be the one ELB uses in the region; each verdict already
    # lets a Deny that applies to that writer win over its Allow.
    if PermissionResult.PERMITTED in verdicts:
        return None
    writers = " or ".join(p.name or p.arn for p in principals)
    verb = "denies" if PermissionResult.DENIED in verdicts else "does not allow"
    return attempt.refused(
        "bucket-policy", f"the bucket policy of {bucket.name} {verb} {writers} s3:PutObject on {object_arn}"
    )


def deliver_alb_access_log(account_id: str, resource: str) -> Delivery:
    lb, region = _load_balancer(account_id, resource)
    attrs = getattr(lb, "attrs", None) or {}
    if str(attrs.get("access_logs.s3.enabled", "false")).lower() != "true" or not attrs.get("access_logs.s3.bucket"):
        raise LogSourceError(
            f"load balancer {lb.name} has no access logs: set access_logs.s3.enabled=true and access_logs.s3.bucket",
            400,
        )
    now = _now()
    full_name = lb.arn.split(":loadbalancer/", 1)[1]
    ip = _node_ip(account_id, region, full_name)
    prefix = str(attrs.get("access_logs.s3.prefix") or "")
    key = log_records.alb_access_log_key(prefix, account_id, region, full_name, node_ip=ip, now=now)
    attempt = _Attempt("elb", lb.arn, str(attrs["access_logs.s3.bucket"]), key)
    bucket, refused = _target_bucket(account_id, attempt, region)
    refused = refused or _elb_refusal(bucket, lb, region, attempt, account_id)
    if refused is not None:
        return refused
    return _write(account_id, attempt, log_records.alb_access_log_entry(full_name, lb.dns_name, now))


# -- CloudFront standard logs ---------------------------------------------------------------
def _distribution(account_id: str, distribution_id: str) -> Any:
    from moto.cloudfront.models import cloudfront_backends

    dist = cloudfront_backends[account_id][PARTITION].distributions.get(distribution_id)
    if dist is None:
        raise LogSourceError(f"no distribution {distribution_id}: name it by its id")
    return dist


def _cloudfront_key_refusal(bucket: Any, attempt: _Attempt, account_id: str) -> Delivery | None:
    encryption = _encryption(bucket)
    if not encryption.algorithm.startswith("aws:kms"):
        return None
    record = key_record(account_id, bucket.region_name, encryption.kms_key_id)
    if record is None or record[2] != "Enabled":
        state = "does not exist" if record is None else f"is {record[2]}"
        return attempt.refused("key-state", f"the KMS key of bucket {bucket.name} {state}")
    key_arn, key_policy, _ = record
    s3_arn = f"arn:{PARTITION}:s3:::{bucket.name}" + ("" if encryption.bucket_key else f"/{attempt.key}")
    context = {
        **TLS_CONTEXT,
        "kms:ViaService": f"s3.{bucket.region_name}.amazonaws.com",
        "kms:EncryptionContext:aws:s3:arn": s3_arn,
    }
    actions = ("kms:GenerateDataKey", "kms:Decrypt") if encryption.bucket_key else ("kms:GenerateDataKey",)
    for action in actions:
        request = Request(Principal.service(CLOUDFRONT_LOG_DELIVERY), action, key_arn, context)
        try:
            decision = evaluate_key_access(key_policy, request)
        except UnsupportedCondition as err:
            raise NotEmulated(f"not emulated: key policy of {key_arn}: {err}") from None
        if decision is not Decision.ALLOW:
            return attempt.refused(
                "key-policy", f"the key policy of {key_arn} does not allow {CLOUDFRONT_LOG_DELIVERY} {action}"
            )
    return None


def _cloudfront_refusal(bucket: Any, attempt: _Attempt, account_id: str) -> Delivery | None:
    from .providers.service_rules.cloudfront import AWSLOGSDELIVERY_CANONICAL_ID

    if bucket.region_name in CLOUDFRONT_NO_LOG_REGIONS:
        return attempt.refused("region", f"CloudFront delivers no standard logs to buckets in {bucket.region_name}")
    if _object_ownership(bucket) == "BucketOwnerEnforced":
        return attempt.refused(
            "object-ownership", f"bucket {bucket.name} has ACLs disabled (Object Ownership BucketOwnerEnforced)"
        )
    if "FULL_CONTROL" not in _acl_grants(bucket, canonical_id=AWSLOGSDELIVERY_CANONICAL_ID):
        return attempt.refused(
            "bucket-acl", f"the ACL of bucket {bucket.name} does not grant awslogsdelivery FULL_CONTROL"
        )
    anyone = Principal(kind="AWS")  # matches only "*" principals (module docstring)
    object_arn = f"arn:{PARTITION}:s3:::{bucket.name}/{attempt.key}"
    request = Request(anyone, "s3:PutObject", object_arn, TLS_CONTEXT, resource_account=account_id)
    if _bucket_policy(bucket, request) is PermissionResult.DENIED:
        return attempt.refused(
            "bucket-policy", f"the bucket policy of {bucket.name} denies s3:PutObject on {object_arn}"
        )
    return _cloudfront_key_refusal(bucket, attempt, account_id)


def _log_file_acl() -> Any:
    from moto.s3.models import OWNER, FakeAcl, FakeGrant, FakeGrantee

    from .providers.service_rules.cloudfront import AWSLOGSDELIVERY_CANONICAL_ID

    delivery = FakeGrantee(grantee_id=AWSLOGSDELIVERY_CANONICAL_ID)
    # One grant per permission: S3's GetObjectAcl lists them so (moto shows one permission per grant).
    return FakeAcl(
        [
            FakeGrant([FakeGrantee(grantee_id=OWNER)], ["FULL_CONTROL"]),
            FakeGrant([delivery], ["READ"]),
            FakeGrant([delivery], ["WRITE"]),
        ]
    )


def deliver_cloudfront_log(account_id: str, distribution_id: str) -> Delivery:
    from .providers.service_rules.cloudfront import bucket_of_domain

    dist = _distribution(account_id, distribution_id)
    logging = dist.distribution_config.Logging
    name = bucket_of_domain(str(logging.bucket or "")) if logging.enabled else None
    if not name:
        raise LogSourceError(f"distribution {distribution_id} has no standard logging: set Logging.Bucket", 400)
    now = _now()
    attempt = _Attempt(
        "cloudfront", distribution_id, name, log_records.cloudfront_log_key(logging.prefix, dist.distribution_id, now)
    )
    bucket = _s3(account_id).buckets.get(name)
    if bucket is None:
        return attempt.refused("no-such-bucket", f"bucket {name} does not exist")
    refused = _cloudfront_refusal(bucket, attempt, account_id)
    if refused is not None:
        return refused
    return _write(account_id, attempt, log_records.cloudfront_log_entry(dist.domain_name, now), _log_file_acl())


_DELIVERERS: dict[str, Callable[[str, str], Delivery]] = {
    "s3": deliver_server_access_log,
    "elb": deliver_alb_access_log,
    "cloudfront": deliver_cloudfront_log,
}


def deliver(kind: str, account_id: str, resource: str) -> Delivery:
    """Deliver one log object of ``kind`` for ``resource`` now, or record why
    AWS would not; every attempt is recorded in :data:`LOG`."""
    deliverer = _DELIVERERS.get(kind)
    if deliverer is None:
        raise LogSourceError(f"unknown log kind {kind!r}: use one of {', '.join(KINDS)}")
    return LOG.record(deliverer(account_id, resource))
