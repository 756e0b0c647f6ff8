"""Detached server lifecycle: start, status, reset, env, stop -- and no
process left behind."""

from __future__ import annotations

import os
import subprocess
import sys

import boto3

from webstack_emulator import server


def test_detached_start_status_reset_stop(tmp_path):
    info = server.start(state_dir=tmp_path)
    try:
        assert server.status(tmp_path) == info
        assert server.start(state_dir=tmp_path) == info  # idempotent
        s3 = boto3.client(
            "s3",
            endpoint_url=info.endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        s3.create_bucket(Bucket="reset-me")
        server.reset(info.endpoint)
        assert s3.list_buckets()["Buckets"] == []
        env = subprocess.run(
            [sys.executable, "-m", "webstack_emulator", "--state-dir", str(tmp_path), "env", "--region", "us-west-2"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert f"export AWS_ENDPOINT_URL={info.endpoint}" in env and "AWS_DEFAULT_REGION=us-west-2" in env
    finally:
        assert server.stop(tmp_path) is True
    assert server.status(tmp_path) is None
    assert not os.path.exists(f"/proc/{info.pid}")
    assert server.stop(tmp_path) is False


def test_stale_state_file_is_ignored(tmp_path):
    (tmp_path / "server.json").write_text('{"pid": 999999, "port": 1}')
    assert server.status(tmp_path) is None
    assert not (tmp_path / "server.json").exists()


def test_endpoint_env_uses_fake_credentials():
    env = server.endpoint_env("http://localhost:1", "us-west-2")
    assert env["AWS_ACCESS_KEY_ID"] == "testing" and env["CDK_DEFAULT_ACCOUNT"] == "123456789012"
