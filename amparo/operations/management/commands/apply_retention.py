"""``manage.py apply_retention``: shred what the retention policy says is due.

Idempotent and safe to run from cron as often as you like: a shredded case is
never picked again, and each case is shredded in its own transaction.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from amparo.intake.uploads import purge_stale_uploads
from amparo.operations.actions import do_apply_retention, due_for_deletion, overdue_requests
from amparo.operations.orphans import orphan_files, purge_orphan_files


class Command(BaseCommand):
    help = (
        "Delete the content of every case the retention policy says is due (crypto-shredding: "
        "keys, content and files), and remove orphaned encrypted files. --dry-run lists only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="list what would be deleted; change nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["dry_run"]:
            due = due_for_deletion()
            for item in due:
                self.stdout.write(
                    f"would delete {item.case.reference}: {item.stage} since {item.since}, "
                    f"due on {item.due_on}"
                )
            orphans = orphan_files()
            self.stdout.write(
                f"dry run: {len(due)} case(s) would be deleted, "
                f"{len(orphans)} orphaned file(s) removed"
            )
        else:
            done = do_apply_retention()
            for result in done:
                kept = " (coding kept for statistics)" if result.kept_for_statistics else ""
                self.stdout.write(f"deleted {result.reference}{kept}")
            removed = purge_orphan_files() + purge_stale_uploads()
            if done and connection.vendor == "postgresql":
                # Rewrite the tables that held sealed keys, so no dead row keeps one.
                with connection.cursor() as cursor:
                    cursor.execute("VACUUM FULL cases_casekey")
                    cursor.execute("VACUUM FULL cases_case")
            self.stdout.write(
                f"retention: {len(done)} case(s) deleted, {removed} orphaned file(s) removed"
            )
        overdue = overdue_requests().count()
        if overdue:
            self.stderr.write(
                f"{overdue} deletion request(s) from reporters are past their answer date"
            )
