"""Backfill `Notification.person` for notifications written before the link existed (issue 12).

Every notification about a person names their CRN in its subject or body (absences, concerns, restarts,
enforcement, completion, reports); the CRN is unique nationally, so a CRN found in the text of a notification in the
person's area names that person. Notifications naming no CRN (a group completed) stay without a person.
"""

import re

from django.db import migrations

CRN = re.compile(r"\b[A-Z][0-9]{6}\b")


def backfill(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    Person = apps.get_model("referrals", "Person")
    pending = Notification.objects.filter(person__isnull=True).values_list("pk", "area_id", "subject", "body")
    found: dict[int, tuple[int, set[str]]] = {}
    for pk, area_id, subject, body in pending.iterator():
        crns = set(CRN.findall(f"{subject}\n{body}"))
        if crns:
            found[pk] = (area_id, crns)
    if not found:
        return
    wanted = set().union(*(crns for _, crns in found.values()))
    people = {
        crn: (pk, area_id)
        for crn, pk, area_id in Person.objects.filter(crn__in=wanted).values_list("crn", "pk", "area_id")
    }
    for pk, (area_id, crns) in found.items():
        matches = {people[c][0] for c in crns if c in people and people[c][1] == area_id}
        if len(matches) == 1:
            Notification.objects.filter(pk=pk).update(person_id=matches.pop())


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0004_notification_person"),
        ("referrals", "0010_erased_crn_placeholder"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
