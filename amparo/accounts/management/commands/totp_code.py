"""Print the current code for a TOTP key (for the demo desk and for testing)."""

from __future__ import annotations

import binascii
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from amparo.accounts import totp


class Command(BaseCommand):
    help = "Print the current 6-digit code for a base32 TOTP key."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("key")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            secret = totp.from_base32(options["key"])
        except (binascii.Error, ValueError):
            raise CommandError("That is not a base32 TOTP key.") from None
        self.stdout.write(totp.current_code(secret))
