"""Lambda functions, versions, aliases and URLs, through moto's Lambda backend.

``AWS::Lambda::Function`` (wraps moto's): moto turns an inline ``ZipFile``
into a zip archive on create but not on update, where it fails with
``binascii.Error`` -- every change to an inline function broke the stack
update. The update is given the same archive as the create; everything else
is moto's model (Ref = name, GetAtt Arn).

``AWS::Lambda::Version`` (overrides moto's, which has no Ref, no ``Version``
attribute and no delete): ``publish_version``; like Lambda's PublishVersion,
an unchanged function gives back its latest version. Ref = version ARN
(``...:function:NAME:N``); GetAtt ``FunctionArn`` (the same qualified ARN)
and ``Version``. Every property change replaces it (a new version is
published), delete removes the version -- CloudFormation does both
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-lambda-version.html).
``CodeSha256`` is not compared with the code (known gap).

``AWS::Lambda::Alias``: ``create_alias`` / ``update_alias`` (version,
description, weighted ``RoutingConfig``) / ``delete_alias``. Ref and GetAtt
``AliasArn`` = alias ARN. ``Name`` and ``FunctionName`` changes replace it
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-lambda-alias.html).

``AWS::Lambda::Url``: ``create_function_url_config`` /
``update_function_url_config`` (``AuthType``, ``Cors``, ``InvokeMode``) /
``delete_function_url_config``; ``get_function_url_config`` shows it. Ref and
GetAtt ``FunctionArn`` = the target function's ARN (the type's primary
identifier), GetAtt ``FunctionUrl`` = the URL
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-lambda-url.html).
``TargetFunctionArn`` and ``Qualifier`` changes replace it. moto keeps one URL
per function and ignores qualifiers, so a ``Qualifier`` (an alias's URL) fails
loudly instead of overwriting the function's own URL; invoking the URL is not
emulated.

:func:`install` -- event source mappings on SQS queues do not consume: with
an enabled mapping, Lambda polls the queue and runs the function on each
batch, deleting the messages when it succeeds
(https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html). The emulator
runs no function code, but moto tried: every message sent to such a queue was
received at once (counting a receive), handed to Docker, which is not there,
and made visible again -- so a queue whose redrive policy allows one receive
(``maxReceiveCount: 1``) moved each message to its dead-letter queue on the
next receive, as if the function had failed. Now the mapping is created,
listed and deleted as before (``list_event_source_mappings``,
``State: Enabled``), but messages stay in the queue untouched, where a test
can read what the function would have been given. Not polled is a known gap,
not AWS's behaviour (AWS would have run the function). DynamoDB and Kinesis
stream mappings keep moto's behaviour.
"""

from __future__ import annotations

import base64
import contextlib
import copy
from typing import Any

from moto.awslambda.models import LambdaFunction as MotoFunction
from moto.awslambda.utils import get_backend
from moto.core.common_models import CloudFormationModel

from ..engine import add, replace, require_pinned_moto
from ._base import Provider, ProviderError


class _LambdaProvider(Provider):
    function_name: str  # the target function's name (moto's key), not an attribute


def _backend(p: Provider) -> Any:
    return get_backend(p.account_id, p.region_name)


def _function(p: Provider, name_or_arn: str) -> Any:
    try:
        return _backend(p).get_function(name_or_arn)
    except Exception as exc:
        # Lambda's answer for a function that does not exist
        # (https://docs.aws.amazon.com/lambda/latest/api/API_GetFunction.html#API_GetFunction_Errors).
        raise ProviderError(f"ResourceNotFoundException: Function not found: {name_or_arn}") from exc


def _routing_config(props: dict[str, Any]) -> dict[str, Any] | None:
    """CloudFormation's list of {FunctionVersion, FunctionWeight} -> the API's map."""
    weights = (props.get("RoutingConfig") or {}).get("AdditionalVersionWeights")
    if not weights:
        return None
    return {"AdditionalVersionWeights": {str(w["FunctionVersion"]): float(w["FunctionWeight"]) for w in weights}}


class Function(CloudFormationModel):
    @staticmethod
    def cloudformation_type() -> str:
        return MotoFunction.cloudformation_type()

    @staticmethod
    def cloudformation_name_type() -> str:
        return MotoFunction.cloudformation_name_type()

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return MotoFunction.has_cfn_attr(attr)

    @classmethod
    def create_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
    ) -> Any:
        return MotoFunction.create_from_cloudformation_json(
            resource_name, copy.deepcopy(cloudformation_json), account_id, region_name, **kwargs
        )

    @classmethod
    def update_from_cloudformation_json(
        cls, original_resource: Any, new_resource_name: str, cloudformation_json: Any, account_id: str, region_name: str
    ) -> Any:
        cfn = copy.deepcopy(cloudformation_json)
        code = cfn["Properties"]["Code"]
        if "ZipFile" in code:
            # the create path's conversion (moto's own helper), missing on update
            archive = MotoFunction._create_zipfile_from_plaintext_code(code["ZipFile"])
            code["ZipFile"] = base64.b64encode(archive)
        return MotoFunction.update_from_cloudformation_json(
            original_resource, new_resource_name, cfn, account_id, region_name
        )

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str
    ) -> None:
        MotoFunction.delete_from_cloudformation_json(resource_name, cloudformation_json, account_id, region_name)

    def is_created(self) -> bool:
        return True


class Version(_LambdaProvider, CloudFormationModel):
    TYPE = "AWS::Lambda::Version"
    ATTRIBUTES = ("FunctionArn", "Version")
    REPLACE_ON_UPDATE = True

    def create(self, props: dict[str, Any]) -> str:
        fn = _function(self, props["FunctionName"])
        published = _backend(self).publish_version(fn.function_name, props.get("Description") or "")
        if published is None:
            raise ProviderError(f"ResourceNotFoundException: Function not found: {props['FunctionName']}")
        arn = f"{fn.function_arn.split(':$LATEST')[0]}:{published.version}"
        self.attributes = {"FunctionArn": arn, "Version": str(published.version)}
        self.function_name = fn.function_name
        return arn

    def delete_resource(self) -> None:
        with contextlib.suppress(Exception):
            _backend(self).delete_function(self.function_name, self.attributes["Version"])


class Alias(_LambdaProvider, CloudFormationModel):
    TYPE = "AWS::Lambda::Alias"
    ATTRIBUTES = ("AliasArn",)

    def create(self, props: dict[str, Any]) -> str:
        fn = _function(self, props["FunctionName"])
        alias = _backend(self).create_alias(
            props["Name"],
            fn.function_name,
            str(props["FunctionVersion"]),
            props.get("Description") or "",
            _routing_config(props),
        )
        self.attributes = {"AliasArn": alias.arn}
        self.function_name = fn.function_name
        return str(alias.arn)

    def update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        if old.get("Name") != new.get("Name") or old.get("FunctionName") != new.get("FunctionName"):
            self.delete_resource()
            self.physical_id = self.create(new)
            return
        alias = _backend(self).get_alias(new["Name"], self.function_name)
        alias.update(new.get("Description") or "", str(new["FunctionVersion"]), None)
        alias.routing_config = _routing_config(new)

    def delete_resource(self) -> None:
        with contextlib.suppress(Exception):
            _backend(self).delete_alias(self.properties["Name"], self.function_name)


class Url(_LambdaProvider, CloudFormationModel):
    TYPE = "AWS::Lambda::Url"
    ATTRIBUTES = ("FunctionArn", "FunctionUrl")

    @staticmethod
    def _config(props: dict[str, Any]) -> dict[str, Any]:
        config: dict[str, Any] = {"AuthType": props["AuthType"]}
        if props.get("Cors"):
            config["Cors"] = props["Cors"]
        if props.get("InvokeMode"):
            config["InvokeMode"] = props["InvokeMode"]
        return config

    def create(self, props: dict[str, Any]) -> str:
        if props.get("Qualifier"):
            raise ProviderError(
                f"not emulated: AWS::Lambda::Url with Qualifier {props['Qualifier']}: "
                "the local emulator keeps one URL per function"
            )
        fn = _function(self, props["TargetFunctionArn"])
        url = _backend(self).create_function_url_config(fn.function_name, self._config(props))
        self.attributes = {"FunctionArn": fn.function_arn, "FunctionUrl": url.url}
        self.function_name = fn.function_name
        return str(fn.function_arn)

    def update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        if old.get("TargetFunctionArn") != new.get("TargetFunctionArn") or old.get("Qualifier") != new.get("Qualifier"):
            self.delete_resource()
            self.physical_id = self.create(new)
            return
        url = _backend(self).get_function_url_config(self.function_name)
        # moto's update only touches Cors; the other settings are set here.
        url.config.update(self._config(new))
        if not new.get("Cors"):
            url.config.pop("Cors", None)

    def delete_resource(self) -> None:
        with contextlib.suppress(Exception):
            _backend(self).delete_function_url_config(self.function_name)


def _queue_of(account_id: str, region_name: str, queue_arn: str) -> Any:
    from moto.sqs.models import sqs_backends

    backend = sqs_backends[account_id][region_name]
    return next((q for q in backend.queues.values() if q.queue_arn == queue_arn), None)


def _unpolled(original: Any) -> Any:
    def create_event_source_mapping(self: Any, spec: dict[str, Any]) -> Any:
        esm = original(self, spec)
        queue = _queue_of(self.account_id, self.region_name, esm.event_source_arn)
        if queue is not None:
            # moto's SQS add_message runs every mapping registered here (module docstring)
            queue.lambda_event_source_mappings.pop(esm.function_arn, None)
        return esm

    return create_event_source_mapping


def install() -> None:
    require_pinned_moto(__name__)
    from moto.awslambda.models import LambdaBackend, LayerVersion

    # AWS::Lambda::LayerVersion: "Ref returns the ARN of the layer version"
    # (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-lambda-layerversion.html).
    # moto's model has no physical id: the stack listed the layer without one,
    # and a Ref to it resolved to the model, which a function's update then
    # failed on (AttributeError: 'LayerVersion' object has no attribute 'replace').
    add(LayerVersion, "physical_resource_id", property(lambda self: self.arn))

    replace(LambdaBackend, "create_event_source_mapping", _unpolled(vars(LambdaBackend)["create_event_source_mapping"]))
