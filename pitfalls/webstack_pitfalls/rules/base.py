"""What a rule is: :class:`Rule` (catalogue entry + check) and :class:`Hit` (one finding of a check).

Each rule inspects one synthesized stack (a
:class:`~webstack_pitfalls.template.TemplateView`) and yields hits. A hit
names the resource (or output) *to fix* by logical id and, where one resource
can fail the rule in more than one way, a finding: the report then says
``Webstack-PrefixListGroupOnePortNoOpenIngress[OpenIngress]`` and that exact
id is what ``Validations.of(scope).acknowledge(id=...)`` takes (cdk-nag 3.x
semantics: a finding is acknowledged individually).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import NamedTuple

from ..template import TemplateView

RULE_PREFIX = "Webstack"
"""Rule ids are ``Webstack-<name>``, like cdk-nag's ``AwsSolutions-<rule>``."""


class Hit(NamedTuple):
    logical_id: str
    """Resource or Output logical id the finding is reported on."""
    finding: str | None = None
    """``None`` -> reported as ``Webstack-<name>``; else ``Webstack-<name>[<finding>]``."""
    location: str = "Properties"
    """Where in the resource (or output) the problem is, e.g. ``Properties/KeyPolicy``."""


@dataclass(frozen=True)
class Rule:
    name: str
    """What the rule checks, in CamelCase (``AsgEbsKeyUsableByAutoScaling``)."""
    pitfall: str
    """Id in webstack's pitfall list (``D1``..``D23``, ``F1``..``F10``)."""
    info: str
    """What is wrong and how it fails, naming each finding (``[KeyPolicy]``)."""
    explanation: str
    """The fix."""
    link: str
    """Public source: the AWS documentation page or the aws-cdk issue."""
    check: Callable[[TemplateView], Iterable[Hit]]
    level: str = "error"

    @property
    def id(self) -> str:
        """``Webstack-<name>``; a hit with a finding is reported as ``<id>[<finding>]``."""
        return f"{RULE_PREFIX}-{self.name}"

    def finding_id(self, hit: Hit) -> str:
        """The id a report gives ``hit`` and ``acknowledge`` takes."""
        return self.id if hit.finding is None else f"{self.id}[{hit.finding}]"

    @property
    def module(self) -> str:
        """The module under ``webstack_pitfalls/rules/`` that defines the check (``kms``)."""
        return self.check.__module__.rsplit(".", 1)[-1]


def aws_cdk_issue(number: int) -> str:
    return f"https://github.com/aws/aws-cdk/issues/{number}"
