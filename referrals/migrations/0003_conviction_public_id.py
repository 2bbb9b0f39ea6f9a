"""Convictions get a public_id so URLs that remove one never carry an integer id (house rule)."""

import uuid

from django.db import migrations, models


def fill(apps, schema_editor):
    Conviction = apps.get_model("referrals", "Conviction")
    for conviction in Conviction.objects.filter(public_id__isnull=True).only("pk"):
        conviction.public_id = uuid.uuid4()
        conviction.save(update_fields=["public_id"])


class Migration(migrations.Migration):
    dependencies = [("referrals", "0002_seed_offences_and_rm2000_table")]

    operations = [
        migrations.AddField(
            model_name="conviction", name="public_id", field=models.UUIDField(editable=False, null=True)
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="conviction",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
