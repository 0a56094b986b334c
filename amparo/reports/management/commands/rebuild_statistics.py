"""``manage.py rebuild_statistics``: refill the statistics table from the source.

The desk's actions keep the table in step (amparo/reports/counted.py); this
is for an install upgrading by hand, or to check: ``--check`` changes
nothing, prints how many cases disagree (never which: the count is enough
to act on) and exits non-zero if any does. A rebuild is recorded in the
audit log (``statistics_rebuilt``, through the reports action); a check,
which changes nothing, is not.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from amparo.reports import counted
from amparo.reports.actions import do_rebuild_statistics


class Command(BaseCommand):
    help = "Rebuild the statistics table from the codings, stages and consent records."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="only compare the table with the source; exit non-zero if they disagree",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["check"]:
            wrong = counted.differences()
            if wrong:
                raise CommandError(
                    f"{len(wrong)} case(s) counted differently from the source: "
                    "run rebuild_statistics"
                )
            self.stdout.write("the statistics table agrees with the source")
            return
        written = do_rebuild_statistics()
        self.stdout.write(f"statistics table rebuilt: {written} coded case(s)")
