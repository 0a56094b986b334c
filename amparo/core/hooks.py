"""Questions a lower app asks that only an app above it can answer.

Apps import each other down the layers only (amparo/tests/test_app_layers.py).
Where a lower app needs a rule or a step that belongs to a higher one (may the
desk write to this reporter? that is the consent app's rule), the lower app
declares a ``Hook`` in its ``hooks.py``, typed with what it passes and gets
back, and the higher app provides it when Django starts (its
``AppConfig.ready``). Callers call the hook like the function it stands for.

Calling a hook that nobody provided raises: a missing rule must never read as
"allowed", nor a missing step as "done".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Generic, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


class Hook(Generic[P, R]):
    """One question, declared by the app that asks it; ``provided_by`` answers it."""

    declared: ClassVar[dict[str, Hook[..., Any]]] = {}

    def __init__(self, name: str, *, provided_by: str) -> None:
        if name in Hook.declared:
            raise RuntimeError(f"hook {name!r} is declared twice")
        self.name = name
        self.provided_by = provided_by
        self._function: Callable[P, R] | None = None
        Hook.declared[name] = self

    def provide(self, function: Callable[P, R]) -> Callable[P, R]:
        """Answer this hook with ``function`` (once per process)."""
        if self._function is not None and self._function is not function:
            raise RuntimeError(f"hook {self.name!r} is provided twice")
        self._function = function
        return function

    @property
    def provided(self) -> bool:
        return self._function is not None

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        if self._function is None:
            raise LookupError(f"{self.provided_by} has not provided the hook {self.name!r}")
        return self._function(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<Hook {self.name} provided by {self.provided_by}>"


def missing() -> list[str]:
    """The declared hooks nobody provides (empty once every app is ready)."""
    return sorted(name for name, hook in Hook.declared.items() if not hook.provided)
