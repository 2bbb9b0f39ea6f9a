"""Issue 13: the scoring and coefficient tables' notes are shown on the calculator pages, so they say where the
figures come from in words, without the product's internal document references ("domain.md §4")."""

import re

from django.db import migrations

_REFERENCE = re.compile(r"\s?\(domain\.md §[\d.]+\)")


def plain_notes(apps, schema_editor):
    for name in ("Rm2000ScoringTable", "Ogrs3CoefficientTable"):
        model = apps.get_model("referrals", name)
        for row in model.objects.filter(source_note__contains="§"):
            note = _REFERENCE.sub("", row.source_note).replace("§13-15", "sections 13 to 15")
            model.objects.filter(pk=row.pk).update(source_note=note)


class Migration(migrations.Migration):
    dependencies = [("referrals", "0007_assessment_on_hold")]

    operations = [migrations.RunPython(plain_notes, migrations.RunPython.noop)]
