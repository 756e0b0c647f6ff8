"""S3: ``AWS::S3::Bucket`` (overrides moto's), ``AWS::S3::BucketPolicy``
(missing in moto), and bucket-policy evaluation that honours conditions.

Bucket. moto's CloudFormation bucket applies ``BucketEncryption`` and
``Tags`` only; versioning, public access block, lifecycle rules, server
access logging, ownership controls, CORS and website settings are silently
dropped, and its update handler crashes on ``Tags`` without ``BucketName``
(every CDK bucket with ``auto_delete_objects``). This provider maps every
one of those properties onto moto's S3 backend, so ``get_bucket_versioning``,
``get_public_access_block``, ``get_bucket_lifecycle_configuration``,
``get_bucket_logging``, ``get_bucket_ownership_controls`` and
``get_object_lock_configuration`` return what the template asked for
(``ObjectLockEnabled`` is create-only: changing it is a replacement, not
emulated). Deleting a non-empty bucket fails, as in AWS (CDK's auto-delete
custom resource empties it first, see cdk_custom.py).

Bucket policy evaluation (TLS-only policies). moto evaluates a bucket
policy statement whose ``Condition`` is not met as an explicit *Deny*,
whatever its Effect, and passes no request context, so CDK's
``enforce_ssl`` statement (Deny ... when ``aws:SecureTransport`` is
``false``) denies every request. Here statements are evaluated as IAM does:
a statement applies only if its conditions hold; then Deny beats Allow. The
request context is that of an HTTPS request (``aws:SecureTransport=true``,
``s3:TlsVersion=1.3``): the emulator's plain-HTTP endpoint stands in for
the TLS endpoint every SDK uses against AWS. :data:`REQUEST_CONTEXT` can be
changed (tests set ``aws:SecureTransport`` to ``false`` to prove the deny).
The stored policy is exactly the template's.

Bucket policy. A public policy (``Principal: "*"`` without a restricting
condition) on a bucket whose Block Public Access has ``BlockPublicPolicy``
fails with ``AccessDenied``, as PutBucketPolicy does (``service_rules.s3``).
"""

from __future__ import annotations

import contextlib
import fnmatch
import json
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.s3.cloud_formation import cfn_to_api_encryption
from moto.s3.models import FakeBucket, s3_backends
from moto.utilities.tagging_service import TaggingService

from ..engine import replace, require_pinned_moto
from . import on_reset
from ._base import PARTITION, Provider, ProviderError, as_json_text
from .service_rules.s3 import check_bucket_policy

# Context keys of the request as the emulator presents it (see module doc).
DEFAULT_REQUEST_CONTEXT = {"aws:SecureTransport": "true", "s3:TlsVersion": "1.3"}
REQUEST_CONTEXT: dict[str, str] = dict(DEFAULT_REQUEST_CONTEXT)


@on_reset
def _reset_context() -> None:
    REQUEST_CONTEXT.clear()
    REQUEST_CONTEXT.update(DEFAULT_REQUEST_CONTEXT)


def _backend(account_id: str) -> Any:
    return s3_backends[account_id][PARTITION]


# ---------------------------------------------------------------------------
# CloudFormation property -> S3 API shape
# ---------------------------------------------------------------------------
def _without_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _lifecycle_filter(r: dict[str, Any]) -> dict[str, Any]:
    flt: dict[str, Any] = {}
    if r.get("Prefix") is not None:
        flt["Prefix"] = r["Prefix"]
    if r.get("TagFilters"):
        tags = [{"Key": t["Key"], "Value": t["Value"]} for t in r["TagFilters"]]
        flt = {"And": {"Prefix": flt.get("Prefix", ""), "Tag": tags}}
    return flt or {"Prefix": ""}


def _lifecycle_expiration(r: dict[str, Any]) -> dict[str, Any]:
    expiration: dict[str, Any] = {}
    if r.get("ExpirationInDays") is not None:
        expiration["Days"] = int(r["ExpirationInDays"])
    if r.get("ExpirationDate"):
        expiration["Date"] = r["ExpirationDate"]
    if r.get("ExpiredObjectDeleteMarker") is not None:
        expiration["ExpiredObjectDeleteMarker"] = bool(r["ExpiredObjectDeleteMarker"])
    return expiration


def _plural_and_singular(r: dict[str, Any], plural: str, singular: str) -> list[dict[str, Any]]:
    # CloudFormation has both a list property and a deprecated single one
    items = list(r.get(plural) or [])
    if r.get(singular):
        items.append(r[singular])
    return items


def _lifecycle_transitions(r: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        _without_none(
            {"Days": t.get("TransitionInDays"), "Date": t.get("TransitionDate"), "StorageClass": t["StorageClass"]}
        )
        for t in _plural_and_singular(r, "Transitions", "Transition")
    ]


def _noncurrent_expiration(r: dict[str, Any]) -> dict[str, Any] | None:
    nve = r.get("NoncurrentVersionExpiration")
    if nve:
        return _without_none(
            {
                "NoncurrentDays": nve.get("NoncurrentDays"),
                "NewerNoncurrentVersions": nve.get("NewerNoncurrentVersions"),
            }
        )
    if r.get("NoncurrentVersionExpirationInDays") is not None:
        return {"NoncurrentDays": int(r["NoncurrentVersionExpirationInDays"])}
    return None


def _noncurrent_transitions(r: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        _without_none(
            {
                "NoncurrentDays": t.get("TransitionInDays"),
                "StorageClass": t["StorageClass"],
                "NewerNoncurrentVersions": t.get("NewerNoncurrentVersions"),
            }
        )
        for t in _plural_and_singular(r, "NoncurrentVersionTransitions", "NoncurrentVersionTransition")
    ]


def lifecycle_rule(r: dict[str, Any]) -> dict[str, Any]:
    rule: dict[str, Any] = {"Status": r.get("Status", "Enabled")}
    if r.get("Id"):
        rule["ID"] = r["Id"]
    rule["Filter"] = _lifecycle_filter(r)
    if expiration := _lifecycle_expiration(r):
        rule["Expiration"] = expiration
    if transitions := _lifecycle_transitions(r):
        rule["Transition"] = transitions
    noncurrent_expiration = _noncurrent_expiration(r)
    if noncurrent_expiration is not None:
        rule["NoncurrentVersionExpiration"] = noncurrent_expiration
    if noncurrent_transitions := _noncurrent_transitions(r):
        rule["NoncurrentVersionTransition"] = noncurrent_transitions
    if r.get("AbortIncompleteMultipartUpload"):
        rule["AbortIncompleteMultipartUpload"] = {
            "DaysAfterInitiation": int(r["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"])
        }
    return rule


def lifecycle_rules(cfn_rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [lifecycle_rule(r) for r in cfn_rules]


def cors_rules(cfn_rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for r in cfn_rules:
        rule = {
            "AllowedMethod": r.get("AllowedMethods", []),
            "AllowedOrigin": r.get("AllowedOrigins", []),
        }
        if r.get("AllowedHeaders"):
            rule["AllowedHeader"] = r["AllowedHeaders"]
        if r.get("ExposedHeaders"):
            rule["ExposeHeader"] = r["ExposedHeaders"]
        if r.get("MaxAge") is not None:
            rule["MaxAgeSeconds"] = r["MaxAge"]
        if r.get("Id"):
            rule["ID"] = r["Id"]
        out.append(rule)
    return out


# ---------------------------------------------------------------------------
# Bucket properties: fn(backend, bucket, name, new value) applies a change
# ---------------------------------------------------------------------------
def _apply_encryption(backend: Any, bucket: Any, name: str, value: Any) -> None:
    if value:
        backend.put_bucket_encryption(name, cfn_to_api_encryption(value))
    else:
        backend.delete_bucket_encryption(name)


def _apply_tags(backend: Any, bucket: Any, name: str, value: Any) -> None:
    backend.put_bucket_tagging(name, TaggingService().flatten_tag_list(value or []))


def _apply_versioning(backend: Any, bucket: Any, name: str, value: Any) -> None:
    status = (value or {}).get("Status")
    if status:
        backend.put_bucket_versioning(name, status)
    elif bucket.versioning_status == "Enabled":
        backend.put_bucket_versioning(name, "Suspended")


def _apply_public_access_block(backend: Any, bucket: Any, name: str, value: Any) -> None:
    if value:
        backend.put_public_access_block(
            name, {k: str(bool(v)).lower() if isinstance(v, bool) else v for k, v in value.items()}
        )
    else:
        backend.delete_public_access_block(name)


def _apply_lifecycle(backend: Any, bucket: Any, name: str, value: Any) -> None:
    rules = (value or {}).get("Rules") or []
    if rules:
        backend.put_bucket_lifecycle(name, lifecycle_rules(rules))
    else:
        backend.delete_bucket_lifecycle(name)


def _apply_ownership(backend: Any, bucket: Any, name: str, value: Any) -> None:
    rules = (value or {}).get("Rules") or []
    if rules:
        backend.put_bucket_ownership_controls(name, rules[0]["ObjectOwnership"])
    else:
        backend.delete_bucket_ownership_controls(name)


def _apply_cors(backend: Any, bucket: Any, name: str, value: Any) -> None:
    rules = (value or {}).get("CorsRules") or []
    if rules:
        backend.put_bucket_cors(name, cors_rules(rules))
    else:
        backend.delete_bucket_cors(name)


def _apply_website(backend: Any, bucket: Any, name: str, value: Any) -> None:
    if not value:
        bucket.website_configuration = None
        return
    cfg: dict[str, Any] = {}
    if value.get("IndexDocument"):
        cfg["IndexDocument"] = {"Suffix": value["IndexDocument"]}
    if value.get("ErrorDocument"):
        cfg["ErrorDocument"] = {"Key": value["ErrorDocument"]}
    bucket.website_configuration = cfg


def _apply_logging(backend: Any, bucket: Any, name: str, value: Any) -> None:
    if not value:
        bucket.logging = {}
        return
    config = {"TargetBucket": value.get("DestinationBucketName") or name}
    if value.get("LogFilePrefix") is not None:
        config["TargetPrefix"] = value["LogFilePrefix"]
    if value.get("TargetObjectKeyFormat"):
        # {"SimplePrefix": {}} or {"PartitionedPrefix": {"PartitionDateSource": ...}},
        # the PutBucketLogging shape; log_delivery builds the keys from it.
        config["TargetObjectKeyFormat"] = value["TargetObjectKeyFormat"]
    try:
        backend.put_bucket_logging(name, config)
    except Exception:
        # moto insists the target grants log delivery *before* the source
        # is configured; in a template the target's BucketPolicy may come
        # later. AWS accepts it; store it.
        bucket.logging = config


def _apply_object_lock(backend: Any, bucket: Any, name: str, value: Any) -> None:
    """``ObjectLockConfiguration``: the bucket's default retention (mode and days or years).

    S3 applies it to every new object version placed in the bucket ("The rule
    specified in the Object Lock configuration will be applied by default to
    every new object placed in the specified bucket",
    https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObjectLockConfiguration.html),
    and a locked version cannot be deleted before its retain-until date unless a
    GOVERNANCE lock is bypassed with ``x-amz-bypass-governance-retention`` by a
    principal allowed ``s3:BypassGovernanceRetention``
    (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html).
    moto enforces both (its ``FakeKey.is_locked``, ``delete_object``); this sets
    the bucket's configuration directly because moto's ``put_object_lock_configuration``
    refuses any bucket that holds objects, which AWS does not (a retention change
    on a bucket in use is an ordinary update).
    """
    value = value or {}
    if not bucket.object_lock_enabled:
        if value.get("ObjectLockEnabled") == "Enabled":
            # Whether CloudFormation enables Object Lock on the bucket from this
            # property alone (S3 now allows it on existing buckets) is not documented.
            raise ProviderError("ObjectLockConfiguration without ObjectLockEnabled: true on the bucket is not emulated")
        return
    retention = (value.get("Rule") or {}).get("DefaultRetention") or {}
    bucket.default_lock_mode = retention.get("Mode") or ""
    bucket.default_lock_days = int(retention.get("Days") or 0)
    bucket.default_lock_years = int(retention.get("Years") or 0)


# CloudFormation property -> how a change of it is applied (in this order).
_BUCKET_PROPERTIES: dict[str, Any] = {
    "BucketEncryption": _apply_encryption,
    "Tags": _apply_tags,
    "VersioningConfiguration": _apply_versioning,
    "PublicAccessBlockConfiguration": _apply_public_access_block,
    "LifecycleConfiguration": _apply_lifecycle,
    "OwnershipControls": _apply_ownership,
    "CorsConfiguration": _apply_cors,
    "WebsiteConfiguration": _apply_website,
    "LoggingConfiguration": _apply_logging,
    # After VersioningConfiguration: Object Lock keeps versioning on.
    "ObjectLockConfiguration": _apply_object_lock,
}


def _object_lock_enabled(props: dict[str, Any]) -> bool:
    return str(props.get("ObjectLockEnabled", "false")).lower() == "true"


class Bucket(Provider, CloudFormationModel):
    TYPE = "AWS::S3::Bucket"
    NAME_PROPERTY = "BucketName"
    ATTRIBUTES = ("Arn", "DomainName", "DualStackDomainName", "RegionalDomainName", "WebsiteURL")

    def create(self, props: dict[str, Any]) -> str:
        # resource_name is BucketName, or moto's generated stack-logicalid-suffix
        name = props.get("BucketName") or self.resource_name
        bucket = _backend(self.account_id).create_bucket(name, self.region_name)
        if _object_lock_enabled(props):
            # CreateBucket with x-amz-bucket-object-lock-enabled: versioning is enabled with it.
            # https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html
            bucket.object_lock_enabled = True
            bucket.versioning_status = "Enabled"
        self._apply(name, {}, props)
        self._set_attributes(name)
        return name

    def _set_attributes(self, name: str) -> None:
        r = self.region_name
        self.attributes = {
            "Arn": f"arn:aws:s3:::{name}",
            "DomainName": f"{name}.s3.amazonaws.com",
            "DualStackDomainName": f"{name}.s3.dualstack.{r}.amazonaws.com",
            "RegionalDomainName": f"{name}.s3.{r}.amazonaws.com",
            "WebsiteURL": f"http://{name}.s3-website-{r}.amazonaws.com",
        }

    def _apply(self, name: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        backend = _backend(self.account_id)
        bucket = backend.get_bucket(name)
        for key, apply in _BUCKET_PROPERTIES.items():
            if old.get(key) != new.get(key):
                apply(backend, bucket, name, new.get(key))

    def update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        if old.get("BucketName") != new.get("BucketName"):
            self._replace(new)
            return
        self._turn_object_lock_on(old, new)
        self._apply(self.physical_id, old, new)

    def _turn_object_lock_on(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        """ObjectLockEnabled updates in place: the type's schema lists it among no
        create-only properties (cfn-lint's copy of the registry schema), and S3 turns
        Object Lock on for an existing bucket whose versioning is enabled
        (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock-configure.html,
        "Enable Object Lock on an existing S3 bucket"). It is never turned off: "After you
        enable Object Lock on a bucket, you can't disable Object Lock or suspend versioning
        for that bucket" (same page). CloudFormation's own wording for that refusal is not
        documented: the text below is S3's rule, not a copied error."""
        was, now = _object_lock_enabled(old), _object_lock_enabled(new)
        if was == now:
            return
        if was:
            raise ProviderError(
                f"Object Lock stays on for bucket {self.physical_id}: after you enable Object Lock on a "
                "bucket, you can't disable Object Lock or suspend versioning for that bucket"
            )
        bucket = _backend(self.account_id).get_bucket(self.physical_id)
        versioning = (new.get("VersioningConfiguration") or {}).get("Status")
        if versioning != "Enabled" and bucket.versioning_status != "Enabled":
            raise ProviderError(
                f"Object Lock on existing bucket {self.physical_id} needs versioning enabled first "
                "(S3: versioning must be enabled to enable Object Lock on an existing bucket)"
            )
        bucket.object_lock_enabled = True

    def _replace(self, new: dict[str, Any]) -> None:
        """BucketName is create-only: a new bucket, and the old one deleted unless
        ``UpdateReplacePolicy: Retain``
        (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-s3-bucket.html#cfn-s3-bucket-bucketname,
        https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-updatereplacepolicy.html).
        AWS deletes the old bucket in the cleanup after the update; a bucket
        that is not empty then stays (the cleanup's delete fails, the update
        still completes), and so it stays here."""
        old_name = self.physical_id
        self.resource_name = new.get("BucketName") or self.generated_name(63).lower()
        self.physical_id = self.create(new)
        if self.update_replace_policy == "Retain":
            return
        with contextlib.suppress(ProviderError):
            self._delete_bucket(old_name)

    def delete_resource(self) -> None:
        self._delete_bucket(self.physical_id)

    def _delete_bucket(self, name: str) -> None:
        # moto's delete_bucket quietly returns None for a non-empty bucket;
        # AWS fails with BucketNotEmpty. Fail, so that the stack deletion
        # retries after e.g. the auto-delete custom resource emptied it.
        backend = _backend(self.account_id)
        if name not in backend.buckets:
            return
        if backend.delete_bucket(name) is None:
            # https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucket.html (409 BucketNotEmpty)
            raise ProviderError(
                f"The bucket you tried to delete is not empty (Service: S3, Status Code: 409, "
                f"Error Code: BucketNotEmpty) ({name})"
            )


class BucketPolicy(Provider, CloudFormationModel):
    TYPE = "AWS::S3::BucketPolicy"
    ATTRIBUTES = ()

    def create(self, props: dict[str, Any]) -> str:
        self._put(props)
        # CloudFormation's physical id is a generated name, not the bucket
        return self.generated_name()

    def _put(self, props: dict[str, Any]) -> None:
        backend = _backend(self.account_id)
        check_bucket_policy(backend.get_bucket(props["Bucket"]), props["PolicyDocument"])
        backend.put_bucket_policy(props["Bucket"], as_json_text(props["PolicyDocument"]).encode())

    def update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        if old.get("Bucket") != new.get("Bucket"):
            self._delete(old["Bucket"])
        self._put(new)

    def _delete(self, bucket: str) -> None:
        with contextlib.suppress(Exception):
            _backend(self.account_id).delete_bucket_policy(bucket)

    def delete_resource(self) -> None:
        self._delete(self.properties["Bucket"])


# ---------------------------------------------------------------------------
# Policy evaluation with conditions
# ---------------------------------------------------------------------------
def _as_list(v: Any) -> list[Any]:
    return v if isinstance(v, list) else [v]


def _condition_holds(operator: str, key: str, expected: Any, context: dict[str, str]) -> bool:
    if_exists = operator.endswith("IfExists")
    op = operator[: -len("IfExists")] if if_exists else operator
    for_all = op.startswith("ForAllValues:")
    op = op.split(":", 1)[1] if ":" in op and op.startswith(("ForAllValues:", "ForAnyValue:")) else op
    expected_values = [str(x) for x in _as_list(expected)]
    if op == "Null":
        present = key in context
        return (not present) == (expected_values[0].lower() == "true")
    if key not in context:
        return if_exists or for_all
    actual = context[key]
    if op == "Bool":
        return actual.lower() in [e.lower() for e in expected_values]
    if op in ("StringEquals", "ArnEquals"):
        return actual in expected_values
    if op in ("StringNotEquals", "ArnNotEquals"):
        return actual not in expected_values
    if op == "StringEqualsIgnoreCase":
        return actual.lower() in [e.lower() for e in expected_values]
    if op in ("StringLike", "ArnLike"):
        return any(fnmatch.fnmatchcase(actual, e) for e in expected_values)
    if op in ("StringNotLike", "ArnNotLike"):
        return not any(fnmatch.fnmatchcase(actual, e) for e in expected_values)
    numeric = {
        "NumericEquals": lambda a, b: a == b,
        "NumericNotEquals": lambda a, b: a != b,
        "NumericLessThan": lambda a, b: a < b,
        "NumericLessThanEquals": lambda a, b: a <= b,
        "NumericGreaterThan": lambda a, b: a > b,
        "NumericGreaterThanEquals": lambda a, b: a >= b,
    }
    if op in numeric:
        return any(numeric[op](float(actual), float(e)) for e in expected_values)
    # Unknown operator: treat the condition as not met (statement ignored).
    return False


def _matches(patterns: Any, value: str) -> bool:
    return any(fnmatch.fnmatchcase(value, p) for p in _as_list(patterns))


def evaluate_policy(policy: str | dict[str, Any], action: str, resource: str, context: dict[str, str]) -> str:
    """IAM-style evaluation of a resource policy for an anonymous/any caller:
    returns "DENIED" (an applicable Deny), "PERMITTED" (an applicable Allow)
    or "NEUTRAL". Principals other than ``*`` are not modelled (the caller's
    identity is unknown), so statements naming a specific principal are
    ignored, as moto does."""
    doc = json.loads(policy) if isinstance(policy, (str, bytes)) else policy
    permitted = False
    for st in _as_list(doc.get("Statement", [])):
        principal = st.get("Principal")
        if principal not in ("*", {"AWS": "*"}, None):
            continue
        if "Action" in st and not _matches(st["Action"], action):
            continue
        if "NotAction" in st and _matches(st["NotAction"], action):
            continue
        if "Resource" in st and not _matches(st["Resource"], resource):
            continue
        if "NotResource" in st and _matches(st["NotResource"], resource):
            continue
        conditions = st.get("Condition") or {}
        if not all(
            _condition_holds(op, key, expected, context)
            for op, kv in conditions.items()
            for key, expected in kv.items()
        ):
            continue
        if st.get("Effect") == "Deny":
            return "DENIED"
        permitted = True
    return "PERMITTED" if permitted else "NEUTRAL"


def _get_permission(self: FakeBucket, action: str, resource: str) -> Any:
    from moto.iam.access_control import PermissionResult

    if self.policy is None:
        return PermissionResult.NEUTRAL
    result = evaluate_policy(self.policy.decode(), action, resource, REQUEST_CONTEXT)
    return PermissionResult[result]


def install() -> None:
    require_pinned_moto(__name__)
    replace(FakeBucket, "get_permission", _get_permission)
    from .. import log_delivery

    on_reset(log_delivery.LOG.clear)
