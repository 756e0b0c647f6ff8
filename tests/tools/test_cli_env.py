"""The allow-listed environment of CDK CLI processes and the tools' AWS clients: nothing of the
user's AWS setup gets through, and an environment that could reach AWS is refused."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from webstack_tools import cli_env
from webstack_tools.cli_env import UnsafeEnvironment, cli_environment, isolated_session, require_local

USER_AWS = {
    "AWS_PROFILE": "nonexistent",
    "AWS_DEFAULT_PROFILE": "nonexistent",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true",
    "AWS_ACCESS_KEY_ID": "AKIAREALKEY",
    "AWS_SECRET_ACCESS_KEY": "real-secret",
    "AWS_ENDPOINT_URL_S3": "https://s3.amazonaws.com",
    "AWS_CONFIG_FILE": "/home/someone/.aws/config",
    "AWS_SHARED_CREDENTIALS_FILE": "/home/someone/.aws/credentials",
    "HTTPS_PROXY": "http://proxy.example:3128",
    "NODE_OPTIONS": "--require /tmp/evil.js",
}


@pytest.fixture
def user_shell(monkeypatch):
    for key, value in USER_AWS.items():
        monkeypatch.setenv(key, value)


def test_the_users_aws_setup_never_reaches_a_child(user_shell):
    env = cli_environment("http://localhost:4566")
    for key in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "AWS_ENDPOINT_URL_S3"):
        assert key not in env, key
    assert "HTTPS_PROXY" not in env and "NODE_OPTIONS" not in env
    assert env["AWS_ACCESS_KEY_ID"] == "testing" and env["AWS_SECRET_ACCESS_KEY"] == "testing"
    assert env["AWS_ENDPOINT_URL"] == "http://localhost:4566"
    for key in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        assert Path(env[key]).read_text() == "", key
        assert Path(env[key]).is_relative_to(env["HOME"])
    assert not (Path(env["HOME"]) / ".cdk.json").exists()  # no user CDK configuration (profile, context)
    assert (Path(env["HOME"]).stat().st_mode & 0o777) == 0o700


def test_telemetry_version_check_and_notices_are_off():
    env = cli_environment()
    assert env["CDK_DISABLE_CLI_TELEMETRY"] == "true"  # node_modules/aws-cdk/README.md, "Environment"
    assert env["CDK_DISABLE_VERSION_CHECK"] == "1"
    assert "--no-notices" in cli_env.CLI_FLAGS


def test_the_telemetry_variable_is_the_one_the_pinned_cli_reads():
    collect = Path("node_modules/aws-cdk/lib/cli/telemetry/collect-telemetry.js")
    if not collect.exists():
        pytest.skip("the CDK CLI is not installed (make install)")
    assert "process.env.CDK_DISABLE_CLI_TELEMETRY" in collect.read_text()


def test_synth_gets_no_credentials_at_all(user_shell):
    """Without credentials the CLI has nothing to call STS with (with AWS_PROFILE it did)."""
    env = cli_environment()
    assert not any(key in env for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"))
    require_local(env)


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ({"AWS_PROFILE": "prod"}, "AWS_PROFILE is set"),
        ({"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is set"),
        ({"AWS_ENDPOINT_URL_STS": "https://sts.amazonaws.com"}, "AWS_ENDPOINT_URL_STS=https://sts.amazonaws.com"),
        ({"AWS_ENDPOINT_URL": "http://evil.example:4566"}, "is not the local emulator"),
    ],
)
def test_an_environment_that_could_reach_aws_is_refused(extra, reason):
    env = {**cli_environment("http://localhost:4566"), **extra}
    with pytest.raises(UnsafeEnvironment, match=reason) as caught:
        require_local(env)
    assert "\n" not in str(caught.value)


def test_credentials_without_the_emulators_endpoint_are_refused():
    env = {**cli_environment(), "AWS_ACCESS_KEY_ID": "AKIA", "AWS_SECRET_ACCESS_KEY": "x"}
    with pytest.raises(UnsafeEnvironment, match="credentials are set without"):
        require_local(env)


def test_a_config_file_with_content_is_refused(tmp_path):
    config = tmp_path / "config"
    config.write_text("[default]\nendpoint_url = https://example.com\n")
    env = {**cli_environment("http://localhost:4566"), "AWS_CONFIG_FILE": str(config)}
    with pytest.raises(UnsafeEnvironment, match="is not empty"):
        require_local(env)


def test_loopback_names_are_local():
    assert all(cli_env.is_local(u) for u in ("http://localhost:1", "http://127.0.0.1:2", "http://[::1]:3"))
    assert not any(cli_env.is_local(u) for u in ("https://sts.amazonaws.com", "http://localhost.evil.example:1"))


def test_the_tools_boto3_clients_ignore_the_users_profile(user_shell):
    """boto3's own session raises ProfileNotFound for AWS_PROFILE=nonexistent; ours never reads it."""
    env = cli_environment("http://localhost:4566")
    client = isolated_session(env).client("sts", region_name="us-east-1", endpoint_url="http://localhost:4566")
    assert client.meta.endpoint_url == "http://localhost:4566"
    credentials = client._request_signer._credentials
    assert credentials.access_key == "testing"


def test_a_child_resolves_every_endpoint_to_the_emulator(user_shell):
    """What an SDK in the child sees: boto3 run with the environment the CDK CLI gets."""
    env = cli_environment("http://localhost:4566")
    code = (
        "import boto3; s = boto3.session.Session(); "
        "print(s.profile_name, *(s.client(x, region_name='us-west-2').meta.endpoint_url for x in "
        "('sts', 'cloudformation', 's3', 'ssm', 'ecr')))"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    profile, *endpoints = out.split()
    assert profile == "default"
    assert endpoints == ["http://localhost:4566"] * 5
