"""The plan of a change: every resource classified (:mod:`.diff`) and every broadening (:mod:`.broaden`)."""

from __future__ import annotations

from collections.abc import Sequence

from webstack_tools.plan.broaden import broadenings
from webstack_tools.plan.diff import stack_diffs
from webstack_tools.plan.model import Plan, StackTemplate
from webstack_tools.plan.schemas import SchemaLookup, type_schema


def classify(
    before: Sequence[StackTemplate], after: Sequence[StackTemplate], lookup: SchemaLookup = type_schema
) -> Plan:
    """What deploying ``after`` over ``before`` does to each resource; ``lookup`` reads the resource schemas."""
    diffs = stack_diffs(before, after, lookup)
    changes = tuple(c for d in diffs for c in (*d.changes(), *broadenings(d)))
    notes = tuple(f"{d.name} is no longer synthesized: all of it is deleted" for d in diffs if d.new is None)
    return Plan(changes, notes)
