"""The compliance gate: zero unacknowledged findings and zero stale acknowledgements in every configuration."""

from __future__ import annotations

import pytest

from webstack_tools.compliance import check_variant, markdown, table, variants

VARIANTS = variants(["dev", "staging", "prod"])


@pytest.mark.parametrize("variant", VARIANTS, ids=[f"{v.env}-{v.name}" for v in VARIANTS])
def test_no_findings(variant):
    result = check_variant(variant)
    assert result["findings"] == [], "\n".join(f"{f['rule_id']} at {f['path']}" for f in result["findings"])
    assert result["stale"] == [], "\n".join(f"stale {a['rule_id']} at {a['path']}" for a in result["stale"])
    # Every acknowledgement carries a reason worth reading.
    for ack in result["acknowledgements"]:
        assert len(ack["reason"]) > 30, ack


def test_gate_reports_a_finding():
    """The gate is able to fail: an open security group is a finding."""
    from aws_cdk import App, Stack
    from aws_cdk import aws_ec2 as ec2

    from webstack_pitfalls import findings

    app = App()
    stack = Stack(app, "Leaky")
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0)
    sg = ec2.SecurityGroup(stack, "Open", vpc=vpc)
    sg.add_ingress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(22))
    ids = {f.rule_id for f in findings(app)}
    assert "AwsSolutions-EC23" in ids


def test_report_formats():
    result = {
        "env": "dev",
        "variant": "default",
        "stacks": [],
        "findings": [{"rule_id": "AwsSolutions-S1", "path": "a/b", "level": "error", "pack": "AwsSolutions"}],
        "acknowledgements": [
            {"rule_id": "AwsSolutions-IAM4[Policy::x]", "path": "app/s/Role", "reason": "because AWS says so"}
        ],
    }
    text = table([result])
    assert "1 / 1 ack" in text
    md = markdown([result], 1.0)
    assert "`AwsSolutions-S1`" in md and "`AwsSolutions-IAM4[Policy::x]`" in md


def test_every_synth_runs_the_rule_packs(monkeypatch, tmp_path):
    """app.py attaches the packs: a finding fails `cdk synth` itself, not only `make check`."""
    from aws_cdk import Stack
    from aws_cdk import aws_ec2 as ec2

    import app as app_module

    def leaky(app):
        stack = Stack(app, "Leaky")
        vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0)
        ec2.SecurityGroup(stack, "Open", vpc=vpc).add_ingress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(22))

    monkeypatch.setattr(app_module, "build_app", leaky)
    monkeypatch.setenv("CDK_OUTDIR", str(tmp_path / "out"))
    with pytest.raises(Exception, match=r"(?i)validation ?failed") as caught:
        app_module.main()
    assert "AwsSolutions-EC23" in str(caught.value)
    assert "NIST.800.53.R5-EC2RestrictedSSH" in str(caught.value)
