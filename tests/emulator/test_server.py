"""Detached server lifecycle: start, status, reset, env, stop -- and no
process left behind."""

from __future__ import annotations

import os
import subprocess
import sys

import boto3
import pytest

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


# --------------------------------------------------------------------------
# Only this machine's clients: Host header, CORS, state-file permissions.
# --------------------------------------------------------------------------
def _request(
    endpoint: str, host: str | None = None, method: str = "GET", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str]]:
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(endpoint)
    conn = http.client.HTTPConnection("127.0.0.1", parts.port, timeout=10)
    try:
        # skip_host: send exactly the Host header we are given.
        conn.putrequest(method, "/moto-api/data.json", skip_host=host is not None)
        if host is not None:
            conn.putheader("Host", host)
        for key, value in (headers or {}).items():
            conn.putheader(key, value)
        conn.endheaders()
        response = conn.getresponse()
        response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}
    finally:
        conn.close()


def test_only_loopback_host_headers_with_the_servers_port_are_answered():
    local = server.InProcessServer().start()
    try:
        port = local.port
        for host in (f"localhost:{port}", f"127.0.0.1:{port}", f"[::1]:{port}", f"LOCALHOST:{port}"):
            assert _request(local.endpoint, host)[0] == 200, host
        # DNS rebinding: a page on evil.example that resolves to 127.0.0.1 sends its own name.
        for host in (
            "evil.example",
            f"evil.example:{port}",
            f"localhost.evil.example:{port}",
            "localhost",
            "localhost:1",
        ):
            assert _request(local.endpoint, host)[0] == 403, host
        # What the SDKs send at a custom endpoint: path-style S3 on localhost:PORT.
        s3 = boto3.client(
            "s3",
            endpoint_url=local.endpoint,
            region_name="us-west-2",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        s3.create_bucket(Bucket="host-check", CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
        s3.put_object(Bucket="host-check", Key="k", Body=b"x")
        assert s3.get_object(Bucket="host-check", Key="k")["Body"].read() == b"x"
    finally:
        local.stop()


def test_no_cors_header_for_any_origin():
    local = server.InProcessServer().start()
    try:
        host = f"localhost:{local.port}"
        for method, headers in [
            ("GET", {"Origin": "https://evil.example"}),
            ("OPTIONS", {"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}),
        ]:
            _, response_headers = _request(local.endpoint, host, method, headers)
            assert not [k for k in response_headers if k.startswith("access-control-")], (method, response_headers)
    finally:
        local.stop()


def test_state_file_is_private(tmp_path):
    state = tmp_path / "emulator"
    info = server.start(state_dir=state)
    try:
        assert (state.stat().st_mode & 0o777) == 0o700
        assert ((state / server.STATE_FILE_NAME).stat().st_mode & 0o777) == 0o600
    finally:
        server.stop(state)
    assert not os.path.exists(f"/proc/{info.pid}")


def test_an_existing_state_dir_is_made_private_and_a_shared_one_refused(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir(mode=0o755)
    mine.chmod(0o755)
    assert server.private_state_dir(mine) == mine
    assert (mine.stat().st_mode & 0o777) == 0o700
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    with pytest.raises(RuntimeError, match="shared"):
        server.private_state_dir(shared)
    assert (shared.stat().st_mode & 0o7777) == 0o1777


def test_a_relative_state_dir_starts_and_stops_from_the_cli(tmp_path):
    """`--state-dir .local-aws` (the default, relative): the detached child runs
    in the state directory, so a relative path handed on as given pointed it at
    `.local-aws/.local-aws` and `start` waited out its timeout."""
    cli = [sys.executable, "-m", "webstack_emulator", "--state-dir", "state"]
    started = subprocess.run([*cli, "start"], check=False, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    try:
        assert started.returncode == 0, started.stderr
        assert (tmp_path / "state" / "server.json").exists()
        assert not (tmp_path / "state" / "state").exists()
    finally:
        stopped = subprocess.run([*cli, "stop"], check=False, cwd=tmp_path, capture_output=True, text=True, timeout=30)
    assert stopped.stdout.strip() == "stopped"
