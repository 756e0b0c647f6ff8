"""checkov, an independent CloudFormation scanner, over one configuration's templates.

The compliance gate (:mod:`webstack_tools.compliance`) starts one checkov run
per configuration over all of its stacks' templates (:func:`start`) and reads
the answer when its own packs are done (:meth:`Scan.review`), so checkov's
start-up overlaps cdk-nag's work.

checkov sees the templates with every ``Metadata.checkov`` removed: the gate,
not checkov, matches each skip (:func:`webstack.constructs.acknowledge.skip_checkov`)
against what checkov found, so it can report both an unannotated finding and a
skip that matches nothing any more (stale). checkov honours the same skips when
run by hand on ``cdk.out``.

checkov lives in its own virtual environment, ``.venv/checkov`` (``make
install``), pinned by ``constraints-checkov.txt``: it pins boto3, botocore,
packaging and networkx to versions older than the project's own.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from webstack_tools.project import project_root

PIN_FILE = "constraints-checkov.txt"


class CheckovError(RuntimeError):
    """checkov is missing, is not the pinned version, or did not produce a report."""


@dataclass(frozen=True)
class Template:
    """One stack's synthesized template and its construct paths by logical id."""

    stack: str
    body: Mapping[str, Any]
    paths: Mapping[str, str] = field(default_factory=dict)

    def path_of(self, logical_id: str) -> str:
        return self.paths.get(logical_id, f"{self.stack}/{logical_id}")


def executable() -> Path:
    return project_root() / ".venv" / "checkov" / "bin" / "checkov"


def require() -> None:
    """Fail at once, before any synthesis, when checkov is not installed."""
    if not executable().is_file():
        raise CheckovError(f"checkov is not installed at {executable()}. Fix: run make install")


def pinned_version() -> str:
    for line in (project_root() / PIN_FILE).read_text().splitlines():
        if line.startswith("checkov=="):
            return line.split("==", 1)[1].strip()
    raise CheckovError(f"{PIN_FILE} pins no checkov version. Fix: restore its checkov== line")


def skips(template: Template) -> list[dict[str, str]]:
    """The checkov skips written into ``template``: rule id, construct path, reason."""
    found = []
    for logical_id, resource in template.body.get("Resources", {}).items():
        for skip in (resource.get("Metadata") or {}).get("checkov", {}).get("skip", []):
            found.append(
                {
                    "rule_id": str(skip.get("id", "")),
                    "path": template.path_of(logical_id),
                    "reason": str(skip.get("comment", "")),
                    "logical_id": f"{template.stack}/{logical_id}",
                }
            )
    return found


def without_skips(body: Mapping[str, Any]) -> dict[str, Any]:
    """``body`` with every resource's ``Metadata.checkov`` removed (a copy)."""
    resources = {}
    for logical_id, resource in body.get("Resources", {}).items():
        metadata = {k: v for k, v in (resource.get("Metadata") or {}).items() if k != "checkov"}
        stripped = {k: v for k, v in resource.items() if k != "Metadata"}
        resources[logical_id] = {**stripped, "Metadata": metadata} if metadata else stripped
    return {**body, "Resources": resources}


class Scan:
    """A running checkov process over a directory of templates."""

    def __init__(self, templates: list[Template]) -> None:
        require()
        self._templates = {f"{t.stack}.template.json": t for t in templates}
        self._dir = tempfile.TemporaryDirectory(prefix="webstack-checkov-")
        for name, template in self._templates.items():
            (Path(self._dir.name) / name).write_text(json.dumps(without_skips(template.body)))
        args = [str(executable()), "-d", self._dir.name, "--framework", "cloudformation", "-o", "json"]
        # --skip-download: no call to the vendor's platform (no network); --soft-fail: exit 0 on failed checks.
        args += ["--quiet", "--compact", "--skip-download", "--soft-fail"]
        env = {**os.environ, "LOG_LEVEL": "WARNING"}
        self._process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)

    def _report(self) -> list[dict[str, Any]]:
        try:
            out, err = self._process.communicate(timeout=600)
        finally:
            self._dir.cleanup()
        if self._process.returncode != 0:
            tail = err.strip().splitlines()[-1:] or ["no output"]
            raise CheckovError(f"checkov exited {self._process.returncode}: {tail[0]}")
        try:
            report = json.loads(out)
        except json.JSONDecodeError:
            raise CheckovError(f"checkov printed no JSON report: {out[:200]!r}") from None
        reports = report if isinstance(report, list) else [report]
        versions = {r.get("summary", {}).get("checkov_version") for r in reports}
        if versions != {pinned_version()}:
            raise CheckovError(
                f"checkov {', '.join(map(str, versions))} ran, {PIN_FILE} pins {pinned_version()}. "
                "Fix: run make install"
            )
        return reports

    def failures(self) -> list[dict[str, str]]:
        """Every failed check: rule id, construct path, message, logical id."""
        found = []
        for report in self._report():
            for check in report.get("results", {}).get("failed_checks", []):
                template = self._templates[Path(check["file_path"]).name]
                logical_id = str(check["resource"]).split(".", 1)[-1]
                found.append(
                    {
                        "rule_id": check["check_id"],
                        "path": template.path_of(logical_id),
                        "message": check.get("check_name", ""),
                        "logical_id": f"{template.stack}/{logical_id}",
                    }
                )
        return found

    def review(self) -> tuple[list[dict[str, str]], list[dict[str, str]], list[dict[str, str]]]:
        """(unannotated findings, skips that matched one, skips that matched none)."""
        failures = self.failures()
        annotated = [s for t in self._templates.values() for s in skips(t)]
        skipped = {(s["rule_id"], s["logical_id"]) for s in annotated}
        failed = {(f["rule_id"], f["logical_id"]) for f in failures}
        open_findings = [f for f in failures if (f["rule_id"], f["logical_id"]) not in skipped]
        used = [s for s in annotated if (s["rule_id"], s["logical_id"]) in failed]
        stale = [s for s in annotated if (s["rule_id"], s["logical_id"]) not in failed]
        return open_findings, used, stale


def start(templates: list[Template]) -> Scan:
    """Start checkov over ``templates`` (returns at once; :meth:`Scan.review` waits)."""
    return Scan(templates)
