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
import fnmatch
import hashlib
import io
import json
import mimetypes
import posixpath
import uuid
import zipfile
from typing import Any

from moto.awslambda.utils import get_backend as lambda_backend
from moto.cloudfront.models import cloudfront_backends
from moto.core.common_models import CloudFormationModel
from moto.ec2.models import ec2_backends
from moto.logs.models import logs_backends
from moto.s3.models import FakeKey, s3_backends
from moto.s3.utils import metadata_from_headers
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


# -- Custom::CDKBucketDeployment -----------------------------------------------
# aws_s3_deployment.BucketDeployment. The handler (aws-cdk-lib 2.275.0,
# custom-resource-handlers/dist/aws-s3-deployment/bucket-deployment-handler/index.py)
# runs the AWS CLI: ``aws s3 cp`` of each source zip, unzips them into one
# folder (later sources overwrite earlier files), replaces the source markers,
# then ``aws s3 sync [--delete] [--exclude/--include ...] <folder> s3://<dest>/
# <metadata flags> --metadata-directive REPLACE`` and, with a DistributionId,
# CloudFront CreateInvalidation of DistributionPaths (default ``/<prefix>*``).
# Extracted files are newer than any object in the bucket, so sync uploads
# every one of them; --delete removes the destination's other objects unless
# a filter excludes them. Whether the handler's role may read the sources and
# write the bucket and its key is not evaluated here.
CLI = "/opt/awscli/aws"  # from AwsCliLayer, as the handler calls it
OWNER_TAG = "aws-cdk:cr-owned"
# SystemMetadata keys (CDK's names, the CLI's flags) that become object headers.
SYSTEM_HEADERS = {
    "cache-control": "Cache-Control",
    "content-disposition": "Content-Disposition",
    "content-encoding": "Content-Encoding",
    "content-language": "Content-Language",
    "content-type": "Content-Type",
    "expires": "Expires",
}
# SystemMetadata keys handled apart from the headers: encryption and storage class.
SYSTEM_OTHER = ("sse", "sse-kms-key-id", "storage-class")
# The handler's runtime is python3.13, whose built-in table types .js as
# text/javascript (3.11, which runs the emulator, says application/javascript).
# Whether the Lambda image has /etc/mime.types (which would take precedence)
# is not documented; the built-in table is assumed.
_MIME_313 = {".js": "text/javascript", ".mjs": "text/javascript"}


def _guess_type(name: str) -> str | None:
    """The CLI's guess (``mimetypes.guess_type``) unless --content-type is given; None: S3's default."""
    ext = posixpath.splitext(name)[1].lower()
    return _MIME_313.get(ext) or mimetypes.MimeTypes(filenames=()).guess_type(name)[0]


def _cli_filtered(relative: str, exclude: list[str], include: list[str]) -> bool:
    """The CLI's --exclude/--include: every filter is applied in order (the handler
    passes the excludes, then the includes), the last that matches decides;
    ``fnmatch`` patterns, relative to the source or destination root
    (https://docs.aws.amazon.com/cli/latest/reference/s3/#use-of-exclude-and-include-filters)."""
    excluded = False
    for pattern in exclude:
        if fnmatch.fnmatch(relative, pattern):
            excluded = True
    for pattern in include:
        if fnmatch.fnmatch(relative, pattern):
            excluded = False
    return excluded


def _replace_markers(data: bytes, markers: dict[str, Any], config: dict[str, Any]) -> bytes:
    """The handler's ``replace_markers``: byte replacement; ``jsonEscape`` escapes values as JSON strings."""
    if not markers:
        return data
    json_escape = str(config.get("jsonEscape", "false")).lower() == "true"
    for token, value in markers.items():
        if json_escape:
            serialized = json.dumps(value)
            text = serialized[1:-1] if serialized.startswith('"') and serialized.endswith('"') else serialized
        else:
            text = str(value)
        data = data.replace(str(token).encode(), text.encode())
    return data


def _handler_command(*args: str) -> str:
    """How the handler's failure reads: ``str(CalledProcessError)`` of ``aws <args>``."""
    return f"Command {[CLI, *args]!r} returned non-zero exit status 1."


class _Spec:
    """The handler's view of the properties (its defaults; CloudFormation passes booleans as strings)."""

    def __init__(self, props: dict[str, Any]) -> None:
        try:
            self.source_buckets = list(props["SourceBucketNames"])
            self.source_keys = list(props["SourceObjectKeys"])
            self.dest_bucket = str(props["DestinationBucketName"])
        except KeyError as exc:
            raise CustomResourceFailed(f"missing request resource property {exc}. props: {props}") from None
        self.prefix = str(props.get("DestinationBucketKeyPrefix", ""))
        self.distribution_paths = list(props.get("DistributionPaths") or [self._default_path(self.prefix)])
        if self.prefix == "/":  # the handler treats "/" as no prefix
            self.prefix = ""
        self.distribution_id = str(props.get("DistributionId") or "")
        self._sources(props)
        self._flags(props)
        self._metadata(props)

    @staticmethod
    def _default_path(prefix: str) -> str:
        path = prefix if prefix.endswith("/") else prefix + "/"
        return (path if path.startswith("/") else "/" + path) + "*"

    def _sources(self, props: dict[str, Any]) -> None:
        self.markers = list(props.get("SourceMarkers") or [{} for _ in self.source_buckets])
        self.markers_config = list(props.get("SourceMarkersConfig") or [{} for _ in self.source_buckets])
        self.exclude = [str(p) for p in props.get("Exclude") or []]
        self.include = [str(p) for p in props.get("Include") or []]

    def _flags(self, props: dict[str, Any]) -> None:
        self.extract = as_bool(props.get("Extract"), default=True)
        self.retain_on_delete = as_bool(props.get("RetainOnDelete"), default=True)
        self.prune = as_bool(props.get("Prune"), default=True)
        self.output_keys = as_bool(props.get("OutputObjectKeys"), default=True)
        self.output_version_ids = as_bool(props.get("OutputObjectVersionIds"))
        if as_bool(props.get("SignContent")):
            raise ProviderError("not emulated: BucketDeployment signContent (payload signing is not observable)")

    def _metadata(self, props: dict[str, Any]) -> None:
        self.user_metadata = dict(props.get("UserMetadata") or {})
        self.system_metadata = {str(k).lower(): str(v) for k, v in (props.get("SystemMetadata") or {}).items()}
        unsupported = sorted(set(self.system_metadata) - set(SYSTEM_HEADERS) - set(SYSTEM_OTHER))
        if unsupported:
            raise ProviderError(f"not emulated: BucketDeployment system metadata {', '.join(unsupported)}")

    @property
    def dest_url(self) -> str:
        return f"s3://{self.dest_bucket}/{self.prefix}"

    def metadata_args(self) -> list[str]:
        """The handler's ``create_metadata_args`` (for the failure text)."""
        if not self.user_metadata and not self.system_metadata:
            return []
        args = [item for k, v in self.system_metadata.items() for item in (f"--{k}", v)]
        if self.user_metadata:
            user = {str(k).lower(): v for k, v in self.user_metadata.items()}
            args += ["--metadata", json.dumps(user, separators=(",", ":"))]
        return [*args, "--metadata-directive", "REPLACE"]

    def object_key(self, relative: str) -> str:
        """``aws s3 sync dir s3://b/prefix`` writes ``prefix/<name>`` even without a trailing slash."""
        prefix = self.prefix if not self.prefix or self.prefix.endswith("/") else self.prefix + "/"
        return prefix + relative


@_register
class CDKBucketDeployment(_CustomBase, CloudFormationModel):
    TYPE = "Custom::CDKBucketDeployment"

    def _s3(self) -> Any:
        return s3_backends[self.account_id][PARTITION]

    # -- the handler's steps ---------------------------------------------------
    def _contents(self, spec: _Spec) -> dict[str, bytes]:
        """``aws s3 cp`` each source and unzip it (or keep it whole, Extract false), markers replaced."""
        contents: dict[str, bytes] = {}
        workdir = f"/tmp/tmp{uuid.uuid4().hex[:8]}"
        for bucket, key, markers, config in zip(
            spec.source_buckets, spec.source_keys, spec.markers, spec.markers_config, strict=False
        ):
            source = f"s3://{bucket}/{key}"
            try:
                found = self._s3().get_object(str(bucket), str(key))
            except Exception:
                found = None
            if found is None:
                raise CustomResourceFailed(_handler_command("s3", "cp", source, f"{workdir}/{uuid.uuid4()}"))
            if not spec.extract:
                contents[str(key).rsplit("/", 1)[-1]] = found.value
                continue
            with zipfile.ZipFile(io.BytesIO(found.value)) as archive:
                for info in archive.infolist():
                    if not info.is_dir():
                        contents[info.filename] = _replace_markers(archive.read(info), markers or {}, config or {})
        return contents

    def _current_keys(self, bucket_name: str, prefix: str) -> list[str]:
        bucket = self._s3().get_bucket(bucket_name)
        return sorted(k for k, v in bucket.keys.items() if isinstance(v, FakeKey) and k.startswith(prefix))

    def _put(self, spec: _Spec, relative: str, data: bytes) -> None:
        headers = {SYSTEM_HEADERS[k]: v for k, v in spec.system_metadata.items() if k in SYSTEM_HEADERS}
        guessed = _guess_type(relative)
        if "Content-Type" not in headers and guessed:
            headers["Content-Type"] = guessed
        headers.update({f"x-amz-meta-{str(k).lower()}": str(v) for k, v in spec.user_metadata.items()})
        key = self._s3().put_object(
            spec.dest_bucket,
            spec.object_key(relative),
            data,
            storage=spec.system_metadata.get("storage-class"),
            encryption=spec.system_metadata.get("sse"),
            kms_key_id=spec.system_metadata.get("sse-kms-key-id"),
        )
        key.set_metadata(metadata_from_headers(headers))

    def _sync(self, spec: _Spec, contents: dict[str, bytes]) -> None:
        command = ["s3", "sync"] + (["--delete"] if spec.prune else [])
        for flag, patterns in (("--exclude", spec.exclude), ("--include", spec.include)):
            command += [item for p in patterns for item in (flag, p)]
        command += ["/tmp/contents", spec.dest_url, *spec.metadata_args()]
        try:
            existing = self._current_keys(spec.dest_bucket, spec.object_key(""))
            uploads = {
                rel: data for rel, data in contents.items() if not _cli_filtered(rel, spec.exclude, spec.include)
            }
            for relative, data in sorted(uploads.items()):
                self._put(spec, relative, data)
            if spec.prune:
                root = spec.object_key("")
                for key in existing:
                    relative = key[len(root) :]
                    if relative not in uploads and not _cli_filtered(relative, spec.exclude, spec.include):
                        self._s3().delete_object(spec.dest_bucket, key)
        except CustomResourceFailed:
            raise
        except Exception as exc:  # NoSuchBucket and the like: the CLI exits 1
            raise CustomResourceFailed(_handler_command(*command)) from exc

    def _remove(self, bucket_name: str, prefix: str) -> None:
        """``aws s3 rm s3://<bucket>/<prefix> --recursive`` (a versioned bucket keeps the versions)."""
        try:
            for key in self._current_keys(bucket_name, prefix):
                self._s3().delete_object(bucket_name, key)
        except Exception as exc:
            raise CustomResourceFailed(
                _handler_command("s3", "rm", f"s3://{bucket_name}/{prefix}", "--recursive")
            ) from exc

    def _owned(self, bucket_name: str, prefix: str) -> bool:
        """The handler's ``bucket_owned``: a tag ``aws-cdk:cr-owned[:<prefix>]...`` keeps the content."""
        tag = OWNER_TAG + (f":{prefix}" if prefix else "")
        try:
            tags = self._s3().get_bucket_tagging(bucket_name).get("Tags", [])
        except Exception:
            return False
        return any(str(t.get("Key", "")).startswith(tag) for t in tags)

    def _invalidate(self, spec: _Spec) -> None:
        if not spec.distribution_id:
            return
        try:
            cloudfront_backends[self.account_id][PARTITION].create_invalidation(
                spec.distribution_id, list(spec.distribution_paths), str(uuid.uuid4())
            )
        except Exception as exc:
            code, message = _api_error(exc)
            raise CustomResourceFailed(
                f"An error occurred ({code}) when calling the CreateInvalidation operation: {message}"
            ) from exc

    def _version_ids(self, spec: _Spec) -> list[str]:
        ids = []
        for key in spec.source_keys:
            found = self._s3().get_object(spec.dest_bucket, spec.object_key(str(key).rsplit("/", 1)[-1]))
            version = getattr(found, "version_id", None) if found is not None else None
            ids.append(str(version) if version and version != "null" else "")
        return ids

    def _deploy(self, spec: _Spec) -> None:
        self._sync(spec, self._contents(spec))
        self._invalidate(spec)
        self.attributes = {
            "DestinationBucketArn": self.properties.get("DestinationBucketArn"),
            "SourceObjectKeys": spec.source_keys if spec.output_keys else [],
        }
        if spec.output_version_ids:
            self.attributes["SourceObjectVersionIds"] = self._version_ids(spec)

    # -- CloudFormation's requests ---------------------------------------------
    def create(self, props: dict[str, Any]) -> str:
        self.properties = props
        self._deploy(_Spec(props))
        return f"aws.cdk.s3deployment.{uuid.uuid4()}"

    def update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        spec, before = _Spec(new), _Spec(old)
        if not spec.retain_on_delete and before.dest_url != spec.dest_url:
            self._remove(before.dest_bucket, before.prefix)
        self.properties = new
        self._deploy(spec)

    def delete_resource(self) -> None:
        spec = _Spec(self.properties)
        if not spec.retain_on_delete and not self._owned(spec.dest_bucket, spec.prefix):
            self._remove(spec.dest_bucket, spec.prefix)
        self._invalidate(spec)
