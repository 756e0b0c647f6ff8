"""Helpers for the pitfall-rule tests.

Synthesis dominates the cost of these tests, so each test module registers its
cases in a :class:`CaseBook` and synthesizes them as *one* app with one stack
per case (a module-scoped fixture). Stacks do not share anything and every rule
is evaluated per stack, so a case still sees only its own resources.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import aws_cdk as cdk
import pytest
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins

from webstack_pitfalls import ACKNOWLEDGED_RULES_METADATA_KEY, Finding, PitfallChecks, findings

ACCOUNT = "123456789012"
Builder = Callable[[cdk.Stack], None]


@dataclass(frozen=True)
class Case:
    name: str
    build: Builder
    region: str | None


class CaseBook:
    def __init__(self) -> None:
        self.cases: dict[str, Case] = {}

    def case(self, name: str, region: str | None = "eu-west-1") -> Callable[[Builder], Builder]:
        """Register ``fn(stack)`` as a case; ``region=None`` makes the stack env-agnostic."""

        def register(fn: Builder) -> Builder:
            assert name not in self.cases, f"duplicate case {name}"
            self.cases[name] = Case(name, fn, region)
            return fn

        return register

    def run(self) -> Fired:
        app = cdk.App(context={"aws:cdk:bundling-stacks": []})
        for case in self.cases.values():
            env = cdk.Environment(account=ACCOUNT, region=case.region) if case.region else None
            case.build(cdk.Stack(app, case.name, env=env))
        fired: dict[str, list[Finding]] = defaultdict(list)
        for f in findings(app, [PitfallChecks()]):
            fired[f.path.split("/", 1)[0]].append(f)
        return Fired(dict(fired), set(self.cases), _acknowledged_by_stack(app))


def _acknowledged_by_stack(app: cdk.App) -> dict[str, set[str]]:
    acknowledged: dict[str, set[str]] = defaultdict(set)
    for node in app.node.find_all():
        for entry in node.node.metadata:
            if entry.type == ACKNOWLEDGED_RULES_METADATA_KEY and isinstance(entry.data, dict):
                # CDK stores "Annotation::<id>" (or "annotation::<id>").
                acknowledged[node.node.path.split("/", 1)[0]].update(re.sub(r"^[^:]+::", "", k) for k in entry.data)
    return dict(acknowledged)


@dataclass(frozen=True)
class Fired:
    findings_by_stack: dict[str, list[Finding]]
    cases: set[str]
    acknowledged_by_stack: dict[str, set[str]] = field(default_factory=dict)

    @property
    def by_stack(self) -> dict[str, set[str]]:
        return {stack: {f.rule_id for f in fs} for stack, fs in self.findings_by_stack.items()}

    def dirty_compliant_cases(self) -> dict[str, set[str]]:
        """Compliant cases (``...Good...``) where any rule fired, with the ids that fired."""
        return {c: self.by_stack[c] for c in self.cases if "Good" in c and self.by_stack.get(c)}

    def without_acknowledged_case(self, rule: str) -> set[str]:
        """Ids of ``rule`` that fire in a ``...Bad...`` case but no ``...Acked...`` case acknowledges."""
        fired = {i for c in self.cases if "Bad" in c for i in self(c, rule)}
        acknowledged = {i for c in self.cases if "Acked" in c for i in self.acknowledged_by_stack.get(c, set())}
        return fired - acknowledged

    def __call__(self, case: str, rule: str) -> set[str]:
        """Ids of ``rule`` (``Webstack-BucketNameGenerated``) that fired in ``case``, with their finding suffix."""
        return {f.rule_id for f in self.of(case, rule)}

    def of(self, case: str, rule: str) -> list[Finding]:
        assert case in self.cases, f"unknown case {case}"
        return [
            f for f in self.findings_by_stack.get(case, []) if f.rule_id == rule or f.rule_id.startswith(rule + "[")
        ]


def module_results(book: CaseBook):
    """A module-scoped fixture that synthesizes ``book`` once."""

    @pytest.fixture(scope="module")
    def fired() -> Fired:
        return book.run()

    return fired


def ack(scope, rule_id: str) -> None:
    cdk.Validations.of(scope).acknowledge(cdk.Acknowledgment(id=rule_id, reason="test: acknowledged on purpose"))


def distribution_in_sibling_stack(stack: cdk.Stack, **kwargs) -> cloudfront.Distribution:
    """A distribution in a eu-west-1 stack ``<case>Web`` next to the us-east-1 case stack (two stacks, one case).

    ``cross_region_references=True``: what the case passes in arrives through a
    cross-region strong reference, reported on ``<case>Web/Cdn/Resource``.
    """
    app = stack.node.scope
    assert isinstance(app, cdk.App)
    web = cdk.Stack(
        app,
        stack.node.id + "Web",
        env=cdk.Environment(account=stack.account, region="eu-west-1"),
        cross_region_references=True,
    )
    return cloudfront.Distribution(
        web,
        "Cdn",
        default_behavior=cloudfront.BehaviorOptions(origin=origins.HttpOrigin("origin.webstack.dev")),
        **kwargs,
    )
