"""Deployment pitfalls of AWS CDK apps as a CDK policy-validation plugin.

    from aws_cdk import Validations
    from webstack_pitfalls import PitfallChecks

    Validations.of(app).add_plugins(PitfallChecks())

Modules: :mod:`.rules` (one module per AWS service, assembled into
``RULES``), :mod:`.template` (:class:`TemplateView`, what a rule sees),
:mod:`.pack` (the plugin), :mod:`.report` (findings of an app across packs,
the rule catalogue), :mod:`.aws` (AWS facts defined once), :mod:`.pins`
(a stack's pinned stateful logical ids, pitfall D14). See README.md in
this package.
"""

from .aws import ACKNOWLEDGED_RULES_METADATA_KEY, CLOUDFRONT_REGION, PINNED_STATEFUL_IDS_METADATA_KEY
from .pack import PLUGIN_NAME, PitfallChecks, RawFinding
from .pins import STATEFUL_TYPES, pin_stateful_ids
from .report import Finding, default_packs, findings, rule_catalog, rules_markdown
from .rules import RULES, Hit, Rule
from .template import TemplateView

__all__ = [
    "ACKNOWLEDGED_RULES_METADATA_KEY",
    "CLOUDFRONT_REGION",
    "PINNED_STATEFUL_IDS_METADATA_KEY",
    "PLUGIN_NAME",
    "RULES",
    "STATEFUL_TYPES",
    "Finding",
    "Hit",
    "PitfallChecks",
    "RawFinding",
    "Rule",
    "TemplateView",
    "default_packs",
    "findings",
    "pin_stateful_ids",
    "rule_catalog",
    "rules_markdown",
]
