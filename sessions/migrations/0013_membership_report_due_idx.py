"""Every membership has its area (0012 backfilled it), and the partial index of the memberships that may be due a
report (no report yet): the reports panel reads an area's few candidates, not its ten years of members."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("programme_sessions", "0012_membership_report_state")]

    operations = [
        migrations.AlterField(
            model_name="membership",
            name="delivery_area",
            field=models.ForeignKey(
                db_index=False,
                help_text="The area of the group or plan (denormalised for the reports panel).",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.probationarea",
            ),
        ),
        migrations.AddIndex(
            model_name="membership",
            index=models.Index(
                condition=models.Q(("reported", False)),
                fields=["delivery_area", "left_on", "joined_on", "id"],
                name="membership_report_due_idx",
            ),
        ),
    ]
