"""Boot one local load balancer target as the instance's user data would.

The local data plane (``webstack_emulator.dataplane.targets``) runs this for
every in-service instance, with the instance's own user data (what its launch
template version holds, decoded) and a work folder that stands for its disk::

    python -m webstack_tools.local_instance --user-data FILE --workdir DIR --port PORT

From the user data (``webstack/constructs/assets/user_data.sh`` as
``OriginApp`` renders it) it takes what an instance takes from it:

* the bundle: the ``aws s3 cp 's3://BUCKET/KEY' ... --region R`` line, read
  from the emulator's S3 (``AWS_ENDPOINT_URL``, which the data plane sets),
  the object the CDK CLI published as the app's asset, unpacked into the
  unit's ``WorkingDirectory`` under the work folder;
* the systemd unit (``cat > /etc/systemd/system/NAME.service <<'UNIT'``):
  its ``Environment=`` lines (the build id ``WEBSTACK_APP_BUILD`` among
  them), ``WorkingDirectory=`` and ``ExecStart=``, run in the foreground.

So a target reports the build its launch template version names, and a
changed app is a new version whose instances run the new bundle. Locally,
paths under ``/`` live under ``DIR/root``; ``python3`` in ``ExecStart`` is
this interpreter (AL2023's is 3.9; ``tests/app`` keeps the app to 3.9);
``WEBSTACK_APP_PORT``/``WEBSTACK_APP_HOST`` are the target's loopback port.
Not done: the dynamic user, capabilities and sandboxing of the unit,
``Restart=``, journald; the rest of the script (log folder, the boot-time
health loop). A user data without the bundle line or the unit fails with one
line on stderr (the target's ``console.log``) and exit 1: the target stays
unhealthy, as an instance whose boot failed would.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import shlex
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

_BUNDLE = re.compile(r"aws s3 cp '(?P<url>s3://[^']+)'[^\n]*?--region '(?P<region>[^']+)'")
_UNIT = re.compile(
    r"cat > /etc/systemd/system/(?P<name>[\w@.-]+\.service) <<'(?P<eof>\w+)'\n(?P<body>.*?)\n(?P=eof)\n", re.S
)
# The app's own settings (app/webstack_app/__main__.py): the target's port, loopback only.
PORT_ENV, HOST_ENV = "WEBSTACK_APP_PORT", "WEBSTACK_APP_HOST"


class BootError(Exception):
    """What the user data does not say (one line, with the fix)."""


@dataclass(frozen=True)
class Unit:
    name: str
    environment: dict[str, str]
    working_directory: str
    exec_start: list[str]


@dataclass(frozen=True)
class Boot:
    bucket: str
    key: str
    region: str
    unit: Unit


def parse_unit(name: str, body: str) -> Unit:
    env: dict[str, str] = {}
    workdir, exec_start = "/", ""
    for line in body.splitlines():
        key, sep, value = line.strip().partition("=")
        if not sep:
            continue
        if key == "Environment":
            # systemd.exec(5): space-separated assignments, optionally quoted.
            env.update(part.split("=", 1) for part in shlex.split(value) if "=" in part)  # type: ignore[misc]
        elif key == "WorkingDirectory":
            workdir = value
        elif key == "ExecStart":
            exec_start = value
    if not exec_start:
        raise BootError(f"the unit {name} in the user data has no ExecStart=; fix the user data's unit")
    return Unit(name, env, workdir, shlex.split(exec_start))


def parse(user_data: str) -> Boot:
    bundle = _BUNDLE.search(user_data)
    if bundle is None:
        raise BootError("the user data has no `aws s3 cp 's3://...' ... --region '...'` line naming the app bundle")
    unit = _UNIT.search(user_data)
    if unit is None:
        raise BootError("the user data writes no systemd unit (`cat > /etc/systemd/system/NAME.service <<'EOF'`)")
    bucket, _, key = bundle.group("url").removeprefix("s3://").partition("/")
    return Boot(bucket, key, bundle.group("region"), parse_unit(unit.group("name"), unit.group("body")))


def local_path(root: Path, path: str) -> str:
    return str(root / path.lstrip("/"))


def fetch_bundle(boot: Boot) -> bytes:
    import boto3

    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if not endpoint:
        raise BootError("AWS_ENDPOINT_URL is not set: run this as the local data plane's app command")
    # The emulator's well-known fake credentials, never real ones (webstack_emulator.server.endpoint_env).
    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", aws_session_token="testing"
    )
    s3 = session.client("s3", region_name=boot.region, endpoint_url=endpoint)
    try:
        return bytes(s3.get_object(Bucket=boot.bucket, Key=boot.key)["Body"].read())
    except Exception as err:  # botocore's errors: one line, as `aws s3 cp` would fail the boot
        raise BootError(f"cannot download s3://{boot.bucket}/{boot.key}: {err}") from err


def install(boot: Boot, bundle: bytes, root: Path) -> Path:
    target = Path(local_path(root, boot.unit.working_directory))
    target.mkdir(parents=True, exist_ok=True)
    try:
        with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
            archive.extractall(target)
    except zipfile.BadZipFile as err:
        raise BootError(f"s3://{boot.bucket}/{boot.key} is not a zip file ({err})") from err
    return target


def command(boot: Boot, root: Path, port: int) -> tuple[list[str], dict[str, str]]:
    argv = list(boot.unit.exec_start)
    if Path(argv[0]).name.startswith("python3"):
        argv[0] = sys.executable
    env = dict(os.environ)
    for name, value in boot.unit.environment.items():
        env[name] = local_path(root, value) if value.startswith("/opt/") else value
    env[PORT_ENV], env[HOST_ENV] = str(port), "127.0.0.1"
    return argv, env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="webstack_tools.local_instance", description=__doc__.splitlines()[0])
    parser.add_argument("--user-data", type=Path, required=True)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    root = args.workdir / "root"
    try:
        boot = parse(args.user_data.read_text())
        folder = install(boot, fetch_bundle(boot), root)
        exe, env = command(boot, root, args.port)
    except (BootError, OSError) as err:
        print(f"local instance: {err}", file=sys.stderr, flush=True)
        return 1
    sys.stdout.flush()
    try:
        os.chdir(folder)
        os.execve(exe[0], exe, env)  # the app is this process: the data plane's SIGTERM reaches it
    except OSError as err:
        print(f"local instance: cannot run ExecStart={shlex.join(exe)}: {err.strerror}", file=sys.stderr, flush=True)
        return 1


if __name__ == "__main__":
    sys.exit(main())
