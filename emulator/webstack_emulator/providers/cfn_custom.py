"""A template's own custom resources (``AWS::CloudFormation::CustomResource``
and any ``Custom::<Name>`` that no native provider serves) fail loudly.

AWS: CloudFormation sends a Create/Update/Delete request to the
``ServiceToken`` (a Lambda function or an SNS topic) and waits for the
handler to answer on a pre-signed S3 URL
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-custom-resources.html).

moto: ``AWS::CloudFormation::CustomResource`` is not in its type map, so the
resource is silently skipped (a later ``GetAtt`` fails with "references
undefined resource"); ``Custom::*`` goes to ``CustomModel``, which starts the
Lambda in Docker on a thread and leaves the stack ``CREATE_IN_PROGRESS``
forever when there is no Docker -- the handler never answers.

Here: CDK's own handlers are emulated natively (``providers.cdk_custom``
registers them in ``engine.registry.CUSTOM_TYPES``, which the engine consults
first); every other custom resource fails at create with ``not emulated:
custom resource backed by <function>: the local emulator cannot run
arbitrary Lambda code``, naming the function's runtime and where its code
lives. Running a user's inline ``ZipFile`` Python handler in-process was
considered and rejected: it is neither safe nor bounded. The handler would
run with the emulator process's environment and credentials (a handler's
boto3 client in a ``serve`` process without ``AWS_ENDPOINT_URL`` would reach
real AWS), could not be stopped when it loops or waits (Python cannot kill a
thread), would call back into the server that is in the middle of serving
the stack operation, and would need Lambda's runtime contract (the
``cfnresponse`` module, a context object, the response URL) to be faked. A
silent success would tell the user their handler works when it never ran.
"""

from __future__ import annotations

import functools
from typing import Any

from moto.awslambda.utils import get_backend
from moto.cloudformation import parsing
from moto.core.common_models import CloudFormationModel

from ..engine import replace, require_pinned_moto
from ..engine.registry import CUSTOM_TYPES
from ._base import Provider, ProviderError

CUSTOM_PREFIX = "Custom::"


def describe_service_token(token: str, account_id: str, region_name: str) -> str:
    """``<token> (<runtime>, <where the code is>)`` for a Lambda the emulator
    knows; the token itself otherwise (an SNS topic, a missing function)."""
    if ":lambda:" not in token and ":sns:" in token:
        return f"SNS topic {token}"
    try:
        fn = get_backend(account_id, region_name).get_function(token)
    except Exception:
        return token
    code = fn.code or {}
    if code.get("ZipFile"):
        where = "inline ZipFile code"
    elif code.get("S3Bucket"):
        where = f"code s3://{code['S3Bucket']}/{code.get('S3Key', '')}"
    elif code.get("ImageUri"):
        where = f"image {code['ImageUri']}"
    else:
        where = "code"
    return f"{fn.function_arn} ({fn.run_time or 'container image'}, {where})"


class UserCustomResource(Provider, CloudFormationModel):
    TYPE = "AWS::CloudFormation::CustomResource"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return True  # any key of the handler's Data; never reached: create fails

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Provider:
        props = cloudformation_json.get("Properties") or {}
        token = str(props.get("ServiceToken") or "")
        if not token:
            # CloudFormation's validation of the one required property.
            raise ProviderError("Property ServiceToken cannot be empty.")
        backed_by = describe_service_token(token, account_id, region_name)
        resource_type = kwargs.get("ResourceType") or cls.TYPE
        raise ProviderError(
            f"not emulated: custom resource backed by {backed_by}: the local emulator cannot run arbitrary "
            f"Lambda code ({resource_type} {kwargs.get('LogicalId', resource_name)})"
        )

    def create(self, props: dict[str, Any]) -> str:
        raise ProviderError("not emulated: custom resource")

    def delete_resource(self) -> None:
        return None


def _route_user_custom(original: Any) -> Any:
    @functools.wraps(original)
    def resource_class_from_type(resource_type: str) -> Any:
        if resource_type.startswith(CUSTOM_PREFIX) and resource_type not in CUSTOM_TYPES:
            return UserCustomResource
        return original(resource_type)

    return resource_class_from_type


def install() -> None:
    """Route unregistered ``Custom::`` types here instead of moto's
    Docker-backed ``CustomModel`` (the engine's fix 03 wraps this and still
    serves :data:`CUSTOM_TYPES` first)."""
    require_pinned_moto(__name__)
    replace(parsing, "resource_class_from_type", _route_user_custom(parsing.resource_class_from_type))
