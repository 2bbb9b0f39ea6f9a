"""An area's memberships by status (issue 11): the treatment manager's home reads the area's active members (the
schedules ending after supervision, the catch-ups outstanding) through it, not every active membership in the
country."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("programme_sessions", "0016_session_area_date_idx"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="membership",
            index=models.Index(fields=["delivery_area", "status"], name="membership_area_status_idx"),
        ),
    ]
