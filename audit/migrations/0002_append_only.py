"""Make the audit tables append-only at the database: UPDATE and DELETE raise an error.

TRUNCATE is left to the database owner: Django's test flush uses it, and the application role never truncates.

PostgreSQL (production and tests) gets a trigger function; SQLite (`make run`) gets RAISE(ABORT) triggers.
"""

from django.db import migrations

TABLES = ("audit_auditevent", "audit_accesslog")

# name -> (table, the statement after `CREATE TRIGGER name`); audit.apps puts them back after a SQLite rebuild.
SQLITE_TRIGGERS = {
    f"{table}_no_{op.lower()}": (
        table,
        f"BEFORE {op} ON {table} BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;",
    )
    for table in TABLES
    for op in ("UPDATE", "DELETE")
}

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit records are append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(POSTGRES_FUNCTION, params=None)
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();"
            )
    elif vendor == "sqlite":
        for name, (_table, body) in SQLITE_TRIGGERS.items():
            schema_editor.execute(f"CREATE TRIGGER {name} {body}")
    else:  # pragma: no cover - only PostgreSQL and SQLite are supported
        raise RuntimeError(f"No append-only trigger for database vendor {vendor}")


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
        elif vendor == "sqlite":
            for op in ("update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op};")


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
