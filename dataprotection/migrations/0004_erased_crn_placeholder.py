"""Erased people kept a CRN-shaped placeholder (`Z` and six digits), which a real CRN can be: it becomes
`ERASED-` and the same six digits, which no CRN can be (referrals 0010 lets the column hold it)."""

from django.db import migrations
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr


def forwards(apps, schema_editor):
    Person = apps.get_model("referrals", "Person")
    Person.objects.filter(retention__erased_at__isnull=False, crn__regex=r"^Z[0-9]{6}$").update(
        crn=Concat(Value("ERASED-"), Substr(F("crn"), 2, 6))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("dataprotection", "0003_bounded_dates_and_text"),
        ("referrals", "0010_erased_crn_placeholder"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
