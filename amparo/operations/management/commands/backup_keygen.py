"""``manage.py backup_keygen``: print a new backup key pair for the operator to keep."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from amparo.operations.backupkeys import key_id, new_backup_keypair, parse_public_key


class Command(BaseCommand):
    help = (
        "Print a new backup key pair. Put the public key in AMPARO_BACKUP_PUBLIC_KEYS on the "
        "server; keep the private key OFF the server (it alone can open the backups)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        pair = new_backup_keypair()
        self.stdout.write(f"key id:      {key_id(parse_public_key(pair.public))}")
        self.stdout.write(f"public key:  {pair.public}")
        self.stdout.write(f"private key: {pair.private}")
        self.stdout.write(
            "Keep the private key off this server (password manager, paper in a safe, a second "
            "copy with another person). Without it no backup can be restored; with it, "
            "anyone holding a backup file and this installation's secret key can."
        )
