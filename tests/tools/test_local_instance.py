"""A local load balancer target boots from its user data as an instance would
(webstack_tools/local_instance.py): the bundle the user data names, read from
the emulator's S3, run with the unit's environment, so the app reports the
build the launch template carries."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import boto3
import pytest

from webstack.constructs.origin_app import _SCRIPT
from webstack_emulator import endpoint_env
from webstack_emulator.server import InProcessServer, free_port
from webstack_tools import local_instance
from webstack_tools.project import app_command, project_root

REGION = "us-west-2"
BUCKET = "cdk-hnb659fds-assets-123456789012-us-west-2"


def _user_data(build: str, key: str) -> str:
    """The real script with the values OriginApp puts into it (markers as in origin_app.py)."""
    script = _SCRIPT.read_text()
    for marker, value in (
        ("__APP_URL__", f"s3://{BUCKET}/{key}"),
        ("__REGION__", REGION),
        ("__PORT__", "80"),
        ("__HEALTH_PATH__", "/api/health"),
        ("__BUILD__", build),
    ):
        script = script.replace(marker, value)
    return "#!/bin/bash\n" + script


def _bundle(folder: Path, version: str) -> bytes:
    """The app folder zipped as the asset is, its ``__version__`` changed to ``version``."""
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                text = path.read_bytes()
                if path.name == "__init__.py" and path.parent.name == "webstack_app":
                    text = re.sub(rb'__version__ = "[^"]*"', f'__version__ = "{version}"'.encode(), text)
                archive.writestr(path.relative_to(folder).as_posix(), text)
    return data.getvalue()


def test_the_user_data_names_the_bundle_the_unit_and_the_build():
    boot = local_instance.parse(_user_data("abc123", "abc123.zip"))
    assert (boot.bucket, boot.key, boot.region) == (BUCKET, "abc123.zip", REGION)
    assert boot.unit.name == "webstack-app.service"
    assert boot.unit.environment["WEBSTACK_APP_BUILD"] == "abc123"
    assert boot.unit.working_directory == "/opt/webstack-app"
    argv, env = local_instance.command(boot, Path("/w/root"), 4321)
    assert argv == [sys.executable, "-m", "webstack_app"]
    assert env["PYTHONPATH"] == "/w/root/opt/webstack-app"  # the bundle only, as on the instance
    assert (env["WEBSTACK_APP_PORT"], env["WEBSTACK_APP_HOST"]) == ("4321", "127.0.0.1")


@pytest.mark.parametrize(
    ("user_data", "problem"),
    [
        ("#!/bin/bash\nyum install -y nginx\n", "no `aws s3 cp"),
        (f"aws s3 cp 's3://{BUCKET}/k.zip' /tmp/b.zip --region '{REGION}'\n", "writes no systemd unit"),
    ],
)
def test_a_user_data_it_cannot_boot_is_one_line_and_exit_1(tmp_path, user_data, problem):
    (tmp_path / "user-data").write_text(user_data)
    args = ["--user-data", str(tmp_path / "user-data"), "--workdir", str(tmp_path), "--port", "1"]
    result = subprocess.run(
        [sys.executable, "-m", "webstack_tools.local_instance", *args], capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and problem in result.stderr, result.stderr


def _get(url: str) -> dict | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return dict(json.loads(resp.read()))
    except (urllib.error.URLError, OSError):
        return None


def test_the_target_runs_the_published_bundle_with_the_build_of_its_user_data(tmp_path):
    server = InProcessServer().start()
    try:
        s3 = boto3.client("s3", region_name=REGION, endpoint_url=server.endpoint, **_fake_keys())
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        s3.put_object(Bucket=BUCKET, Key="b0b.zip", Body=_bundle(project_root() / "app", "0.0.0+bundle"))
        (tmp_path / "user-data").write_text(_user_data("b0b", "b0b.zip"))
        port = free_port()
        values = {"python": sys.executable, "user_data": tmp_path / "user-data", "workdir": tmp_path, "port": port}
        argv = [part.format(**values) for part in app_command().split()]
        env = {**os.environ, "AWS_ENDPOINT_URL": server.endpoint}
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            hello = None
            deadline = time.monotonic() + 30
            while hello is None and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.2)
                hello = _get(f"http://127.0.0.1:{port}/api/hello")
            assert hello is not None, proc.stdout.read() if proc.poll() is not None else "no answer in 30 s"
            # The unpacked bundle runs (its version), with the build the user data's unit names.
            assert (hello["version"], hello["build"]) == ("0.0.0+bundle", "b0b")
            assert (tmp_path / "root" / "opt" / "webstack-app" / "webstack_app" / "server.py").is_file()
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    finally:
        server.stop()


def _fake_keys() -> dict[str, str]:
    env = endpoint_env("http://localhost")
    return {
        "aws_access_key_id": env["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": env["AWS_SECRET_ACCESS_KEY"],
        "aws_session_token": env["AWS_SESSION_TOKEN"],
    }
