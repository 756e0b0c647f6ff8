"""Shared plumbing for webstack's CloudFormation providers.

moto finds CloudFormation resource classes with
``CloudFormationModel.__subclasses__()`` -- *direct* subclasses only -- and
builds ``{cloudformation_type(): class}`` from them, later definitions
overriding earlier ones (moto/cloudformation/parsing.py ``get_model_map``).
So every concrete provider names ``CloudFormationModel`` itself among its
bases, next to the :class:`Provider` mixin, which deliberately is *not* a
subclass of it. moto's model tracker also derives a "service" from the
second component of ``__module__``, which is why providers live in a
package (``webstack_emulator.providers.*``), never in a top-level module.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.moto_api._internal import mock_random

# The partition is always "aws" in the emulator.
PARTITION = "aws"


class ProviderError(Exception):
    """A template asked for something the provider cannot do; fails the
    resource the way CloudFormation would (CREATE_FAILED with this text)."""

    # The text is AWS's (or says "not emulated"): the stack event shows it as it is.
    aws_text = True


class Provider:
    """Mixin for a CloudFormation resource provider backed by moto's service
    backends. Subclasses set ``TYPE`` and ``ATTRIBUTES`` and implement
    :meth:`create` (returning the physical id), :meth:`update` and
    :meth:`delete_resource`; ``self.attributes`` holds the GetAtt values."""

    TYPE: ClassVar[str] = ""
    NAME_PROPERTY: ClassVar[str] = ""
    ATTRIBUTES: ClassVar[tuple[str, ...]] = ()
    # True: a change of any property replaces the resource (new physical id)
    REPLACE_ON_UPDATE: ClassVar[bool] = False

    account_id: str
    region_name: str
    logical_id: str
    resource_name: str  # moto's: BucketName/Name..., or its generated stack-logicalId-SUFFIX
    stack_id: str
    properties: dict[str, Any]
    physical_id: str
    attributes: dict[str, Any]
    # The resource's UpdateReplacePolicy as of the update being applied (a
    # provider that replaces inside ``update`` keeps the old one on Retain).
    update_replace_policy: str | None = None

    # -- moto's CloudFormationModel interface --------------------------------
    @classmethod
    def cloudformation_type(cls) -> str:
        return cls.TYPE

    @classmethod
    def cloudformation_name_type(cls) -> str:
        return cls.NAME_PROPERTY

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.ATTRIBUTES

    @property
    def physical_resource_id(self) -> str:
        return self.physical_id

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name in self.attributes:
            return self.attributes[attribute_name]
        raise UnformattedGetAttTemplateException()

    def is_created(self) -> bool:
        return True

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Provider:
        obj = cls()
        obj.account_id = account_id
        obj.region_name = region_name
        obj.logical_id = kwargs.get("LogicalId", "")
        obj.stack_id = kwargs.get("StackId", "")
        obj.resource_name = resource_name
        obj.properties = cloudformation_json.get("Properties") or {}
        obj.attributes = {}
        obj.physical_id = obj.create(obj.properties)
        return obj

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: Provider,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> Provider:
        new_props = cloudformation_json.get("Properties") or {}
        if cls.REPLACE_ON_UPDATE:
            replacement = cls.create_from_cloudformation_json(
                new_resource_name,
                cloudformation_json,
                account_id,
                region_name,
                LogicalId=original_resource.logical_id,
                StackId=original_resource.stack_id,
            )
            original_resource.delete_resource()
            return replacement
        original_resource.update_replace_policy = cloudformation_json.get("UpdateReplacePolicy")
        original_resource.update(original_resource.properties, new_props)
        original_resource.properties = new_props
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> None:
        # Only reached when the instance itself is gone; nothing to do.
        return None

    def delete(self, account_id: str, region_name: str) -> None:
        self.delete_resource()

    # -- what a provider implements -------------------------------------------
    def create(self, props: dict[str, Any]) -> str:
        raise NotImplementedError

    def update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        """Default: replace in place (delete, then create with the same
        logical id); providers with real update semantics override this."""
        self.delete_resource()
        self.attributes = {}
        self.physical_id = self.create(new)

    def delete_resource(self) -> None:
        raise NotImplementedError

    # -- helpers ----------------------------------------------------------------
    @property
    def stack_name(self) -> str:
        # arn:aws:cloudformation:region:acct:stack/NAME/uuid
        parts = self.stack_id.split("/")
        return parts[1] if len(parts) > 2 else "stack"

    def generated_name(self, max_len: int = 64) -> str:
        """CloudFormation's naming scheme: stack-logicalId-RANDOMSUFFIX."""
        suffix = "".join(mock_random.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(12))
        base = f"{self.stack_name}-{self.logical_id}"
        return f"{base[: max_len - len(suffix) - 1]}-{suffix}"


def tags_list(props: dict[str, Any], key: str = "Tags") -> list[dict[str, str]]:
    return [{"Key": t["Key"], "Value": str(t["Value"])} for t in props.get(key) or []]


def as_json_text(doc: Any) -> str:
    """Policy documents arrive as objects from templates; APIs want text."""
    return doc if isinstance(doc, str) else json.dumps(doc)


def as_bool(value: Any, default: bool = False) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    return str(value).lower() == "true"
