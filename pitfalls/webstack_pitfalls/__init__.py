"""Project rules (deployment pitfalls) as a CDK policy-validation plugin.

    from aws_cdk import Validations
    from webstack_pitfalls import PitfallChecks

    Validations.of(app).add_plugins(PitfallChecks())

See README.md in this package.
"""

from .aws import ACKNOWLEDGED_RULES_METADATA_KEY, CLOUDFRONT_REGION
from .pack import PLUGIN_NAME, PitfallChecks, RawFinding
from .report import Finding, default_packs, findings, rule_catalog, rules_markdown
from .rules import RULES, Hit, Rule

__all__ = [
    "ACKNOWLEDGED_RULES_METADATA_KEY",
    "CLOUDFRONT_REGION",
    "PLUGIN_NAME",
    "RULES",
    "Finding",
    "Hit",
    "PitfallChecks",
    "RawFinding",
    "Rule",
    "default_packs",
    "findings",
    "rule_catalog",
    "rules_markdown",
]
