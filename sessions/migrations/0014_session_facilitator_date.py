# ruff: noqa: S608 - every statement is built from this module's constant table and value names, no input
"""The link table of `ScheduledSession.facilitators` becomes the explicit model `SessionFacilitator` (the same table
and columns: nothing is copied) with a copy of the session's date and whether the provider cancelled it, and an
index on (user, date) (issue 11): a facilitator's sessions in a date range (the yearly monitored share, the
recordings to mark, the facilitator's record) are an index range scan, not every link of their history joined to
its session.

The database keeps the copy right whatever writes it (services, bulk inserts, COPY, tests, the shell): on a link's
insert (or a change of its session) a trigger fills it from the session; on a change of a session's date or status
a trigger updates its links. PostgreSQL (production and tests) gets trigger functions; SQLite (`make run`) gets
triggers that sessions.apps puts back after a table rebuild.
"""

import datetime

from django.conf import settings
from django.db import migrations, models

import isotp.fields

LINKS = "programme_sessions_scheduledsession_facilitators"
SESSIONS = "programme_sessions_scheduledsession"
CANCELLED = "cancelled_by_provider"

POSTGRES = [
    f"""
CREATE OR REPLACE FUNCTION programme_sessions_link_fill() RETURNS trigger AS $$
BEGIN
    SELECT s.date, s.status = '{CANCELLED}' INTO NEW.date, NEW.cancelled
    FROM {SESSIONS} s WHERE s.id = NEW.scheduledsession_id;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
""",
    f"""
CREATE OR REPLACE FUNCTION programme_sessions_session_links() RETURNS trigger AS $$
BEGIN
    UPDATE {LINKS} SET date = NEW.date, cancelled = (NEW.status = '{CANCELLED}')
    WHERE scheduledsession_id = NEW.id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
""",
    # Any insert or update of a link takes the session's values (a copy cannot be set to anything else).
    f"CREATE TRIGGER {LINKS}_fill BEFORE INSERT OR UPDATE ON {LINKS} "
    f"FOR EACH ROW EXECUTE FUNCTION programme_sessions_link_fill();",
    f"CREATE TRIGGER {SESSIONS}_links AFTER UPDATE OF date, status ON {SESSIONS} FOR EACH ROW "
    f"WHEN (OLD.date IS DISTINCT FROM NEW.date OR OLD.status IS DISTINCT FROM NEW.status) "
    f"EXECUTE FUNCTION programme_sessions_session_links();",
]

_SQLITE_FILL = (
    f"BEGIN UPDATE {LINKS} SET date = (SELECT s.date FROM {SESSIONS} s WHERE s.id = NEW.scheduledsession_id), "
    f"cancelled = (SELECT s.status = '{CANCELLED}' FROM {SESSIONS} s WHERE s.id = NEW.scheduledsession_id) "
    f"WHERE id = NEW.id; END;"
)

# name -> (table, the statement after `CREATE TRIGGER name`); sessions.apps puts them back after a SQLite rebuild.
# SQLite cannot change NEW in a BEFORE trigger: the link is corrected just after its insert or update (the update
# trigger's own UPDATE does not fire it again: recursive triggers are off).
SQLITE_TRIGGERS = {
    f"{LINKS}_fill_insert": (LINKS, f"AFTER INSERT ON {LINKS} FOR EACH ROW {_SQLITE_FILL}"),
    f"{LINKS}_fill_update": (LINKS, f"AFTER UPDATE ON {LINKS} FOR EACH ROW {_SQLITE_FILL}"),
    f"{SESSIONS}_links": (
        SESSIONS,
        f"AFTER UPDATE OF date, status ON {SESSIONS} FOR EACH ROW "
        f"WHEN OLD.date IS NOT NEW.date OR OLD.status IS NOT NEW.status "
        f"BEGIN UPDATE {LINKS} SET date = NEW.date, cancelled = (NEW.status = '{CANCELLED}') "
        f"WHERE scheduledsession_id = NEW.id; END;",
    ),
}

BACKFILL = {
    "postgresql": f"UPDATE {LINKS} l SET date = s.date, cancelled = (s.status = '{CANCELLED}') "
    f"FROM {SESSIONS} s WHERE s.id = l.scheduledsession_id;",
    "sqlite": f"UPDATE {LINKS} SET "
    f"date = (SELECT s.date FROM {SESSIONS} s WHERE s.id = {LINKS}.scheduledsession_id), "
    f"cancelled = (SELECT s.status = '{CANCELLED}' FROM {SESSIONS} s WHERE s.id = {LINKS}.scheduledsession_id);",
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
        raise RuntimeError(f"No link triggers for database vendor {vendor}")
    schema_editor.execute(BACKFILL[vendor])


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {LINKS}_fill ON {LINKS};")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {SESSIONS}_links ON {SESSIONS};")
        schema_editor.execute("DROP FUNCTION IF EXISTS programme_sessions_link_fill();")
        schema_editor.execute("DROP FUNCTION IF EXISTS programme_sessions_session_links();")
    elif vendor == "sqlite":
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name};")


class Migration(migrations.Migration):
    dependencies = [
        ("programme_sessions", "0013_membership_report_due_idx"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The table Django made for the many-to-many, now named as a model: no change to the database.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SessionFacilitator",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "scheduledsession",
                            models.ForeignKey(
                                on_delete=models.deletion.CASCADE,
                                related_name="facilitator_links",
                                to="programme_sessions.scheduledsession",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": LINKS,
                        "unique_together": {("scheduledsession", "user")},
                    },
                ),
                migrations.AlterField(
                    model_name="scheduledsession",
                    name="facilitators",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="scheduled_sessions",
                        through="programme_sessions.SessionFacilitator",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="sessionfacilitator",
            name="date",
            field=isotp.fields.BoundedDateField(
                editable=False, help_text="The session's date (kept by the database).", null=True
            ),
        ),
        migrations.AddField(
            model_name="sessionfacilitator",
            name="cancelled",
            field=models.BooleanField(
                db_default=False,
                default=False,
                editable=False,
                help_text="The session was cancelled by the provider (kept by the database).",
            ),
        ),
        migrations.AddConstraint(
            model_name="sessionfacilitator",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("date__gte", datetime.date(1900, 1, 1)), ("date__lte", datetime.date(2100, 12, 31))
                    ),
                    ("date__isnull", True),
                    _connector="OR",
                ),
                name="sessionfacilitator_date_bounds",
            ),
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
        migrations.AddIndex(
            model_name="sessionfacilitator",
            index=models.Index(fields=["user", "date"], name="session_facilitator_date_idx"),
        ),
    ]
