"""docs/configuration.md: generated from the config model, complete and current."""

from __future__ import annotations

import dataclasses
import types
import typing

from webstack.config import ENVIRONMENTS, EnvironmentConfig
from webstack_tools import docs


def _leaf_paths(cls: type, prefix: str = "") -> set[str]:
    """Every configurable field of the model, nested as capacity.min (independent of docs.py)."""
    hints = typing.get_type_hints(cls)
    paths: set[str] = set()
    for f in dataclasses.fields(cls):
        if not prefix and f.name == "name":
            continue
        tp = hints[f.name]
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        inner = args[0] if typing.get_origin(tp) in (typing.Union, types.UnionType) and len(args) == 1 else tp
        if dataclasses.is_dataclass(inner):
            if inner is not tp:  # optional object: has a row of its own too
                paths.add(prefix + f.name)
            paths |= _leaf_paths(inner, f"{prefix}{f.name}.")
        else:
            paths.add(prefix + f.name)
    return paths


def test_committed_reference_is_current():
    reference = docs.reference_path()
    assert reference.is_file(), "docs/configuration.md is missing: run `make docs` (python -m webstack_tools docs)"
    assert reference.read_text() == docs.render(), (
        "docs/configuration.md is stale: run `make docs` (python -m webstack_tools docs) and commit it"
    )


def test_every_field_has_a_row_with_type_values_and_meaning():
    rows = {row.path: row for row in docs.all_rows()}
    missing = _leaf_paths(EnvironmentConfig) - set(rows)
    assert not missing, f"fields without a row: {sorted(missing)}"
    for row in rows.values():
        assert row.type and len(row.values) == len(ENVIRONMENTS), row
        assert row.meaning, (
            f"{row.path} has no meaning: add field(metadata={{'doc': ...}}) or a comment above it in "
            "webstack/config.py, or an entry in webstack_tools.docs.DESCRIPTIONS"
        )
    text = docs.render()
    for path in _leaf_paths(EnvironmentConfig):
        assert f"`{path}`" in text


def test_values_come_from_the_environments():
    rows = {row.path: row for row in docs.all_rows()}
    names = list(ENVIRONMENTS)
    for name, config in ENVIRONMENTS.items():
        i = names.index(name)
        assert rows["capacity.max"].values[i] == str(config.capacity.max)
        assert rows["nat_gateways"].values[i] == str(config.nat_gateways)
        assert rows["retain_data"].values[i] == ("true" if config.retain_data else "false")
    assert rows["capacity.min"].default == "required"


def test_no_stale_descriptions():
    """A description for a field that no longer exists is a sign the table drifted."""
    stale = set(docs.DESCRIPTIONS) - {row.path for row in docs.all_rows()}
    assert not stale, f"webstack_tools.docs.DESCRIPTIONS names fields the model no longer has: {sorted(stale)}"
