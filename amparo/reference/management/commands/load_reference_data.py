"""Bring the database's reference data up to date with the data modules."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from amparo.audit.log import record
from amparo.audit.models import Action
from amparo.reference.loader import load_reference_data


class Command(BaseCommand):
    help = (
        "Load the vocabularies, situations and States Parties from amparo/reference/data. "
        "Rows edited by an administrator are kept unless --overwrite."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="Replace edits made in the desk with the data modules' values.",
        )

    def handle(self, *args: Any, overwrite: bool = False, **options: Any) -> None:
        with transaction.atomic():
            report = load_reference_data(overwrite=overwrite)
            if report.created or report.updated:
                # No person acts here: the event is stored without an actor.
                record(
                    None,
                    Action.REFERENCE_CHANGED,
                    target_type="reference_data",
                    details={
                        "change": "loaded",
                        "created": len(report.created),
                        "updated": len(report.updated),
                        "overwrite": overwrite,
                    },
                )
        verbosity = options.get("verbosity", 1)
        if verbosity >= 2:
            for label, names in (
                ("created", report.created),
                ("updated", report.updated),
                ("kept", report.kept),
                ("only in the database", report.unknown),
            ):
                for name in names:
                    self.stdout.write(f"{label}: {name}")
        if verbosity >= 1:
            self.stdout.write(report.summary())
