"""``manage.py backup``: write one encrypted backup file (see docs/operations.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from amparo.audit.log import record
from amparo.operations.backup import BackupError, write_backup
from amparo.operations.backupkeys import BadBackupKey, configured_public_keys, parse_public_key


class Command(BaseCommand):
    help = (
        "Write a consistent copy of the database and the files folder, with a manifest of "
        "SHA-256 sums, encrypted to the backup public keys, into one file in the target folder."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--to",
            metavar="FOLDER",
            default=settings.AMPARO_BACKUP_DIR,
            help="the folder to write into (default: AMPARO_BACKUP_DIR)",
        )
        parser.add_argument(
            "--recipient",
            action="append",
            default=[],
            metavar="PUBLIC_KEY",
            help="a backup public key (repeatable; default: AMPARO_BACKUP_PUBLIC_KEYS)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["to"]:
            raise CommandError("say where to write: --to FOLDER or AMPARO_BACKUP_DIR")
        try:
            recipients = [parse_public_key(k) for k in options["recipient"]]
            recipients = recipients or configured_public_keys()
        except BadBackupKey as error:
            raise CommandError(f"bad backup public key: {error}") from None
        try:
            result = write_backup(Path(options["to"]), recipients)
        except BackupError as error:
            raise CommandError(str(error)) from None
        record(
            None,
            "backup_made",
            target_type="backup",
            target_id=result.path.name,
            details={"cases": result.cases, "files": result.files, "bytes": result.size},
        )
        self.stdout.write(
            f"backup written: {result.path} ({result.size} bytes, {result.cases} cases, "
            f"{result.files} files, {len(recipients)} recipient key(s))"
        )
