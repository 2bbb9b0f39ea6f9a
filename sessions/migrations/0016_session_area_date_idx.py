"""Every scheduled session has its area (0015 backfilled it), and the (area, date) index the area's session lists
read: the treatment manager's week, the register's session, a closure's clashes (issue 11).

On SQLite (`make run`) making the column required rebuilds the sessions table, which 0014's triggers on the links
table name: they are dropped before the rebuild and created again after it (PostgreSQL alters in place)."""

import importlib

import django.db.models.deletion
from django.db import migrations, models

from isotp.sqlite_triggers import restore_sqlite_triggers

TRIGGERS = importlib.import_module("sessions.migrations.0014_session_facilitator_date").SQLITE_TRIGGERS


def drop_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for name in TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name};")


def create_sqlite_triggers(apps, schema_editor):
    # The mechanism sessions.apps uses after every migrate (SQLite only; nothing elsewhere).
    restore_sqlite_triggers(
        schema_editor.connection.alias, ("programme_sessions", "0014_session_facilitator_date"), TRIGGERS
    )


class Migration(migrations.Migration):
    dependencies = [("programme_sessions", "0015_session_delivery_area")]

    operations = [
        migrations.RunPython(drop_sqlite_triggers, create_sqlite_triggers, elidable=False),
        migrations.AlterField(
            model_name="scheduledsession",
            name="delivery_area",
            field=models.ForeignKey(
                db_index=False,
                help_text="The area of the group or plan (denormalised for the area's session lists).",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.probationarea",
            ),
        ),
        migrations.AddIndex(
            model_name="scheduledsession",
            index=models.Index(fields=["delivery_area", "date"], name="session_area_date_idx"),
        ),
        migrations.RunPython(create_sqlite_triggers, drop_sqlite_triggers, elidable=False),
    ]
