"""Hooks a lower app asks by name: provided once the apps are ready, never silently missing."""

from __future__ import annotations

import pytest
from django.utils.module_loading import autodiscover_modules

from amparo.core.hooks import Hook, missing


def test_it_has_every_declared_hook_provided_once_the_apps_are_ready() -> None:
    autodiscover_modules("hooks")
    assert "may_contact" in Hook.declared
    assert missing() == []


def test_it_raises_rather_than_answer_for_a_missing_provider() -> None:
    hook: Hook[[int], bool] = Hook("test_unprovided", provided_by="nobody")
    try:
        with pytest.raises(LookupError):
            hook(1)
        hook.provide(lambda n: n > 0)
        assert hook(1) is True
        with pytest.raises(RuntimeError):
            hook.provide(lambda n: True)
        with pytest.raises(RuntimeError):
            Hook("test_unprovided", provided_by="somebody else")
    finally:
        del Hook.declared["test_unprovided"]
