"""Configuration: defaults are valid, bad input is refused with a clear message."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pydantic
import pytest

from tests.synth import config_of
from webstack.app import ConfigInputError, read_overrides
from webstack.config import ENVIRONMENTS, ConfigError, load_config

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", list(ENVIRONMENTS))
def test_defaults_are_valid(name):
    config = config_of(name)
    assert config.name == name
    assert all(zone.startswith(config.region) for zone in config.availability_zones)


def test_prod_retains_and_protects_dev_is_disposable():
    prod, dev = config_of("prod"), load_config("dev")
    assert prod.retain_data and prod.deletion_protection
    assert not dev.retain_data and not dev.deletion_protection
    assert prod.nat_gateways == len(prod.availability_zones)
    assert dev.nat_gateways == 1


def test_overrides_are_applied_and_frozen():
    config = load_config("dev", {"capacity": {"max": 5}, "alarms": {"emails": ["ops@webstack-test.net"]}})
    assert config.capacity.max == 5 and config.capacity.min == 1
    assert config.alarms.emails == ("ops@webstack-test.net",)
    with pytest.raises(pydantic.ValidationError, match="frozen"):
        config.capacity = None  # type: ignore[misc]


@pytest.mark.parametrize(
    ("env", "overrides", "field", "fix_hint"),
    [
        ("qa", None, "env", "dev, staging, prod"),
        ("dev", {"vpc_cidr": "10.0.0.300/16"}, "vpc_cidr", "10.10.0.0/16"),
        ("dev", {"vpc_cidr": "10.0.0.0/8"}, "vpc_cidr", "/16 to /20"),
        ("dev", {"vpc_cidr": "8.8.0.0/16"}, "vpc_cidr", "10.0.0.0/8"),
        ("dev", {"capacity": {"min": 3, "max": 2}}, "capacity.min", "min <= max"),
        ("dev", {"capacity": {"desired": 2}}, "capacity.desired", "set desired to min"),
        (
            "dev",
            {"scaling": {"min_healthy_percent": 50, "max_healthy_percent": 200}},
            "scaling.max_healthy_percent",
            "<= 100",
        ),
        ("dev", {"scaling": {"checkpoint_percentages": [50, 90]}}, "scaling.checkpoint_percentages", "end at 100"),
        ("dev", {"scaling": {"checkpoint_percentages": [60, 30, 100]}}, "scaling.checkpoint_percentages", "ascending"),
        ("dev", {"scaling": {"bake_time_seconds": 172_801}}, "scaling.bake_time_seconds", "0 to 172800"),
        ("dev", {"alarms": {"emails": ["not-an-address"]}}, "alarms.emails[0]", "mailbox"),
        ("dev", {"alarms": {"emails": ["admin@example.com"]}}, "alarms.emails[0]", "real mailbox"),
        ("dev", {"alarms": {"emails": "ops@webstack-test.net"}}, "alarms.emails", "list"),
        ("dev", {"availability_zones": ["us-east-1a", "us-east-1b"]}, "availability_zones[0]", "us-west-2a"),
        ("dev", {"availability_zones": ["us-west-2a"]}, "availability_zones", "two or more"),
        ("dev", {"availability_zones": ["us-west-2a", "us-west-2z"]}, "availability_zones[1]", "us-west-2"),
        ("dev", {"region": "mars-north-1"}, "region", "us-west-2"),
        ("dev", {"nat_gateways": 5}, "nat_gateways", "from 1 to 2"),
        ("dev", {"nat_gateways": True}, "nat_gateways", "whole number"),
        ("dev", {"log_retention_days": 10}, "log_retention_days", "14"),
        ("dev", {"instance_type": "huge"}, "instance_type", "t3.small"),
        ("dev", {"account": "12345"}, "account", "12 digits"),
        ("dev", {"deletion_protection": True}, "retain_data", "retain_data: true"),
        ("dev", {"price_class": "cheap"}, "price_class", "PriceClass_100"),
        ("dev", {"tags": {"aws:owner": "x"}}, "tags.aws:owner", "not starting with aws:"),
        ("dev", {"vpc_cdir": "10.0.0.0/16"}, "vpc_cdir", "vpc_cidr"),
        ("dev", {"scaling": {"cpu_target_percent": 99}}, "scaling.cpu_target_percent", "10 to 90"),
        (
            "dev",
            {"alarms": {"subscribers": [{"protocol": "https", "endpoint": "http://pager.webstack-ops.net/x"}]}},
            "alarms.subscribers[0].endpoint",
            "https://",
        ),
        (
            "dev",
            {"alarms": {"subscribers": [{"protocol": "https", "endpoint": "https://hooks.your-company.com/x"}]}},
            "alarms.subscribers[0].endpoint",
            "real webhook",
        ),
        (
            "dev",
            {"alarms": {"subscribers": [{"protocol": "sqs", "endpoint": "pager-queue"}]}},
            "alarms.subscribers[0].endpoint",
            "arn:aws:sqs:",
        ),
        (
            "dev",
            {
                "alarms": {
                    "subscribers": [{"protocol": "sqs", "endpoint": "arn:aws:sqs:us-west-2:210987654321:pager.fifo"}]
                }
            },
            "alarms.subscribers[0].endpoint",
            "standard queue",
        ),
        (
            "dev",
            {"alarms": {"subscribers": [{"protocol": "sms", "endpoint": "+15550100"}]}},
            "alarms.subscribers[0].protocol",
            "'https' or 'sqs'",
        ),
        (
            "dev",
            {"alarms": {"subscribers": [{"protocol": "sqs", "endpoint": "arn:aws:sqs:us-west-2:210987654321:p"}] * 2}},
            "alarms.subscribers",
            "once",
        ),
    ],
)
def test_invalid_configuration_names_field_and_fix(env, overrides, field, fix_hint):
    with pytest.raises(ConfigError) as caught:
        config_of(env, overrides)
    err = caught.value
    assert err.field == field
    assert fix_hint in err.fix
    assert str(err).startswith(f"{field}: ")


@pytest.mark.parametrize(
    ("env", "overrides"),
    [("prod", None), ("prod", {"alarms": {"emails": []}}), ("staging", {"deletion_protection": True})],
)
def test_protected_environment_that_pages_no_one_is_refused(env, overrides):
    """Deletion protection on and no e-mail or subscriber: the alarms would reach no one."""
    with pytest.raises(ConfigError) as caught:
        load_config(env, overrides)
    assert caught.value.field == "alarms.emails"
    assert "page no one" in caught.value.problem and "alarms.subscribers" in caught.value.fix


@pytest.mark.parametrize(
    "alarms",
    [
        {"emails": ["oncall@webstack-ops.net"]},
        {"subscribers": [{"protocol": "https", "endpoint": "https://events.pagerduty.com/integration/x/enqueue"}]},
        {"subscribers": [{"protocol": "sqs", "endpoint": "arn:aws:sqs:us-west-2:210987654321:pager"}]},
    ],
)
def test_protected_environment_with_a_pager_loads(alarms):
    assert load_config("prod", {"alarms": alarms}).alarms.pages_someone


PAGER = {"alarms": {"emails": ["oncall@webstack-ops.net"]}}
ORIGIN_DOMAIN = {
    "hosted_zone_id": "Z0123456789ABCDEFGHIJ",
    "zone_name": "webstack-ops.net",
    "site_names": ["www.webstack-ops.net"],
}


@pytest.mark.parametrize(
    ("env", "overrides"),
    [
        ("prod", {**PAGER, "origin": {"private": False}}),
        ("staging", {**PAGER, "deletion_protection": True}),
        ("prod", {**PAGER, "origin": {"private": False}, "domain": ORIGIN_DOMAIN}),  # site TLS only
    ],
)
def test_protected_environment_refuses_a_cleartext_public_origin(env, overrides):
    """D29: no VPC origin and no ALB certificate -> CloudFront would talk HTTP to a public ALB."""
    with pytest.raises(ConfigError) as caught:
        load_config(env, overrides)
    assert caught.value.field == "origin.private"
    assert "cleartext" in caught.value.problem
    assert "origin.private: true" in caught.value.fix and "domain.origin_name" in caught.value.fix


@pytest.mark.parametrize(
    "overrides",
    [
        PAGER,  # prod's default: the VPC origin
        {**PAGER, "origin": {"private": False}, "domain": {**ORIGIN_DOMAIN, "origin_name": "origin.webstack-ops.net"}},
    ],
)
def test_protected_environment_with_a_private_or_encrypted_origin_loads(overrides):
    config = load_config("prod", overrides)
    assert config.origin.private or (config.domain is not None and config.domain.origin_name)


def test_private_origin_needs_origin_protection():
    with pytest.raises(ConfigError) as caught:
        load_config("dev", {"origin": {"private": True}, "origin_protection": {"enabled": False}})
    assert caught.value.field == "origin.private"
    assert "origin_protection.enabled: true" in caught.value.fix


def test_read_overrides_accepts_inline_json_and_files(tmp_path):
    assert read_overrides('{"nat_gateways": 2}') == {"nat_gateways": 2}
    path = tmp_path / "prod.json"
    path.write_text(json.dumps({"capacity": {"max": 20}}))
    assert read_overrides(str(path)) == {"capacity": {"max": 20}}
    with pytest.raises(ConfigInputError, match="does not exist"):
        read_overrides(str(tmp_path / "missing.json"))
    with pytest.raises(ConfigInputError, match="not valid JSON"):
        read_overrides("{nope")


def _run_app(tmp_path, *context: str) -> subprocess.CompletedProcess:
    outdir = tmp_path / "out"
    env = dict(os.environ, CDK_OUTDIR=str(outdir))
    ctx = {}
    for item in context:
        key, value = item.split("=", 1)
        ctx[key] = value
    env["CDK_CONTEXT_JSON"] = json.dumps(ctx)
    return subprocess.run(
        [sys.executable, "app.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize(
    ("context", "message"),
    [
        (("env=qa",), "env: unknown environment 'qa'"),
        (('config={"capacity": {"min": 9}}',), "capacity.min: min (9) is greater than max (2)"),
        (('config={"alarms": {"emails": ["admin@example.com"]}}',), "placeholder"),
        (("env=prod",), "alarms.emails: is empty and so is alarms.subscribers, but prod is protected"),
        (
            ("env=prod", 'config={"alarms": {"emails": ["oncall@webstack-ops.net"]}, "origin": {"private": false}}'),
            "origin.private: is false and the ALB has no certificate (domain.origin_name), but prod is protected",
        ),
    ],
)
def test_app_exits_nonzero_and_writes_nothing_on_bad_input(tmp_path, context, message):
    result = _run_app(tmp_path, *context)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_make_synth_path_leaves_no_partial_cdk_out(tmp_path):
    """The CDK CLI creates its output folder before running the app; our synth must not."""
    out = tmp_path / "cdk.out"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"vpc_cidr": "nope"}))
    result = subprocess.run(
        [sys.executable, "-m", "webstack_tools.cli", "synth", "--env", "dev", "--config", str(bad), "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode != 0
    assert "vpc_cidr" in result.stderr
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".cdk.out")]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"scaling": {"extra_instance_types": ["m7g.large"]}}, "scaling.extra_instance_types[0]"),
        ({"scaling": {"schedules": [{"name": "x", "cron": "daily", "min": 1, "max": 2}]}}, "scaling.schedules[0].cron"),
        (
            {"scaling": {"schedules": [{"name": "x", "cron": "0 7 * * *", "min": 3, "max": 2}]}},
            "scaling.schedules[0].min",
        ),
        ({"load_balancing": {"slow_start_seconds": 5}}, "load_balancing.slow_start_seconds"),
        ({"cdn": {"immutable_paths": ["/api/*"]}}, "cdn.immutable_paths[0]"),
        ({"alarms": {"p99_latency_seconds": 0}}, "alarms.p99_latency_seconds"),
        ({"geo_allowlist": ["usa"]}, "geo_allowlist[0]"),
    ],
)
def test_invalid_tuning(overrides, field):
    with pytest.raises(ConfigError) as caught:
        load_config("dev", overrides)
    assert caught.value.field == field


@pytest.mark.parametrize(
    "value",
    [
        "${Token[TOKEN.12]}",
        "#{Token[TOKEN.3]}",
        "{{resolve:secretsmanager:x}}",
        "${AWS::Region}",
        "a\nb",
        "tab\there",
        "\x1b[0m",
    ],
)
def test_no_string_field_can_carry_template_logic(value):
    """The guard on the model base applies to every string field, even one without a grammar of its own."""
    from webstack.config.models import Model

    class Probe(Model):
        text: str = ""
        items: tuple[str, ...] = ()
        mapping: dict[str, str] = pydantic.Field(default_factory=dict)

    for field in ({"text": value}, {"items": ["ok", value]}, {"mapping": {"k": value}}, {"mapping": {value: "v"}}):
        with pytest.raises(pydantic.ValidationError):
            Probe.model_validate(field)
    assert Probe.model_validate({"text": "plain words: a-b_c/d"}).text == "plain words: a-b_c/d"
