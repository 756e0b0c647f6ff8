"""The compliance gate: every environment and configuration combination through
AwsSolutions, NIST 800-53 rev 5, webstack's pitfall rules, cfn-lint and checkov.

    python -m webstack_tools check [--env dev] [--quick] [--config FILE]

Prints a table (pack x configuration -> findings, acknowledgements), writes
``reports/compliance.json`` and ``reports/compliance.md``, and exits 1 on any
finding or stale acknowledgement. ``make check`` runs it; ``make up`` runs it
for the environment it deploys and refuses to deploy on a finding.

Stale acknowledgements: the gate's app is built with
:data:`~webstack.constructs.acknowledge.UNAPPLIED_CONTEXT`, so the packs report
every finding and the gate applies the acknowledgements itself, as cdk-nag
does (the same rule id, on the resource or one of its ancestors): one that
covers no finding in a configuration is stale there. checkov skips likewise
(:mod:`webstack_tools.checkov_scan`).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from aws_cdk import App, Stack, cx_api

from webstack.app import cdk_json_context
from webstack.config import ENVIRONMENTS, load_config
from webstack.constructs.acknowledge import RECORDED_METADATA_KEY, UNAPPLIED_CONTEXT
from webstack.stacks import add_environment
from webstack_pitfalls import ACKNOWLEDGED_RULES_METADATA_KEY as ACK_METADATA
from webstack_tools import checkov_scan, local_pager
from webstack_tools.project import project_root

_ACK_PREFIX = re.compile(r"^(Annotation|WebstackPitfalls)::", re.IGNORECASE)
PACKS = ("AwsSolutions", "NIST.800.53.R5", "WebstackPitfalls", "cfn-lint", "checkov")
NAG_PACKS = PACKS[:3]

# A hosted zone of the right shape; synthesis never calls Route 53.
SAMPLE_DOMAIN = {
    "hosted_zone_id": "Z0123456789ABCDEFGHIJ",
    "zone_name": "shop.io",
    "site_names": ["www.shop.io", "shop.io"],
    "origin_name": "origin.shop.io",
}


@dataclass(frozen=True)
class Variant:
    """One configuration combination to check."""

    env: str
    name: str
    overrides: dict[str, Any] = field(default_factory=dict)


def variants(envs: list[str], quick: bool = False) -> list[Variant]:
    """Each environment as configured, plus every edge-security combination
    (domain x WAF x origin protection) on staging (which sets none of them)."""
    found = [_as_deployed_locally(env) for env in envs]
    if quick:
        return found
    for domain in (False, True):
        for waf in (False, True):
            for guard in (False, True):
                overrides: dict[str, Any] = {
                    "waf": {"enabled": waf, "protect_alb": waf},
                    "origin_protection": {"enabled": guard},
                }
                if domain:
                    overrides["domain"] = SAMPLE_DOMAIN
                found.append(Variant("staging", _combination_name(domain, waf, guard), overrides))
    return found


def _as_deployed_locally(env: str) -> Variant:
    """The environment's defaults; a protected one, whose defaults page no one, with the
    local pager ``make up`` subscribes (:mod:`webstack_tools.local_pager`)."""
    overrides = local_pager.completed(env, {})
    return Variant(env, "default + local pager" if overrides else "default", overrides)


def _combination_name(domain: bool, waf: bool, protection: bool) -> str:
    def on(flag: bool) -> str:
        return "on" if flag else "off"

    return f"domain={on(domain)} waf={on(waf)} protection={on(protection)}"


def _cfnlint_ignores(config_file: Path) -> list[str]:
    """Rule ids from .cfnlintrc.yaml (the one place that lists them, with reasons)."""
    ignores = []
    for line in config_file.read_text().splitlines():
        stripped = line.strip()
        if stripped.startswith("- ") and stripped[2:].split()[0][:1] in "EWI":
            ignores.append(stripped[2:].split()[0])
    return ignores


def cfn_lint(app_assembly: cx_api.CloudAssembly, stacks: Sequence[Stack]) -> list[dict[str, str]]:
    from cfnlint.api import ManualArgs, lint

    problems = []
    ignores = _cfnlint_ignores(project_root() / ".cfnlintrc.yaml")
    for stack in stacks:
        template = json.dumps(app_assembly.get_stack_by_name(stack.stack_name).template)
        for match in lint(template, config=ManualArgs(regions=[stack.region], ignore_checks=ignores)):
            problems.append(
                {
                    "rule_id": match.rule.id,
                    "path": f"{stack.stack_name}/{'/'.join(map(str, match.path))}",
                    "message": match.message,
                }
            )
    return problems


def acknowledgements(app: App) -> list[dict[str, str]]:
    """Every acknowledgement in ``app``: applied (cdk-nag's metadata) or only recorded
    (built with :data:`UNAPPLIED_CONTEXT`)."""
    found = []
    for node in app.node.find_all():
        for entry in node.node.metadata:
            if not isinstance(entry.data, dict):
                continue
            if entry.type == ACK_METADATA:
                for rule_id, reason in entry.data.items():
                    found.append(
                        {"rule_id": _ACK_PREFIX.sub("", rule_id), "path": node.node.path, "reason": str(reason)}
                    )
            elif entry.type == RECORDED_METADATA_KEY:
                found.append(
                    {"rule_id": str(entry.data["rule_id"]), "path": node.node.path, "reason": str(entry.data["reason"])}
                )
    return found


def _covers(ack: dict[str, str], finding: dict[str, str]) -> bool:
    """cdk-nag's test: the same rule id, acknowledged on the resource or one of its ancestors."""
    path = finding["path"]
    return ack["rule_id"] == finding["rule_id"] and (path == ack["path"] or path.startswith(ack["path"] + "/"))


def apply_acknowledgements(
    raw: list[dict[str, str]], acks: list[dict[str, str]]
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """(findings no acknowledgement covers, acknowledgements of the gate's packs that cover no finding).

    CDK acknowledges rules of its own validation plugin (``CloudFormation-Validate::...``) on
    constructs it makes; the gate does not run that plugin, so those are never stale here.
    """
    open_findings = [f for f in raw if not any(_covers(a, f) for a in acks)]
    ours = [a for a in acks if pack_of(a["rule_id"]) in NAG_PACKS]
    stale = [a for a in ours if not any(_covers(a, f) for f in raw)]
    return open_findings, stale


def templates(assembly: cx_api.CloudAssembly, stacks: Sequence[Stack]) -> list[checkov_scan.Template]:
    out = []
    for stack in stacks:
        artifact = assembly.get_stack_by_name(stack.stack_name)
        paths = {str(m.data): m.path.lstrip("/") for m in artifact.find_metadata_by_type("aws:cdk:logicalId")}
        out.append(checkov_scan.Template(stack.stack_name, artifact.template, paths))
    return out


def check_variant(variant: Variant) -> dict[str, Any]:
    from webstack_pitfalls import findings

    config = load_config(variant.env, variant.overrides)
    context = {**cdk_json_context(project_root() / "cdk.json"), "aws:cdk:bundling-stacks": [], UNAPPLIED_CONTEXT: True}
    app = App(context=context)
    stacks = add_environment(app, config)
    assembly = app.synth()
    scan = checkov_scan.start(templates(assembly, stacks.all))
    acks = acknowledgements(app)
    nag, stale = apply_acknowledgements([asdict(f) for f in findings(app)], acks)
    lint_problems = cfn_lint(assembly, stacks.all)
    checkov_open, checkov_used, checkov_stale = scan.review()
    return {
        "env": variant.env,
        "variant": variant.name,
        "stacks": [s.stack_name for s in stacks.all],
        "findings": nag
        + [
            {"rule_id": p["rule_id"], "path": p["path"], "level": "error", "pack": "cfn-lint", "message": p["message"]}
            for p in lint_problems
        ]
        + [{**f, "level": "error", "pack": "checkov"} for f in checkov_open],
        "acknowledgements": acks + checkov_used,
        "stale": stale + checkov_stale,
    }


def pack_of(rule_id: str) -> str:
    if rule_id.startswith("AwsSolutions-"):
        return "AwsSolutions"
    if rule_id.startswith("NIST.800.53.R5-"):
        return "NIST.800.53.R5"
    if rule_id.startswith("Webstack-"):
        return "WebstackPitfalls"
    if rule_id.startswith("CKV"):
        return "checkov"
    return "other"


def _problems(result: dict[str, Any]) -> int:
    return len(result["findings"]) + len(result.get("stale", []))


def table(results: list[dict[str, Any]]) -> str:
    header = f"{'configuration':<52}" + "".join(f"{p:>18}" for p in PACKS) + f"{'stale':>7}"
    lines = [header, "-" * len(header)]
    for r in results:
        findings = Counter(f["pack"] if f["pack"] == "cfn-lint" else pack_of(f["rule_id"]) for f in r["findings"])
        acks = Counter(pack_of(a["rule_id"]) for a in r["acknowledgements"])
        cells = "".join(
            f"{f'{findings[p]} / {acks[p]} ack' if p != 'cfn-lint' else str(findings[p]):>18}" for p in PACKS
        )
        lines.append(f"{r['env'] + ' ' + r['variant']:<52}{cells}{len(r.get('stale', [])):>7}")
    lines.append(
        "cells: findings / acknowledgements (cfn-lint: findings; ignored rules in .cfnlintrc.yaml; "
        "checkov: skips in Metadata.checkov); stale: acknowledgements and skips that match no finding"
    )
    return "\n".join(lines)


def _problem_rows(results: list[dict[str, Any]]) -> list[str]:
    out = []
    if any(r["findings"] for r in results):
        out += ["## Findings", "", "| configuration | rule | resource |", "| --- | --- | --- |"]
        for r in results:
            for f in r["findings"]:
                out.append(f"| {r['env']} {r['variant']} | `{f['rule_id']}` | `{f['path']}` |")
        out.append("")
    if any(r.get("stale") for r in results):
        out += [
            "## Stale acknowledgements (match no finding)",
            "",
            "| configuration | rule | where |",
            "| --- | --- | --- |",
        ]
        for r in results:
            for a in r.get("stale", []):
                out.append(f"| {r['env']} {r['variant']} | `{a['rule_id']}` | `{a['path']}` |")
        out.append("")
    return out


def markdown(results: list[dict[str, Any]], seconds: float) -> str:
    total = sum(len(r["findings"]) for r in results)
    stale = sum(len(r.get("stale", [])) for r in results)
    out = [
        "# webstack compliance report",
        "",
        f"{len(results)} configurations, {total} findings, {stale} stale acknowledgements, checked in {seconds:.0f} s.",
        "",
        "```",
        table(results),
        "```",
        "",
        *_problem_rows(results),
    ]
    unique: dict[tuple[str, str], set[str]] = {}
    for r in results:
        for a in r["acknowledgements"]:
            path = a["path"].split("/", 1)[-1]
            unique.setdefault((a["rule_id"], a["reason"]), set()).add(path)
    out += [
        f"## Acknowledgements ({len(unique)} distinct, across all configurations)",
        "",
        "| rule | where | reason |",
        "| --- | --- | --- |",
    ]
    for (rule_id, reason), paths in sorted(unique.items()):
        out.append(f"| `{rule_id}` | {', '.join(f'`{p}`' for p in sorted(paths))} | {reason} |")
    return "\n".join(out) + "\n"


def write_reports(results: list[dict[str, Any]], seconds: float, reports: Path) -> None:
    reports.mkdir(exist_ok=True)
    (reports / "compliance.json").write_text(
        json.dumps({"seconds": round(seconds, 1), "results": results}, indent=2) + "\n"
    )
    (reports / "compliance.md").write_text(markdown(results, seconds))
    print(f"\nreports: {reports / 'compliance.md'} and compliance.json ({seconds:.0f} s)")


def run(
    envs: list[str],
    quick: bool = False,
    reports: Path | None = None,
    overrides: dict[str, Any] | None = None,
) -> int:
    """Check every configuration; print the table, write ``reports/`` when given; 1 on any finding."""
    checkov_scan.require()
    started = time.monotonic()
    results = []
    chosen = [Variant(env, "configured", overrides) for env in envs] if overrides else variants(envs, quick)
    for variant in chosen:
        print(f"  checking {variant.env} {variant.name}", flush=True)
        results.append(check_variant(variant))
    seconds = time.monotonic() - started
    print()
    print(table(results))
    if reports is not None:
        write_reports(results, seconds, reports)
    if any(_problems(r) for r in results):
        total = sum(len(r["findings"]) for r in results)
        stale = sum(len(r.get("stale", [])) for r in results)
        print(
            f"\nwebstack: {total} compliance findings, {stale} stale acknowledgements; fix each finding "
            "(or acknowledge it with a reason on the narrowest construct) and remove each stale acknowledgement",
            file=sys.stderr,
        )
        for r in results:
            for f in r["findings"]:
                print(f"  {r['env']} {r['variant']}: {f['rule_id']} at {f['path']}", file=sys.stderr)
            for a in r.get("stale", []):
                print(f"  {r['env']} {r['variant']}: stale {a['rule_id']} at {a['path']}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m webstack_tools check", description="the compliance gate")
    parser.add_argument("--env", action="append", choices=list(ENVIRONMENTS), help="only this environment (repeatable)")
    parser.add_argument("--quick", action="store_true", help="environment defaults only, no combinations")
    parser.add_argument("--config", help="check ENV with these overrides (JSON file) instead of the combinations")
    args = parser.parse_args(argv)
    overrides = None
    if args.config:
        from webstack.app import ConfigInputError, read_overrides
        from webstack.config import ConfigError

        try:
            overrides = read_overrides(args.config)
            for env in args.env or list(ENVIRONMENTS):
                load_config(env, overrides)
        except (ConfigInputError, ConfigError) as err:
            print(f"webstack: invalid configuration: {err}", file=sys.stderr)
            return 2
    # Only the full gate (make check) writes reports/: make up's gate for one
    # configuration must not overwrite the complete report.
    full = not (args.quick or overrides or args.env)
    reports = project_root() / "reports" if full else None
    try:
        return run(args.env or list(ENVIRONMENTS), quick=args.quick, overrides=overrides, reports=reports)
    except checkov_scan.CheckovError as err:
        print(f"webstack: {err}", file=sys.stderr)
        return 2
