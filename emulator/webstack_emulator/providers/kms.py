"""``AWS::KMS::Key`` (overrides moto's).

moto's version fails on ``Tags`` (it expects the KMS API's ``TagKey``/
``TagValue``, CloudFormation writes ``Key``/``Value``), ignores ``KeySpec``,
``KeyUsage``, ``MultiRegion`` and ``PendingWindowInDays``, and has no update
handler (a policy change would replace the key -- new key id, data loss).
Here: the key is created with its policy (as JSON text), spec, usage,
rotation and tags; update changes policy, description, rotation and
enabled state in place; delete schedules deletion with the template's
pending window, as CloudFormation does (``describe_key`` shows
``PendingDeletion``). Ref = key id; GetAtt Arn, KeyId.

Create and update refuse a key policy KMS refuses -- one that locks the
caller out (no account-root statement, no admin: D17) or names a principal
that does not exist (D1) -- with KMS's ``MalformedPolicyDocumentException``
(:func:`webstack_emulator.providers.service_rules.kms.check_key_policy`).

:func:`install` also installs :mod:`webstack_emulator.rotation`: what
Secrets Manager does on a rotation function's behalf is decided by key
policies as much as by IAM (a secret's value is readable only through its
key), so the calls a role makes to Secrets Manager are authorized with the
key this provider creates.
"""

from __future__ import annotations

import contextlib
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.kms.models import kms_backends

from .. import role_calls, rotation
from . import on_reset
from ._base import Provider, as_bool, as_json_text
from .service_rules import kms as kms_rules


class Key(Provider, CloudFormationModel):
    TYPE = "AWS::KMS::Key"
    ATTRIBUTES = ("Arn", "KeyId")

    def _backend(self) -> Any:
        return kms_backends[self.account_id][self.region_name]

    def create(self, props: dict[str, Any]) -> str:
        kms_rules.check_key_policy(self, props)
        backend = self._backend()
        key = backend.create_key(
            policy=as_json_text(props["KeyPolicy"]) if props.get("KeyPolicy") else None,
            key_usage=props.get("KeyUsage", "ENCRYPT_DECRYPT"),
            key_spec=props.get("KeySpec", "SYMMETRIC_DEFAULT"),
            description=props.get("Description", ""),
            tags=[{"TagKey": t["Key"], "TagValue": t["Value"]} for t in props.get("Tags") or []],
            multi_region=as_bool(props.get("MultiRegion")),
        )
        if as_bool(props.get("EnableKeyRotation")):
            backend.enable_key_rotation(key.id)
        if not as_bool(props.get("Enabled"), True):
            backend.disable_key(key.id)
        self.attributes = {"Arn": key.arn, "KeyId": key.id}
        return key.id

    def update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        kms_rules.check_key_policy(self, new)
        backend = self._backend()
        if old.get("KeyPolicy") != new.get("KeyPolicy") and new.get("KeyPolicy"):
            backend.put_key_policy(self.physical_id, as_json_text(new["KeyPolicy"]))
        if old.get("Description") != new.get("Description"):
            backend.update_key_description(self.physical_id, new.get("Description", ""))
        if as_bool(old.get("EnableKeyRotation")) != as_bool(new.get("EnableKeyRotation")):
            if as_bool(new.get("EnableKeyRotation")):
                backend.enable_key_rotation(self.physical_id)
            else:
                backend.disable_key_rotation(self.physical_id)
        if as_bool(old.get("Enabled"), True) != as_bool(new.get("Enabled"), True):
            (backend.enable_key if as_bool(new.get("Enabled"), True) else backend.disable_key)(self.physical_id)

    def delete_resource(self) -> None:
        with contextlib.suppress(Exception):
            self._backend().schedule_key_deletion(self.physical_id, int(self.properties.get("PendingWindowInDays", 30)))


def install() -> None:
    rotation.install()
    # The origin-verify rotation's ELB and CloudFront calls, as the function's role.
    role_calls.install()
    on_reset(rotation.reset)
