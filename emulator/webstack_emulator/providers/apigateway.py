"""API Gateway REST APIs (overrides moto's ``RestApi``, ``Resource``,
``Method`` and ``Deployment``; adds ``Stage`` and ``Account``).

moto 5.2.5's CloudFormation models for API Gateway keep a fraction of the
template: ``RestApi`` only ``Name``/``Description``/``EndpointConfiguration``
(no ``Policy``, tags, binary media types), ``Method`` only the integration's
type, URI and HTTP method -- a ``MOCK`` integration without ``Uri`` fails
with ``KeyError``, credentials, request templates, integration and method
responses are dropped -- and none of the four can be updated or deleted:
a stack delete left every API behind. ``Stage`` and ``Account`` have no
model at all. Here each type goes through moto's API Gateway backend, so
``get_rest_api`` / ``get_resources`` / ``get_method`` / ``get_integration``
/ ``get_deployments`` / ``get_stage`` / ``get_account`` show what the
template made. Invoking the API (the stage URL) is not emulated.

Return values and updates follow the template reference
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-apigateway-restapi.html,
...-resource.html, ...-method.html, ...-deployment.html, ...-stage.html,
...-account.html) and the registry schemas' ``createOnlyProperties``
(cfn-lint 1.58.0's copy, which the emulator's template validation also
reads): a change of a create-only property replaces the resource, any other
change updates it in place.

* ``AWS::ApiGateway::RestApi``: Ref = API id; GetAtt ``RestApiId``,
  ``RootResourceId``. Every property updates in place. An API imported from
  OpenAPI (``Body``, ``BodyS3Location``) or cloned (``CloneFrom``) is not
  emulated and fails loudly.
* ``AWS::ApiGateway::Resource``: Ref and GetAtt ``ResourceId`` = resource
  id; ``ParentId``, ``PathPart``, ``RestApiId`` replace it. An unknown parent
  fails with API Gateway's ``NotFoundException: Invalid Resource identifier
  specified`` (the text of GetResource/CreateResource for an id the API does
  not have, e.g. hashicorp/terraform-provider-aws#12756 for the stage form).
* ``AWS::ApiGateway::Method``: PutMethod, PutIntegration (with credentials,
  request templates and parameters, passthrough behaviour, timeouts),
  PutIntegrationResponse and PutMethodResponse; moto's own URI and
  credential checks answer with API Gateway's errors. The reference does not
  give the form of the Ref value; the emulator returns
  ``<restApiId>|<resourceId>|<httpMethod>``, the type's primary identifier.
  ``RestApiId``, ``ResourceId``, ``HttpMethod`` replace it; other changes
  put the method again under the same identifier.
* ``AWS::ApiGateway::Deployment``: CreateDeployment (moto refuses an API
  without methods with API Gateway's ``BadRequestException: The REST API
  doesn't contain any methods``); ``StageName`` creates that stage, and
  deleting the deployment deletes it first. Ref and GetAtt
  ``DeploymentId``. ``Description`` updates in place; ``StageDescription``
  and ``DeploymentCanarySettings`` are not emulated (loud failure).
* ``AWS::ApiGateway::Stage``: CreateStage. Ref = stage name. Without
  ``DeploymentId`` it fails as CloudFormation fails it, "DeploymentId cannot
  be empty" (aws-cloudformation/cloudformation-coverage-roadmap#2419,
  #1960); with a deployment the API does not have, "BadRequestException:
  Deployment id does not exist" (aws/chalice#1839). ``DeploymentId``,
  description, variables, tracing, cache cluster, method settings, access
  log setting and tags update in place; ``RestApiId`` and ``StageName``
  replace it. A stage without ``StageName``, ``CanarySetting``,
  ``ClientCertificateId`` and ``DocumentationVersion`` are not emulated.
* ``AWS::ApiGateway::Account``: sets the region's CloudWatch role
  (UpdateAccount ``/cloudwatchRoleArn``). API Gateway refuses a role it
  cannot assume: "The role ARN does not have required permissions
  configured. Please grant trust permission for API Gateway and add the
  required role policy." (in CloudFormation's "Resource handler returned
  message: ... (Service: ApiGateway, Status Code: 400, ...)" wrapper with
  ``HandlerErrorCode: InvalidRequest``, aws-cloudformation/rain#163; older form "The role ARN does not have
  required permissions set to API Gateway", aws/aws-cdk#2194). The emulator
  checks that the role exists and that its trust policy lets
  ``apigateway.amazonaws.com`` call ``sts:AssumeRole``; which permissions
  API Gateway then tests the role for is not documented (AWS recommends the
  ``AmazonAPIGatewayPushToCloudWatchLogs`` policy), so they are not checked.
  Deleting the resource leaves the account setting as it is -- AWS keeps
  pointing at the role (aws-solutions/aws-waf-security-automations#213,
  aws/aws-cdk#12769). Ref and GetAtt ``Id``.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from moto.apigateway.models import apigateway_backends
from moto.core.common_models import CloudFormationModel
from moto.iam.access_control import PermissionResult

from ..policy import Principal, Request, evaluate_policy
from ..validation.errors import InvalidRequest
from ..validation.rules import handler_message
from ._base import PARTITION, Provider, ProviderError, as_bool, as_json_text
from .service_rules import refuse

_ROLE_REFUSED = (
    "The role ARN does not have required permissions configured. "
    "Please grant trust permission for API Gateway and add the required role policy."
)


def _backend(p: Provider) -> Any:
    return apigateway_backends[p.account_id][p.region_name]


def _api_call(call: Callable[[], Any]) -> Any:
    """Run a moto API Gateway call; its errors fail the resource with API
    Gateway's own code and message."""
    try:
        return call()
    except Exception as exc:
        code = getattr(exc, "error_type", None)
        if code is None:
            raise
        raise refuse(str(code), str(getattr(exc, "message", exc))) from exc


def _not_emulated(resource_type: str, props: dict[str, Any], names: tuple[str, ...]) -> None:
    present = [n for n in names if props.get(n) not in (None, "", [], {})]
    if present:
        raise ProviderError(f"not emulated: {resource_type} with {', '.join(present)}")


def _tags(props: dict[str, Any]) -> dict[str, str]:
    return {t["Key"]: str(t["Value"]) for t in props.get("Tags") or []}


def _endpoint_configuration(props: dict[str, Any]) -> dict[str, Any] | None:
    config = props.get("EndpointConfiguration")
    if not config:
        return None
    api: dict[str, Any] = {"types": list(config.get("Types") or ["EDGE"])}
    if config.get("VpcEndpointIds"):
        api["vpcEndpointIds"] = list(config["VpcEndpointIds"])
    return api


class RestApi(Provider, CloudFormationModel):
    TYPE = "AWS::ApiGateway::RestApi"
    ATTRIBUTES = ("RestApiId", "RootResourceId")

    def create(self, props: dict[str, Any]) -> str:
        _not_emulated(self.TYPE, props, ("Body", "BodyS3Location", "CloneFrom"))
        if not props.get("Name"):
            # Without Body, CreateRestApi needs a name; AWS's answer to a
            # template that gives neither is not documented.
            raise ProviderError(f"not emulated: {self.TYPE} without Name")
        api = _api_call(
            lambda: _backend(self).create_rest_api(
                name=props["Name"], description=props.get("Description") or "", tags=_tags(props) or None
            )
        )
        self.physical_id = api.id
        self._apply(api, props)
        self.attributes = {"RestApiId": api.id, "RootResourceId": api.root_resource_id}
        return str(api.id)

    def _apply(self, api: Any, props: dict[str, Any]) -> None:
        api.name = props["Name"]
        api.description = props.get("Description") or ""
        api.policy = as_json_text(props["Policy"]) if props.get("Policy") else None
        api.binaryMediaTypes = list(props.get("BinaryMediaTypes") or [])
        api.api_key_source = props.get("ApiKeySourceType") or "HEADER"
        api.minimum_compression_size = props.get("MinimumCompressionSize")
        api.disableExecuteApiEndpoint = as_bool(props.get("DisableExecuteApiEndpoint"))
        api.endpoint_configuration = _endpoint_configuration(props) or {"types": ["EDGE"]}
        api.tags = _tags(props)

    def update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        _not_emulated(self.TYPE, new, ("Body", "BodyS3Location", "CloneFrom"))
        self._apply(_backend(self).get_rest_api(self.physical_id), new)

    def delete_resource(self) -> None:
        with contextlib.suppress(KeyError):
            _backend(self).delete_rest_api(self.physical_id)


class Resource(Provider, CloudFormationModel):
    TYPE = "AWS::ApiGateway::Resource"
    ATTRIBUTES = ("ResourceId",)
    REPLACE_ON_UPDATE = True  # ParentId, PathPart, RestApiId are create-only

    def create(self, props: dict[str, Any]) -> str:
        api = _api_call(lambda: _backend(self).get_rest_api(props["RestApiId"]))
        if props["ParentId"] not in api.resources:
            raise refuse("NotFoundException", "Invalid Resource identifier specified")
        resource = _api_call(
            lambda: _backend(self).create_resource(props["RestApiId"], props["ParentId"], props["PathPart"])
        )
        self.attributes = {"ResourceId": resource.id}
        return str(resource.id)

    def delete_resource(self) -> None:
        with contextlib.suppress(Exception):  # the API (and so its resources) may be gone already
            _backend(self).delete_resource(self.properties["RestApiId"], self.physical_id)


def _put_integration(backend: Any, target: tuple[str, str, str], integration: dict[str, Any]) -> None:
    api_id, resource_id, http_method = target
    backend.put_integration(
        api_id,
        resource_id,
        http_method,
        integration_type=integration["Type"],
        uri=integration.get("Uri"),
        integration_method=integration.get("IntegrationHttpMethod"),
        credentials=integration.get("Credentials"),
        request_templates=integration.get("RequestTemplates"),
        passthrough_behavior=integration.get("PassthroughBehavior"),
        cache_namespace=integration.get("CacheNamespace"),
        timeout_in_millis=integration.get("TimeoutInMillis"),
        request_parameters=integration.get("RequestParameters"),
        content_handling=integration.get("ContentHandling"),
        connection_type=integration.get("ConnectionType"),
    )
    for response in integration.get("IntegrationResponses") or []:
        backend.put_integration_response(
            api_id,
            resource_id,
            http_method,
            str(response["StatusCode"]),
            response.get("SelectionPattern"),
            response.get("ResponseTemplates") or {},
            response.get("ResponseParameters") or {},
            response.get("ContentHandling"),
        )


class Method(Provider, CloudFormationModel):
    TYPE = "AWS::ApiGateway::Method"
    _IDENTITY = ("RestApiId", "ResourceId", "HttpMethod")  # create-only

    def create(self, props: dict[str, Any]) -> str:
        _api_call(lambda: self._put(props))
        return "|".join(str(props[k]) for k in self._IDENTITY)

    def _put(self, props: dict[str, Any]) -> None:
        backend = _backend(self)
        target = (props["RestApiId"], props["ResourceId"], props["HttpMethod"])
        backend.put_method(
            *target,
            authorization_type=props.get("AuthorizationType") or "NONE",
            api_key_required=as_bool(props.get("ApiKeyRequired")),
            request_parameters=props.get("RequestParameters"),
            request_models=props.get("RequestModels"),
            operation_name=props.get("OperationName"),
            authorizer_id=props.get("AuthorizerId"),
            authorization_scopes=props.get("AuthorizationScopes"),
            request_validator_id=props.get("RequestValidatorId"),
        )
        if props.get("Integration"):
            _put_integration(backend, target, props["Integration"])
        for response in props.get("MethodResponses") or []:
            backend.put_method_response(
                *target,
                str(response["StatusCode"]),
                response.get("ResponseModels") or {},
                response.get("ResponseParameters") or {},
            )

    def update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        if any(old.get(k) != new.get(k) for k in self._IDENTITY):
            self.delete_resource()
            self.physical_id = self.create(new)
            return
        self.delete_resource()  # PutMethod again: drops the old integration and responses
        _api_call(lambda: self._put(new))

    def delete_resource(self) -> None:
        with contextlib.suppress(Exception):  # the API or its resource may be gone already
            _backend(self).delete_method(*(self.properties[k] for k in self._IDENTITY))


class Deployment(Provider, CloudFormationModel):
    TYPE = "AWS::ApiGateway::Deployment"
    ATTRIBUTES = ("DeploymentId",)

    def create(self, props: dict[str, Any]) -> str:
        _not_emulated(self.TYPE, props, ("StageDescription", "DeploymentCanarySettings"))
        deployment = _api_call(
            lambda: _backend(self).create_deployment(
                props["RestApiId"], props.get("StageName"), props.get("Description") or ""
            )
        )
        self.attributes = {"DeploymentId": deployment.id}
        return str(deployment.id)

    def update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        _not_emulated(self.TYPE, new, ("StageDescription", "DeploymentCanarySettings"))
        if old.get("RestApiId") != new.get("RestApiId") or old.get("StageName") != new.get("StageName"):
            self.delete_resource()
            self.physical_id = self.create(new)
            return
        _backend(self).get_deployment(new["RestApiId"], self.physical_id).description = new.get("Description") or ""

    def delete_resource(self) -> None:
        backend, api_id = _backend(self), self.properties["RestApiId"]
        with contextlib.suppress(Exception):  # the API may be gone already
            if self.properties.get("StageName"):
                backend.delete_stage(api_id, self.properties["StageName"])
        with contextlib.suppress(Exception):
            backend.delete_deployment(api_id, self.physical_id)


def _stage_settings(stage: Any, props: dict[str, Any]) -> None:
    """The in-place properties of a stage, as GetStage shows them."""
    stage.deployment_id = props["DeploymentId"]
    stage.description = props.get("Description") or ""
    stage.variables = dict(props.get("Variables") or {})
    stage.tracing_enabled = as_bool(props.get("TracingEnabled"))
    stage.cache_cluster_enabled = as_bool(props.get("CacheClusterEnabled"))
    stage.cache_cluster_status = "AVAILABLE" if stage.cache_cluster_enabled else None
    stage.cache_cluster_size = str(props["CacheClusterSize"]) if props.get("CacheClusterSize") else None
    stage.tags = _tags(props) or None
    access_log = props.get("AccessLogSetting")
    stage.access_log_settings = (
        {"destinationArn": access_log.get("DestinationArn"), "format": access_log.get("Format")} if access_log else None
    )
    stage.method_settings = {_method_setting_key(s): _method_setting(s) for s in props.get("MethodSettings") or []}


def _method_setting_key(setting: dict[str, Any]) -> str:
    # GetStage keys method settings by "{resourcePath}/{httpMethod}"; CloudFormation's
    # "/*" resource path is the API's "*" (every resource).
    path = str(setting.get("ResourcePath") or "/*")
    path = "*" if path == "/*" else path.lstrip("/").replace("~1", "/")
    return f"{path}/{setting.get('HttpMethod') or '*'}"


def _method_setting(setting: dict[str, Any]) -> dict[str, Any]:
    names = {
        "MetricsEnabled": "metricsEnabled",
        "LoggingLevel": "loggingLevel",
        "DataTraceEnabled": "dataTraceEnabled",
        "ThrottlingBurstLimit": "throttlingBurstLimit",
        "ThrottlingRateLimit": "throttlingRateLimit",
        "CachingEnabled": "cachingEnabled",
        "CacheTtlInSeconds": "cacheTtlInSeconds",
        "CacheDataEncrypted": "cacheDataEncrypted",
    }
    return {api: setting[cfn] for cfn, api in names.items() if setting.get(cfn) is not None}


class Stage(Provider, CloudFormationModel):
    TYPE = "AWS::ApiGateway::Stage"
    _NOT_EMULATED = ("CanarySetting", "ClientCertificateId", "DocumentationVersion")

    def _check(self, props: dict[str, Any]) -> None:
        _not_emulated(self.TYPE, props, self._NOT_EMULATED)
        if not props.get("StageName"):
            raise ProviderError(f"not emulated: {self.TYPE} without StageName")
        if not props.get("DeploymentId"):
            # a handler-side check: the message carries no "(Service: ...)" part
            raise InvalidRequest(
                'Resource handler returned message: "DeploymentId cannot be empty" '
                f"(RequestToken: {uuid.uuid4()}, HandlerErrorCode: InvalidRequest)"
            )
        api = _api_call(lambda: _backend(self).get_rest_api(props["RestApiId"]))
        if props["DeploymentId"] not in api.deployments:
            raise refuse("BadRequestException", "Deployment id does not exist")

    def create(self, props: dict[str, Any]) -> str:
        self._check(props)
        stage = _api_call(
            lambda: _backend(self).create_stage(props["RestApiId"], props["StageName"], props["DeploymentId"])
        )
        _stage_settings(stage, props)
        return str(props["StageName"])

    def update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        if old.get("RestApiId") != new.get("RestApiId") or old.get("StageName") != new.get("StageName"):
            self.delete_resource()
            self.physical_id = self.create(new)
            return
        self._check(new)
        _stage_settings(_backend(self).get_stage(new["RestApiId"], new["StageName"]), new)

    def delete_resource(self) -> None:
        with contextlib.suppress(Exception):  # the API may be gone already
            _backend(self).delete_stage(self.properties["RestApiId"], self.physical_id)


def _trust_policy(role: Any) -> Any:
    trust = role.assume_role_policy_document
    if not isinstance(trust, str):
        return trust
    try:
        return json.loads(trust)
    except ValueError:
        return json.loads(unquote(trust))  # IAM keeps documents URL-encoded


def _trusts_api_gateway(account_id: str, role_arn: str) -> bool:
    from moto.iam.models import iam_backends

    try:
        role = iam_backends[account_id][PARTITION].get_role_by_arn(role_arn)
    except Exception:
        return False  # no such role: API Gateway cannot assume it either
    # A trust policy names no Resource: the role itself is the resource
    # (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html).
    trust = dict(_trust_policy(role) or {})
    statements = trust.get("Statement") or []
    statements = statements if isinstance(statements, list) else [statements]
    trust["Statement"] = [
        s if "Resource" in s or "NotResource" in s else {**s, "Resource": role_arn} for s in statements
    ]
    request = Request(Principal.service("apigateway.amazonaws.com"), "sts:AssumeRole", role_arn)
    return evaluate_policy(trust, request).result is PermissionResult.PERMITTED


class Account(Provider, CloudFormationModel):
    TYPE = "AWS::ApiGateway::Account"
    ATTRIBUTES = ("Id",)

    def create(self, props: dict[str, Any]) -> str:
        self._set_role(props)
        account_id = self.generated_name()
        self.attributes = {"Id": account_id}
        return account_id

    def _set_role(self, props: dict[str, Any]) -> None:
        role_arn = props.get("CloudWatchRoleArn")
        if role_arn and not _trusts_api_gateway(self.account_id, str(role_arn)):
            raise InvalidRequest(handler_message("ApiGateway", _ROLE_REFUSED))
        _backend(self).account.cloudwatch_role_arn = role_arn or None

    def update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        self._set_role(new)

    def delete_resource(self) -> None:
        # AWS leaves the account's CloudWatch role as it was (module docstring).
        return None
