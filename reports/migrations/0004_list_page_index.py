"""The Reports list newest first as an index (issue 11): the page is read in order and stops after 25 rows."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("reports", "0003_bounded_dates_and_text")]

    operations = [
        migrations.AddIndex(
            model_name="postprogrammereport",
            index=models.Index(fields=["area", "-updated_at", "-id"], name="report_area_updated_idx"),
        ),
    ]
