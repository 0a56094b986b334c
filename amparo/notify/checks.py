"""Deployment checks for notifications (``manage.py check --deploy`` and startup)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


def notification_settings(**_kwargs: Any) -> list[checks.CheckMessage]:
    if not settings.PRODUCTION:
        return []
    problems: list[checks.CheckMessage] = []
    if not settings.AMPARO_BASE_URL.startswith(
        "https://"
    ) and not settings.AMPARO_BASE_URL.endswith(".onion"):
        problems.append(
            checks.Warning(
                "AMPARO_BASE_URL is not an https:// address: the sign-in link in "
                "notification e-mails would lead staff to an unprotected page.",
                id="notify.W001",
            )
        )
    if settings.EMAIL_HOST not in LOCAL_HOSTS and not (
        settings.EMAIL_USE_TLS or getattr(settings, "EMAIL_USE_SSL", False)
    ):
        problems.append(
            checks.Warning(
                "AMPARO_EMAIL_HOST is another machine but AMPARO_EMAIL_USE_TLS is off: "
                "the SMTP password and the staff addresses would cross the network in clear.",
                id="notify.W002",
            )
        )
    if settings.DEFAULT_FROM_EMAIL.endswith("@localhost"):
        problems.append(
            checks.Warning(
                "AMPARO_EMAIL_FROM is not set: most mail servers refuse a sender @localhost.",
                id="notify.W003",
            )
        )
    return problems


def register() -> None:
    checks.register(notification_settings)
