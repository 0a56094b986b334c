"""Questions a lower app asks that only an app above it can answer.

Apps import each other down the layers only (amparo/tests/test_app_layers.py).
Where a lower app needs a rule or a step that belongs to a higher one (may the
desk write to this reporter? that is the consent app's rule), the higher app
provides it here when Django starts (its ``AppConfig.ready``) and the lower
app calls it by name. Every hook is named in ``HOOKS`` with who provides it.

Calling a hook that nobody provided raises: a missing rule must never read as
"allowed", nor a missing step as "done".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

HOOKS = {
    # consent: does the reporter of this case consent to be contacted today?
    # (case) -> bool; asked by cases before every desk message.
    "may_contact": "consent",
}

_provided: dict[str, Callable[..., Any]] = {}


def provide(name: str, function: Callable[..., Any]) -> None:
    """Answer hook ``name`` with ``function``; once per name and process."""
    if name not in HOOKS:
        raise LookupError(f"no hook named {name!r}: add it to amparo.core.hooks.HOOKS")
    already = _provided.get(name)
    if already is not None and already is not function:
        raise RuntimeError(f"hook {name!r} is provided twice")
    _provided[name] = function


def call(name: str, *args: Any, **kwargs: Any) -> Any:
    """Run what provides hook ``name``; LookupError if nothing does."""
    try:
        function = _provided[name]
    except KeyError:
        raise LookupError(f"nothing provides the hook {name!r}") from None
    return function(*args, **kwargs)


def missing() -> list[str]:
    """The hooks nobody has provided (empty once every app is ready)."""
    return sorted(set(HOOKS) - set(_provided))
