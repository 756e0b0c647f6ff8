"""WAFv2 (missing in moto's CloudFormation).

``AWS::WAFv2::WebACL`` -> moto's ``create_web_acl`` (rules, default action,
visibility config, custom response bodies...; ``get_web_acl`` returns them).
Like AWS, a ``CLOUDFRONT``-scoped ACL outside us-east-1 fails with "The scope
is not valid" (pitfall D3). Ref = ``name|id|scope``; GetAtt Arn, Id,
LabelNamespace, Capacity.

``AWS::WAFv2::WebACLAssociation`` -> ``associate_web_acl`` (regional
resources such as an ALB; CloudFront uses the distribution's WebACLId).
``AWS::WAFv2::LoggingConfiguration`` -> ``put_logging_configuration``.
``AWS::WAFv2::IPSet`` -> ``create_ip_set`` (allow/block lists); Ref =
``name|id|scope``; GetAtt Arn, Id.
"""

from __future__ import annotations

import contextlib
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.wafv2.models import GLOBAL_REGION, wafv2_backends

from ..facts import CLOUDFRONT_REGION
from ._base import Provider, ProviderError, tags_list


def _api_shape(value: Any) -> Any:
    """CloudFormation spells reference statements' ``Arn``; the WAFv2 API (and
    boto3, which drops unknown keys) spells it ``ARN``."""
    if isinstance(value, dict):
        return {("ARN" if k == "Arn" else k): _api_shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_api_shape(v) for v in value]
    return value


def _backend(p: Provider, arn: str | None = None, scope: str | None = None) -> Any:
    # moto keeps CLOUDFRONT-scoped resources in its "global" region
    region = p.region_name
    if (arn and ":global/" in arn) or scope == "CLOUDFRONT":
        region = GLOBAL_REGION
    return wafv2_backends[p.account_id][region]


class WebACL(Provider, CloudFormationModel):
    TYPE = "AWS::WAFv2::WebACL"
    NAME_PROPERTY = "Name"
    ATTRIBUTES = ("Arn", "Id", "LabelNamespace", "Capacity")

    def create(self, props: dict[str, Any]) -> str:
        scope = props["Scope"]
        if scope == "CLOUDFRONT" and self.region_name != CLOUDFRONT_REGION:
            raise ProviderError(
                "Error reason: The scope is not valid., field: SCOPE_VALUE, parameter: CLOUDFRONT "
                f"(a CLOUDFRONT web ACL must be created in {CLOUDFRONT_REGION})"
            )
        name = props.get("Name") or self.generated_name(128)
        acl = _backend(self, scope=scope).create_web_acl(
            name=name,
            visibility_config=props["VisibilityConfig"],
            default_action=props["DefaultAction"],
            scope=scope,
            description=props.get("Description", ""),
            tags=tags_list(props),
            rules=_api_shape(props.get("Rules") or []),
            association_config=props.get("AssociationConfig"),
            captcha_config=props.get("CaptchaConfig"),
            challenge_config=props.get("ChallengeConfig"),
            custom_response_bodies=props.get("CustomResponseBodies"),
            token_domains=props.get("TokenDomains"),
        )
        self._acl = acl
        self.attributes = {
            "Arn": acl.arn,
            "Id": acl.id,
            "LabelNamespace": acl.label_namespace,
            "Capacity": acl.capacity,
        }
        return f"{name}|{acl.id}|{scope}"

    def update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        if old.get("Scope") != new.get("Scope") or old.get("Name") != new.get("Name"):
            self.delete_resource()
            self.physical_id = self.create(new)
            return
        acl = self._acl
        _backend(self, acl.arn).update_web_acl(
            name=acl.name,
            _id=acl.id,
            default_action=new["DefaultAction"],
            rules=_api_shape(new.get("Rules") or []),
            description=new.get("Description", ""),
            visibility_config=new["VisibilityConfig"],
            lock_token=acl.lock_token,
            custom_response_bodies=new.get("CustomResponseBodies"),
            captcha_config=new.get("CaptchaConfig"),
            challenge_config=new.get("ChallengeConfig"),
            token_domains=new.get("TokenDomains"),
            association_config=new.get("AssociationConfig"),
        )

    def delete_resource(self) -> None:
        acl = self._acl
        with contextlib.suppress(Exception):
            _backend(self, acl.arn).delete_web_acl(acl.name, self.properties["Scope"], acl.id, acl.lock_token)


class IPSet(Provider, CloudFormationModel):
    TYPE = "AWS::WAFv2::IPSet"
    NAME_PROPERTY = "Name"
    ATTRIBUTES = ("Arn", "Id")

    def create(self, props: dict[str, Any]) -> str:
        scope = props["Scope"]
        if scope == "CLOUDFRONT" and self.region_name != CLOUDFRONT_REGION:
            raise ProviderError("Error reason: The scope is not valid., field: SCOPE_VALUE, parameter: CLOUDFRONT")
        name = props.get("Name") or self.generated_name(128)
        ip_set = _backend(self, scope=scope).create_ip_set(
            name=name,
            scope=scope,
            description=props.get("Description", ""),
            ip_address_version=props["IPAddressVersion"],
            addresses=list(props.get("Addresses") or []),
            tags=tags_list(props),
        )
        self._ip_set = ip_set
        self.attributes = {"Arn": ip_set.arn, "Id": ip_set.ip_set_id}
        return f"{name}|{ip_set.ip_set_id}|{scope}"

    def update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        immutable = ("Scope", "Name", "IPAddressVersion")
        if any(old.get(k) != new.get(k) for k in immutable):
            self.delete_resource()
            self.physical_id = self.create(new)
            return
        ip_set = self._ip_set
        _backend(self, ip_set.arn).update_ip_set(
            name=ip_set.name,
            scope=new["Scope"],
            _id=ip_set.ip_set_id,
            description=new.get("Description", ""),
            addresses=list(new.get("Addresses") or []),
            lock_token=ip_set.lock_token,
        )

    def delete_resource(self) -> None:
        ip_set = self._ip_set
        with contextlib.suppress(Exception):
            _backend(self, ip_set.arn).delete_ip_set(
                ip_set.name, self.properties["Scope"], ip_set.ip_set_id, ip_set.lock_token
            )


class WebACLAssociation(Provider, CloudFormationModel):
    TYPE = "AWS::WAFv2::WebACLAssociation"

    def create(self, props: dict[str, Any]) -> str:
        if ":global/" in props["WebACLArn"]:
            raise ProviderError("a CLOUDFRONT web ACL is attached through the distribution's WebACLId")
        _backend(self, props["WebACLArn"]).associate_web_acl(props["WebACLArn"], props["ResourceArn"])
        return f"{props['ResourceArn']}|{props['WebACLArn']}"

    def update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        self.delete_resource()
        self.physical_id = self.create(new)

    def delete_resource(self) -> None:
        _backend(self, self.properties["WebACLArn"]).disassociate_web_acl(self.properties["ResourceArn"])


class LoggingConfiguration(Provider, CloudFormationModel):
    TYPE = "AWS::WAFv2::LoggingConfiguration"
    ATTRIBUTES = ("ManagedByFirewallManager",)

    def _logging_backend(self) -> Any:
        # moto's Get/Put/DeleteLoggingConfiguration carry no Scope and use the
        # request's region (us-east-1 for a CLOUDFRONT ACL), not "global"
        return wafv2_backends[self.account_id][self.region_name]

    def create(self, props: dict[str, Any]) -> str:
        arn = props["ResourceArn"]
        self._logging_backend().put_logging_configuration(
            arn,
            props["LogDestinationConfigs"],
            {"RedactedFields": props["RedactedFields"]} if props.get("RedactedFields") else None,
            False,
            props.get("LoggingFilter") or {},
        )
        self.attributes = {"ManagedByFirewallManager": False}
        return arn

    def update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        self.delete_resource()
        self.physical_id = self.create(new)

    def delete_resource(self) -> None:
        with contextlib.suppress(Exception):
            self._logging_backend().delete_logging_configuration(self.physical_id)
