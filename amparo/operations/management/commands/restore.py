"""``manage.py restore FILE --key-file PATH``: restore a backup onto a fresh installation."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from amparo.audit.log import record, verify
from amparo.cases.models import Case
from amparo.operations.archive import BackupRefused
from amparo.operations.backupkeys import BadBackupKey, parse_private_key
from amparo.operations.restore import restore_backup, verify_backup


class Command(BaseCommand):
    help = (
        "Check a backup completely, then restore it onto this fresh installation (same "
        "database engine, same AMPARO_SECRET_KEY). Nothing is written unless every check passes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the backup file")
        parser.add_argument(
            "--key-file",
            required=True,
            help="a file holding the backup private key, or - to read it from standard input",
        )
        parser.add_argument(
            "--check-only",
            action="store_true",
            help="only verify the backup (decrypt, manifest, hashes); restore nothing",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["key_file"] == "-":
                text = sys.stdin.readline()
            else:
                text = Path(options["key_file"]).read_text()
            public, private = parse_private_key(text)
        except (OSError, BadBackupKey) as error:
            raise CommandError(f"cannot read the backup private key: {error}") from None
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path} is not a file")
        try:
            if options["check_only"]:
                manifest = verify_backup(path, public, private)
                self.stdout.write(
                    f"backup OK: made {manifest.created}, {manifest.cases} cases, "
                    f"{len(manifest.file_members())} files"
                )
                return
            result = restore_backup(path, public, private)
        except BackupRefused as error:
            raise CommandError(f"backup refused, nothing was restored: {error}") from None
        # Tables created by migrations newer than the backup, if any.
        call_command("migrate", verbosity=0, interactive=False)
        verdict = verify()
        if not verdict.ok:
            raise CommandError(
                f"restored, but the audit chain does not verify at event {verdict.bad_seq}: "
                f"{verdict.explanation}"
            )
        record(
            None,
            "backup_restored",
            target_type="backup",
            target_id=path.name[:100],
            details={"cases": Case.objects.count(), "files": result.files},
        )
        self.stdout.write(
            f"restored: {Case.objects.count()} cases, {result.files} files, "
            f"audit chain OK ({verdict.count} events). Made {result.manifest.created}."
        )
