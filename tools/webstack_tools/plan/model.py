"""What a plan is made of: the templates compared (:class:`StackTemplate`) and the changes found (:class:`Change`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

# Resources whose replacement or deletion loses data or an address people use:
# the plan fails on them unless the allow-list names them (D14 in docs/pitfalls.md).
# The pitfall pack's D14 rule keeps the same list (webstack_pitfalls.STATEFUL_TYPES); it is
# written again here because importing the pack loads the CDK, which the plan's CLI avoids
# until it synthesizes. tests/tools/test_plan.py holds the two equal.
STATEFUL_TYPES = frozenset(
    {
        "AWS::S3::Bucket",
        "AWS::KMS::Key",
        "AWS::SecretsManager::Secret",
        "AWS::Logs::LogGroup",
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        "AWS::RDS::DBInstance",
        "AWS::RDS::DBCluster",
        "AWS::DynamoDB::Table",
    }
)


class Kind(StrEnum):
    """What happens to a resource when the change deploys."""

    ADD = "add"
    MODIFY = "modify"
    REPLACE = "replace"
    DELETE = "delete"
    BROADEN = "broaden"


@dataclass(frozen=True)
class StackTemplate:
    """One stack's template on one side of the comparison."""

    name: str
    region: str
    template: Mapping[str, Any]

    @property
    def resources(self) -> Mapping[str, Mapping[str, Any]]:
        return self.template.get("Resources") or {}

    @property
    def outputs(self) -> Mapping[str, Mapping[str, Any]]:
        return self.template.get("Outputs") or {}


@dataclass(frozen=True)
class Change:
    """One finding about one resource; a resource can have two (``modify`` and ``broaden``)."""

    stack: str
    logical_id: str
    type: str
    kind: Kind
    details: tuple[str, ...] = ()
    conservative: bool = False
    """Classified from references whose values are known only at deploy time."""

    @property
    def stateful(self) -> bool:
        return self.type in STATEFUL_TYPES

    @property
    def destructive(self) -> bool:
        """A stateful resource replaced or deleted: the plan fails on it unless allowed."""
        return self.stateful and self.kind in (Kind.REPLACE, Kind.DELETE)


@dataclass(frozen=True)
class Plan:
    """Every change between two sets of stacks, and notes on what was compared."""

    changes: tuple[Change, ...]
    notes: tuple[str, ...] = ()

    def of_kind(self, *kinds: Kind) -> list[Change]:
        return [c for c in self.changes if c.kind in kinds]

    @property
    def destructive(self) -> list[Change]:
        return [c for c in self.changes if c.destructive]
