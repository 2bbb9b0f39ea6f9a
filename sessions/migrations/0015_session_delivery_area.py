"""Each scheduled session's `delivery_area` (its group's or plan's area), backfilled from the owners in one UPDATE
that works on PostgreSQL and SQLite (issue 11): the area's session lists read it through an (area, date) index
instead of joining every group and plan. 0016 makes it required and adds the index."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce


def backfill(apps, schema_editor):
    ScheduledSession = apps.get_model("programme_sessions", "ScheduledSession")
    ProgrammeGroup = apps.get_model("programme_sessions", "ProgrammeGroup")
    OneToOnePlan = apps.get_model("programme_sessions", "OneToOnePlan")
    ScheduledSession.objects.using(schema_editor.connection.alias).update(
        delivery_area_id=Coalesce(
            Subquery(ProgrammeGroup.objects.filter(pk=OuterRef("group_id")).values("area_id")[:1]),
            Subquery(OneToOnePlan.objects.filter(pk=OuterRef("plan_id")).values("area_id")[:1]),
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("programme_sessions", "0014_session_facilitator_date"),
    ]

    operations = [
        migrations.AddField(
            model_name="scheduledsession",
            name="delivery_area",
            field=models.ForeignKey(
                db_index=False,
                help_text="The area of the group or plan (denormalised for the area's session lists).",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.probationarea",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
