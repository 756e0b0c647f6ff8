"""The plugin itself: catalogue, registration with Validations, acknowledgement scopes, findings()."""

import re
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_s3 as s3

from webstack_pitfalls import PLUGIN_NAME, RULES, Finding, PitfallChecks, findings, rule_catalog

from .conftest import ACCOUNT, ack

ENV = cdk.Environment(account=ACCOUNT, region="eu-west-1")
BUCKET_NAME = "Webstack-BucketNameGenerated"  # pitfall D8, the rule these tests trip


def _named_bucket_app(**app_kwargs):
    app = cdk.App(**app_kwargs)
    stage = cdk.Stage(app, "Prod")
    stack = cdk.Stack(stage, "Web", env=ENV)
    bucket = s3.Bucket(stack, "Content", bucket_name="webstack-content")
    return app, stage, stack, bucket


def test_catalogue_pins_every_rule_and_its_pitfall():
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    # (pitfall, rule) in catalogue order; a pitfall with two ways to fail has two rules (D2).
    assert [(r.pitfall, r.name) for r in RULES] == [
        ("D1", "AsgEbsKeyUsableByAutoScaling"),
        ("D2", "OacForKmsEncryptedOrigin"),
        ("D2", "OacBucketPolicyScopedToDistribution"),
        ("D3", "CloudFrontWebAclInUsEast1"),
        ("D4", "CloudFrontCertificateInUsEast1DnsValidated"),
        ("D5", "CloudFrontAlarmInUsEast1"),
        ("D6", "CloudFrontLogBucketAclsEnabled"),
        ("D7", "AlbLogBucketSseS3"),
        ("D8", "BucketNameGenerated"),
        ("D9", "PrefixListSecurityGroupOnePortNotOpen"),
        ("D10", "AlarmTopicEncryptedForCloudWatch"),
        ("D11", "LaunchTemplateWithAmazonLinux2023"),
        ("D12", "SecurityGroupIngressUnique"),
        ("D14", "StatefulLogicalIdPinned"),
        ("D15", "NotifiedTopicPolicyAllowsPublisher"),
        ("D16", "NotifiedTopicKeyUsableByAutoScaling"),
        ("D17", "KeyPolicyKeepsAccountRoot"),
        ("D18", "LogGroupKeyAdmitsCloudWatchLogs"),
        ("D19", "AlbLogBucketAllowsElbDelivery"),
        ("D20", "RotationFunctionInvokableBySecretsManager"),
        ("D22", "InternetGatewayAttachedForVpcOrigin"),
        ("D28", "AccessLogBucketWithoutObjectLock"),
        ("F2", "NoPlaceholderOrLiteralSecret"),
        ("F5", "ContextResolvedAtSynth"),
        ("F6", "OutputsWithoutSecrets"),
        ("F7", "RolesScopedAndAssumed"),
    ]
    for entry in rule_catalog():
        assert entry["id"] == f"Webstack-{entry['name']}"
        assert re.fullmatch(r"[A-Z][A-Za-z0-9]+", entry["name"])
        assert re.fullmatch(r"[DF]\d+", entry["pitfall"])
        assert entry["level"] == "error"
        assert entry["summary"] and entry["fix"]
        assert entry["link"].startswith("https://")


def test_rules_are_in_pitfall_order():
    def order(pitfall: str) -> tuple[str, int]:
        return pitfall[0], int(pitfall[1:])

    assert [order(r.pitfall) for r in RULES] == sorted(order(r.pitfall) for r in RULES)


def test_every_rule_module_has_a_test_module_naming_its_rules():
    # tests/rules/ mirrors webstack_pitfalls/rules/: test_<module>.py holds the
    # compliant, non-compliant and acknowledged cases of that module's rules.
    here = Path(__file__).parent
    for rule in RULES:
        tests = here / f"test_{rule.module}.py"
        assert tests.is_file(), f"{rule.id}: no {tests.name}"
        assert f'"{rule.id}"' in tests.read_text(), f"{rule.id} not named in {tests.name}"


def test_plugin_registered_with_validations_fails_synth_with_the_rule_id():
    app, _, _, _ = _named_bucket_app()
    cdk.Validations.of(app).add_plugins(PitfallChecks())
    with pytest.raises(Exception, match=r"Webstack-BucketNameGenerated"):
        app.synth()


def test_acknowledgement_in_cdk_namespace_form_passes_synth():
    # "WebstackPitfalls::<id>" is the form CDK's own report suggests; CDK core honours it.
    app, _, _, bucket = _named_bucket_app()
    cdk.Validations.of(app).add_plugins(PitfallChecks())
    ack(bucket, f"{PLUGIN_NAME}::{BUCKET_NAME}")
    app.synth()


@pytest.mark.parametrize("where", ["resource", "stack", "stage", "app"])
def test_acknowledgement_on_any_ancestor_suppresses(where):
    app, stage, stack, bucket = _named_bucket_app()
    ack({"resource": bucket.node.default_child, "stack": stack, "stage": stage, "app": app}[where], BUCKET_NAME)
    assert findings(app, [PitfallChecks()]) == []


def test_acknowledgement_elsewhere_or_of_another_id_does_not_suppress():
    app, _, stack, bucket = _named_bucket_app()
    other = s3.Bucket(stack, "Other")
    ack(other, BUCKET_NAME)
    ack(bucket, "Webstack-BucketNameGenerated[Something]")
    assert [f.rule_id for f in findings(app, [PitfallChecks()])] == [BUCKET_NAME]


def test_validate_scope_reports_like_a_nag_pack():
    _, _, stack, _ = _named_bucket_app()
    report = PitfallChecks().validate_scope(stack)
    assert not report.success
    (violation,) = report.violations
    assert violation.rule_name == BUCKET_NAME
    assert (violation.description or "").startswith("[pitfall D8] An S3 bucket has an explicit BucketName")
    assert violation.severity == "error"
    assert (violation.fix or "").startswith("https://")
    (resource,) = violation.violating_resources
    assert resource.construct_path == "Prod/Web/Content/Resource"
    assert resource.locations == ["Properties/BucketName"]


def test_findings_include_aws_solutions_and_nist_packs_by_default():
    _, _, stack, _ = _named_bucket_app()
    result = findings(stack)
    packs = {f.pack for f in result}
    assert {"AwsSolutions", "NIST.800.53.R5", PLUGIN_NAME} <= packs
    assert Finding(BUCKET_NAME, "Prod/Web/Content/Resource", "error", PLUGIN_NAME) in result
    assert any(f.rule_id == "AwsSolutions-S1" and f.path == "Prod/Web/Content/Resource" for f in result)


def test_readme_rule_table_matches_the_catalogue():
    import webstack_pitfalls as checks
    from webstack_pitfalls import rules_markdown

    readme = (Path(checks.__file__).parent / "README.md").read_text()
    assert rules_markdown() in readme
