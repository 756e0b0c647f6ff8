"""One call to get every finding of an app: the compliance gate's helper."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from constructs import IConstruct

from .pack import PLUGIN_NAME, PitfallChecks
from .rules import RULES


@dataclass(frozen=True, order=True)
class Finding:
    rule_id: str
    """e.g. ``AwsSolutions-S1``, ``NIST.800.53.R5-S3BucketLoggingEnabled``,
    ``Webstack-PrefixListSecurityGroupOnePortNotOpen[OpenIngress]``."""
    path: str
    """Construct path of the violating resource (or output)."""
    level: str
    """``error`` or ``warning``."""
    pack: str


def default_packs() -> list[Any]:
    """AwsSolutions, NIST 800-53 rev 5 and the webstack pitfalls.

    Needs cdk-nag installed (``pip install cdk-nag``): it is imported here, not
    at module load, because the pack's own runtime dependency is aws-cdk-lib only.
    """
    from cdk_nag import AwsSolutionsChecks, NIST80053R5Checks

    return [AwsSolutionsChecks(), NIST80053R5Checks(), PitfallChecks()]


def findings(scope: IConstruct, packs: Sequence[Any] | None = None) -> list[Finding]:
    """Unacknowledged findings of ``packs`` (default: :func:`default_packs`) under ``scope``.

    ``scope`` is an App, Stage or Stack. Its app is synthesized once (cached by
    CDK) so aspects and lazy values are final before the packs walk the tree;
    register no failing plugin on that app with ``add_plugins`` (synthesis would
    raise) -- the gate runs the packs here instead.
    """
    root = scope.node.root
    root.synth()  # type: ignore[attr-defined]
    scope_path = scope.node.path
    out: set[Finding] = set()
    for pack in default_packs() if packs is None else packs:
        report = pack.validate_scope(scope)
        name = getattr(pack, "name", None) or getattr(pack, "read_pack_name", "") or PLUGIN_NAME
        for violation in report.violations:
            for resource in violation.violating_resources:
                path = resource.construct_path or ""
                if scope_path and not (path == scope_path or path.startswith(scope_path + "/")):
                    continue
                out.add(Finding(violation.rule_name, path, violation.severity or "error", name))
    return sorted(out)


def rule_catalog() -> list[dict[str, str]]:
    """The webstack pitfall rules for docs: id, name, pitfall, module, level, summary, fix, link.

    ``id`` (``Webstack-<name>``) is what reports show and, with a ``[<finding>]``
    suffix where the summary names findings, what ``acknowledge`` takes.
    """
    return [
        {
            "id": r.id,
            "name": r.name,
            "pitfall": r.pitfall,
            "module": r.module,
            "level": r.level,
            "summary": r.info,
            "fix": r.explanation,
            "link": r.link,
        }
        for r in RULES
    ]


def rules_markdown() -> str:
    """The catalogue as a Markdown table (the rule table of this package's README)."""
    lines = [
        "| Rule id | Pitfall | Module | What it checks | Fix | Source |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in rule_catalog():
        cells = [
            f"`{r['id']}`",
            r["pitfall"],
            f"`rules/{r['module']}.py`",
            r["summary"],
            r["fix"],
            f"[link]({r['link']})",
        ]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)
