"""What a synthesized environment holds: stacks, regions, resource counts, outputs.

    python -m webstack_tools summary --env dev [--out cdk.out]

``make summary`` runs it after ``make synth``; it reads ``cdk.out`` only.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from webstack_tools.assembly import CloudAssembly
from webstack_tools.project import project_root


def summary(env_name: str, assembly: CloudAssembly) -> str:
    """A table of the stacks (deploy order), the resources by type and the outputs people read."""
    lines = [f"webstack {env_name}: {len(assembly)} stacks", ""]
    lines.append(f"{'stack':<34} {'region':<11} {'resources':>9}  depends on")
    for s in assembly:
        lines.append(f"{s.name:<34} {s.region:<11} {len(s.resources):>9}  {', '.join(s.depends_on) or '-'}")
    lines += ["", "resources by type:"]
    counts = Counter(r["Type"] for s in assembly for r in s.resources.values())
    for rtype, n in sorted(counts.items()):
        lines.append(f"  {n:>3}  {rtype}")
    lines += ["", "outputs to expect after deploy (cfn-outputs/flat-outputs.json):"]
    for s in assembly:
        for key, output in s.outputs.items():
            lines.append(f"  {key:<26} {output.get('Description', '')}  [{s.name}]")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m webstack_tools summary", description="print what a synthesized environment holds"
    )
    parser.add_argument("--env", default="dev")
    parser.add_argument("--out", default="cdk.out", type=Path, help="the synthesized assembly (default cdk.out)")
    args = parser.parse_args(argv)
    out = args.out if args.out.is_absolute() else project_root() / args.out
    print(summary(args.env, CloudAssembly.read(out)))
    return 0
