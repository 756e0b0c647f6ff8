"""The one place that knows which moto the engine fixes were written for.

Every fix replaces a moto function by name and relies on what that function
does in this exact release (its arguments, the attributes it reads and
sets, what it raises). A different moto may have fixed the bug, moved the
code or changed the contract, and a patch applied blindly would then break
the emulator silently. So each fix calls :func:`require_pinned_moto` before
it patches anything, and patches only through :func:`replace` / :func:`add`,
which fail loudly when the name they expect is gone (or, for :func:`add`,
already there).
"""

from __future__ import annotations

from importlib import metadata
from typing import Any

# The moto release every fix in this package was verified against
# (emulator/pyproject.toml pins the same version).
PINNED_MOTO_VERSION = "5.2.5"


class MotoVersionMismatch(RuntimeError):
    """The installed moto is not the one the fixes were verified against."""


def installed_moto_version() -> str:
    return metadata.version("moto")


def require_pinned_moto(fix: str) -> None:
    """Refuse to apply ``fix`` to a moto other than :data:`PINNED_MOTO_VERSION`."""
    found = installed_moto_version()
    if found != PINNED_MOTO_VERSION:
        raise MotoVersionMismatch(
            f"{fix} was verified against moto {PINNED_MOTO_VERSION}, but moto {found} is installed: "
            f"re-verify this fix against moto {found} (read its docstring, compare the moto code it "
            "replaces, run tests/emulator/test_cloudformation_engine.py) and then update "
            "PINNED_MOTO_VERSION in webstack_emulator/engine/_guard.py and the pin in emulator/pyproject.toml"
        )


def replace(owner: Any, name: str, new: Any) -> Any:
    """Set ``owner.name`` to ``new`` and return what it replaced.

    ``setattr`` rather than assignment: moto's own annotations would have
    every patched method flagged as an incompatible assignment."""
    if not hasattr(owner, name):
        raise AttributeError(f"{getattr(owner, '__name__', owner)}.{name} is gone: the moto pin changed")
    original = getattr(owner, name)
    setattr(owner, name, new)
    return original


def add(owner: Any, name: str, new: Any) -> None:
    """Give ``owner`` an attribute moto does not have (yet)."""
    if hasattr(owner, name):
        raise AttributeError(f"moto now implements {getattr(owner, '__name__', owner)}.{name}: drop our version")
    setattr(owner, name, new)
