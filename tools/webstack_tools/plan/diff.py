"""Classify each resource change between two sets of stacks: add, modify, replace, delete.

* **replace**: a changed create-only property (the type's resource schema,
  :mod:`.schemas`), a changed type, or a logical id that is gone (CDK: "changing
  the logical ID of a resource results in the resource being replaced",
  https://docs.aws.amazon.com/cdk/v2/guide/identifiers.html#identifiers-logical-ids);
  a rename shows as **delete** of the old id and **add** of the new one.
* Values CloudFormation resolves at deploy time are followed
  (:mod:`.refs`): a resource whose text is unchanged but whose property
  refers to a replaced (or newly created) resource, or reads a changed output
  of another stack, gets a new value at deploy. It is classified as
  CloudFormation's change sets do for "dynamic" evaluation
  (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ResourceTargetDefinition.html):
  under a create-only property it is a replace, elsewhere a modify, and both
  are marked conservative. A modified resource keeps its physical id, so a
  ``Ref`` to it, or a ``Fn::GetAtt`` of an attribute that names it (its id or
  ARN, :meth:`.TypeSchema.names_resource`), does not change; any other
  attribute of it may (a launch template's ``LatestVersionNumber`` does), and
  is treated like a reference to a replaced resource.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from webstack_tools.plan.model import STATEFUL_TYPES, Change, Kind, StackTemplate
from webstack_tools.plan.refs import Reference, canonical, references, rename, short
from webstack_tools.plan.schemas import Pointer, SchemaLookup, TypeSchema

# Resource attributes whose change updates the resource (DependsOn and Metadata do not).
ATTRIBUTES = ("DeletionPolicy", "UpdateReplacePolicy", "UpdatePolicy", "CreationPolicy", "Condition")
_KEPT = frozenset({"Retain", "RetainExceptOnCreate", "Snapshot"})
_RANK = {None: 0, Kind.MODIFY: 1, Kind.REPLACE: 2}


@dataclass
class _State:
    kind: Kind | None = None
    details: list[str] = field(default_factory=list)
    conservative: bool = False

    def raise_to(self, kind: Kind, detail: str) -> bool:
        """Record a deploy-time change; True when the classification got more severe."""
        if detail not in self.details:
            self.details.append(detail)
        if _RANK.get(kind, 0) <= _RANK.get(self.kind, 0):
            return False
        self.kind, self.conservative = kind, True
        return True


def _is_intrinsic(value: Any) -> bool:
    return isinstance(value, Mapping) and len(value) == 1 and next(iter(value)).startswith(("Fn::", "Ref"))


def values_at(value: Any, path: Pointer) -> list[Any]:
    """The values at a create-only ``path`` (``*``: every list item); an intrinsic function on the
    way stands for what it resolves to, so a change inside it counts."""
    if not path or value is None or _is_intrinsic(value):
        return [value]
    head, rest = path[0], path[1:]
    if head == "*":
        return [v for item in value for v in values_at(item, rest)] if isinstance(value, list) else [value]
    if isinstance(value, Mapping):
        return values_at(value.get(head), rest)
    return [value]


def under(path: Sequence[str | int], pointer: Pointer) -> bool:
    """True when a value at ``path`` (below Properties) is, or holds, the create-only ``pointer``."""
    for segment, part in zip(path, pointer, strict=False):
        if part == "*" and isinstance(segment, int):
            continue
        if str(segment) != part:
            return False
    return True


def _comparable(resource: Mapping[str, Any], renamed: Mapping[str, str] | None = None) -> str:
    """``resource`` without CDK's Metadata (the construct path, which a rename changes), its references
    and ``DependsOn`` mapped through ``renamed``."""
    mapping = renamed or {}
    found = {k: rename(v, mapping) for k, v in resource.items() if k not in ("Metadata", "DependsOn")}
    found["DependsOn"] = sorted(mapping.get(d, d) for d in _items(resource.get("DependsOn")))
    return canonical(found)


def _items(value: Any) -> list[Any]:
    return [] if value is None else list(value) if isinstance(value, list) else [value]


def _changed_keys(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    return sorted(k for k in {*old, *new} if canonical(old.get(k)) != canonical(new.get(k)))


def _create_only_changes(pointers: Sequence[Pointer], old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """One line per create-only property whose value differs."""
    found = []
    for p in pointers:
        before, after = values_at(old, p), values_at(new, p)
        if canonical(before) != canonical(after):
            found.append(f"create-only {_name(p)}: {_shown(before)} -> {_shown(after)}")
    return found


def _where(path: Sequence[str | int]) -> str:
    """A reference's place for people: its first two property levels, intrinsic functions left out."""
    plain = [str(s) for s in path if not str(s).startswith("Fn::")]
    return ".".join(plain[:2]) or "Properties"


def _name(pointer: Pointer) -> str:
    return ".".join(pointer)


def _shown(values: list[Any]) -> str:
    return ", ".join("(not set)" if v is None else short(v) for v in values) or "(none)"


class StackDiff:
    """One stack's resources on both sides, classified."""

    def __init__(self, old: StackTemplate | None, new: StackTemplate | None, lookup: SchemaLookup) -> None:
        either = new or old
        assert either is not None
        self.name, self.region = either.name, either.region
        self.old, self.new = old, new
        self.old_res: Mapping[str, Mapping[str, Any]] = old.resources if old else {}
        self.new_res: Mapping[str, Mapping[str, Any]] = new.resources if new else {}
        self._lookup = lookup
        self.renamed = self._renames()  # new id -> old id
        self.states: dict[str, _State] = {lid: _State() for lid in self.new_res}
        self.deleted = [lid for lid in self.old_res if lid not in self.new_res]
        for lid in self.new_res:
            self._classify(lid)

    # -- text differences ------------------------------------------------------
    def _renames(self) -> dict[str, str]:
        """Added ids whose resource equals a removed one's (type and properties): logical-id renames.
        A renamed construct renames its children, whose references then name the new parent: those
        are compared with references to renamed resources mapped back, until nothing more matches."""
        removed = {lid: _comparable(r) for lid, r in self.old_res.items() if lid not in self.new_res}
        added = [lid for lid in self.new_res if lid not in self.old_res]
        found: dict[str, str] = {}
        while True:
            before = len(found)
            for lid in (a for a in added if a not in found):
                mapped = _comparable(self.new_res[lid], found)
                match = next((o for o, r in removed.items() if r == mapped and o not in found.values()), None)
                if match is not None:
                    found[lid] = match
            if len(found) == before:
                return found

    def schema(self, resource_type: str) -> TypeSchema | None:
        return self._lookup(self.region, resource_type)

    def pointers(self, resource_type: str) -> tuple[Pointer, ...] | None:
        schema = self.schema(resource_type)
        return schema.create_only if schema is not None else None

    def _classify(self, lid: str) -> None:
        state, new = self.states[lid], self.new_res[lid]
        if lid not in self.old_res:
            state.kind = Kind.ADD
            state.details.append(self._add_detail(lid))
            return
        old = self.old_res[lid]
        if old.get("Type") != new.get("Type"):
            state.kind = Kind.REPLACE
            state.details.append(f"type changed: {old.get('Type')} -> {new.get('Type')}")
            return
        self._compare(lid, old, new, state)

    def _add_detail(self, lid: str) -> str:
        if self.old is None:
            return f"new stack {self.name}"
        if lid in self.renamed:
            empty = ", created empty" if self.new_res[lid].get("Type") in STATEFUL_TYPES else ""
            return f"renamed from {self.renamed[lid]}: a new resource{empty}; {self.renamed[lid]} is deleted"
        return "new resource"

    def _compare(self, lid: str, old: Mapping[str, Any], new: Mapping[str, Any], state: _State) -> None:
        old_props, new_props = old.get("Properties") or {}, new.get("Properties") or {}
        changed = _changed_keys(old_props, new_props)
        attributes = [a for a in ATTRIBUTES if canonical(old.get(a)) != canonical(new.get(a))]
        if not changed and not attributes:
            return
        pointers = self.pointers(str(new.get("Type")))
        if pointers is None and changed:
            state.kind, state.conservative = Kind.REPLACE, True
            state.details.append(
                f"no resource schema for {new.get('Type')} in {self.region}: any property change may replace it"
            )
            return
        hits = _create_only_changes(pointers or (), old_props, new_props)
        state.kind = Kind.REPLACE if hits else Kind.MODIFY
        state.details.extend(hits or ([f"properties: {', '.join(changed)}"] if changed else []))
        state.details.extend(f"{a}: {old.get(a, '-')} -> {new.get(a, '-')}" for a in attributes)

    # -- deploy-time values ----------------------------------------------------
    def new_physical(self) -> set[str]:
        """Logical ids whose resource will be a new physical one (so every reference to it changes)."""
        return {lid for lid, s in self.states.items() if s.kind in (Kind.ADD, Kind.REPLACE)}

    def changed_outputs(self) -> set[str]:
        """``STACK/OUTPUT`` for each output whose value changes at deploy."""
        if self.new is None:
            return set()
        old_outputs = self.old.outputs if self.old else {}
        fresh = self.new_physical()
        found = set()
        for key, output in self.new.outputs.items():
            value = output.get("Value")
            moved = any(r.target in fresh for r in references(value) if r.via in ("ref", "getatt"))
            if moved or canonical(value) != canonical((old_outputs.get(key) or {}).get("Value")):
                found.add(f"{self.name}/{key}")
        return found

    def exports(self) -> dict[str, str]:
        """Export name -> ``STACK/OUTPUT`` (literal export names only)."""
        if self.new is None:
            return {}
        return {
            name: f"{self.name}/{key}"
            for key, output in self.new.outputs.items()
            if isinstance(name := (output.get("Export") or {}).get("Name"), str)
        }

    def follow(self, changed_outputs: set[str], exports: Mapping[str, str]) -> bool:
        """Classify resources whose references resolve to new values; True if any classification rose."""
        fresh, rose = self.new_physical(), False
        for lid, res in self.new_res.items():
            state = self.states[lid]
            if state.kind in (Kind.ADD, Kind.REPLACE):
                continue
            pointers = self.pointers(str(res.get("Type"))) or ()
            for ref in references(res.get("Properties") or {}):
                create_only = next((p for p in pointers if under(ref.path, p)), None)
                found = self._moved(ref, fresh, changed_outputs, exports, create_only)
                if found is not None:
                    rose |= state.raise_to(*found)
        return rose

    def _moved(
        self,
        ref: Reference,
        fresh: set[str],
        changed_outputs: set[str],
        exports: Mapping[str, str],
        create_only: Pointer | None,
    ) -> tuple[Kind, str] | None:
        """How a reference's value changes at deploy (kind for the referrer, why), or None."""
        where = _where(ref.path)
        kind = Kind.REPLACE if create_only is not None else Kind.MODIFY
        label = f"create-only {where}" if create_only is not None else where
        why = self._why(ref, fresh, changed_outputs, exports)
        return None if why is None else (kind, f"{label} {why}: its value is known only at deploy")

    def _why(
        self, ref: Reference, fresh: set[str], changed_outputs: set[str], exports: Mapping[str, str]
    ) -> str | None:
        if ref.via in ("ref", "getatt") and ref.target in fresh:
            return (
                f"refers to {ref.target}, which is {'new' if self.states[ref.target].kind is Kind.ADD else 'replaced'}"
            )
        if ref.via in ("output", "import"):
            output = exports.get(ref.target) if ref.via == "import" else ref.target
            return f"reads {output}, which changes" if output in changed_outputs else None
        target = self.states.get(ref.target)
        if ref.via != "getatt" or ref.attribute is None or target is None or target.kind is not Kind.MODIFY:
            return None
        schema = self.schema(str(self.new_res[ref.target].get("Type")))
        if schema is not None and schema.names_resource(ref.attribute):
            return None
        return f"reads {ref.target}.{ref.attribute}, and {ref.target} is modified"

    # -- result ----------------------------------------------------------------
    def changes(self) -> Iterator[Change]:
        for lid, state in self.states.items():
            if state.kind is None:
                continue
            details = list(state.details)
            if state.kind is Kind.REPLACE and (note := self._replace_note(lid)):
                details.append(note)
            rtype = str(self.new_res[lid].get("Type"))
            yield Change(self.name, lid, rtype, state.kind, tuple(details), state.conservative)
        for lid in self.deleted:
            yield Change(
                self.name, lid, str(self.old_res[lid].get("Type")), Kind.DELETE, tuple(self._delete_notes(lid))
            )

    def _replace_note(self, lid: str) -> str | None:
        policy = (self.old_res.get(lid) or {}).get("UpdateReplacePolicy")
        return (
            f"the old resource is kept, outside the stack (UpdateReplacePolicy {policy})" if policy in _KEPT else None
        )

    def _delete_notes(self, lid: str) -> list[str]:
        renamed_to = next((new for new, old in self.renamed.items() if old == lid), None)
        if self.new is None:
            notes = [f"stack {self.name} is no longer synthesized"]
        elif renamed_to:
            empty = ", empty" if self.old_res[lid].get("Type") in STATEFUL_TYPES else ""
            notes = [f"renamed to {renamed_to}: a new{empty} resource is created and this one deleted"]
        else:
            notes = ["removed from the template"]
        resource = self.old_res[lid]
        policy = resource.get("DeletionPolicy")
        if policy in _KEPT:
            notes.append(f"kept outside the stack (DeletionPolicy {policy})")
        elif resource.get("Type") in STATEFUL_TYPES:
            notes.append("deleted together with what it holds (DeletionPolicy Delete)")
        return notes


def stack_diffs(
    before: Sequence[StackTemplate], after: Sequence[StackTemplate], lookup: SchemaLookup
) -> list[StackDiff]:
    """One :class:`StackDiff` per stack name on either side (``after``'s order first), references followed."""
    old_by = {s.name: s for s in before}
    new_by = {s.name: s for s in after}
    names = [*new_by, *(n for n in old_by if n not in new_by)]
    diffs = [StackDiff(old_by.get(n), new_by.get(n), lookup) for n in names]
    while True:
        changed_outputs = {o for d in diffs for o in d.changed_outputs()}
        exports = {k: v for d in diffs for k, v in d.exports().items()}
        if not any([d.follow(changed_outputs, exports) for d in diffs]):
            return diffs
