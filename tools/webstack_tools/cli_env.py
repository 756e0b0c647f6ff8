"""The environment of every CDK CLI process and AWS client the tools start: built from an allow-list.

The user's shell environment is not passed on. With it, ``AWS_PROFILE`` made
``cdk synth`` ask the real STS for the account,
``AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`` sent the CLI's calls past the
emulator to AWS, and every deploy sent CLI telemetry. What a child gets
instead:

* a few variables passed through (``PATH`` with the venv first, locale, terminal);
* the jsii start-up silencers and the CLI's documented opt-outs
  (``CDK_DISABLE_CLI_TELEMETRY``, ``CDK_DISABLE_VERSION_CHECK``; notices are
  off per command with ``--no-notices``, see :data:`CLI_FLAGS`);
* a private ``HOME`` whose ``~/.aws/config`` and ``~/.aws/credentials`` are
  empty (and ``AWS_CONFIG_FILE``/``AWS_SHARED_CREDENTIALS_FILE`` pointing at
  them), so neither a profile nor a user ``~/.cdk.json`` applies;
* with an emulator: its endpoint and moto's fake credentials; without one
  (a plain ``synth``): no credentials at all, so the CLI has nothing to call
  AWS with.

:func:`require_local` refuses such an environment unless every endpoint an
AWS SDK would resolve from it is the local emulator.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import boto3
import botocore.session

from webstack_emulator import endpoint_env
from webstack_tools.project import project_root

PASSED_THROUGH = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TERM", "NO_COLOR", "TZ", "TMPDIR")
FIXED = {
    "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1",
    "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
    # node_modules/aws-cdk/README.md, "Environment": telemetry and the npm version check.
    "CDK_DISABLE_CLI_TELEMETRY": "true",
    "CDK_DISABLE_VERSION_CHECK": "1",
    "AWS_EC2_METADATA_DISABLED": "true",
}
# `--no-notices`: the CLI otherwise downloads its notices file on every command.
CLI_FLAGS = ("--no-notices",)
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
# Variables that make an AWS SDK pick credentials, a profile or an endpoint on
# its own (https://docs.aws.amazon.com/sdkref/latest/guide/settings-reference.html,
# https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html).
_FORBIDDEN = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_USE_FIPS_ENDPOINT",
    "AWS_USE_DUALSTACK_ENDPOINT",
)


class UnsafeEnvironment(RuntimeError):
    """An environment that could reach AWS outside the local emulator; the message is one line."""


def _private_dir(path: Path) -> Path:
    """``path`` as a directory only this user can use (0700), or a fresh temporary one."""
    try:
        path.mkdir(mode=0o700, exist_ok=True)
        info = path.lstat()
        if stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid():
            path.chmod(0o700)
            return path
    except OSError:
        pass
    return Path(tempfile.mkdtemp(prefix="webstack-cli-home."))


@cache
def cli_home() -> Path:
    """The private ``HOME`` of the CLI processes, with empty AWS config and credentials files."""
    home = _private_dir(Path(tempfile.gettempdir()) / f"webstack-cli-home-{os.getuid()}")
    aws = home / ".aws"
    aws.mkdir(mode=0o700, exist_ok=True)
    for name in ("config", "credentials"):
        (aws / name).write_text("")
    return home


def _jsii_cache() -> str:
    """Where jsii keeps its unpacked packages (it follows ``HOME``; keep the user's to keep synth fast)."""
    configured = os.environ.get("JSII_RUNTIME_PACKAGE_CACHE_ROOT")
    return configured or str(Path.home() / ".cache" / "aws" / "jsii" / "package-cache")


def cli_environment(endpoint: str | None = None) -> dict[str, str]:
    """The environment of a CDK CLI (or app) process: the allow-list, the emulator's endpoint if given."""
    home = cli_home()
    env = {key: os.environ[key] for key in PASSED_THROUGH if key in os.environ}
    venv_bin = project_root() / ".venv" / "bin"
    env["PATH"] = f"{venv_bin}{os.pathsep}{env.get('PATH', os.defpath)}"
    env.update(FIXED)
    env["HOME"] = str(home)
    env["AWS_CONFIG_FILE"] = str(home / ".aws" / "config")
    env["AWS_SHARED_CREDENTIALS_FILE"] = str(home / ".aws" / "credentials")
    env["JSII_RUNTIME_PACKAGE_CACHE_ROOT"] = _jsii_cache()
    if endpoint is not None:
        env.update(endpoint_env(endpoint))
    require_local(env)
    return env


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and (parts.hostname or "") in LOCAL_HOSTS


def _problem(env: Mapping[str, str]) -> str | None:
    """Why ``env`` could reach AWS outside the emulator, or None."""
    for key in _FORBIDDEN:
        if key in env:
            return f"{key} is set"
    for key, value in env.items():
        if key.startswith("AWS_ENDPOINT_URL") and not is_local(value):
            return f"{key}={value} is not the local emulator"
    for key in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        path = env.get(key)
        if path is None:
            return f"{key} is not set (the SDK would read ~/.aws)"
        if Path(path).exists() and Path(path).stat().st_size:
            return f"{key} ({path}) is not empty"
    if "AWS_ACCESS_KEY_ID" in env and "AWS_ENDPOINT_URL" not in env:
        return "credentials are set without the emulator's AWS_ENDPOINT_URL"
    return None


def require_local(env: Mapping[str, str]) -> None:
    """UnsafeEnvironment unless every AWS endpoint ``env`` resolves to is the local emulator."""
    problem = _problem(env)
    if problem is not None:
        raise UnsafeEnvironment(
            f"refusing to run: {problem}, so AWS calls could leave the local emulator. "
            "Fix: this is a bug in webstack_tools.cli_env; the tools build their environment themselves"
        )


def isolated_session(env: Mapping[str, str]) -> boto3.session.Session:
    """A boto3 session that reads nothing from this process's environment or ``~/.aws``: the
    credentials come from ``env`` (the emulator's fakes), endpoints are passed per client."""
    # (config name, environment variable, default, conversion): no variable, so
    # AWS_PROFILE / AWS_CONFIG_FILE of the user's shell are never consulted.
    home = cli_home()
    core = botocore.session.Session(
        session_vars={
            "profile": (None, None, None, None),
            "config_file": (None, None, str(home / ".aws" / "config"), None),
            "credentials_file": (None, None, str(home / ".aws" / "credentials"), None),
        }
    )
    return boto3.session.Session(
        botocore_session=core,
        aws_access_key_id=env.get("AWS_ACCESS_KEY_ID"),
        aws_secret_access_key=env.get("AWS_SECRET_ACCESS_KEY"),
        aws_session_token=env.get("AWS_SESSION_TOKEN"),
    )
