"""Template validation as CloudFormation does it, for the emulator.

Two moments, as in CloudFormation:

* when a change set or a stack is created (CreateChangeSet, CreateStack,
  UpdateStack): the template's format -- resource types, references,
  ``Fn::GetAtt`` attributes, dependency cycles
  (:func:`check_template`, :mod:`.template_format`); a problem is the
  call's ``ValidationError`` and nothing is created;
* when a resource is created or updated: its properties against the type's
  schema and the handlers' own rules (:func:`check_resource`,
  :mod:`.resources`); a problem fails that resource and the stack rolls
  back with the reason in its events.

The engine applies both (``engine.fix_17_template_validation``).
"""

from __future__ import annotations

from .errors import InvalidRequest, PropertiesValidationFailed, TemplateInvalid
from .resources import ResourceContext, check_resource
from .rules import RuleContext
from .template_format import check_template

__all__ = [
    "InvalidRequest",
    "PropertiesValidationFailed",
    "ResourceContext",
    "RuleContext",
    "TemplateInvalid",
    "check_resource",
    "check_template",
]
