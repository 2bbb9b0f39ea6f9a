"""Stored state for the "members ready for a report" panel (issue 11): each membership's `delivery_area` (its
group's or plan's area) and `reported` (a report exists), backfilled from the tables in one UPDATE that works on
PostgreSQL and SQLite. 0013 makes the area required and adds the partial index the panel reads."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce


def backfill(apps, schema_editor):
    Membership = apps.get_model("programme_sessions", "Membership")
    ProgrammeGroup = apps.get_model("programme_sessions", "ProgrammeGroup")
    OneToOnePlan = apps.get_model("programme_sessions", "OneToOnePlan")
    PostProgrammeReport = apps.get_model("reports", "PostProgrammeReport")
    db = schema_editor.connection.alias
    Membership.objects.using(db).update(
        delivery_area_id=Coalesce(
            Subquery(ProgrammeGroup.objects.filter(pk=OuterRef("group_id")).values("area_id")[:1]),
            Subquery(OneToOnePlan.objects.filter(pk=OuterRef("plan_id")).values("area_id")[:1]),
        ),
        reported=Exists(PostProgrammeReport.objects.filter(membership_id=OuterRef("pk"))),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("programme_sessions", "0011_catch_up_unacceptable_idx"),
        ("reports", "0004_list_page_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="membership",
            name="delivery_area",
            field=models.ForeignKey(
                db_index=False,
                help_text="The area of the group or plan (denormalised for the reports panel).",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.probationarea",
            ),
        ),
        migrations.AddField(
            model_name="membership",
            name="reported",
            field=models.BooleanField(
                db_default=False, default=False, help_text="A report has been opened for this membership."
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
