# ruff: noqa: S608 - every statement is built from this module's constant table and value names, no input
"""A recording carries a copy of its session's date and start, with an index on (area, date, start, id) newest
first (issue 11): the TM's recordings page reads its page of 50 in order from the index instead of sorting every
recording of the area's history by its session's date.

The database keeps the copy right whatever writes it: a recording takes its session's values on every insert or
update, and a change of a session's date or start updates its recording. PostgreSQL (production and tests) gets
trigger functions; SQLite (`make run`) gets triggers that quality.apps puts back after a table rebuild.
"""

import datetime

from django.db import migrations, models

import isotp.fields

RECORDINGS = "quality_sessionrecording"
SESSIONS = "programme_sessions_scheduledsession"

POSTGRES = [
    f"""
CREATE OR REPLACE FUNCTION quality_recording_fill() RETURNS trigger AS $$
BEGIN
    SELECT s.date, s.start INTO NEW.session_date, NEW.session_start
    FROM {SESSIONS} s WHERE s.id = NEW.session_id;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
""",
    f"""
CREATE OR REPLACE FUNCTION quality_session_recording() RETURNS trigger AS $$
BEGIN
    UPDATE {RECORDINGS} SET session_date = NEW.date, session_start = NEW.start WHERE session_id = NEW.id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
""",
    f"CREATE TRIGGER {RECORDINGS}_fill BEFORE INSERT OR UPDATE ON {RECORDINGS} "
    f"FOR EACH ROW EXECUTE FUNCTION quality_recording_fill();",
    f"CREATE TRIGGER {SESSIONS}_recording AFTER UPDATE OF date, start ON {SESSIONS} FOR EACH ROW "
    f"WHEN (OLD.date IS DISTINCT FROM NEW.date OR OLD.start IS DISTINCT FROM NEW.start) "
    f"EXECUTE FUNCTION quality_session_recording();",
]

_SQLITE_FILL = (
    f"BEGIN UPDATE {RECORDINGS} SET "
    f"session_date = (SELECT s.date FROM {SESSIONS} s WHERE s.id = NEW.session_id), "
    f"session_start = (SELECT s.start FROM {SESSIONS} s WHERE s.id = NEW.session_id) "
    f"WHERE id = NEW.id; END;"
)

# name -> (table, the statement after `CREATE TRIGGER name`); quality.apps puts them back after a SQLite rebuild.
SQLITE_TRIGGERS = {
    f"{RECORDINGS}_fill_insert": (RECORDINGS, f"AFTER INSERT ON {RECORDINGS} FOR EACH ROW {_SQLITE_FILL}"),
    f"{RECORDINGS}_fill_update": (RECORDINGS, f"AFTER UPDATE ON {RECORDINGS} FOR EACH ROW {_SQLITE_FILL}"),
    f"{SESSIONS}_recording": (
        SESSIONS,
        f"AFTER UPDATE OF date, start ON {SESSIONS} FOR EACH ROW "
        f"WHEN OLD.date IS NOT NEW.date OR OLD.start IS NOT NEW.start "
        f"BEGIN UPDATE {RECORDINGS} SET session_date = NEW.date, session_start = NEW.start "
        f"WHERE session_id = NEW.id; END;",
    ),
}

BACKFILL = {
    "postgresql": f"UPDATE {RECORDINGS} r SET session_date = s.date, session_start = s.start "
    f"FROM {SESSIONS} s WHERE s.id = r.session_id;",
    "sqlite": f"UPDATE {RECORDINGS} SET "
    f"session_date = (SELECT s.date FROM {SESSIONS} s WHERE s.id = {RECORDINGS}.session_id), "
    f"session_start = (SELECT s.start FROM {SESSIONS} s WHERE s.id = {RECORDINGS}.session_id);",
}


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for statement in POSTGRES:
            schema_editor.execute(statement, params=None)
    elif vendor == "sqlite":
        for name, (_table, body) in SQLITE_TRIGGERS.items():
            schema_editor.execute(f"CREATE TRIGGER {name} {body}")
    else:  # pragma: no cover - only PostgreSQL and SQLite are supported
        raise RuntimeError(f"No recording triggers for database vendor {vendor}")
    schema_editor.execute(BACKFILL[vendor])


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {RECORDINGS}_fill ON {RECORDINGS};")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {SESSIONS}_recording ON {SESSIONS};")
        schema_editor.execute("DROP FUNCTION IF EXISTS quality_recording_fill();")
        schema_editor.execute("DROP FUNCTION IF EXISTS quality_session_recording();")
    elif vendor == "sqlite":
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name};")


class Migration(migrations.Migration):
    dependencies = [
        ("quality", "0002_bounded_dates_and_text"),
        ("programme_sessions", "0014_session_facilitator_date"),
    ]

    operations = [
        migrations.AddField(
            model_name="sessionrecording",
            name="session_date",
            field=isotp.fields.BoundedDateField(
                editable=False, help_text="The session's date (kept by the database).", null=True
            ),
        ),
        migrations.AddField(
            model_name="sessionrecording",
            name="session_start",
            field=models.TimeField(
                editable=False, help_text="The session's start (kept by the database).", null=True
            ),
        ),
        migrations.AddConstraint(
            model_name="sessionrecording",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("session_date__gte", datetime.date(1900, 1, 1)),
                        ("session_date__lte", datetime.date(2100, 12, 31)),
                    ),
                    ("session_date__isnull", True),
                    _connector="OR",
                ),
                name="sessionrecording_session_date_bounds",
            ),
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
        migrations.AddIndex(
            model_name="sessionrecording",
            index=models.Index(
                fields=["area", "-session_date", "-session_start", "-id"], name="recording_area_session_idx"
            ),
        ),
    ]
