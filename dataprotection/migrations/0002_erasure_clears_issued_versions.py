"""Retention erasure (issue 12) may clear an issued report version's PDF, snapshot and amendment reason, but only
while an `ErasurePermit` row names its report, which exists only inside the erasure's own transaction. Every other
change is refused as before (reports/migrations/0002_versions_immutable.py); deleting stays refused."""

from django.db import migrations

TABLE = "reports_reportversion"
PERMIT = "dataprotection_erasurepermit"
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


def _function(permit: bool) -> str:
    # Constant table names, no input.
    exists = f"EXISTS (SELECT 1 FROM {PERMIT} p WHERE p.report_id = OLD.report_id)"  # noqa: S608
    allow = f"\n    IF TG_OP = 'UPDATE' AND {exists} THEN\n        RETURN NEW;\n    END IF;" if permit else ""
    return f"""
CREATE OR REPLACE FUNCTION reports_version_immutable() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'an issued report version cannot be deleted' USING ERRCODE = 'insufficient_privilege';
    END IF;{allow}
    IF ({", ".join("NEW." + c for c in COLUMNS)}) IS DISTINCT FROM ({", ".join("OLD." + c for c in COLUMNS)})
       OR OLD.superseded_at IS NOT NULL THEN
        RAISE EXCEPTION 'an issued report version cannot be changed' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""


def _sqlite_update_trigger(permit: bool) -> str:
    changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in COLUMNS)
    unless = f" AND NOT EXISTS (SELECT 1 FROM {PERMIT} WHERE report_id = OLD.report_id)" if permit else ""  # noqa: S608
    return (
        f"CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE} "
        f"WHEN ({changed} OR OLD.superseded_at IS NOT NULL){unless} "
        f"BEGIN SELECT RAISE(ABORT, 'an issued report version cannot be changed'); END;"
    )


def _apply(schema_editor, permit: bool) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(_function(permit), params=None)
    elif vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_update;")
        schema_editor.execute(_sqlite_update_trigger(permit))
    else:  # pragma: no cover - only PostgreSQL and SQLite are supported
        raise RuntimeError(f"No immutability trigger for database vendor {vendor}")


def forwards(apps, schema_editor):
    _apply(schema_editor, permit=True)


def backwards(apps, schema_editor):
    _apply(schema_editor, permit=False)


class Migration(migrations.Migration):
    dependencies = [("dataprotection", "0001_retention"), ("reports", "0002_versions_immutable")]
    operations = [migrations.RunPython(forwards, backwards)]
