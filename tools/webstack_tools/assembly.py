"""One typed reader of a synthesized cloud assembly, for every tool.

Deploy, destroy, the summary, the diagram and the bench all need the same
facts about a synthesized app: its stacks in deploy order, each with name,
region, account, template and dependencies. They read them here, from a
``cdk.out`` directory (:meth:`CloudAssembly.read`) or from an in-process
``app.synth()`` (:meth:`CloudAssembly.of`), never from the manifest by hand.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STACK_ARTIFACT = "aws:cloudformation:stack"
# Outputs CDK adds to carry values between stacks; not for people.
PLUMBING_OUTPUT_PREFIXES = ("PublishOutput", "ExportsOutput")


class AssemblyError(Exception):
    """The directory holds no readable cloud assembly; the message says what to run."""


@dataclass(frozen=True)
class SynthesizedStack:
    """One stack of a synthesized app."""

    name: str
    region: str
    account: str
    template: Mapping[str, Any]
    depends_on: tuple[str, ...] = ()

    @property
    def resources(self) -> Mapping[str, Mapping[str, Any]]:
        return self.template.get("Resources", {})

    @property
    def outputs(self) -> Mapping[str, Mapping[str, Any]]:
        """Outputs meant for people (CDK's cross-stack plumbing left out)."""
        return {
            key: value
            for key, value in self.template.get("Outputs", {}).items()
            if not key.startswith(PLUMBING_OUTPUT_PREFIXES)
        }


@dataclass(frozen=True)
class CloudAssembly:
    """The stacks of one synthesized app, in deploy order (dependencies first)."""

    stacks: tuple[SynthesizedStack, ...]
    directory: Path | None = None

    def __iter__(self) -> Iterator[SynthesizedStack]:
        return iter(self.stacks)

    def __len__(self) -> int:
        return len(self.stacks)

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.stacks]

    @property
    def regions(self) -> list[str]:
        """Regions in first-use order."""
        return list(dict.fromkeys(s.region for s in self.stacks))

    def belongs_to(self, env_name: str) -> bool:
        """True when it has stacks and every one is named ``webstack-<env_name>-<role>`` (README)."""
        return bool(self.stacks) and all(s.name.startswith(f"webstack-{env_name}-") for s in self.stacks)

    def stack(self, name: str) -> SynthesizedStack:
        for s in self.stacks:
            if s.name == name:
                return s
        raise KeyError(f"no stack {name!r} in the assembly (has {', '.join(self.names)})")

    @classmethod
    def read(cls, directory: Path) -> CloudAssembly:
        """Read ``directory/manifest.json`` and the templates it names."""
        manifest_path = directory / "manifest.json"
        try:
            manifest = json.loads(manifest_path.read_text())
        except FileNotFoundError:
            raise AssemblyError(f"{directory} holds no cloud assembly. Fix: run `make synth` first") from None
        except json.JSONDecodeError as err:
            raise AssemblyError(f"{manifest_path} is not valid JSON ({err}). Fix: run `make synth` again") from None
        stacks = []
        for artifact_id, artifact in manifest.get("artifacts", {}).items():
            if artifact.get("type") != STACK_ARTIFACT:
                continue
            account, region = _account_region(artifact.get("environment", ""))
            template = json.loads((directory / artifact["properties"]["templateFile"]).read_text())
            stacks.append(
                SynthesizedStack(
                    name=artifact.get("displayName", artifact_id),
                    region=region,
                    account=account,
                    template=template,
                    depends_on=tuple(d for d in artifact.get("dependencies", []) if not d.endswith(".assets")),
                )
            )
        return cls(stacks=tuple(_deploy_order(stacks)), directory=directory)

    @classmethod
    def of(cls, assembly: Any) -> CloudAssembly:
        """From an in-process synthesis (``aws_cdk.App().synth()``)."""
        stacks = [
            SynthesizedStack(
                name=s.stack_name,
                region=s.environment.region,
                account=s.environment.account,
                template=s.template,
                depends_on=tuple(sorted(d.id for d in s.dependencies if not d.id.endswith(".assets"))),
            )
            for s in assembly.stacks
        ]
        directory = Path(assembly.directory) if getattr(assembly, "directory", None) else None
        return cls(stacks=tuple(_deploy_order(stacks)), directory=directory)


def _account_region(environment: str) -> tuple[str, str]:
    """``aws://ACCOUNT/REGION`` -> (ACCOUNT, REGION)."""
    parts = environment.removeprefix("aws://").split("/")
    if len(parts) != 2:
        raise AssemblyError(f"stack environment {environment!r} is not aws://ACCOUNT/REGION. Fix: synthesize again")
    return parts[0], parts[1]


def _deploy_order(stacks: list[SynthesizedStack]) -> list[SynthesizedStack]:
    """Dependencies before dependents; otherwise the manifest's order."""
    by_name = {s.name: s for s in stacks}
    done: dict[str, SynthesizedStack] = {}

    def visit(stack: SynthesizedStack, seen: tuple[str, ...]) -> None:
        if stack.name in done:
            return
        if stack.name in seen:
            raise AssemblyError(f"stack dependency cycle: {' -> '.join((*seen, stack.name))}")
        for dep in stack.depends_on:
            if dep in by_name:
                visit(by_name[dep], (*seen, stack.name))
        done[stack.name] = stack

    for s in stacks:
        visit(s, ())
    return list(done.values())
