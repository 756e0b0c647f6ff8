"""Native emulation of the Lambda-backed custom resources that CDK emits.

moto hands every ``Custom::*`` type to its ``CustomModel``, which invokes the
ServiceToken Lambda -- impossible without Docker -- and then waits for a
callback that never comes. The engine (``engine.fix_03_custom_resources``)
routes the types registered here to
these providers instead; each reproduces the observable effect of CDK's
handler (aws-cdk-lib 2.275.0) on create, update and delete.

* ``Custom::S3AutoDeleteObjects`` (``auto_delete_objects=True``): on delete
  (or when ``BucketName`` changes, for the old bucket) every object version
  is removed, but only if the bucket still carries the tag
  ``aws-cdk:auto-delete-objects=true``, exactly as the handler checks.
* ``Custom::VpcRestrictDefaultSG`` (``restrict_default_security_group``):
  revokes the default security group's self-referencing ingress rule and its
  allow-all egress rule on create; puts them back on delete.
* ``Custom::CrossRegionExportWriter`` (``cross_region_references=True``, in
  the producer stack): puts each ``/cdk/exports/<consumer>/<name>``
  parameter into the consumer's region on create, on update deletes the
  names no longer exported and creates new ones (values of kept names are
  not rewritten -- the handler does the same), deletes all on delete.
* ``Custom::CrossRegionExportReader`` (consumer stack): tags each imported
  parameter ``aws-cdk:strong-ref:<prefix>=true`` and returns the imports as
  attributes: ``GetAtt Reader./cdk/exports/...`` gives the
  ``{{resolve:ssm:...}}`` dynamic reference, which the engine resolves
  (``engine.fix_01_dynamic_references``).
* ``Custom::S3BucketNotifications`` (``bucket.add_event_notification``):
  puts the bucket's notification configuration (S3's PutBucketNotification
  Configuration, through moto's S3 backend); ``Managed: false`` (an imported
  bucket) merges with the notifications others made, keyed by
  ``<stack id>-<hash>`` ids; on delete a managed bucket's configuration is
  emptied, an unmanaged one keeps the others' notifications.
* ``Custom::LogRetention`` (``log_retention=``, or a function's
  ``log_group`` on a function without one): creates the log group if it is
  missing and puts (or, without ``RetentionInDays``, deletes) its retention
  policy, on create also the handler's own ``/aws/lambda/<handler>`` group
  with one day; on delete removes the group only when ``RemovalPolicy`` is
  ``destroy``. Ref = GetAtt ``LogGroupName`` = the group's name.

A failing handler fails the resource with CloudFormation's text for a
custom resource that answered FAILED, ``Received response status [FAILED]
from custom resource. Message returned: <the handler's Reason>``
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html;
for the notifications handler as quoted in
https://github.com/aws/aws-cdk/issues/20127).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from typing import Any

from moto.awslambda.utils import get_backend as lambda_backend
from moto.core.common_models import CloudFormationModel
from moto.ec2.models import ec2_backends
from moto.logs.models import logs_backends
from moto.s3.models import s3_backends
from moto.sns.models import sns_backends
from moto.sqs.models import sqs_backends
from moto.ssm.models import ssm_backends

from ..engine.registry import CUSTOM_TYPES
from ._base import PARTITION, Provider, ProviderError, as_bool

AUTO_DELETE_TAG = "aws-cdk:auto-delete-objects"


def _register(cls: type[Provider]) -> type[Provider]:
    CUSTOM_TYPES[cls.TYPE] = cls
    return cls


class _CustomBase(Provider):
    """Custom resources: Ref is a physical id of our choosing, GetAtt any
    key of ``attributes`` (the handler's ``Data``)."""

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return True


@_register
class S3AutoDeleteObjects(_CustomBase, CloudFormationModel):
    TYPE = "Custom::S3AutoDeleteObjects"

    def create(self, props: dict[str, Any]) -> str:
        return f"{props.get('BucketName')}-auto-delete"

    def update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        if old.get("BucketName") and new.get("BucketName") and old["BucketName"] != new["BucketName"]:
            empty_bucket(self.account_id, old["BucketName"])

    def delete_resource(self) -> None:
        empty_bucket(self.account_id, self.properties.get("BucketName"))


def empty_bucket(account_id: str, bucket_name: str | None) -> int:
    """Delete every object version if the bucket is tagged for auto-delete.
    Returns the number of versions deleted."""
    if not bucket_name:
        return 0
    backend = s3_backends[account_id][PARTITION]
    try:
        bucket = backend.get_bucket(bucket_name)
    except Exception:
        return 0
    tags = {t["Key"]: t["Value"] for t in backend.get_bucket_tagging(bucket_name).get("Tags", [])}
    if tags.get(AUTO_DELETE_TAG) != "true":
        return 0
    deleted = 0
    for key_name, versions in list(bucket.keys._iterlists()):
        for version in list(versions):
            backend.delete_object(bucket_name, key_name, version_id=getattr(version, "version_id", None), bypass=True)
            deleted += 1
    return deleted


@_register
class VpcRestrictDefaultSG(_CustomBase, CloudFormationModel):
    TYPE = "Custom::VpcRestrictDefaultSG"

    def _rules(self, group_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
        account = self.properties.get("Account") or self.account_id
        ingress = {
            "group_name_or_id": group_id,
            "ip_protocol": "-1",
            "from_port": None,
            "to_port": None,
            "ip_ranges": [],
            "source_groups": [{"GroupId": group_id, "UserId": account}],
        }
        egress = {
            "group_name_or_id": group_id,
            "ip_protocol": "-1",
            "from_port": None,
            "to_port": None,
            "ip_ranges": [{"CidrIp": "0.0.0.0/0"}],
        }
        return ingress, egress

    def _restrict(self, group_id: str) -> None:
        ec2 = ec2_backends[self.account_id][self.region_name]
        ingress, egress = self._rules(group_id)
        for revoke, rule in ((ec2.revoke_security_group_ingress, ingress), (ec2.revoke_security_group_egress, egress)):
            try:
                revoke(**rule)
            except Exception as exc:
                if "InvalidPermission.NotFound" not in repr(exc) and "NotFound" not in type(exc).__name__:
                    raise

    def _restore(self, group_id: str) -> None:
        ec2 = ec2_backends[self.account_id][self.region_name]
        ingress, egress = self._rules(group_id)
        for authorize, rule in (
            (ec2.authorize_security_group_ingress, ingress),
            (ec2.authorize_security_group_egress, egress),
        ):
            with contextlib.suppress(Exception):
                authorize(**rule)

    def create(self, props: dict[str, Any]) -> str:
        self._restrict(props["DefaultSecurityGroupId"])
        return f"{props['DefaultSecurityGroupId']}-restrict"

    def update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        if old.get("DefaultSecurityGroupId") != new.get("DefaultSecurityGroupId"):
            self._restore(old["DefaultSecurityGroupId"])
            self._restrict(new["DefaultSecurityGroupId"])

    def delete_resource(self) -> None:
        self._restore(self.properties["DefaultSecurityGroupId"])


@_register
class CrossRegionExportWriter(_CustomBase, CloudFormationModel):
    TYPE = "Custom::CrossRegionExportWriter"

    @staticmethod
    def _props(props: dict[str, Any]) -> tuple[str, dict[str, str]]:
        writer = props.get("WriterProps") or {}
        return writer["region"], dict(writer.get("exports") or {})

    def _put(self, region: str, exports: dict[str, str]) -> None:
        ssm: Any = ssm_backends[self.account_id][region]
        for name, value in exports.items():
            ssm.put_parameter(
                name=name,
                description=None,
                value=str(value),
                parameter_type="String",
                allowed_pattern=None,
                keyid=None,
                overwrite=True,
                tags=[],
                data_type="text",
                tier=None,
                policies=None,
            )

    def create(self, props: dict[str, Any]) -> str:
        region, exports = self._props(props)
        self._put(region, exports)
        return f"{self.stack_name}-{self.logical_id}-exports"

    def update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        old_region, old_exports = self._props(old)
        region, exports = self._props(new)
        removed = sorted(set(old_exports) - set(exports))
        if removed:
            ssm_backends[self.account_id][old_region].delete_parameters(removed)
        self._put(region, {k: v for k, v in exports.items() if k not in old_exports})

    def delete_resource(self) -> None:
        region, exports = self._props(self.properties)
        if exports:
            ssm_backends[self.account_id][region].delete_parameters(sorted(exports))


@_register
class CrossRegionExportReader(_CustomBase, CloudFormationModel):
    TYPE = "Custom::CrossRegionExportReader"

    @staticmethod
    def _props(props: dict[str, Any]) -> tuple[str, str, dict[str, str]]:
        reader = props.get("ReaderProps") or {}
        return reader["region"], reader["prefix"], dict(reader.get("imports") or {})

    def _tag(self, region: str, prefix: str, names: list[str]) -> None:
        ssm = ssm_backends[self.account_id][region]
        for name in names:
            if ssm.get_parameter(name) is None:
                raise CustomResourceFailed(f"Error importing {name}: ParameterNotFound")
            ssm.add_tags_to_resource("Parameter", name, {f"aws-cdk:strong-ref:{prefix}": "true"})

    def _untag(self, region: str, prefix: str, names: list[str]) -> None:
        ssm = ssm_backends[self.account_id][region]
        for name in names:
            with contextlib.suppress(Exception):
                ssm.remove_tags_from_resource("Parameter", name, [f"aws-cdk:strong-ref:{prefix}"])

    def create(self, props: dict[str, Any]) -> str:
        region, prefix, imports = self._props(props)
        self._tag(region, prefix, list(imports))
        self.attributes = dict(imports)
        return f"{prefix}-{self.logical_id}-imports"

    def update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        _, _, old_imports = self._props(old)
        region, prefix, imports = self._props(new)
        self._untag(region, prefix, [n for n in old_imports if n not in imports])
        self._tag(region, prefix, [n for n in imports if n not in old_imports])
        self.attributes = dict(imports)

    def delete_resource(self) -> None:
        region, prefix, imports = self._props(self.properties)
        self._untag(region, prefix, list(imports))


class CustomResourceFailed(ProviderError):
    """The handler answered FAILED; the text is CloudFormation's."""

    def __init__(self, reason: str):
        super().__init__(f"Received response status [FAILED] from custom resource. Message returned: {reason}")


def _api_error(exc: Exception) -> tuple[str, str]:
    """(error code, message) of a moto service error, as the SDK reports it."""
    code = getattr(exc, "error_type", None) or getattr(exc, "code", None) or type(exc).__name__
    return str(code), str(getattr(exc, "message", None) or exc)


# -- Custom::S3BucketNotifications ---------------------------------------------
# The SDK's configuration keys -> (moto's parsed-XML key, its ARN key, the
# SDK's ARN key), as S3's NotificationConfiguration XML names them
# (https://docs.aws.amazon.com/AmazonS3/latest/API/API_NotificationConfiguration.html).
NOTIFICATION_TYPES = {
    "TopicConfigurations": ("TopicConfiguration", "Topic", "TopicArn"),
    "QueueConfigurations": ("QueueConfiguration", "Queue", "QueueArn"),
    "LambdaFunctionConfigurations": ("CloudFunctionConfiguration", "CloudFunction", "LambdaFunctionArn"),
}
EVENTBRIDGE = "EventBridgeConfiguration"
UNVALIDATED_DESTINATION = "Unable to validate the following destination configurations"


def _to_moto(config: dict[str, Any]) -> dict[str, Any]:
    """An SDK-shaped NotificationConfiguration as moto's S3 backend takes it
    (the shape its XML parser produces)."""
    parsed: dict[str, Any] = {}
    for sdk_key, (xml_key, arn_key, sdk_arn_key) in NOTIFICATION_TYPES.items():
        entries = []
        for n in config.get(sdk_key) or []:
            entry: dict[str, Any] = {arn_key: n[sdk_arn_key], "Event": list(n.get("Events") or [])}
            if n.get("Id"):
                entry["Id"] = n["Id"]
            rules = ((n.get("Filter") or {}).get("Key") or {}).get("FilterRules")
            if rules:
                entry["Filter"] = {"S3Key": {"FilterRule": [{"Name": r["Name"], "Value": r["Value"]} for r in rules]}}
            entries.append(entry)
        if entries:
            parsed[xml_key] = entries
    if EVENTBRIDGE in config:
        parsed[EVENTBRIDGE] = {}
    return parsed


def _from_moto(bucket: Any) -> dict[str, Any]:
    """The bucket's configuration as GetBucketNotificationConfiguration answers."""
    current = bucket.notification_configuration
    if current is None:
        return {}
    attrs = {
        "TopicConfigurations": "topic",
        "QueueConfigurations": "queue",
        "LambdaFunctionConfigurations": "cloud_function",
    }
    result: dict[str, Any] = {}
    for sdk_key, attr in attrs.items():
        entries = []
        for n in getattr(current, attr):
            entry: dict[str, Any] = {"Id": n.id, NOTIFICATION_TYPES[sdk_key][2]: n.arn, "Events": list(n.events)}
            rules = (n.filters or {}).get("S3Key", {}).get("FilterRule")
            if rules:
                entry["Filter"] = {"Key": {"FilterRules": [{"Name": r["Name"], "Value": r["Value"]} for r in rules]}}
            entries.append(entry)
        if entries:
            result[sdk_key] = entries
    if current.event_bridge is not None:
        result[EVENTBRIDGE] = {}
    return result


def _notification_id(stack_id: str, notification: dict[str, Any]) -> str:
    """The handler's id of a notification it manages: ``<stack id>-<hash of
    the notification without its Id, filter rules sorted, Prefix/Suffix
    spelled as S3 returns them>``. The handler hashes with Python's
    ``hash()`` (salted per process); a stable digest is used here."""
    body = json.loads(json.dumps(notification))
    body["Id"] = ""
    rules = ((body.get("Filter") or {}).get("Key") or {}).get("FilterRules")
    if rules:
        body["Filter"]["Key"]["FilterRules"] = sorted(rules, key=lambda r: r["Name"])
    text = json.dumps(body, sort_keys=True).replace('"Name": "prefix"', '"Name": "Prefix"')
    text = text.replace('"Name": "suffix"', '"Name": "Suffix"')
    return f"{stack_id}-{int(hashlib.sha256(text.encode()).hexdigest()[:15], 16)}"


def _unmanaged(
    existing: dict[str, Any], stack_id: str, request: str, incoming: dict[str, Any], old: dict[str, Any]
) -> dict[str, Any]:
    """The handler's ``handle_unmanaged``: keep the notifications this stack
    did not make, add (or, on Delete, drop) its own."""
    result: dict[str, Any] = {}
    for key in NOTIFICATION_TYPES:
        others = list(existing.get(key) or [])
        if request == "Update":
            old_ids = {_notification_id(stack_id, n) for n in old.get(key) or []}
            others = [n for n in others if _notification_id(stack_id, n) not in old_ids]
        elif request == "Delete":
            others = [n for n in others if not str(n.get("Id", "")).startswith(f"{stack_id}-")]
        mine = (
            [] if request == "Delete" else [{**n, "Id": _notification_id(stack_id, n)} for n in incoming.get(key) or []]
        )
        result[key] = others + mine
    if request != "Delete" and EVENTBRIDGE in incoming:
        result[EVENTBRIDGE] = incoming[EVENTBRIDGE]
    elif EVENTBRIDGE in existing:
        result[EVENTBRIDGE] = existing[EVENTBRIDGE]
    return result


def _destination_exists(account_id: str, arn: str) -> bool:
    parts = arn.split(":")
    if len(parts) < 6:
        return False
    service, region = parts[2], parts[3]
    try:
        if service == "sns":
            sns_backends[parts[4] or account_id][region].get_topic(arn)
        elif service == "sqs":
            sqs_backends[parts[4] or account_id][region].get_queue(parts[5])
        elif service == "lambda":
            lambda_backend(parts[4] or account_id, region).get_function(arn)
        else:
            return False
    except Exception:
        return False
    return True


@_register
class S3BucketNotifications(_CustomBase, CloudFormationModel):
    """S3 "first verifies that any Amazon SNS or Amazon SQS destination
    exists, and that the bucket owner has permission to publish to it", and
    that a Lambda destination's policy lets S3 invoke it
    (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketNotificationConfiguration.html),
    unless ``SkipDestinationValidation``. Here only existence is checked:
    whether the topic/queue policy or the function's permission admits S3
    is not evaluated."""

    TYPE = "Custom::S3BucketNotifications"

    def _put(self, props: dict[str, Any], request: str, old: dict[str, Any] | None = None) -> None:
        incoming = props.get("NotificationConfiguration") or {}
        bucket_name = props["BucketName"]
        backend = s3_backends[self.account_id][PARTITION]
        try:
            bucket = backend.get_bucket(bucket_name)
            if as_bool(props.get("Managed"), default=True):
                config = {} if request == "Delete" else incoming
            else:
                old_config = (old or {}).get("NotificationConfiguration") or {}
                config = _unmanaged(_from_moto(bucket), self.stack_id, request, incoming, old_config)
            if not as_bool(props.get("SkipDestinationValidation")):
                self._validate_destinations(config)
            backend.put_bucket_notification_configuration(bucket_name, _to_moto(config))
        except CustomResourceFailed:
            raise
        except Exception as exc:
            code, message = _api_error(exc)
            raise CustomResourceFailed(
                f"Error: An error occurred ({code}) when calling the PutBucketNotificationConfiguration "
                f"operation: {message}. "
            ) from exc

    def _validate_destinations(self, config: dict[str, Any]) -> None:
        for sdk_key, (_, _, arn_key) in NOTIFICATION_TYPES.items():
            for n in config.get(sdk_key) or []:
                if not _destination_exists(self.account_id, str(n.get(arn_key, ""))):
                    raise CustomResourceFailed(
                        "Error: An error occurred (InvalidArgument) when calling the "
                        f"PutBucketNotificationConfiguration operation: {UNVALIDATED_DESTINATION}. "
                    )

    def create(self, props: dict[str, Any]) -> str:
        self._put(props, "Create")
        # the handler answers event.PhysicalResourceId or the logical id
        return self.logical_id

    def update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        self._put(new, "Update", old)

    def delete_resource(self) -> None:
        self._put(self.properties, "Delete")


# -- Custom::LogRetention ------------------------------------------------------
@_register
class LogRetention(_CustomBase, CloudFormationModel):
    TYPE = "Custom::LogRetention"

    def _logs(self, region: str | None = None) -> Any:
        return logs_backends[self.account_id][region or self.region_name]

    @staticmethod
    def _ensure_group(logs: Any, name: str) -> None:
        if name not in logs.groups:  # ResourceAlreadyExistsException: the handler ignores it
            logs.create_log_group(name, {})

    @staticmethod
    def _set_retention(logs: Any, name: str, days: Any) -> None:
        if days not in (None, ""):
            logs.put_retention_policy(name, int(days))
        else:
            logs.delete_retention_policy(name)

    def _apply(self, props: dict[str, Any], request: str) -> None:
        name = props["LogGroupName"]
        try:
            logs = self._logs(props.get("LogGroupRegion"))
            self._ensure_group(logs, name)
            self._set_retention(logs, name, props.get("RetentionInDays"))
            if request == "Create":
                # the handler also gives its own log group one day
                handler = f"/aws/lambda/{str(props.get('ServiceToken', '')).split(':')[-1]}"
                self._ensure_group(self._logs(), handler)
                self._set_retention(self._logs(), handler, 1)
        except Exception as exc:
            raise CustomResourceFailed(_api_error(exc)[1]) from exc
        self.attributes = {"LogGroupName": name}

    def create(self, props: dict[str, Any]) -> str:
        self._apply(props, "Create")
        return str(props["LogGroupName"])

    def update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        self._apply(new, "Update")
        self.physical_id = str(new["LogGroupName"])

    def delete_resource(self) -> None:
        if self.properties.get("RemovalPolicy") != "destroy":
            return
        logs = self._logs(self.properties.get("LogGroupRegion"))
        with contextlib.suppress(Exception):  # ResourceNotFoundException: the handler ignores it
            if self.properties["LogGroupName"] in logs.groups:
                logs.delete_log_group(self.properties["LogGroupName"])
