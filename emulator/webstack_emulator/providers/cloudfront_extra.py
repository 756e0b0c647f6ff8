"""CloudFront functions and origin access identities (missing in moto's
CloudFormation).

``AWS::CloudFront::Function``: created through moto's CloudFront backend, so
``describe_function`` / ``get_function`` / ``list_functions`` show it. A new
function is in the ``DEVELOPMENT`` stage; ``AutoPublish: true`` publishes it
to ``LIVE`` on create and on every update, as CloudFormation does
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudfront-function.html).
Ref and GetAtt ``FunctionARN`` / ``FunctionMetadata.FunctionARN`` = ARN,
GetAtt ``Stage``. ``Name`` changes replace it; code and config update in
place. Setting ``AutoPublish`` back to false leaves the function ``LIVE``
(publishing cannot be undone). Running the function is not emulated.

``AWS::CloudFront::CloudFrontOriginAccessIdentity``: moto 5.2.5 has no
origin-access-identity API at all, so the identities live in
:data:`IDENTITIES` and boto3's ``get_cloud_front_origin_access_identity`` is
*not* served (known gap, like the cache policies). Ref and GetAtt ``Id`` =
the id (``E`` + 13 characters, the API's form), GetAtt ``S3CanonicalUserId``
(64 hex digits, an S3 canonical user id's form); the comment updates in
place
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudfront-cloudfrontoriginaccessidentity.html).
A distribution's ``S3OriginConfig.OriginAccessIdentity`` is the
``origin-access-identity/cloudfront/<Id>`` path made from the Ref.
"""

from __future__ import annotations

import contextlib
from typing import Any

from moto.cloudfront.models import cloudfront_backends, random_id
from moto.core.common_models import CloudFormationModel
from moto.core.utils import utcnow
from moto.moto_api._internal import mock_random

from . import on_reset
from ._base import PARTITION, Provider, ProviderError, as_bool

# id -> {"Config": CloudFrontOriginAccessIdentityConfig, "S3CanonicalUserId": ...}
IDENTITIES: dict[str, dict[str, Any]] = {}


@on_reset
def _reset_identities() -> None:
    IDENTITIES.clear()


def _backend(account_id: str) -> Any:
    return cloudfront_backends[account_id][PARTITION]


def _function_config(props: dict[str, Any]) -> dict[str, Any]:
    cfg = props.get("FunctionConfig") or {}
    config: dict[str, Any] = {"Comment": cfg.get("Comment", ""), "Runtime": cfg["Runtime"]}
    stores = [s["KeyValueStoreARN"] for s in cfg.get("KeyValueStoreAssociations") or []]
    if stores:
        config["KeyValueStoreAssociations"] = {
            "Quantity": len(stores),
            "Items": [{"KeyValueStoreARN": arn} for arn in stores],
        }
    return config


class Function(Provider, CloudFormationModel):
    TYPE = "AWS::CloudFront::Function"
    NAME_PROPERTY = "Name"
    ATTRIBUTES = ("FunctionARN", "FunctionMetadata.FunctionARN", "Stage")

    def _sync(self, fn: Any) -> None:
        self.attributes = {"FunctionARN": fn.arn, "FunctionMetadata.FunctionARN": fn.arn, "Stage": fn.stage}

    def create(self, props: dict[str, Any]) -> str:
        try:
            fn = _backend(self.account_id).create_function(
                props["Name"], _function_config(props), str(props["FunctionCode"]).encode(), []
            )
        except Exception as exc:  # FunctionAlreadyExists: keep CloudFront's code
            raise ProviderError(
                f"{getattr(exc, 'error_type', type(exc).__name__)}: {getattr(exc, 'message', exc)}"
            ) from exc
        if as_bool(props.get("AutoPublish")):
            fn.stage = "LIVE"
        self._sync(fn)
        return str(fn.arn)

    def update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        if old.get("Name") != new.get("Name"):
            self.delete_resource()
            self.physical_id = self.create(new)
            return
        fn = _backend(self.account_id).describe_function(new["Name"])
        fn.config = _function_config(new)
        fn.code = str(new["FunctionCode"]).encode()
        fn.last_modified_time = utcnow()
        fn.etag = random_id()  # UpdateFunction returns a new ETag
        if as_bool(new.get("AutoPublish")):
            fn.stage = "LIVE"
        self._sync(fn)

    def delete_resource(self) -> None:
        with contextlib.suppress(Exception):
            _backend(self.account_id).delete_function(self.properties["Name"], if_match=True)


class CloudFrontOriginAccessIdentity(Provider, CloudFormationModel):
    TYPE = "AWS::CloudFront::CloudFrontOriginAccessIdentity"
    ATTRIBUTES = ("Id", "S3CanonicalUserId")

    def create(self, props: dict[str, Any]) -> str:
        identity_id = "E" + random_id(length=13)
        canonical = mock_random.get_random_hex(64)
        IDENTITIES[identity_id] = {
            "Config": dict(props["CloudFrontOriginAccessIdentityConfig"]),
            "S3CanonicalUserId": canonical,
        }
        self.attributes = {"Id": identity_id, "S3CanonicalUserId": canonical}
        return identity_id

    def update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        IDENTITIES[self.physical_id]["Config"] = dict(new["CloudFrontOriginAccessIdentityConfig"])

    def delete_resource(self) -> None:
        IDENTITIES.pop(self.physical_id, None)
