"""The one test that stages assets: the rotation function's code reaches cdk.out."""

from __future__ import annotations

import json

import pytest
from aws_cdk import App

from tests.synth import ROOT
from webstack.app import cdk_json_context
from webstack.config import load_config
from webstack.stacks import add_environment


@pytest.mark.bundling
def test_rotation_function_asset_is_staged(tmp_path):
    app = App(outdir=str(tmp_path), context=cdk_json_context(ROOT / "cdk.json"))  # bundling on
    stacks = add_environment(app, load_config("dev"))
    assembly = app.synth()
    template = assembly.get_stack_by_name(stacks.web.stack_name).template
    functions = [
        r
        for logical_id, r in template["Resources"].items()
        if r["Type"] == "AWS::Lambda::Function" and logical_id.startswith("SecretsRotationFunction")
    ]
    assert len(functions) == 1
    asset_hash = functions[0]["Properties"]["Code"]["S3Key"].split(".")[0]
    staged = tmp_path / f"asset.{asset_hash}"
    assert (staged / "index.py").is_file()
    assert "def handler" in (staged / "index.py").read_text()
    manifest = json.loads((tmp_path / f"{stacks.web.stack_name}.assets.json").read_text())
    assert asset_hash in manifest["files"]
