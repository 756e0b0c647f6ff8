"""Any resource: stateful logical ids the stack pinned (D14), placeholders and secrets written in code (F2),
context the app did not have (F5)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..aws import PINNED_STATEFUL_IDS_METADATA_KEY
from ..pins import STATEFUL_TYPES
from ..template import TemplateView, is_literal, iter_strings
from .base import Hit, Rule

# ---------------------------------------------------------------------------
# D14 stateful logical-id churn


def _pinned(view: TemplateView) -> dict[str, set[str]] | None:
    """The stack's declared pins (type -> logical ids), or None when it declares none."""
    declared = (view.template.get("Metadata") or {}).get(PINNED_STATEFUL_IDS_METADATA_KEY)
    if not isinstance(declared, dict):
        return None
    return {str(t): {str(i) for i in ids or []} for t, ids in declared.items()}


def check_stateful_logical_id_pinned(view: TemplateView) -> Iterator[Hit]:
    pinned = _pinned(view)
    if pinned is None:
        return
    checked = STATEFUL_TYPES | set(pinned)
    for lid in sorted(view.resources):
        rtype = view.type_of(lid)
        if rtype in checked and lid not in pinned.get(rtype, set()):
            yield Hit(lid, None, "Type")


STATEFUL_LOGICAL_ID_PINNED = Rule(
    name="StatefulLogicalIdPinned",
    pitfall="D14",
    info="A stateful resource (bucket, key, secret, log group, load balancer, database, table, or a type the stack "
    f"pins) has a logical id the stack does not pin in its {PINNED_STATEFUL_IDS_METADATA_KEY} metadata: a renamed "
    "construct, so CloudFormation replaces the deployed resource with a new, empty one and deletes (or, retained, "
    "orphans) the old one with its data.",
    explanation="Rename the construct back (the logical id comes from the construct path). If the replacement is "
    "intended, pin the new id (webstack: webstack/stateful_ids.py) and follow the runbook's 'Replace a stateful "
    "resource on purpose' (make plan's plan-allow.toml, make up ALLOW_REPLACE=<id>).",
    link="https://docs.aws.amazon.com/cdk/v2/guide/identifiers.html",
    check=check_stateful_logical_id_pinned,
)

# ---------------------------------------------------------------------------
# F2 placeholders and written secrets

_PLACEHOLDERS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(?<![a-z0-9-])(?:[a-z0-9-]+\.)*example\.(com|org|net)\b", re.I), "example.{0}"),
    (re.compile(r"placeholder", re.I), "placeholder"),
    (re.compile(r"change[-_ ]?me\b", re.I), "changeme"),
    (re.compile(r"replace[-_ ]?me\b", re.I), "replaceme"),
    (re.compile(r"password123", re.I), "password123"),
    (re.compile(r"your[-_]?(domain|email|account)", re.I), "your-{0}"),
]
# Free text and inline code are not configuration values.
_FREE_TEXT_KEYS = {"Description", "ZipFile"}
_SECRET = "AWS::SecretsManager::Secret"
_LITERAL_SECRET_KEYS = ("MasterUserPassword", "Password", "AuthToken")


def _placeholders(props: dict[str, Any]) -> dict[str, str]:
    """Finding (``example.com``, ``changeme``...) -> location of its first occurrence."""
    found: dict[str, str] = {}
    for path, text in iter_strings(props):
        if _FREE_TEXT_KEYS.intersection(path):
            continue
        for pattern, label in _PLACEHOLDERS:
            m = pattern.search(text)
            if m:
                finding = label.format(*(g.lower() for g in m.groups() if g))
                found.setdefault(finding, "Properties/" + "/".join(path))
    return found


def _written_secrets(resource_type: str | None, props: dict[str, Any]) -> Iterator[str]:
    """Property names that hold a secret written in code."""
    if resource_type == _SECRET:
        if "SecretString" in props and is_literal(props["SecretString"]):
            yield "SecretString"
        return
    for key in _LITERAL_SECRET_KEYS:
        value = props.get(key)
        if isinstance(value, str) and value and is_literal(value):
            yield key


def check_no_placeholder_or_literal_secret(view: TemplateView) -> Iterator[Hit]:
    for lid, res in view.resources.items():
        props = res.get("Properties") or {}
        for finding, loc in sorted(_placeholders(props).items()):
            yield Hit(lid, finding, loc)
        for key in _written_secrets(view.type_of(lid), props):
            yield Hit(lid, key, f"Properties/{key}")


NO_PLACEHOLDER_OR_LITERAL_SECRET = Rule(
    name="NoPlaceholderOrLiteralSecret",
    pitfall="F2",
    info="A resource property holds a placeholder ([example.com], [placeholder], [changeme], ...) or a secret "
    "written in code ([SecretString], [MasterUserPassword], ...).",
    explanation="Take user-supplied values (domains, e-mail addresses) from validated config, and generate secrets "
    "(Secret generate_secret_string) instead of writing them.",
    link="https://docs.aws.amazon.com/secretsmanager/latest/userguide/create_secret.html",
    check=check_no_placeholder_or_literal_secret,
)


# ---------------------------------------------------------------------------
# F5 context assumed

_AZ_KEYS = {"AvailabilityZone", "AvailabilityZones"}


def _az_values(value: Any, under_az: bool = False) -> Iterator[str]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _az_values(v, under_az or k in _AZ_KEYS)
    elif isinstance(value, list):
        for v in value:
            yield from _az_values(v, under_az)
    elif isinstance(value, str) and under_az:
        yield value


def _unresolved_context(props: dict[str, Any]) -> set[str]:
    # CDK's fallbacks when a lookup or the env is missing: dummy1a AZs, unknown-account/region, Token strings.
    found = {az for az in _az_values(props) if az.lower().startswith("dummy")}
    for _, text in iter_strings(props):
        if "${Token[" in text:
            found.add("UnresolvedToken")
        if "unknown-account" in text or "unknown-region" in text:
            found.add("UnknownEnv")
    return found


def check_context_resolved_at_synth(view: TemplateView) -> Iterator[Hit]:
    for lid, res in view.resources.items():
        for finding in sorted(_unresolved_context(res.get("Properties") or {})):
            yield Hit(lid, finding)


CONTEXT_RESOLVED_AT_SYNTH = Rule(
    name="ContextResolvedAtSynth",
    pitfall="F5",
    info="The template depends on a context the app did not have: dummy availability zones ([dummy1a]), "
    "unresolved tokens ([UnresolvedToken]) or unknown account/region ([UnknownEnv]).",
    explanation="Give the stack a concrete env and take availability zones from config or a committed "
    "cdk.context.json.",
    link="https://docs.aws.amazon.com/cdk/v2/guide/context.html",
    check=check_context_resolved_at_synth,
)
