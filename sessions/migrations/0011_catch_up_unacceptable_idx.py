"""A partial index on the catch-ups whose outcome is an unacceptable absence (issue 11): the TM home's
"enforcement due" finds an area's missed catch-ups by index probe per member, not by a scan of the country's."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("programme_sessions", "0010_programme_completion")]

    operations = [
        migrations.AddIndex(
            model_name="catchup",
            index=models.Index(
                condition=models.Q(("outcome", "unacceptable_absence")),
                fields=["membership"],
                name="catch_up_unacceptable_idx",
            ),
        ),
    ]
