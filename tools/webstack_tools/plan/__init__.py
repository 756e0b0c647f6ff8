"""``make plan``: an offline review of a change, without AWS credentials.

    python -m webstack_tools plan --env dev [--config FILE] [--against deployed|git:<ref>]

ENV's synthesized templates are compared with what the local emulator has
deployed or with a commit synthesized the same way (:mod:`.sources`). Each
resource change is an **add**, **modify**, **replace** or **delete**
(:mod:`.diff`, create-only properties from the resource schemas
:mod:`.schemas`), and changes that let more callers do more are a
**broaden** (:mod:`.broaden`). The report (:mod:`.report`) goes to the
terminal and ``reports/plan.md``; the command fails when a stateful resource
is replaced or deleted unless ``plan-allow.toml`` names it (:mod:`.allow`).
"""

from webstack_tools.plan.allow import Allowed, AllowListError, parse_allow_list, read_allow_list
from webstack_tools.plan.cli import main
from webstack_tools.plan.core import classify
from webstack_tools.plan.model import STATEFUL_TYPES, Change, Kind, Plan, StackTemplate
from webstack_tools.plan.report import Review, markdown, text

__all__ = [
    "STATEFUL_TYPES",
    "AllowListError",
    "Allowed",
    "Change",
    "Kind",
    "Plan",
    "Review",
    "StackTemplate",
    "classify",
    "main",
    "markdown",
    "parse_allow_list",
    "read_allow_list",
    "text",
]
