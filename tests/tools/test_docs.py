"""docs/configuration.md and docs/config.schema.json: generated from the config models, complete and current."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from pydantic import BaseModel

from tests.synth import config_of
from webstack.config import ENVIRONMENTS, ConfigError, EnvironmentConfig
from webstack_tools import docs

ROOT = Path(__file__).resolve().parents[2]


def _leaf_paths(model: type[BaseModel], prefix: str = "") -> set[str]:
    """Every configurable field of the model, nested as capacity.min (independent of docs.py)."""
    paths: set[str] = set()
    for name, info in model.model_fields.items():
        if not prefix and name == "name":
            continue
        inner = _model_in(info.annotation)
        if inner is None:
            paths.add(prefix + name)
            continue
        if _is_list_or_optional(info.annotation):
            paths.add(prefix + name)
            joiner = "[]." if "tuple" in str(info.annotation) else "."
            paths |= _leaf_paths(inner, f"{prefix}{name}{joiner}")
        else:
            paths |= _leaf_paths(inner, f"{prefix}{name}.")
    return paths


def _model_in(annotation: object) -> type[BaseModel] | None:
    stack = [annotation]
    while stack:
        candidate = stack.pop()
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
        stack += list(getattr(candidate, "__args__", ()))
    return None


def _is_list_or_optional(annotation: object) -> bool:
    return not (isinstance(annotation, type) and issubclass(annotation, BaseModel))


def test_committed_reference_and_schema_are_current():
    assert docs.reference_path().read_text() == docs.render(), (
        "docs/configuration.md is stale: run `make docs` (python -m webstack_tools docs) and commit it"
    )
    assert docs.schema_path().read_text() == docs.schema_text(), (
        "docs/config.schema.json is stale: run `make docs` (python -m webstack_tools docs) and commit it"
    )


def test_every_field_has_a_row_with_type_values_and_a_description():
    rows = {row.path: row for row in docs.all_rows()}
    missing = _leaf_paths(EnvironmentConfig) - set(rows)
    assert not missing, f"fields without a row: {sorted(missing)}"
    for row in rows.values():
        assert row.type and len(row.values) == len(ENVIRONMENTS), row
        assert row.meaning, f"{row.path} has no description: add Field(description=...) in webstack/config/models.py"


def test_values_come_from_the_environments():
    rows = {row.path: row for row in docs.all_rows()}
    for i, config in enumerate(ENVIRONMENTS.values()):
        assert rows["capacity.max"].values[i] == str(config.capacity.max)
        assert rows["nat_gateways"].values[i] == str(config.nat_gateways)
        assert rows["retain_data"].values[i] == ("true" if config.retain_data else "false")
    assert rows["capacity.min"].default == "required"
    assert rows["scaling.cpu_target_percent"].default == "50"


def _json_blocks(path: Path) -> list[dict]:
    blocks = re.findall(r"```json\n(.*?)```", path.read_text(), flags=re.S)
    return [json.loads(b) for b in blocks]


EXAMPLE_FILES = [ROOT / "README.md", ROOT / "docs" / "configuration.md"]


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_every_example_in_the_docs_fits_the_schema(path):
    schema = json.loads(docs.schema_path().read_text())
    examples = _json_blocks(path)
    assert examples, f"{path.name} has no JSON example"
    for example in examples:
        jsonschema.validate(example, schema)


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_no_example_in_the_docs_is_accepted_as_real(path):
    """Examples use stand-in names; copied as they are, the validator refuses them (F2)."""
    for example in _json_blocks(path):
        with pytest.raises(ConfigError, match=r"placeholder|example account"):
            config_of("prod", example)


def test_schema_refuses_what_the_models_refuse():
    schema = json.loads(docs.schema_path().read_text())
    for bad in ({"capacity": {"mx": 1}}, {"nat_gateways": "2"}, {"price_class": "cheap"}, {"name": "x"}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)
