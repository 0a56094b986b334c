"""``manage.py verify_audit``: check the audit log's hash chain end to end."""

from __future__ import annotations

import argparse
import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from amparo.audit.log import verify

HEAD_FORMAT = re.compile(r"^(\d+):([0-9a-f]{64})$")


def exported_head(value: str) -> tuple[int, str]:
    match = HEAD_FORMAT.match(value.strip().lower())
    if not match:
        raise argparse.ArgumentTypeError("expected SEQ:HASH, as printed by --head")
    return int(match[1]), match[2]


class Command(BaseCommand):
    help = (
        "Check the audit log: numbering, links and each event's HMAC, and the head. "
        "Prints the first bad event and exits non-zero if the chain was tampered with."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--head",
            action="store_true",
            help="after a successful check, print the head as SEQ:HASH to keep off the server",
        )
        parser.add_argument(
            "--expect",
            metavar="SEQ:HASH",
            type=exported_head,
            help="a head printed earlier by --head, which must still be part of the chain",
        )
        parser.add_argument("--chunk-size", type=int, default=2000, help=argparse.SUPPRESS)

    def handle(self, *args: Any, **options: Any) -> None:
        verdict = verify(expect=options["expect"], chunk_size=options["chunk_size"])
        if not verdict.ok:
            raise CommandError(
                f"audit chain BROKEN at event {verdict.bad_seq} ({verdict.problem}): "
                f"{verdict.explanation}"
            )
        self.stdout.write(f"audit chain OK: {verdict.count} events")
        if options["head"]:
            self.stdout.write(f"audit head: {verdict.head_seq}:{verdict.head_hash}")
