"""The allow-list: stateful resources a change may replace or delete, each with the reason.

``plan-allow.toml`` at the repository root (absent: nothing is allowed)::

    [[allow]]
    stack = "webstack-dev-web"
    logical_id = "StorageContent05955A69"
    reason = "dev's content is rebuilt from the site sources on every deploy"
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from webstack_tools.plan.model import Change

ALLOW_FILE = "plan-allow.toml"
_FIELDS = ("stack", "logical_id", "reason")
_EXAMPLE = '[[allow]] stack = "webstack-dev-web", logical_id = "...", reason = "why losing it is fine"'


class AllowListError(ValueError):
    """The allow-list file is malformed; the message is one line naming the entry and the fix."""


@dataclass(frozen=True)
class Allowed:
    stack: str
    logical_id: str
    reason: str

    def matches(self, change: Change) -> bool:
        return (self.stack, self.logical_id) == (change.stack, change.logical_id)


def _entry(name: str, index: int, raw: Any) -> Allowed:
    where = f"{name}: allow[{index}]"
    if not isinstance(raw, Mapping):
        raise AllowListError(f"{where} is not a table. Fix: write each entry as {_EXAMPLE}")
    unknown = sorted(set(raw) - set(_FIELDS))
    if unknown:
        raise AllowListError(
            f"{where}: unknown key {unknown[0]!r}. Fix: an entry has only stack, logical_id and reason"
        )
    for key in _FIELDS:
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            what = "reason (why replacing or deleting it is acceptable)" if key == "reason" else key
            raise AllowListError(f"{where}: {what} is required as a non-empty string. Fix: {_EXAMPLE}")
    return Allowed(raw["stack"], raw["logical_id"], raw["reason"].strip())


def parse_allow_list(text: str, name: str = ALLOW_FILE) -> tuple[Allowed, ...]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise AllowListError(f"{name} is not valid TOML ({err}). Fix: {_EXAMPLE}") from None
    unknown = sorted(set(data) - {"allow"})
    if unknown:
        raise AllowListError(f"{name}: unknown key {unknown[0]!r}. Fix: the file holds only [[allow]] entries")
    entries = data.get("allow", [])
    if not isinstance(entries, list):
        raise AllowListError(f"{name}: allow must be an array of tables. Fix: write [[allow]], not [allow]")
    return tuple(_entry(name, i, raw) for i, raw in enumerate(entries))


def read_allow_list(path: Path) -> tuple[Allowed, ...]:
    """The entries of ``path``; none when it does not exist."""
    if not path.exists():
        return ()
    return parse_allow_list(path.read_text(), path.name)


def allowances(changes: Iterable[Change], entries: Sequence[Allowed]) -> dict[Change, Allowed]:
    """The destructive changes the entries allow, with the entry that allows each."""
    found = {}
    for change in changes:
        entry = next((e for e in entries if e.matches(change)), None)
        if change.destructive and entry is not None:
            found[change] = entry
    return found
