"""Property: random overrides never produce a traceback or a half-written output folder.

Overrides are generated from the schema's own field names (so many reach deep
validation) mixed with random keys and random JSON values. Every outcome must
be a loaded config or a one-line ConfigError that names a field and a fix.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.config.test_bad_input_corpus import run_app
from tests.synth import config_of
from webstack.config import ConfigError, EnvironmentConfig, config_schema, load_config


def _field_names() -> list[str]:
    names: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            names.update(k for k in node.get("properties", {}) if k != "$schema")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(config_schema())
    return sorted(names)


FIELDS = _field_names()
keys = st.one_of(st.sampled_from(FIELDS), st.text(min_size=0, max_size=12))
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.sampled_from(
        ["t3.small", "10.0.0.0/16", "us-west-2a", "0 7 * * *", "/assets/*", "ops@webstack-test.net", "${Token[X]}"]
    ),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)),
    max_leaves=12,
)
overrides = st.dictionaries(keys, values, max_size=5)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(env=st.sampled_from(["dev", "staging", "prod"]), changes=overrides)
def test_random_overrides_load_or_fail_in_one_line(env: str, changes: dict[str, Any]):
    try:
        config = config_of(env, changes)
    except ConfigError as err:
        message = str(err)
        assert "\n" not in message and "\r" not in message and "\x1b" not in message
        assert ": " in message and ". Fix: " in message
        assert len(message) < 600
        return
    assert isinstance(config, EnvironmentConfig)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(changes=overrides)
def test_random_overrides_through_app_leave_nothing_half_written(changes: dict[str, Any], tmp_path_factory):
    outdir = tmp_path_factory.mktemp("fuzz") / "cdk.out"
    try:
        load_config("dev", changes)
    except ConfigError:
        status, stderr = run_app("dev", json.dumps(changes), outdir)
        assert status == 2 and len(stderr.strip().splitlines()) == 1, stderr
        assert not outdir.exists()
