"""Fix 17: templates are validated the way CloudFormation validates them.

moto: validates nothing. An unknown resource type is skipped with a log
warning (the stack completes without it), so is a real type moto cannot
create; a ``Ref`` to an undefined name fails the resource with
``KeyError``, a dependency cycle deploys, and every property value is
accepted (a log group retaining 8 days, an alarm with both ``Metrics`` and
``MetricName``, an ALB in one subnet, an Auto Scaling group whose MinSize
exceeds its MaxSize).

AWS: CreateChangeSet, CreateStack and UpdateStack refuse a template whose
format is wrong with a ``ValidationError`` (unrecognized types, unresolved
references, unsupported ``Fn::GetAtt`` attributes, circular dependencies)
before anything is created; a resource whose properties violate its type's
schema, or that its handler refuses, fails when CloudFormation comes to it,
and the stack rolls back with the reason in its events
(https://repost.aws/knowledge-center/cloudformation-template-validation,
https://repost.aws/knowledge-center/cloudformation-resolve-model-val-failed,
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/troubleshooting.html).

Fix: ``CloudFormationBackend.create_change_set``, ``create_stack`` and
``update_stack`` run :func:`validation.check_template` first (a real type
neither moto nor our providers create is refused too, saying so), and
``parsing.parse_and_create_resource`` / ``parse_and_update_resource`` run
:func:`validation.check_resource` before the resource is touched; its
failure is a :class:`failures.ResourceFailed`, reported like any other
(fixes 09, 10).
"""

from __future__ import annotations

import copy
import functools
import inspect
from typing import Any

from moto.cloudformation import models as cfn_models
from moto.cloudformation import parsing
from moto.ec2.models import ec2_backends

from ..validation import (
    InvalidRequest,
    PropertiesValidationFailed,
    ResourceContext,
    RuleContext,
    check_resource,
    check_template,
)
from ._guard import replace, require_pinned_moto
from .failures import ResourceFailed


def _parsed(template: Any) -> dict[str, Any] | None:
    """The template as moto reads it (JSON or YAML with the short-form
    tags); ``None`` when moto itself will refuse it."""
    if isinstance(template, dict):
        return template
    if not isinstance(template, str) or not template.strip():
        return None
    try:
        parsed = cfn_models.Stack.parse_template(template)
    except Exception:
        return None
    return parsed if isinstance(parsed, dict) else None


def _validating(original: Any) -> Any:
    signature = inspect.signature(original)

    @functools.wraps(original)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        template = _parsed(signature.bind(self, *args, **kwargs).arguments.get("template"))
        if template is not None:
            check_template(template, self.region_name)
        return original(self, *args, **kwargs)

    return wrapper


def _condition(resources_map: Any) -> Any:
    def value(name: str) -> bool | None:
        try:
            return bool(resources_map.lazy_condition_map[name])
        except Exception:
            return None

    return value


def _subnet_zone(account_id: str, region_name: str) -> Any:
    def zone(subnet_id: str) -> str | None:
        try:
            return str(ec2_backends[account_id][region_name].get_subnet(subnet_id).availability_zone)
        except Exception:
            return None

    return zone


def _context(resources_map: Any, account_id: str, region_name: str) -> ResourceContext:
    return ResourceContext(
        region=region_name,
        parameters=dict(getattr(resources_map, "resolved_parameters", {}) or {}),
        condition=_condition(resources_map),
        rules=RuleContext(
            resolve=lambda value: parsing.clean_json(copy.deepcopy(value), resources_map),
            subnet_zone=_subnet_zone(account_id, region_name),
        ),
    )


def _checking_properties(original: Any) -> Any:
    @functools.wraps(original)
    def wrapper(
        logical_id: str, resource_json: dict[str, Any], resources_map: Any, account_id: str, region_name: str
    ) -> Any:
        context = _context(resources_map, account_id, region_name)
        condition = resource_json.get("Condition")
        if not (isinstance(condition, str) and context.condition(condition) is False):
            try:
                check_resource(logical_id, resource_json, context)
            except (PropertiesValidationFailed, InvalidRequest) as exc:
                raise ResourceFailed(logical_id, str(resource_json.get("Type", "?")), exc) from exc
        return original(logical_id, resource_json, resources_map, account_id, region_name)

    return wrapper


def install() -> None:
    require_pinned_moto(__name__)
    backend = cfn_models.CloudFormationBackend
    for name in ("create_change_set", "create_stack", "update_stack"):
        replace(backend, name, _validating(getattr(backend, name)))
    for name in ("parse_and_create_resource", "parse_and_update_resource"):
        replace(parsing, name, _checking_properties(getattr(parsing, name)))
