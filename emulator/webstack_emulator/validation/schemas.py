"""The CloudFormation resource schemas cfn-lint 1.58.0 ships (one set per
region: the registry schemas CloudFormation publishes, plus cfn-lint's
patches), read through cfn-lint's own schema manager and JSON-schema
validator (``cfnlint.jsonschema.CfnTemplateValidator``, the validator its
rule E3002 "Resource properties are invalid" runs on a resource's
Properties).

Intrinsic functions the emulator has not resolved are skipped the way
cfn-lint skips them (non-strict types, ``Ref``/``Fn::*`` as unknown), and so
are dynamic references (``{{resolve:...}}``).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from cfnlint.helpers import FUNCTIONS
from cfnlint.jsonschema import CfnTemplateValidator
from cfnlint.jsonschema._filter import FunctionFilter
from cfnlint.schema.manager import PROVIDER_SCHEMA_MANAGER
from cfnlint.schema.resolver import RefResolver
from cfnlint.template import Template

from . import messages

# Schemas are per region; a region cfn-lint does not know is read as us-east-1.
_FALLBACK_REGION = "us-east-1"


@functools.cache
def _schema_region(region: str) -> str:
    try:
        PROVIDER_SCHEMA_MANAGER.get_resource_types(region)
    except Exception:
        return _FALLBACK_REGION
    return region


@functools.cache
def known_types(region: str) -> frozenset[str]:
    """The resource types CloudFormation has in ``region``. cfn-lint lists
    the SAM types too; those exist only through the ``AWS::Serverless``
    transform (a template without it gets "Unrecognized resource types")."""
    types = PROVIDER_SCHEMA_MANAGER.get_resource_types(_schema_region(region))
    return frozenset(t for t in types if not t.startswith("AWS::Serverless::"))


@functools.cache
def type_attributes(resource_type: str, region: str) -> list[str] | None:
    """The ``Fn::GetAtt`` attributes of the type, as regular expressions
    (cfn-lint derives them from the schema's ``readOnlyProperties`` and the
    attributes CloudFormation documents); ``None`` for a type without a schema."""
    try:
        return list(PROVIDER_SCHEMA_MANAGER.get_type_getatts(resource_type, _schema_region(region)).keys())
    except Exception:
        return None


@functools.cache
def _base_validator(region: str) -> Any:
    # An empty template: the context only has to know the intrinsic
    # functions; what the emulator knows (parameters, conditions) is already
    # resolved in the properties it validates.
    cfn = Template("", {"Resources": {}}, regions=[region])
    return CfnTemplateValidator({}).evolve(
        cfn=cfn,
        context=cfn.context.evolve(functions=list(FUNCTIONS), strict_types=False, regions=[region]),
        function_filter=FunctionFilter(add_cfn_lint_keyword=False),
    )


def _validator(resource_type: str, region: str) -> Any | None:
    schema_region = _schema_region(region)
    try:
        schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema(schema_region, resource_type).schema
    except Exception:
        return None
    return _base_validator(schema_region).evolve(schema=schema, resolver=RefResolver.from_schema(schema))


def violations(resource_type: str, properties: Mapping[str, Any], region: str) -> list[tuple[str, str]]:
    """``[(keyword, CloudFormation's text)]`` for the properties, in the
    order found, without duplicates; keywords cfn-lint checks that AWS's
    validator does not (``format``, cfn-lint's ``cfnLint`` hooks) are left out."""
    validator = _validator(resource_type, region)
    if validator is None:
        return []
    found: dict[str, str] = {}
    for error in validator.iter_errors(dict(properties)):
        if getattr(error, "unknown", False) or error.validator not in messages.ENFORCED:
            continue
        found.setdefault(messages.describe(list(error.path), error), error.validator)
    return [(keyword, text) for text, keyword in found.items()]


@functools.cache
def create_only_properties(resource_type: str, region: str) -> tuple[tuple[str, ...], ...]:
    """The schema's ``createOnlyProperties`` as paths below ``Properties``
    (``/properties/A/*/B`` -> ``("A", "*", "B")``): "a property that can only
    be specified at creation; changing it requires replacement"
    (https://docs.aws.amazon.com/cloudformation-cli/latest/userguide/resource-type-schema.html).
    ``()`` for a type without a schema."""
    try:
        schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema(_schema_region(region), resource_type).schema
    except Exception:
        return ()
    prefix = "/properties/"
    return tuple(
        tuple(p.removeprefix(prefix).split("/")) for p in schema.get("createOnlyProperties", []) if p.startswith(prefix)
    )
