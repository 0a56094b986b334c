"""The hooks a lower app asks by name: provided once the apps are ready, never silently."""

from __future__ import annotations

import pytest

from amparo.core import hooks


def test_it_has_every_hook_provided_once_the_apps_are_ready() -> None:
    assert hooks.missing() == []


def test_it_refuses_a_hook_nobody_declared() -> None:
    with pytest.raises(LookupError):
        hooks.provide("no_such_hook", lambda: True)


def test_it_refuses_a_second_provider() -> None:
    with pytest.raises(RuntimeError):
        hooks.provide("may_contact", lambda case: True)


def test_it_raises_rather_than_answer_for_a_missing_provider(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(hooks, "_provided", {})
    assert hooks.missing() == sorted(hooks.HOOKS)
    with pytest.raises(LookupError):
        hooks.call("may_contact", object())
