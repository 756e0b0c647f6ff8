"""Command-line helpers behind the Makefile: atomic synth and summaries.

    python -m webstack_tools.cli synth   --env dev [--config FILE] [--out cdk.out]
    python -m webstack_tools.cli summary --env dev [--out cdk.out]

``synth`` runs the pinned CDK CLI into a temporary directory and moves it
into place only on success, so invalid input never leaves a partial
``cdk.out`` behind.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from webstack_tools.project import project_root

ROOT = project_root()


def tool_env() -> dict[str, str]:
    """The process environment for the CDK CLI and the app it runs."""
    env = dict(os.environ)
    env.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
    env.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    venv_bin = ROOT / ".venv" / "bin"
    env["PATH"] = f"{venv_bin}{os.pathsep}{env.get('PATH', '')}"
    return env


def cdk_command() -> list[str]:
    return [str(ROOT / "node_modules" / ".bin" / "cdk")]


def synth(env_name: str, out: Path, config: str | None = None, quiet: bool = True) -> int:
    out = out if out.is_absolute() else ROOT / out
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    cmd = [*cdk_command(), "synth", "-c", f"env={env_name}", "-o", str(tmp)]
    if config:
        cmd += ["-c", f"config={config}"]
    if quiet:
        cmd.append("-q")
    try:
        result = subprocess.run(cmd, cwd=ROOT, env=tool_env())
        if result.returncode != 0:
            print(f"webstack: synth of env {env_name!r} failed; nothing was written to {out}", file=sys.stderr)
            return result.returncode
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
        return 0
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def load_assembly(out: Path) -> list[dict]:
    """Stacks of a synthesized assembly, in deploy order, with their templates."""
    manifest = json.loads((out / "manifest.json").read_text())
    stacks = []
    for name, artifact in manifest["artifacts"].items():
        if artifact.get("type") != "aws:cloudformation:stack":
            continue
        template = json.loads((out / artifact["properties"]["templateFile"]).read_text())
        region = artifact["environment"].rsplit("/", 1)[-1]
        stacks.append(
            {
                "name": artifact.get("displayName", name),
                "region": region,
                "template": template,
                "depends_on": [d for d in artifact.get("dependencies", []) if not d.endswith(".assets")],
            }
        )
    return stacks


def summary(env_name: str, out: Path) -> str:
    stacks = load_assembly(out if out.is_absolute() else ROOT / out)
    lines = [f"webstack {env_name}: {len(stacks)} stacks", ""]
    lines.append(f"{'stack':<34} {'region':<11} {'resources':>9}  depends on")
    for s in stacks:
        resources = s["template"].get("Resources", {})
        lines.append(f"{s['name']:<34} {s['region']:<11} {len(resources):>9}  {', '.join(s['depends_on']) or '-'}")
    lines += ["", "resources by type:"]
    counts = Counter(r["Type"] for s in stacks for r in s["template"].get("Resources", {}).values())
    for rtype, n in sorted(counts.items()):
        lines.append(f"  {n:>3}  {rtype}")
    lines += ["", "outputs to expect after deploy (cfn-outputs/flat-outputs.json):"]
    for s in stacks:
        for key, output in s["template"].get("Outputs", {}).items():
            if key.startswith("PublishOutput") or key.startswith("ExportsOutput"):
                continue  # cross-stack plumbing, not for people
            lines.append(f"  {key:<26} {output.get('Description', '')}  [{s['name']}]")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="webstack")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("synth", "summary"):
        p = sub.add_parser(name)
        p.add_argument("--env", default="dev")
        p.add_argument("--out", default="cdk.out", type=Path)
        if name == "synth":
            p.add_argument("--config", default=None)
    args = parser.parse_args(argv)
    if args.command == "synth":
        return synth(args.env, args.out, args.config)
    print(summary(args.env, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
