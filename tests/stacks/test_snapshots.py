"""One snapshot per stack and environment: a refactoring net, not a spec.

Asset hashes and the CDK version-dependent bootstrap rule are masked so that
the snapshot changes only when the infrastructure does. Regenerate after an
intended change with:  UPDATE_SNAPSHOTS=1 make test-stacks
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
_ASSET_HASH = re.compile(r"[0-9a-f]{64}")


def masked(template: dict) -> dict:
    text = json.dumps(template, sort_keys=True, indent=1)
    text = _ASSET_HASH.sub("<asset-hash>", text)
    data = json.loads(text)
    data.pop("Rules", None)  # CheckBootstrapVersion: owned by the CDK version
    return data


@pytest.mark.parametrize("stack", ["web", "edge_monitoring", "edge"])
def test_snapshot(each_env, stack):
    templates = each_env.templates()
    if stack not in templates:
        assert stack == "edge" and not each_env.config.has_edge_stack
        return
    actual = masked(templates[stack].to_json())
    path = SNAPSHOTS / f"{each_env.config.name}-{stack}.json"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(actual, sort_keys=True, indent=1) + "\n")
    assert path.exists(), f"snapshot {path.name} is missing: UPDATE_SNAPSHOTS=1 make test-stacks, then commit it"
    expected = json.loads(path.read_text())
    assert actual == expected, f"{path.name} differs; if intended: UPDATE_SNAPSHOTS=1 make test-stacks"
