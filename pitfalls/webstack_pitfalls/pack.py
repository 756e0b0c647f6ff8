"""``PitfallChecks``: the webstack pitfall rules as a CDK policy-validation plugin.

Why a plugin and not a ``cdk_nag.NagPack`` subclass: in cdk-nag 3.x a NagPack
*is* an ``IPolicyValidationPlugin`` whose rules get one ``CfnResource`` at a
time. Subclassing it from Python works, but the pitfalls are mostly about
*relations* (launch template -> key policy, alarm -> topic -> key, origin ->
bucket -> key), stack region, Parameters and Outputs, and must see property
overrides; all of that is in the synthesized template, which is exactly what
CDK hands a validation plugin. So this class implements
``IPolicyValidationPlugin`` directly and copies cdk-nag's conventions:

* rule ids ``Webstack-<name>``, finding ids ``Webstack-<name>[<finding>]``
  (``Webstack-AsgEbsKeyUsableByAutoScaling[KeyPolicy]``); the pitfall id
  (``D1``) is ``Rule.pitfall`` and is in the description;
* ``Validations.of(construct).acknowledge(id=..., reason=...)`` on the
  resource or any ancestor (stack, stage, app) suppresses exactly that id;
  the namespaced form ``WebstackPitfalls::Webstack-BucketNameGenerated``
  works as well (that one is also honoured by CDK core itself);
* ``validate_scope(scope)`` for tests, returning the same
  ``PolicyValidationPluginReport`` as ``NagPack.validate_scope``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import aws_cdk as cdk
import jsii
from constructs import IConstruct

from .aws import ACKNOWLEDGED_RULES_METADATA_KEY
from .rules import RULES, Rule
from .template import TemplateView

PLUGIN_NAME = "WebstackPitfalls"
# 2.0.0: rule ids name what they check (Webstack-BucketNameGenerated), not the pitfall (Webstack-D8).
PLUGIN_VERSION = "2.0.0"
_ACK_KEY = ACKNOWLEDGED_RULES_METADATA_KEY
# acknowledge() stores ids as "Annotation::<id>" (aws-cdk-lib >= 2.262.1) or
# "annotation::<id>"; a user may also name our namespace explicitly.
_ACK_PREFIX = re.compile(rf"^(annotation|{PLUGIN_NAME})::", re.IGNORECASE)


@dataclass(frozen=True)
class RawFinding:
    rule: Rule
    rule_id: str
    """``Webstack-BucketNameGenerated`` or ``Webstack-PrefixListSecurityGroupOnePortNotOpen[OpenIngress]``."""
    construct_path: str
    logical_id: str
    template_path: str
    location: str


class _Acknowledgements:
    """Acknowledged rule ids per construct path, read from the construct tree."""

    def __init__(self, root: IConstruct) -> None:
        self._root = root
        self._nodes: dict[str, IConstruct | None] = {"": root}
        self._ids: dict[str, frozenset[str]] = {}

    def _node(self, path: str) -> IConstruct | None:
        if path in self._nodes:
            return self._nodes[path]
        parent_path, _, child = path.rpartition("/")
        parent = self._node(parent_path)
        node = parent.node.try_find_child(child) if parent is not None else None
        self._nodes[path] = node
        return node

    def _here(self, path: str) -> frozenset[str]:
        if path not in self._ids:
            ids: set[str] = set()
            node = self._node(path)
            for entry in node.node.metadata if node is not None else []:
                if entry.type == _ACK_KEY and isinstance(entry.data, dict):
                    ids.update(_ACK_PREFIX.sub("", k) for k in entry.data)
            self._ids[path] = frozenset(ids)
        return self._ids[path]

    def covers(self, path: str, rule_id: str) -> bool:
        """``rule_id`` is acknowledged on the construct at ``path`` or on one of its ancestors."""
        parts = path.split("/") if path else []
        return any(rule_id in self._here("/".join(parts[:i])) for i in range(len(parts), -1, -1))


@jsii.implements(cdk.IPolicyValidationPlugin)
class PitfallChecks:
    """Webstack deployment-pitfall rules (pitfalls D1..D12, F2, F5..F7; see :mod:`webstack_pitfalls.rules`).

    Attach to an app with ``Validations.of(app).add_plugins(PitfallChecks())``;
    ``rules`` runs a subset (or your own :class:`~webstack_pitfalls.rules.base.Rule` s).
    """

    def __init__(self, *, verbose: bool = True, rules: Sequence[Rule] = RULES) -> None:
        self._verbose = verbose
        self._rules = tuple(rules)

    # -- IPolicyValidationPlugin -----------------------------------------

    @property
    def name(self) -> str:
        return PLUGIN_NAME

    @property
    def version(self) -> str:
        return PLUGIN_VERSION

    @property
    def rule_ids(self) -> list[str]:
        return [r.id for r in self._rules]

    def validate(self, context: cdk.IPolicyValidationContext) -> cdk.PolicyValidationPluginReport:
        stacks = [
            TemplateView.load(
                stack_path=s.stack_construct_path,
                template_path=s.template_path,
                region=s.region,
                account=s.account_id,
            )
            for s in context.stack_templates
        ]
        return self._report(self.evaluate(context.app_construct, stacks))

    # -- direct use --------------------------------------------------------

    def validate_scope(self, scope: IConstruct) -> cdk.PolicyValidationPluginReport:
        """Check the stacks under ``scope`` (synthesizing its app if needed).

        The app must synthesize: if this plugin (or another failing one) is
        registered on it with ``add_plugins``, synthesis raises instead; build
        test apps without plugins, or with context
        ``@aws-cdk/core:failSynthOnValidationErrors: false``.
        """
        return self._report(self.findings(scope))

    def findings(self, scope: IConstruct) -> list[RawFinding]:
        root = scope.node.root
        scope_path = scope.node.path
        assembly = root.synth()  # type: ignore[attr-defined]  # App/Stage; cached after the first call
        stacks = []
        for artifact in assembly.stacks_recursively:
            path = artifact.hierarchical_id
            if scope_path and not (_under(path, scope_path) or _under(scope_path, path)):
                continue
            env = artifact.environment
            stacks.append(
                TemplateView.load(
                    stack_path=path,
                    template_path=artifact.template_full_path,
                    region=env.region,
                    account=env.account,
                )
            )
        return [f for f in self.evaluate(root, stacks) if _under(f.construct_path, scope_path)]

    def evaluate(self, root: IConstruct, stacks: Iterable[TemplateView]) -> list[RawFinding]:
        acks = _Acknowledgements(root)
        out: list[RawFinding] = []
        for st in stacks:
            for rule in self._rules:
                for hit in rule.check(st):
                    rule_id = rule.finding_id(hit)
                    path = st.logical_to_path.get(hit.logical_id, f"{st.stack_path}/{hit.logical_id}")
                    if acks.covers(path, rule_id):
                        continue
                    out.append(RawFinding(rule, rule_id, path, hit.logical_id, st.template_path, hit.location))
        return out

    # -- report ----------------------------------------------------------

    def _report(self, findings: list[RawFinding]) -> cdk.PolicyValidationPluginReport:
        grouped: dict[str, list[RawFinding]] = {}
        for f in findings:
            grouped.setdefault(f.rule_id, []).append(f)
        violations = []
        for rule_id, items in grouped.items():
            rule = items[0].rule
            violations.append(
                cdk.PolicyViolation(
                    rule_name=rule_id,
                    description=_description(rule, verbose=self._verbose),
                    fix=rule.link,
                    severity=rule.level,
                    violating_resources=[
                        cdk.PolicyViolatingResource(
                            locations=[f.location],
                            construct_path=f.construct_path,
                            resource_logical_id=f.logical_id,
                            template_path=f.template_path,
                        )
                        for f in items
                    ],
                )
            )
        return cdk.PolicyValidationPluginReport(
            success=not any(f.rule.level == "error" for f in findings),
            violations=violations,
            plugin_version=PLUGIN_VERSION,
        )


def _description(rule: Rule, *, verbose: bool) -> str:
    text = f"{rule.info} Fix: {rule.explanation}" if verbose else rule.info
    return f"[pitfall {rule.pitfall}] {text}"


def _under(path: str, scope_path: str) -> bool:
    return not scope_path or path == scope_path or path.startswith(scope_path + "/")
