"""Create the demo desk's staff accounts (idempotent; refused in production)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from amparo.accounts.models import User

DEMO_PASSWORD = "demo-only-Amparo-2026"  # noqa: S105  demo desk only, printed on purpose
DEMO_STAFF = {
    "coordinator": {"is_coordinator": True, "is_handler": True},
    "handler": {"is_handler": True},
    "analyst": {"is_analyst": True},
    "admin": {"is_administrator": True},
}


class Command(BaseCommand):
    help = "Create the demo desk's staff accounts. Never runs in production."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", default="8000")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("Demo accounts are never created when AMPARO_ENV=production.")
        for username, roles in DEMO_STAFF.items():
            if User.objects.filter(username=username).exists():
                continue
            user = User(username=username, **roles)
            user.set_password(DEMO_PASSWORD)
            user.save()
        base = f"http://127.0.0.1:{options['port']}"
        self.stdout.write(f"Public report form: {base}/en/")
        self.stdout.write(f"Desk sign-in:       {base}/en/staff/login/")
        self.stdout.write("Demo staff accounts (DEMO ONLY — never use these anywhere real):")
        for username in DEMO_STAFF:
            self.stdout.write(f"  {username:<12} password: {DEMO_PASSWORD}")
