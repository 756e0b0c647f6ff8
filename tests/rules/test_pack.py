"""The plugin itself: catalogue, registration with Validations, acknowledgement scopes, findings()."""

import re

import aws_cdk as cdk
import pytest
from aws_cdk import aws_s3 as s3
from webstack_pitfalls import PLUGIN_NAME, RULES, Finding, PitfallChecks, findings, rule_catalog

from .conftest import ACCOUNT, ack

ENV = cdk.Environment(account=ACCOUNT, region="eu-west-1")


def _named_bucket_app(**app_kwargs):
    app = cdk.App(**app_kwargs)
    stage = cdk.Stage(app, "Prod")
    stack = cdk.Stack(stage, "Web", env=ENV)
    bucket = s3.Bucket(stack, "Content", bucket_name="webstack-content")
    return app, stage, stack, bucket


def test_catalogue_has_one_documented_rule_per_pitfall():
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    assert {r.pitfall for r in RULES} == {
        "D1",
        "D2",
        "D3",
        "D4",
        "D5",
        "D6",
        "D7",
        "D8",
        "D9",
        "D10",
        "D11",
        "D12",
        "F2",
        "F5",
        "F6",
        "F7",
    }
    for entry in rule_catalog():
        assert re.fullmatch(r"Webstack-[DF]\d+", entry["id"])
        assert entry["level"] == "error"
        assert entry["summary"] and entry["fix"]
        assert entry["link"].startswith("https://")


def test_plugin_registered_with_validations_fails_synth_with_the_rule_id():
    app, _, _, _ = _named_bucket_app()
    cdk.Validations.of(app).add_plugins(PitfallChecks())
    with pytest.raises(Exception, match=r"Webstack-D8"):
        app.synth()


def test_acknowledgement_in_cdk_namespace_form_passes_synth():
    # "WebstackPitfalls::<id>" is the form CDK's own report suggests; CDK core honours it.
    app, _, _, bucket = _named_bucket_app()
    cdk.Validations.of(app).add_plugins(PitfallChecks())
    ack(bucket, f"{PLUGIN_NAME}::Webstack-D8")
    app.synth()


@pytest.mark.parametrize("where", ["resource", "stack", "stage", "app"])
def test_acknowledgement_on_any_ancestor_suppresses(where):
    app, stage, stack, bucket = _named_bucket_app()
    ack({"resource": bucket.node.default_child, "stack": stack, "stage": stage, "app": app}[where], "Webstack-D8")
    assert findings(app, [PitfallChecks()]) == []


def test_acknowledgement_elsewhere_or_of_another_id_does_not_suppress():
    app, _, stack, bucket = _named_bucket_app()
    other = s3.Bucket(stack, "Other")
    ack(other, "Webstack-D8")
    ack(bucket, "Webstack-D8[Something]")
    assert [f.rule_id for f in findings(app, [PitfallChecks()])] == ["Webstack-D8"]


def test_validate_scope_reports_like_a_nag_pack():
    app, _, stack, _ = _named_bucket_app()
    report = PitfallChecks().validate_scope(stack)
    assert not report.success
    (violation,) = report.violations
    assert violation.rule_name == "Webstack-D8"
    assert violation.severity == "error"
    assert violation.fix.startswith("https://")
    (resource,) = violation.violating_resources
    assert resource.construct_path == "Prod/Web/Content/Resource"
    assert resource.locations == ["Properties/BucketName"]


def test_findings_include_aws_solutions_and_nist_packs_by_default():
    app, _, stack, _ = _named_bucket_app()
    result = findings(stack)
    packs = {f.pack for f in result}
    assert {"AwsSolutions", "NIST.800.53.R5", PLUGIN_NAME} <= packs
    assert Finding("Webstack-D8", "Prod/Web/Content/Resource", "error", PLUGIN_NAME) in result
    assert any(f.rule_id == "AwsSolutions-S1" and f.path == "Prod/Web/Content/Resource" for f in result)


def test_readme_rule_table_matches_the_catalogue():
    from pathlib import Path

    import webstack_pitfalls as checks
    from webstack_pitfalls import rules_markdown

    readme = (Path(checks.__file__).parent / "README.md").read_text()
    assert rules_markdown() in readme
