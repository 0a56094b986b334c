"""Lift and restore the database's append-only triggers on the audit tables.

Only two callers have a reason to: ``manage.py flush`` (which empties every
table, the audit log included, and is never run on a live desk) and the tests
that play an attacker who owns the database.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

from amparo.audit.models import AuditEvent, AuditHead

TABLES = (AuditEvent._meta.db_table, AuditHead._meta.db_table)


def lift(connection: BaseDatabaseWrapper) -> list[str]:
    """Drop the triggers on the audit tables; return the SQL that recreates them.

    Run it inside a transaction: both backends roll trigger changes back, so
    a failure part-way can never leave the log unguarded.
    """
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master"
                " WHERE type = 'trigger' AND tbl_name IN (%s, %s)",
                TABLES,
            )
            rows = cursor.fetchall()
            for name, _sql in rows:
                cursor.execute(f"DROP TRIGGER {quote(name)}")
            return [sql for _name, sql in rows]
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT t.tgname, t.tgrelid::regclass::text, pg_get_triggerdef(t.oid)"
                " FROM pg_trigger t"
                " WHERE t.tgrelid IN (to_regclass(%s), to_regclass(%s)) AND NOT t.tgisinternal",
                TABLES,
            )
            triggers = cursor.fetchall()
            for name, table, _sql in triggers:
                cursor.execute(f"DROP TRIGGER {quote(name)} ON {table}")
            return [sql for _name, _table, sql in triggers]
    return []


def restore(connection: BaseDatabaseWrapper, statements: list[str]) -> None:
    """Recreate the triggers that lift() dropped."""
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
