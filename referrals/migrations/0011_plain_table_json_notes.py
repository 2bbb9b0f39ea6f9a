"""Issue 12: a scoring or coefficient table keeps a copy of its note inside the table itself (`table["source_note"]`,
as the seed stored it, and the admin offers it as the start of the next version). 0008 put the column in words; this
does the same for that copy, so no copy says "domain.md" and a section sign any more."""

import re

from django.db import migrations

_REFERENCE = re.compile("\\s?\\(domain\\.md \u00a7[\\d.]+\\)")


def plain_words(note: str) -> str:
    return _REFERENCE.sub("", note).replace("\u00a713-15", "sections 13 to 15")


def plain_table_notes(apps, schema_editor):
    for name in ("Rm2000ScoringTable", "Ogrs3CoefficientTable"):
        model = apps.get_model("referrals", name)
        for row in model.objects.all():
            table = row.table if isinstance(row.table, dict) else {}
            note = table.get("source_note")
            changes = {}
            if isinstance(note, str) and plain_words(note) != note:
                changes["table"] = {**table, "source_note": plain_words(note)}
            if plain_words(row.source_note) != row.source_note:
                changes["source_note"] = plain_words(row.source_note)
            if changes:
                model.objects.filter(pk=row.pk).update(**changes)


class Migration(migrations.Migration):
    dependencies = [("referrals", "0010_erased_crn_placeholder")]

    operations = [migrations.RunPython(plain_table_notes, migrations.RunPython.noop)]
