"""Create the demo desk's staff accounts (idempotent; refused in production).

The accounts are enrolled through the same code path as real staff. Their
passwords and second-factor secrets are fixed and printed, so they are for
demonstrations on a laptop only.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from amparo.accounts import totp
from amparo.accounts.actions import do_enrol, do_invite
from amparo.accounts.models import Role, User
from amparo.crypto import format_recovery_key

DEMO_PASSWORD = "demo-only-Amparo-2026"  # noqa: S105  demo desk only, printed on purpose
DEMO_STAFF: dict[str, list[Role]] = {
    "coordinator": [Role.COORDINATOR, Role.HANDLER],
    "handler": [Role.HANDLER],
    "analyst": [Role.ANALYST],
    "admin": [Role.ADMINISTRATOR],
}


def demo_totp_secret(username: str) -> bytes:
    """A fixed secret per demo account, so that every run can print it again."""
    return hashlib.sha256(f"amparo-demo-totp:{username}".encode()).digest()[: totp.SECRET_BYTES]


def demo_recovery_key(username: str) -> str:
    digest = hashlib.sha256(f"amparo-demo-recovery:{username}".encode()).digest()
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    return format_recovery_key("".join(alphabet[b % 32] for b in digest[:28]))


def ensure_demo_staff() -> None:
    if settings.PRODUCTION:
        raise CommandError("Demo accounts are never created when AMPARO_ENV=production.")
    for username, roles in DEMO_STAFF.items():
        if User.objects.filter(username=username).exists():
            continue
        invitation, _token = do_invite(None, username, roles, confirmed_by_operator=True)
        do_enrol(
            invitation,
            password=DEMO_PASSWORD,
            recovery_key=demo_recovery_key(username),
            totp_secret=demo_totp_secret(username),
        )


class Command(BaseCommand):
    help = "Create the demo desk's staff accounts. Never runs in production."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", default="8000")

    def handle(self, *args: Any, **options: Any) -> None:
        ensure_demo_staff()
        base = f"http://127.0.0.1:{options['port']}"
        self.stdout.write(f"Public report form: {base}/en/")
        self.stdout.write(f"Desk sign-in:       {base}/en/staff/login/")
        self.stdout.write("Demo staff accounts — DEMO ONLY, never use these anywhere real.")
        self.stdout.write(
            "Add the TOTP key to an authenticator app, or get the current code with:"
            " .venv/bin/python manage.py totp_code <key>"
        )
        for username, roles in DEMO_STAFF.items():
            key = totp.to_base32(demo_totp_secret(username))
            names = "+".join(str(role) for role in roles)
            self.stdout.write(
                f"  {username:<12} password: {DEMO_PASSWORD}  TOTP key: {key}  ({names})"
            )
