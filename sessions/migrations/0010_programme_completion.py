"""Completion of groups and one-to-one plans: the date, who closed them and why. A group or plan already marked
completed (the statistics demo wrote the status directly) takes the date of its last session that was not
cancelled, so the new check (completed has a date) holds."""

import datetime
import django.db.models.deletion
import isotp.fields
from django.conf import settings
from django.db import migrations, models
from django.db.models import Max, OuterRef, Subquery
from django.db.models.functions import Coalesce


def date_completed_rows(apps, schema_editor):
    Session = apps.get_model("programme_sessions", "ScheduledSession")
    for model_name, owner in (("ProgrammeGroup", "group"), ("OneToOnePlan", "plan")):
        model = apps.get_model("programme_sessions", model_name)
        last = (
            Session.objects.filter(**{owner: OuterRef("pk")})
            .exclude(status="cancelled_by_provider")
            .order_by()
            .values(owner)
            .annotate(d=Max("date"))
            .values("d")
        )
        model.objects.filter(status="completed", completed_on__isnull=True).update(
            completed_on=Coalesce(Subquery(last), "start_date")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_bounded_dates_and_text"),
        ("programme_sessions", "0009_bounded_dates_and_text"),
        ("referrals", "0009_bounded_dates_and_text"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="onetooneplan",
            name="completed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="onetooneplan",
            name="completed_on",
            field=isotp.fields.BoundedDateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="onetooneplan",
            name="completion_reason",
            field=isotp.fields.BoundedTextField(blank=True, max_length=10000),
        ),
        migrations.AddField(
            model_name="programmegroup",
            name="completed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="programmegroup",
            name="completed_on",
            field=isotp.fields.BoundedDateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="programmegroup",
            name="completion_reason",
            field=isotp.fields.BoundedTextField(blank=True, max_length=10000),
        ),
        migrations.RunPython(date_completed_rows, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="onetooneplan",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "completed"), _negated=True),
                    ("completed_on__isnull", False),
                    _connector="OR",
                ),
                name="plan_completed_has_date",
            ),
        ),
        migrations.AddConstraint(
            model_name="onetooneplan",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("completed_on__gte", datetime.date(1900, 1, 1)),
                        ("completed_on__lte", datetime.date(2100, 12, 31)),
                    ),
                    ("completed_on__isnull", True),
                    _connector="OR",
                ),
                name="onetooneplan_completed_on_bounds",
            ),
        ),
        migrations.AddConstraint(
            model_name="onetooneplan",
            constraint=models.CheckConstraint(
                condition=models.Q(("completion_reason__length__lte", 10000)),
                name="onetooneplan_completion_reason_bounds",
            ),
        ),
        migrations.AddConstraint(
            model_name="programmegroup",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "completed"), _negated=True),
                    ("completed_on__isnull", False),
                    _connector="OR",
                ),
                name="group_completed_has_date",
            ),
        ),
        migrations.AddConstraint(
            model_name="programmegroup",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("completed_on__gte", datetime.date(1900, 1, 1)),
                        ("completed_on__lte", datetime.date(2100, 12, 31)),
                    ),
                    ("completed_on__isnull", True),
                    _connector="OR",
                ),
                name="programmegroup_completed_on_bounds",
            ),
        ),
        migrations.AddConstraint(
            model_name="programmegroup",
            constraint=models.CheckConstraint(
                condition=models.Q(("completion_reason__length__lte", 10000)),
                name="programmegroup_completion_reason_bounds",
            ),
        ),
    ]
