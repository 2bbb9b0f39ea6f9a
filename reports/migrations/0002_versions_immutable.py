"""An issued version never changes (domain.md §8): the database refuses DELETE, and any UPDATE except marking a
current version superseded (setting `superseded_at` once, nothing else).

PostgreSQL (production and tests) gets a trigger function; SQLite (`make run`) gets RAISE(ABORT) triggers.
"""

from django.db import migrations

TABLE = "reports_reportversion"
COLUMNS = (
    "public_id",
    "report_id",
    "number",
    "file",
    "sha256",
    "size",
    "pages",
    "issued_at",
    "approved_by_id",
    "amendment_reason",
    "snapshot",
)

POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION reports_version_immutable() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'an issued report version cannot be deleted' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF ({", ".join("NEW." + c for c in COLUMNS)}) IS DISTINCT FROM ({", ".join("OLD." + c for c in COLUMNS)})
       OR OLD.superseded_at IS NOT NULL THEN
        RAISE EXCEPTION 'an issued report version cannot be changed' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""

SQLITE_CHANGED = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in COLUMNS)

# name -> (table, the statement after `CREATE TRIGGER name`); reports.apps puts them back after a SQLite rebuild.
SQLITE_TRIGGERS = {
    f"{TABLE}_no_delete": (
        TABLE,
        f"BEFORE DELETE ON {TABLE} BEGIN SELECT RAISE(ABORT, 'an issued report version cannot be deleted'); END;",
    ),
    f"{TABLE}_no_update": (
        TABLE,
        f"BEFORE UPDATE ON {TABLE} WHEN {SQLITE_CHANGED} OR OLD.superseded_at IS NOT NULL "
        f"BEGIN SELECT RAISE(ABORT, 'an issued report version cannot be changed'); END;",
    ),
}


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FUNCTION, params=None)
        schema_editor.execute(
            f"CREATE TRIGGER {TABLE}_immutable BEFORE UPDATE OR DELETE ON {TABLE} "
            f"FOR EACH ROW EXECUTE FUNCTION reports_version_immutable();"
        )
    elif vendor == "sqlite":
        for name, (_table, body) in SQLITE_TRIGGERS.items():
            schema_editor.execute(f"CREATE TRIGGER {name} {body}")
    else:  # pragma: no cover - only PostgreSQL and SQLite are supported
        raise RuntimeError(f"No immutability trigger for database vendor {vendor}")


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_immutable ON {TABLE};")
    elif vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_delete;")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_update;")


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
