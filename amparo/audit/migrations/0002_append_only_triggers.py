"""Make the database itself refuse to change or remove audit events.

The ORM already refuses; these triggers also stop a raw query or another
program sharing the database. They are not the tamper-evidence (whoever owns
the database can drop them): the HMAC chain is. The SQL is frozen here on
purpose, rather than imported, so that this migration never changes.

On SQLite, a later migration that makes Django rebuild this table (most
column changes do) drops these triggers with the old table: such a migration
must create them again. The tests fail if it does not.
"""

from django.db import migrations

MESSAGE = "audit log is append-only"

SQLITE_FORWARDS = [
    f"""CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER audit_auditevent_no_delete BEFORE DELETE ON audit_auditevent
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]
SQLITE_BACKWARDS = [
    "DROP TRIGGER IF EXISTS audit_auditevent_no_update",
    "DROP TRIGGER IF EXISTS audit_auditevent_no_delete",
]

POSTGRESQL_FORWARDS = [
    f"""CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation';
    END;
    $$""",
    """CREATE TRIGGER audit_auditevent_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()""",
    """CREATE TRIGGER audit_auditevent_no_truncate
    BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()""",
]
POSTGRESQL_BACKWARDS = [
    "DROP TRIGGER IF EXISTS audit_auditevent_no_truncate ON audit_auditevent",
    "DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent",
    "DROP FUNCTION IF EXISTS audit_refuse_change()",
]

FORWARDS = {"sqlite": SQLITE_FORWARDS, "postgresql": POSTGRESQL_FORWARDS}
BACKWARDS = {"sqlite": SQLITE_BACKWARDS, "postgresql": POSTGRESQL_BACKWARDS}


def run(statements_by_vendor):
    def operation(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in statements_by_vendor:
            # Fail loudly: a silent no-op would lose a guarantee unnoticed.
            raise NotImplementedError(f"no append-only triggers for the {vendor} database")
        for statement in statements_by_vendor[vendor]:
            schema_editor.execute(statement, params=None)

    return operation


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(run(FORWARDS), run(BACKWARDS))]
