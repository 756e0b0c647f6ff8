"""Fix 03: ``Custom::`` resources served natively.

moto: every ``Custom::*`` type goes to its ``CustomModel``, which invokes the
ServiceToken Lambda (needs Docker) and then waits for a callback that never
comes.

AWS: CloudFormation sends the request to the ServiceToken and the handler
answers with the resource's id and data
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-custom-resources.html).

Fix: types registered in :data:`registry.CUSTOM_TYPES` (CDK's handlers,
``providers.cdk_custom``) are served by a native provider with the same
observable effect; unknown ``Custom::`` types keep moto's behaviour.
"""

from __future__ import annotations

import functools
from typing import Any

from moto.cloudformation import parsing

from ._guard import replace, require_pinned_moto
from .registry import CUSTOM_TYPES


def _route_custom(original: Any) -> Any:
    @functools.wraps(original)
    def resource_class_from_type(resource_type: str) -> Any:
        if resource_type in CUSTOM_TYPES:
            return CUSTOM_TYPES[resource_type]
        return original(resource_type)

    return resource_class_from_type


def install() -> None:
    require_pinned_moto(__name__)
    replace(parsing, "resource_class_from_type", _route_custom(parsing.resource_class_from_type))
