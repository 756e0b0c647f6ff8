"""The gate fails on an unannotated checkov finding and on an acknowledgement that matches nothing.

Each test runs the real gate (:func:`webstack_tools.compliance.run`: cdk-nag packs,
pitfall rules, cfn-lint, checkov) on a one-resource app in place of webstack's:
an ``AWS::Lambda::Permission`` for a service principal, which no cdk-nag rule
faults and checkov faults (CKV_AWS_364) unless it names ``SourceAccount``.
"""

from __future__ import annotations

import json
import subprocess
from types import SimpleNamespace

import pytest
from aws_cdk import App, Environment, Stack
from aws_cdk import aws_lambda as lambda_

from webstack.constructs.acknowledge import acknowledge, skip_checkov
from webstack_tools import checkov_scan, compliance

FUNCTION = "arn:aws:lambda:us-west-2:111111111111:function:f"
REASON = "the test's reason, long enough for the gate's thirty characters"


def _permission(stack: Stack, *, source_account: str | None) -> lambda_.CfnPermission:
    return lambda_.CfnPermission(
        stack,
        "Invoke",
        action="lambda:InvokeFunction",
        function_name=FUNCTION,
        principal="s3.amazonaws.com",
        source_account=source_account,
    )


def _gate(monkeypatch, capsys, build) -> tuple[int, str, dict]:
    """Run the gate on dev with ``build(stack)`` as the whole app; exit code, stderr, the result."""
    results = []

    def one_stack(app: App, config):
        stack = Stack(app, "Tiny", env=Environment(account="111111111111", region="us-west-2"))
        build(stack)
        return SimpleNamespace(all=[stack])

    real_check = compliance.check_variant

    def recorded(variant):
        results.append(real_check(variant))
        return results[-1]

    monkeypatch.setattr(compliance, "add_environment", one_stack)
    monkeypatch.setattr(compliance, "check_variant", recorded)
    code = compliance.run(["dev"], quick=True)
    return code, capsys.readouterr().err, results[0]


def test_an_unannotated_checkov_finding_fails_the_gate(monkeypatch, capsys):
    code, err, result = _gate(monkeypatch, capsys, lambda s: _permission(s, source_account=None))
    assert code == 1
    assert "CKV_AWS_364 at Tiny/Invoke" in err
    assert [(f["pack"], f["rule_id"]) for f in result["findings"]] == [("checkov", "CKV_AWS_364")]


def test_an_annotated_checkov_finding_passes(monkeypatch, capsys):
    def build(stack):
        skip_checkov(_permission(stack, source_account=None), "CKV_AWS_364", REASON)

    code, err, result = _gate(monkeypatch, capsys, build)
    assert code == 0, err
    assert result["findings"] == [] and result["stale"] == []
    assert {"rule_id": "CKV_AWS_364", "path": "Tiny/Invoke", "reason": REASON} in [
        {k: a[k] for k in ("rule_id", "path", "reason")} for a in result["acknowledgements"]
    ]


def test_a_checkov_skip_that_matches_nothing_fails_the_gate(monkeypatch, capsys):
    def build(stack):
        skip_checkov(_permission(stack, source_account="111111111111"), "CKV_AWS_364", REASON)

    code, err, result = _gate(monkeypatch, capsys, build)
    assert code == 1
    assert "stale CKV_AWS_364 at Tiny/Invoke" in err
    assert result["findings"] == []


def test_a_cdk_nag_acknowledgement_that_matches_nothing_fails_the_gate(monkeypatch, capsys):
    def build(stack):
        acknowledge(_permission(stack, source_account="111111111111"), "AwsSolutions-S1", REASON)

    code, err, result = _gate(monkeypatch, capsys, build)
    assert code == 1
    assert "stale AwsSolutions-S1 at Tiny/Invoke" in err
    assert result["findings"] == []


def test_checkov_itself_honours_the_skip_metadata(tmp_path):
    """skip_checkov writes the form checkov reads: run by hand on cdk.out, checkov skips it too."""
    app = App()
    stack = Stack(app, "Tiny")
    skip_checkov(_permission(stack, source_account=None), "CKV_AWS_364", REASON)
    template = tmp_path / "Tiny.template.json"
    template.write_text(json.dumps(app.synth().get_stack_by_name("Tiny").template))
    checkov = str(checkov_scan.executable())
    args = [checkov, "-f", str(template), "--framework", "cloudformation", "-o", "json", "--skip-download"]
    report = json.loads(subprocess.run([*args, "--soft-fail"], capture_output=True, text=True, check=True).stdout)
    results = report["results"]
    assert [c["check_id"] for c in results["failed_checks"]] == []
    skipped = [(c["check_id"], c["check_result"].get("suppress_comment")) for c in results["skipped_checks"]]
    assert skipped == [("CKV_AWS_364", REASON)]


@pytest.mark.parametrize(
    ("rule_id", "path", "covers", "stale"),
    [
        ("AwsSolutions-S1", "A/B", True, False),
        ("AwsSolutions-S1", "A", True, False),
        ("AwsSolutions-S1", "A/Bc", False, True),
        ("AwsSolutions-S2", "A/B", False, True),
        # CDK's own acknowledgements for its validation plugin, which the gate does not run.
        ("CloudFormation-Validate::W3010", "A", False, False),
    ],
)
def test_acknowledgements_cover_as_cdk_nag_does(rule_id, path, covers, stale):
    """cdk-nag's rule: the same id, on the resource or an ancestor (a path prefix at a ``/``)."""
    raw = [{"rule_id": "AwsSolutions-S1", "path": "A/B/Resource"}]
    ack = {"rule_id": rule_id, "path": path, "reason": REASON}
    open_findings, found_stale = compliance.apply_acknowledgements(raw, [ack])
    assert open_findings == ([] if covers else raw)
    assert found_stale == ([ack] if stale else [])


def test_gate_without_checkov_says_so_in_one_line(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(checkov_scan, "executable", lambda: tmp_path / "no-checkov")
    assert compliance.main(["--env", "dev", "--quick"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"webstack: checkov is not installed at {tmp_path / 'no-checkov'}. Fix: run make install"]
