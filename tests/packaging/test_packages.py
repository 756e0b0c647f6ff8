"""The four packages keep to their lanes.

* the product (`webstack`) imports no AWS SDK, emulator or tool: it is
  aws-cdk-lib, constructs, cdk-nag and the rule pack it runs at every synth;
* the rule pack imports aws-cdk-lib (cdk-nag only lazily, for the report);
* the emulator imports nothing of the product, the pack or the tools;
* `pip install .` into a clean venv ships the product and the pack only, and
  every module of both imports there.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = {
    "webstack": ROOT / "webstack",
    "webstack_pitfalls": ROOT / "pitfalls" / "webstack_pitfalls",
    "webstack_emulator": ROOT / "emulator" / "webstack_emulator",
    "webstack_tools": ROOT / "tools" / "webstack_tools",
}
# Lambda code and user data ship as assets, run elsewhere (the Lambda runtime
# provides boto3); they are not modules of the package.
ASSET_DIRS = (ROOT / "webstack" / "constructs" / "assets",)


def _sources(package: str) -> Iterator[Path]:
    for path in sorted(PACKAGES[package].rglob("*.py")):
        if not any(path.is_relative_to(d) for d in ASSET_DIRS):
            yield path


def _imports(path: Path, *, top_level_only: bool = False) -> Iterator[tuple[int, str]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    nodes = tree.body if top_level_only else ast.walk(tree)
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module.split(".")[0]


def _violations(package: str, forbidden: set[str], *, top_level_only: bool = False) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in _sources(package)
        for line, name in _imports(path, top_level_only=top_level_only)
        if name in forbidden
    ]


def test_product_imports_no_sdk_emulator_or_tools():
    forbidden = {"boto3", "botocore", "moto", "cfnlint", "webstack_emulator", "webstack_tools"}
    assert _violations("webstack", forbidden) == []


def test_rule_pack_needs_only_aws_cdk_lib_at_import():
    forbidden = {"boto3", "botocore", "moto", "cfnlint", "cdk_nag", "webstack", "webstack_emulator", "webstack_tools"}
    assert _violations("webstack_pitfalls", forbidden, top_level_only=True) == []
    # cdk_nag may appear inside a function (default_packs), never at module level.
    assert _violations("webstack_pitfalls", forbidden - {"cdk_nag"}) == []


def test_emulator_imports_nothing_of_the_product_pack_or_tools():
    assert _violations("webstack_emulator", {"webstack", "webstack_pitfalls", "webstack_tools"}) == []


def test_product_never_imports_the_tools():
    assert _violations("webstack_pitfalls", {"webstack_tools"}) == []


@pytest.fixture(scope="session")
def clean_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with `pip install .` of a copy of the repository (runtime dependencies only)."""
    work = tmp_path_factory.mktemp("packaging")
    source = work / "src"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".git",
            ".venv",
            "node_modules",
            "cdk.out*",
            ".cdk.out.*",
            "cfn-outputs",
            "reports",
            ".local-aws",
            "__pycache__",
            "*.egg-info",
            "build",
            "tests",
            "docs",
            "bench",
        ),
    )
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    install = subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-c",
            str(ROOT / "constraints.txt"),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if install.returncode != 0:
        pytest.fail(f"pip install . failed:\n{install.stderr[-3000:]}")
    return python


_IMPORT_ALL = """
import importlib, json, pkgutil, sys
import webstack, webstack_pitfalls
names = []
for pkg in (webstack, webstack_pitfalls):
    names.append(pkg.__name__)
    names += [m.name for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + ".")]
for name in names:
    importlib.import_module(name)
dists = sorted(d.metadata["Name"].lower() for d in __import__("importlib.metadata").metadata.distributions())
print(json.dumps({"modules": names, "dists": dists, "file": webstack.__file__}))
"""


def test_clean_install_imports_every_product_module(clean_venv: Path):
    import json

    # cwd outside the checkout: `python -c` puts the working directory on sys.path.
    result = subprocess.run(
        [str(clean_venv), "-c", _IMPORT_ALL],
        cwd=clean_venv.parent,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert "site-packages" in found["file"], "the installed package, not the checkout, was imported"
    assert {"webstack.config", "webstack.stacks.web", "webstack.checks", "webstack_pitfalls.pack"} <= set(
        found["modules"]
    )
    for dev_only in ("boto3", "moto", "cfn-lint", "webstack-emulator", "webstack-tools", "pytest"):
        assert dev_only not in found["dists"], f"{dev_only} came with the product's runtime dependencies"


def test_clean_install_ships_no_emulator_or_tools(clean_venv: Path):
    for package in ("webstack_emulator", "webstack_tools"):
        result = subprocess.run(
            [str(clean_venv), "-c", f"import {package}"], cwd=clean_venv.parent, capture_output=True, check=False
        )
        assert result.returncode != 0, f"{package} is in the product wheel"
