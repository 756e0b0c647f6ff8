"""The plan as text for the terminal and as Markdown for a pull-request comment (``reports/plan.md``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from webstack_tools.plan.allow import ALLOW_FILE, Allowed
from webstack_tools.plan.model import Change, Kind, Plan

_ORDER = {Kind.BROADEN: 2, Kind.REPLACE: 3, Kind.DELETE: 4, Kind.MODIFY: 5, Kind.ADD: 6}


@dataclass(frozen=True)
class Review:
    """A plan with what the allow-list says about it."""

    title: str
    plan: Plan
    allowed: Mapping[Change, Allowed]

    @property
    def blocked(self) -> list[Change]:
        return [c for c in self.plan.destructive if c not in self.allowed]

    @property
    def broadened(self) -> list[Change]:
        return self.plan.of_kind(Kind.BROADEN)

    def rank(self, change: Change) -> tuple[int, str, str]:
        if change.destructive:
            return (1 if change in self.allowed else 0), change.stack, change.logical_id
        return _ORDER[change.kind], change.stack, change.logical_id

    def rows(self) -> list[Change]:
        return sorted(self.plan.changes, key=self.rank)

    def label(self, change: Change) -> str:
        words = [change.kind.value]
        if change.conservative:
            words.append("(conservative)")
        if change.destructive:
            words.append("(stateful, allowed)" if change in self.allowed else "(stateful, BLOCKS)")
        return " ".join(words)

    def details(self, change: Change) -> list[str]:
        allowed = self.allowed.get(change)
        return [*([f"allowed by {ALLOW_FILE}: {allowed.reason}"] if allowed else []), *change.details]

    def counts(self) -> str:
        found = Counter(c.kind for c in self.plan.changes)
        return ", ".join(f"{found[k]} {k.value}" for k in Kind if found[k]) or "no changes"

    @property
    def exit_code(self) -> int:
        return 1 if self.blocked else 0


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _markdown_row(review: Review, c: Change) -> str:
    change = review.label(c)
    if c.destructive or c.kind is Kind.BROADEN:
        change = f"**{change}**"
    details = "<br>".join(_cell(d) for d in review.details(c)) or "-"
    return f"| {c.stack} | `{c.logical_id}` | {c.type} | {_cell(change)} | {details} |"


def _headline(review: Review) -> list[str]:
    lines = []
    if review.blocked:
        lines.append(
            f"**Blocked: {len(review.blocked)} stateful resource(s) replaced or deleted.** If that is intended, "
            f"name each in `{ALLOW_FILE}` (stack, logical_id, reason)."
        )
    if review.broadened:
        lines.append(f"**Broadened access: {len(review.broadened)} resource(s)**: review each before merging.")
    return lines


def markdown(review: Review) -> str:
    lines = [f"## {review.title}", ""]
    if not review.plan.changes:
        return "\n".join([*lines, "No resource changes.", *_notes(review), ""])
    lines += [*_headline(review), f"Changes: {review.counts()}.", *_notes(review), ""]
    lines += ["| stack | logical id | type | change | details |", "|---|---|---|---|---|"]
    lines += [_markdown_row(review, c) for c in review.rows()]
    return "\n".join(lines) + "\n"


def _notes(review: Review) -> list[str]:
    return [f"Note: {n}" for n in review.plan.notes]


def text(review: Review) -> str:
    lines = [review.title]
    lines += [f"  note: {n}" for n in review.plan.notes]
    for c in review.rows():
        lines.append(f"  {review.label(c):<27} {c.stack} {c.logical_id} ({c.type})")
        lines += [f"      {d}" for d in review.details(c)]
    if review.broadened:
        lines.append(f"BROADENED ACCESS: {', '.join(f'{c.stack}/{c.logical_id}' for c in review.broadened)}: review")
    lines.append(f"changes: {review.counts()}")
    if review.blocked:
        names = ", ".join(f"{c.stack}/{c.logical_id} ({c.kind.value})" for c in review.blocked)
        lines.append(
            f"BLOCKED: stateful resources replaced or deleted: {names}. Fix: keep their logical ids and "
            f"create-only properties, or name them in {ALLOW_FILE} with a reason"
        )
    return "\n".join(lines)
