"""CloudFront reading an object from its S3 origin, decided as AWS decides it.

:func:`fetch` answers "what does this distribution get when it asks its S3
origin for this path": the object, or the error S3 returns to CloudFront,
which CloudFront passes on to the viewer as it is (a 403 with S3's
``AccessDenied`` XML). A data plane serving requests can call it; the
emulator's HTTP interface exposes it at ``/webstack-api/cloudfront/<id>/<path>``
(server.py).

How the request reaches S3, per origin kind:

* **Origin Access Control** (``OriginAccessControlId``, signing ``always`` or
  ``no-override``): CloudFront signs as the service principal
  ``cloudfront.amazonaws.com`` with ``AWS:SourceArn`` = the distribution ARN
  and ``aws:SourceAccount`` = its account
  (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html,
  "Give the origin access control permission to access the S3 bucket").
  Only the bucket policy can allow a service principal (no identity policies,
  :mod:`.policy`), and S3 Block Public Access does not apply to it: a policy
  that names a service principal is not public
  (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status).
  For an SSE-KMS object S3 then calls ``kms:Decrypt`` on the object's key *as
  CloudFront*: the key policy must allow ``cloudfront.amazonaws.com``
  (same page, "SSE-KMS"), with ``kms:ViaService`` ``s3.<region>.amazonaws.com``
  and the encryption context ``aws:s3:arn`` (the object ARN, or the bucket ARN
  with an S3 Bucket Key; https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#encryption-context).
  The AWS-managed ``aws/s3`` key admits principals of the account only, so it
  never lets CloudFront decrypt (pitfall D2).
* **Origin Access Identity** (``S3OriginConfig.OriginAccessIdentity``): the
  request is the OAI's IAM-like user
  ``arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity <id>``;
  an OAI cannot use KMS at all (S3 answers ``KMS.UnrecognizedClientException``
  "No account found for the given parameters", awslabs/aws-solutions-constructs#831).
* **Neither** (or OAC signing ``never``): an anonymous request, allowed only by
  a public bucket policy, which ``RestrictPublicBuckets`` makes ineffective.

S3's answers: a denied GetObject is 403 ``AccessDenied`` "Access Denied"; a
missing key is 404 ``NoSuchKey`` if the requester may ``s3:ListBucket``,
else 403 ``AccessDenied`` (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html,
"Permissions"); a key policy that refuses Decrypt is 403 ``AccessDenied``
"The ciphertext refers to a customer master key that does not exist, does
not exist in this region, or you are not allowed to access." (S3's text for
KMS's AccessDeniedException, e.g. ministryofjustice/modernisation-platform#3468).
A key that is disabled or pending deletion: KMS refuses any use
(KMSInvalidStateException); S3's exact text for it is not documented, so the
same AccessDenied is returned with KMS's code in ``refused_by``.

Not modelled: cache behaviours' methods, signed URLs, origin groups, custom
(non-S3) origins (:class:`OriginFetch` says ``not_s3_origin``), and
``DefaultRootObject`` (a data plane maps ``/`` to it before calling).
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from typing import Any

from moto.iam.access_control import PermissionResult

from .policy import (
    Decision,
    Principal,
    Request,
    evaluate_key_access,
    evaluate_policy,
    evaluate_resource_access,
)
from .policy.aws_managed import aws_managed_s3_key_policy

PARTITION = "aws"
CLOUDFRONT = "cloudfront.amazonaws.com"
OAI_USER = "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity {}"
AWS_MANAGED_S3_KEY = "alias/aws/s3"

ACCESS_DENIED = ("AccessDenied", "Access Denied")
KEY_DENIED = (
    "AccessDenied",
    "The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you "
    "are not allowed to access.",
)
OAI_CANNOT_USE_KMS = ("KMS.UnrecognizedClientException", "No account found for the given parameters")
NO_SUCH_KEY = ("NoSuchKey", "The specified key does not exist.")
# "s3.REGION.amazonaws.com" / "s3-REGION.amazonaws.com" / "s3.amazonaws.com" after the bucket name.
_S3_DOMAIN = re.compile(r"^(?P<bucket>[a-z0-9][a-z0-9.-]*?)\.s3(?:[.-](?P<region>[a-z0-9-]+))?\.amazonaws\.com$")


@dataclass(frozen=True)
class OriginFetch:
    """What CloudFront got from the origin. ``status`` 200 with ``body``, or
    S3's error: ``code`` / ``message``; ``refused_by`` says which policy or
    state refused (``bucket-policy``, ``key-policy``, ``key-state``,
    ``public-access-block``, ``no-such-key``, ``no-such-distribution``,
    ``not_s3_origin``)."""

    status: int
    bucket: str = ""
    key: str = ""
    body: bytes = b""
    content_type: str = "binary/octet-stream"
    code: str = ""
    message: str = ""
    refused_by: str = ""
    # The object's stored HTTP headers (Cache-Control, Expires, Content-Encoding, ETag, Last-Modified).
    headers: tuple[tuple[str, str], ...] = ()

    @property
    def allowed(self) -> bool:
        return self.status == 200

    def error_xml(self) -> bytes:
        """S3's error document, as CloudFront returns it."""
        return (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{self.code}</Code>'
            f"<Message>{self.message}</Message></Error>"
        ).encode()


def _refused(status: int, error: tuple[str, str], refused_by: str, bucket: str = "", key: str = "") -> OriginFetch:
    return OriginFetch(status, bucket, key, code=error[0], message=error[1], refused_by=refused_by)


@dataclass(frozen=True)
class _Origin:
    bucket: str
    region: str
    path: str
    principal: Principal
    context: dict[str, str]
    oai: bool


def _distribution(account_id: str, distribution_id: str) -> Any:
    from moto.cloudfront.models import cloudfront_backends

    return cloudfront_backends[account_id][PARTITION].distributions.get(distribution_id)


def _behaviour_origin_id(config: Any, path: str) -> str:
    """The origin of the first cache behaviour whose PathPattern matches
    (``*`` and ``?`` wildcards, case-sensitive; CloudFront evaluates them in
    order, then the default behaviour;
    https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/distribution-web-values-specify.html#DownloadDistValuesPathPattern)."""
    for behaviour in (getattr(config, "CacheBehaviors", None) or {}).get("Items") or []:
        pattern = behaviour.path_pattern.lstrip("/")
        if fnmatch.fnmatchcase(path.lstrip("/"), pattern.replace("[", "[[]")):
            return str(behaviour.target_origin_id)
    return str(config.DefaultCacheBehavior.target_origin_id)


def _oac_signs(account_id: str, oac_id: str) -> bool:
    from moto.cloudfront.models import cloudfront_backends

    oac = cloudfront_backends[account_id][PARTITION].origin_access_controls.get(oac_id)
    return oac is not None and (oac.signing_behavior or "always") != "never"


def _origin(account_id: str, dist: Any, path: str) -> _Origin | None:
    wanted = _behaviour_origin_id(dist.distribution_config, path)
    origin = next((o for o in dist.distribution_config.Origins["Items"] if o.id == wanted), None)
    match = _S3_DOMAIN.match(str(getattr(origin, "domain_name", "")))
    if origin is None or match is None:
        return None
    region = match.group("region") or "us-east-1"
    secure = {"aws:SecureTransport": "true", "s3:TlsVersion": "1.3"}
    oac_id = getattr(origin, "origin_access_control_id", "") or ""
    oai = (origin.s3_access_identity or "").rsplit("/", 1)[-1]
    if oac_id and _oac_signs(account_id, oac_id):
        context = {**secure, "aws:SourceArn": dist.arn, "aws:SourceAccount": account_id}
        return _Origin(match.group("bucket"), region, origin.origin_path, Principal.service(CLOUDFRONT), context, False)
    if oai:
        principal = Principal.role(OAI_USER.format(oai))
        return _Origin(match.group("bucket"), region, origin.origin_path, principal, secure, True)
    return _Origin(match.group("bucket"), region, origin.origin_path, Principal(kind="Anonymous"), secure, False)


def _bucket_allows(bucket: Any, origin: _Origin, action: str, resource: str, account_id: str) -> bool:
    policy = bucket.policy.decode() if isinstance(bucket.policy, bytes) else bucket.policy
    request = Request(origin.principal, action, resource, origin.context, resource_account=account_id)
    if origin.oai:
        # An OAI is CloudFront's own user, in no account of the caller's: the
        # bucket policy alone grants it access (private-content-restricting-access-to-s3.html,
        # "origin access identity").
        return evaluate_policy(policy, request).result is PermissionResult.PERMITTED
    return evaluate_resource_access(policy, request) is Decision.ALLOW


def _public_access_restricted(bucket: Any) -> bool:
    block = getattr(bucket, "public_access_block", None)
    return block is not None and str(getattr(block, "restrict_public_buckets", "false")).lower() == "true"


def key_record(account_id: str, region: str, key_ref: str) -> tuple[str, Any, str] | None:
    """(key ARN, key policy, key state) of an object's KMS key reference."""
    if not key_ref or key_ref in (
        AWS_MANAGED_S3_KEY,
        f"arn:{PARTITION}:kms:{region}:{account_id}:{AWS_MANAGED_S3_KEY}",
    ):
        arn = f"arn:{PARTITION}:kms:{region}:{account_id}:{AWS_MANAGED_S3_KEY}"
        return arn, aws_managed_s3_key_policy(account_id, region), "Enabled"
    from moto.kms.models import kms_backends

    parts = key_ref.split(":")
    if key_ref.startswith("arn:") and len(parts) >= 6:
        region, account_id = parts[3], parts[4]
    try:
        key = kms_backends[account_id][region].describe_key(key_ref)
    except Exception:
        return None
    return key.arn, key.policy, key.key_state


def _decrypt_refusal(obj: Any, origin: _Origin, bucket_name: str, key: str, account_id: str) -> OriginFetch | None:
    if not str(getattr(obj, "encryption", "") or "").startswith("aws:kms"):
        return None
    if origin.oai:
        return _refused(403, OAI_CANNOT_USE_KMS, "key-policy", bucket_name, key)
    record = key_record(account_id, origin.region, str(getattr(obj, "kms_key_id", "") or ""))
    if record is None:
        return _refused(403, KEY_DENIED, "key-state", bucket_name, key)
    key_arn, key_policy, state = record
    if state != "Enabled":
        return _refused(403, KEY_DENIED, "key-state", bucket_name, key)
    s3_arn = f"arn:{PARTITION}:s3:::{bucket_name}" + ("" if getattr(obj, "bucket_key_enabled", False) else f"/{key}")
    context = {
        **origin.context,
        "kms:ViaService": f"s3.{origin.region}.amazonaws.com",
        "kms:EncryptionContext:aws:s3:arn": s3_arn,
    }
    if origin.principal.account:
        context["kms:CallerAccount"] = origin.principal.account
    request = Request(origin.principal, "kms:Decrypt", key_arn, context)
    if evaluate_key_access(key_policy, request) is not Decision.ALLOW:
        return _refused(403, KEY_DENIED, "key-policy", bucket_name, key)
    return None


def _object_key(origin: _Origin, path: str) -> str:
    prefix = origin.path.strip("/")
    key = path.lstrip("/")
    return f"{prefix}/{key}" if prefix else key


def fetch(account_id: str, distribution_id: str, path: str) -> OriginFetch:
    """What distribution ``distribution_id`` receives from its S3 origin for ``path``."""
    from moto.s3.models import s3_backends

    dist = _distribution(account_id, distribution_id)
    if dist is None:
        return _refused(
            404, ("NoSuchDistribution", "The specified distribution does not exist."), "no-such-distribution"
        )
    origin = _origin(account_id, dist, path)
    if origin is None:
        return _refused(502, ("NotAnS3Origin", "The behaviour's origin is not an S3 bucket."), "not_s3_origin")
    key = _object_key(origin, path)
    bucket = s3_backends[account_id][PARTITION].buckets.get(origin.bucket)
    if bucket is None:
        return _refused(404, ("NoSuchBucket", "The specified bucket does not exist"), "no-such-bucket", origin.bucket)
    if origin.principal.kind == "Anonymous" and _public_access_restricted(bucket):
        return _refused(403, ACCESS_DENIED, "public-access-block", origin.bucket, key)
    object_arn = f"arn:{PARTITION}:s3:::{origin.bucket}/{key}"
    if not _bucket_allows(bucket, origin, "s3:GetObject", object_arn, account_id):
        return _refused(403, ACCESS_DENIED, "bucket-policy", origin.bucket, key)
    obj = bucket.keys.get(key)
    if obj is None:
        listable = _bucket_allows(bucket, origin, "s3:ListBucket", f"arn:{PARTITION}:s3:::{origin.bucket}", account_id)
        return _refused(
            404 if listable else 403, NO_SUCH_KEY if listable else ACCESS_DENIED, "no-such-key", origin.bucket, key
        )
    refused = _decrypt_refusal(obj, origin, origin.bucket, key, account_id)
    if refused is not None:
        return refused
    content_type = str((getattr(obj, "metadata", None) or {}).get("Content-Type") or "binary/octet-stream")
    return OriginFetch(
        200, origin.bucket, key, body=bytes(obj.value), content_type=content_type, headers=_object_headers(obj)
    )


_STORED_HEADERS = ("Cache-Control", "Expires", "Content-Encoding", "Content-Language", "Content-Disposition")


def _object_headers(obj: Any) -> tuple[tuple[str, str], ...]:
    """The headers S3 answers GetObject with besides Content-Type
    (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html, "Response Syntax")."""
    metadata = getattr(obj, "metadata", None) or {}
    found = [(name, str(metadata[name])) for name in _STORED_HEADERS if metadata.get(name)]
    found.append(("ETag", str(obj.etag)))
    found.append(("Last-Modified", str(obj.last_modified_RFC1123)))
    return tuple(found)
