"""The developer tools' one command line: commands, forwarding, lazy imports, no I/O at import."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
import types
from pathlib import Path

import pytest

from webstack_tools import cli
from webstack_tools.assembly import CloudAssembly
from webstack_tools.project import NotInProject, project_root
from webstack_tools.summary import summary

ROOT = Path(__file__).resolve().parents[2]
COMMAND_NAMES = [
    "synth",
    "summary",
    "check",
    "up",
    "down",
    "destroy",
    "plan",
    "diagram",
    "docs",
    "site-hashes",
    "bench",
    "bench-requests",
]
MODULES = [
    "cli",
    "site_hashes",
    "cdk",
    "cli_env",
    "summary",
    "deploy",
    "lifecycle",
    "verify",
    "compliance",
    "docs",
    "bench",
    "bench_requests",
    "local_instance",
    "project",
    "assembly",
    "plan",
]


def test_help_lists_every_command(capsys):
    with pytest.raises(SystemExit) as caught:
        cli.main(["--help"])
    assert caught.value.code == 0
    text = capsys.readouterr().out
    for name in COMMAND_NAMES:
        assert re.search(rf"^\s+{name}\s", text, re.MULTILINE), name
    assert [c.name for c in cli.COMMANDS] == COMMAND_NAMES


def test_every_command_names_a_module_with_main():
    for command in cli.COMMANDS:
        if command.name == "diagram":
            continue  # its own package and tests
        assert callable(command.entry()), command.name


def test_a_command_gets_the_rest_of_the_command_line_in_order(monkeypatch):
    seen: list[list[str] | None] = []
    fake = types.ModuleType("fake_tool")

    def main(argv: list[str] | None = None) -> int:
        seen.append(argv)
        return 7

    fake.main = main  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fake_tool", fake)
    monkeypatch.setattr(cli, "COMMANDS", (cli.Command("fake", "a fake", "fake_tool", ("sub",)),))
    assert cli.main(["fake", "--env", "prod", "--quick", "--config=x.json", "--help"]) == 7
    assert seen == [["sub", "--env", "prod", "--quick", "--config=x.json", "--help"]]


def test_unknown_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as caught:
        cli.main(["deploy"])
    assert caught.value.code == 2
    assert "invalid choice: 'deploy'" in capsys.readouterr().err


def test_commands_import_their_modules_only_when_they_run():
    """A broken diagram (or the CDK import of the gate) never slows or breaks synth, up, down."""
    code = (
        "import json, sys, webstack_tools.cli; "
        "watched = ('webstack_tools.', 'aws_cdk', 'webstack_emulator'); "
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith(watched))))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert json.loads(loaded) == ["webstack_tools.assembly", "webstack_tools.cli", "webstack_tools.project"]


def test_no_module_touches_the_file_system_at_import(tmp_path):
    """Importing the tools outside the repository works; running a command there says what to do."""
    imports = "; ".join(f"import webstack_tools.{m}" for m in MODULES)
    subprocess.run([sys.executable, "-c", imports], cwd=tmp_path, check=True, capture_output=True)
    result = subprocess.run(
        [sys.executable, "-m", "webstack_tools", "synth"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert "no cdk.json" in result.stderr and "Fix:" in result.stderr


def test_project_root_walks_up_to_cdk_json(tmp_path):
    (tmp_path / "cdk.json").write_text("{}")
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    assert project_root(nested) == tmp_path.resolve()
    with pytest.raises(NotInProject):
        project_root(tmp_path.parent / "elsewhere-without-cdk-json")


def test_console_script_is_the_same_entry():
    scripts = tomllib.loads((ROOT / "tools" / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["webstack-dev"] == "webstack_tools.cli:main"


def test_makefile_calls_only_known_commands():
    calls = re.findall(r"\$\(PY\) -m (webstack_tools\S*)(?: (\S+))?", (ROOT / "Makefile").read_text())
    assert calls, "the Makefile calls no tool"
    for module, command in calls:
        assert module == "webstack_tools", f"`-m {module}`: call `python -m webstack_tools <command>`"
        assert command in COMMAND_NAMES, command
    assert {command for _, command in calls} == set(COMMAND_NAMES)


def _write_assembly(directory: Path) -> None:
    """A two-stack cdk.out of the manifest's shape: the edge stack in us-east-1 before the web stack."""
    directory.mkdir()
    templates = {
        "webstack-dev-web": {
            "Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}, "Key": {"Type": "AWS::KMS::Key"}},
            "Outputs": {
                "S3BucketName": {"Description": "content bucket", "Value": "b"},
                "ExportsOutputRefBucket": {"Value": "b"},
            },
        },
        "webstack-dev-edge": {"Resources": {"Acl": {"Type": "AWS::S3::Bucket"}}},
    }
    artifacts = {}
    for name, template in templates.items():
        (directory / f"{name}.template.json").write_text(json.dumps(template))
        region = "us-east-1" if name.endswith("edge") else "us-west-2"
        artifacts[name] = {
            "type": "aws:cloudformation:stack",
            "environment": f"aws://123456789012/{region}",
            "properties": {"templateFile": f"{name}.template.json"},
            "dependencies": ["webstack-dev-edge", "webstack-dev-web.assets"] if name.endswith("web") else [],
        }
    (directory / "manifest.json").write_text(json.dumps({"artifacts": artifacts}))


def test_summary_of_a_synthesized_assembly(tmp_path):
    _write_assembly(tmp_path / "cdk.out")
    text = summary("dev", CloudAssembly.read(tmp_path / "cdk.out"))
    lines = text.splitlines()
    assert lines[0] == "webstack dev: 2 stacks"
    edge = next(i for i, line in enumerate(lines) if line.startswith("webstack-dev-edge "))
    web = next(i for i, line in enumerate(lines) if line.startswith("webstack-dev-web "))
    assert edge < web  # deploy order
    assert lines[web].split()[1:] == ["us-west-2", "2", "webstack-dev-edge"]
    assert "    2  AWS::S3::Bucket" in lines and "    1  AWS::KMS::Key" in lines
    assert any(line.strip().startswith("S3BucketName") and "[webstack-dev-web]" in line for line in lines)
    assert "ExportsOutputRefBucket" not in text  # cross-stack plumbing is not for people


def test_summary_without_an_assembly_says_to_synth(tmp_path, capsys):
    assert cli.main(["summary", "--out", str(tmp_path / "cdk.out")]) == 2
    assert "make synth" in capsys.readouterr().err
