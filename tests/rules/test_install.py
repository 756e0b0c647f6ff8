"""The rule pack installs on its own (``pip install ./pitfalls``) and fails a non-compliant app's synth.

One fresh virtual environment per test session (~40 s: pip fetches
aws-cdk-lib), pinned by constraints.txt. It is built from a copy of
``pitfalls/`` so that pip's in-tree build leaves nothing in the checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

TINY_APP = """
import sys

import aws_cdk as cdk
from aws_cdk import aws_s3 as s3
from webstack_pitfalls import PitfallChecks

app = cdk.App(outdir=sys.argv[1])
stack = cdk.Stack(app, "Tiny", env=cdk.Environment(account="123456789012", region="eu-west-1"))
bucket = s3.Bucket(stack, "Named", bucket_name="tiny-named-bucket")
if sys.argv[2] == "acknowledged":
    cdk.Validations.of(bucket).acknowledge(
        cdk.Acknowledgment(id="Webstack-BucketNameGenerated", reason="test: acknowledged on purpose")
    )
cdk.Validations.of(app).add_plugins(PitfallChecks())
app.synth()
print("synthesized")
"""


def _run(args: list[str], cwd: Path, timeout: int) -> subprocess.CompletedProcess[str]:
    # Nothing from this checkout may leak in: no PYTHONPATH, and run outside the repository.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture(scope="session")
def pack_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pitfalls-install")
    venv = root / "venv"
    created = _run([sys.executable, "-m", "venv", str(venv)], cwd=root, timeout=300)
    if created.returncode != 0:
        pytest.skip(f"cannot create a virtual environment with {sys.executable} -m venv: {created.stderr.strip()}")
    source = root / "pitfalls"
    shutil.copytree(REPO / "pitfalls", source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    python = venv / "bin" / "python"
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    installed = _run([*pip, "-c", str(REPO / "constraints.txt"), str(source)], cwd=root, timeout=900)
    assert installed.returncode == 0, installed.stderr
    return python


def test_installed_pack_imports_without_cdk_nag(pack_python: Path) -> None:
    probe = (
        "import importlib.util, pathlib\n"
        "import webstack_pitfalls, webstack_pitfalls.rules\n"
        "from webstack_pitfalls import PitfallChecks\n"
        "print(webstack_pitfalls.__file__)\n"
        "print(importlib.util.find_spec('cdk_nag') is None)\n"
        "print((pathlib.Path(webstack_pitfalls.__file__).parent / 'README.md').is_file())\n"
    )
    result = _run([str(pack_python), "-c", probe], cwd=pack_python.parents[2], timeout=300)
    assert result.returncode == 0, result.stderr
    location, no_cdk_nag, readme = result.stdout.split()
    assert Path(location).is_relative_to(pack_python.parents[1])
    assert no_cdk_nag == "True"  # the runtime dependency is aws-cdk-lib only
    assert readme == "True"


@pytest.mark.parametrize("variant", ["plain", "acknowledged"])
def test_plugin_decides_a_tiny_apps_synth(pack_python: Path, tmp_path: Path, variant: str) -> None:
    app = tmp_path / "app.py"
    app.write_text(TINY_APP)
    result = _run([str(pack_python), str(app), str(tmp_path / "cdk.out"), variant], cwd=tmp_path, timeout=600)
    if variant == "acknowledged":
        assert result.returncode == 0, result.stderr
        assert "synthesized" in result.stdout
    else:
        assert result.returncode != 0
        report = result.stdout + result.stderr
        assert "Webstack-BucketNameGenerated" in report
        assert "Tiny/Named/Resource" in report
        assert "synthesized" not in result.stdout
