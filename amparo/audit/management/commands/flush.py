"""Django's ``flush``, able to empty the append-only audit log too.

flush wipes every table, and the audit triggers refuse exactly that (DELETE
on SQLite, TRUNCATE on PostgreSQL). Every transactional test and live-server
browser test ends with a flush, so without this the first audited action in
such a test would make its teardown fail. The triggers are lifted and put
back inside one transaction: if anything fails, they are never left off.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush
from django.db import connections, transaction

from amparo.audit import guard


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        database = options["database"]
        connection = connections[database]
        with transaction.atomic(using=database):
            statements = guard.lift(connection)
            super().handle(**options)
            guard.restore(connection, statements)
