"""``AWS::EC2::KeyPair`` (missing in moto's CloudFormation).

Through moto's EC2 backend, so ``describe_key_pairs`` shows it: without
``PublicKeyMaterial`` a new pair is made (``create_key_pair``; RSA or
ED25519) and its private key stored as the SecureString parameter
``/ec2/keypair/<KeyPairId>``; with it the public key is imported
(``import_key_pair``) and no parameter is written. Delete removes the pair
and the parameter. As the CloudFormation docs say
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-keypair.html).
Ref = key name; GetAtt ``KeyFingerprint``, ``KeyPairId``.

Every property change requires replacement, and ``KeyName`` is required, so
a change that keeps the name fails as CloudFormation fails any replacement
of a custom-named resource
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/troubleshooting.html#troubleshooting-errors-custom-named-resource-replacement).
``KeyFormat: ppk`` is not emulated (moto writes PEM only) and fails loudly.
"""

from __future__ import annotations

import contextlib
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.ec2.models import ec2_backends
from moto.ssm.models import ssm_backends

from ._base import Provider, ProviderError


def private_key_parameter(key_pair_id: str) -> str:
    return f"/ec2/keypair/{key_pair_id}"


class KeyPair(Provider, CloudFormationModel):
    TYPE = "AWS::EC2::KeyPair"
    NAME_PROPERTY = "KeyName"
    ATTRIBUTES = ("KeyFingerprint", "KeyPairId")

    def _ec2(self) -> Any:
        return ec2_backends[self.account_id][self.region_name]

    def _ssm(self) -> Any:
        return ssm_backends[self.account_id][self.region_name]

    def _make(self, name: str, props: dict[str, Any], tags: dict[str, str]) -> Any:
        if props.get("PublicKeyMaterial"):
            return self._ec2().import_key_pair(name, str(props["PublicKeyMaterial"]).encode(), tags)
        pair = self._ec2().create_key_pair(name, str(props.get("KeyType") or "rsa"), tags)
        self._ssm().put_parameter(
            name=private_key_parameter(pair.id),
            description=None,
            value=pair.material if isinstance(pair.material, str) else pair.material.decode(),
            parameter_type="SecureString",
            allowed_pattern=None,
            keyid=None,
            overwrite=False,
            tags=[],
            data_type="text",
            tier=None,
            policies=None,
        )
        return pair

    def create(self, props: dict[str, Any]) -> str:
        if str(props.get("KeyFormat") or "pem") != "pem":
            raise ProviderError(
                f"not emulated: AWS::EC2::KeyPair KeyFormat {props['KeyFormat']} (the emulator writes pem)"
            )
        name = str(props["KeyName"])
        tags = {t["Key"]: str(t["Value"]) for t in props.get("Tags") or []}
        try:
            pair = self._make(name, props, tags)
        except Exception as exc:  # InvalidKeyPair.Duplicate / InvalidKeyPair.Format: EC2's code and text
            raise ProviderError(
                f"{getattr(exc, 'error_type', type(exc).__name__)}: {getattr(exc, 'message', exc)}"
            ) from exc
        self.attributes = {"KeyFingerprint": pair.key_fingerprint, "KeyPairId": pair.id}
        return name

    def update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        if old.get("KeyName") == new.get("KeyName"):
            raise ProviderError(
                "CloudFormation cannot update a stack when a custom-named resource requires replacing. "
                f"Rename {new.get('KeyName')} and update the stack again."
            )
        old_name, old_id = self.physical_id, self.attributes["KeyPairId"]
        self.physical_id = self.create(new)  # the replacement first, then the old pair goes
        self._remove(old_name, old_id)

    def _remove(self, name: str, key_pair_id: str) -> None:
        self._ec2().delete_key_pair(name)
        with contextlib.suppress(Exception):
            self._ssm().delete_parameter(private_key_parameter(key_pair_id))

    def delete_resource(self) -> None:
        self._remove(self.physical_id, self.attributes.get("KeyPairId", ""))
