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
"""

from __future__ import annotations

import contextlib
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.ec2.models import ec2_backends
from moto.s3.models import s3_backends
from moto.ssm.models import ssm_backends

from ..engine.registry import CUSTOM_TYPES
from ._base import PARTITION, Provider

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
                raise ValueError(f"Error importing {name}: ParameterNotFound")
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
