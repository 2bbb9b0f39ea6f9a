"""The administrations API list in its order as an index (issue 11): the page is read in order and stops after
25 rows."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("assessments", "0002_bounded_dates_and_text")]

    operations = [
        migrations.AddIndex(
            model_name="administration",
            index=models.Index(fields=["area", "recorded_at", "id"], name="admin_area_recorded_idx"),
        ),
    ]
