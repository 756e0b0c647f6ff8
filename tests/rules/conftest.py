"""Helpers for the pitfall-rule tests.

Synthesis dominates the cost of these tests, so each test module registers its
cases in a :class:`CaseBook` and synthesizes them as *one* app with one stack
per case (a module-scoped fixture). Stacks do not share anything and every rule
is evaluated per stack, so a case still sees only its own resources.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import aws_cdk as cdk
import pytest

from webstack_pitfalls import Finding, PitfallChecks, findings

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
        return Fired(dict(fired), set(self.cases))


@dataclass(frozen=True)
class Fired:
    findings_by_stack: dict[str, list[Finding]]
    cases: set[str]

    @property
    def by_stack(self) -> dict[str, set[str]]:
        return {stack: {f.rule_id for f in fs} for stack, fs in self.findings_by_stack.items()}

    def dirty_compliant_cases(self) -> dict[str, set[str]]:
        """Compliant cases (``...Good...``) where any rule fired, with the ids that fired."""
        return {c: self.by_stack[c] for c in self.cases if "Good" in c and self.by_stack.get(c)}

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
