"""Retention (issue 12): the nightly job lists people whose supervision ended more than RETENTION_YEARS ago with no
open referral; an area administrator confirms; the personal data goes (names, date of birth to the year, CRN, free
text, report writing and PDFs), the statistics rows stay, and an audit event records it without personal data."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.urls import reverse

from audit.models import AuditEvent
from dataprotection.models import RetentionCandidate
from dataprotection.services.retention import erase_personal_data, refresh_candidates
from dataprotection.tasks import find_retention_candidates
from isotp.errors import DomainConflict
from referrals.models import CRN_PATTERN, ERASED_CRN_PATTERN, Person, Referral
from tests.pages import error_summary, page_text
from tests.referrals.factories import SentenceFactory, eligible_person, referral_for

pytestmark = pytest.mark.django_db

LONG_AGO = dt.date(2015, 3, 31)


def _ended_long_ago(person: Person) -> Person:
    person.sentences.update(start_date=LONG_AGO - dt.timedelta(days=700), supervision_end_date=LONG_AGO)
    return person


def test_the_nightly_job_lists_only_people_past_retention_without_an_open_referral(
    area, om, other_area, other_om
):
    due = _ended_long_ago(eligible_person(area, om))
    recent = eligible_person(area, om)  # supervision ends in the future
    open_referral = referral_for(area, om, status="submitted").person
    _ended_long_ago(open_referral)
    closed = referral_for(area, om, status="withdrawn").person
    _ended_long_ago(closed)
    elsewhere = _ended_long_ago(eligible_person(other_area, other_om))
    assert find_retention_candidates.apply().get() == 3
    listed = set(RetentionCandidate.objects.values_list("person_id", flat=True))
    assert listed == {due.pk, closed.pk, elsewhere.pk}
    assert recent.pk not in listed and open_referral.pk not in listed
    # Run twice: the same list. A new sentence takes the person off it.
    assert refresh_candidates() == 3
    SentenceFactory(person=due)
    assert refresh_candidates() == 2
    assert not RetentionCandidate.objects.filter(person=due).exists()


def test_the_period_is_configurable(area, om, settings):
    person = eligible_person(area, om)
    ended = dt.date.today() - dt.timedelta(days=3 * 366)
    person.sentences.update(start_date=ended - dt.timedelta(days=700), supervision_end_date=ended)
    assert refresh_candidates() == 0
    settings.RETENTION_YEARS = 2
    assert refresh_candidates() == 1


def test_an_administrator_reviews_and_erases(login, area_admin, om, area, tm):
    referral = referral_for(area, om, status="withdrawn", notes="Lives at 1 High Street")
    person = _ended_long_ago(referral.person)
    crn, public_id = person.crn, person.public_id
    refresh_candidates()
    client = login(area_admin)
    listed = page_text(client.get(reverse("dataprotection:retention_list")))
    assert person.full_name in listed and crn in listed
    assert "People past the retention period" in page_text(client.get("/"))
    candidate = RetentionCandidate.objects.get(person=person)
    url = reverse("dataprotection:retention_erase", kwargs={"public_id": candidate.public_id})
    assert "cannot be undone" in page_text(client.get(url))
    assert client.post(url).status_code == 302

    person.refresh_from_db()
    assert (person.first_name, person.last_name) == ("Erased", "record")
    assert person.crn != crn and person.date_of_birth.month == 1 and person.date_of_birth.day == 1
    assert person.public_id == public_id  # the statistics rows still hang from it
    assert Referral.objects.filter(pk=referral.pk, status="withdrawn").exists()
    referral.refresh_from_db()
    assert "High Street" not in str(referral.__dict__)
    event = AuditEvent.objects.get(action="person.personal_data_erased", object_id=str(public_id))
    assert event.actor_id == area_admin.id and event.area_id == area.id
    assert crn not in str(event.changes) and "High Street" not in str(event.changes)
    # Erased people leave the list and are not listed again.
    assert crn not in page_text(client.get(reverse("dataprotection:retention_list")))
    assert client.get(url).status_code == 404
    assert refresh_candidates() == 0


def test_a_person_no_longer_due_is_not_erased(area_admin, om, area):
    person = _ended_long_ago(eligible_person(area, om))
    refresh_candidates()
    SentenceFactory(person=person)  # a new sentence since the nightly job ran
    with pytest.raises(DomainConflict) as refused:
        erase_personal_data(actor=area_admin, person=person)
    assert refused.value.code == "RETENTION_NOT_YET_DUE"
    person.refresh_from_db()
    assert person.first_name != "Erased"


def test_the_issued_report_pdf_is_deleted_and_its_version_cleared(
    area_admin, personas, area, settings, tmp_path
):
    from reports.models import ReportVersion
    from tests.reports.factories import quick_report

    settings.STORAGES = {
        **settings.STORAGES,
        "reports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path), "base_url": None},
        },
    }
    report = quick_report(area, personas, status="issued", issued=True)
    Referral.objects.filter(pk=report.referral_id).update(status="completed")
    person = report.referral.person
    SentenceFactory(person=person)
    _ended_long_ago(person)
    version = ReportVersion.objects.get(report=report)
    stored = tmp_path / version.file.name
    assert stored.exists()
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        erase_personal_data(actor=area_admin, person=person)
    version.refresh_from_db()
    assert version.file.name == "" and version.snapshot == {}
    assert not stored.exists()
    # Outside an erasure the issued version is as immutable as before.
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError), transaction.atomic():
        ReportVersion.objects.filter(pk=version.pk).update(pages=99)


def test_only_the_areas_administrator_erases(login, tm, om, other_admin, area):
    person = _ended_long_ago(eligible_person(area, om))
    refresh_candidates()
    url = reverse(
        "dataprotection:retention_erase",
        kwargs={"public_id": RetentionCandidate.objects.get(person=person).public_id},
    )
    assert login(tm).post(url).status_code == 403
    assert login(other_admin).post(url).status_code == 404
    assert login(other_admin).get(reverse("dataprotection:retention_list")).status_code == 200
    person.refresh_from_db()
    assert person.first_name != "Erased"


def test_the_list_query_count_does_not_grow(login, area_admin, om, area, django_assert_max_num_queries):
    for _ in range(3):
        _ended_long_ago(eligible_person(area, om))
    refresh_candidates()
    client = login(area_admin)
    with django_assert_max_num_queries(25) as few:
        client.get(reverse("dataprotection:retention_list"))
    for _ in range(5):
        _ended_long_ago(eligible_person(area, om))
    refresh_candidates()
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("dataprotection:retention_list"))


def _erase(area_admin, om, area) -> Person:
    person = _ended_long_ago(eligible_person(area, om))
    refresh_candidates()
    erase_personal_data(actor=area_admin, person=person)
    person.refresh_from_db()
    return person


def test_an_erased_persons_placeholder_can_never_be_a_crn(area_admin, om, area):
    """A real CRN is one capital letter and six digits, Z included: the placeholder is none of them."""
    person = _erase(area_admin, om, area)
    assert re.fullmatch(ERASED_CRN_PATTERN, person.crn)
    assert not re.fullmatch(CRN_PATTERN, person.crn) and not re.fullmatch(CRN_PATTERN, person.crn.upper())
    assert person.is_erased


def test_erasure_never_blocks_creating_a_real_person(login, area_admin, om, area):
    """Erase, then record real people with the old placeholder's pattern (Z and the same six digits) and with the
    erased person's own former CRN: both are created, and the erased record keeps its unique placeholder."""
    person = _ended_long_ago(eligible_person(area, om))
    former_crn = person.crn
    refresh_candidates()
    erase_personal_data(actor=area_admin, person=person)
    person.refresh_from_db()
    digits = person.crn.removeprefix("ERASED-")
    born = dt.date(1980, 5, 17)
    for crn in (f"Z{digits}", former_crn):
        response = login(om).post(
            reverse("referrals:person_create"),
            {
                "crn": crn,
                "first_name": "Real",
                "last_name": "Person",
                "date_of_birth_0": born.day,
                "date_of_birth_1": born.month,
                "date_of_birth_2": born.year,
                "sex": "male",
            },
        )
        assert response.status_code == 302, page_text(response)[:500]
        assert Person.objects.filter(crn=crn, first_name="Real").exists()
    assert Person.objects.filter(pk=person.pk, crn__startswith="ERASED-").exists()


def test_the_placeholder_cannot_be_entered_as_a_crn(login, om):
    response = login(om).post(reverse("referrals:person_create"), {"crn": "ERASED-123456"})
    assert response.status_code == 200 and 'href="#id_crn"' in error_summary(response)
    assert not Person.objects.filter(crn="ERASED-123456").exists()


def test_the_erased_record_shows_sensibly(login, area_admin, om, area, api):
    person = _erase(area_admin, om, area)
    text = page_text(
        login(area_admin).get(reverse("referrals:person_detail", kwargs={"public_id": person.public_id}))
    )
    assert "No CRN: personal data erased" in text and "erased under the retention policy" in text
    assert "CRN ERASED-" not in text
    body = api(area_admin).get(reverse("api-person-detail", kwargs={"public_id": person.public_id})).json()
    schema = yaml.safe_load((Path(settings.BASE_DIR) / "openapi.yaml").read_text())
    pattern = schema["components"]["schemas"]["PersonDetailOutput"]["properties"]["crn"]["pattern"]
    assert re.fullmatch(pattern, body["crn"]) and body["first_name"] == "Erased"


def test_erasure_clears_the_notifications_that_name_the_person(area_admin, om, area):
    # Notifications have no link to the person but carry the CRN and free text (a restart reason, a concern).
    from notifications.models import Notification

    person = _ended_long_ago(eligible_person(area, om))
    crn, name = person.crn, f"{person.first_name} {person.last_name}"
    Notification.objects.create(
        recipient=om, area=area, subject=f"Restart needed for {crn}", body=f"{name} missed two sessions: ill."
    )
    other = Notification.objects.create(
        recipient=om, area=area, subject="Something else", body="No one named."
    )
    refresh_candidates()
    erase_personal_data(actor=area_admin, person=person)
    for note in Notification.objects.all():
        assert crn not in note.subject + note.body and name not in note.subject + note.body
    other.refresh_from_db()
    assert other.body == "No one named."


def test_notifications_about_a_person_are_linked_to_them_erased_by_the_link_and_exported(
    area_admin, om, area
):
    # A notification about the person links to them (Notification.person): erasure clears it by the link, even
    # when its text names neither the CRN nor the name, and the subject access export carries it.
    import io
    import json
    import zipfile

    from dataprotection.services import export_subject_access
    from notifications.services import notify

    person = _ended_long_ago(eligible_person(area, om))
    [linked] = notify(
        recipients=[om],
        kind="concern",
        subject="A facilitator has flagged a concern",
        body="Seemed low.",
        person=person,
    )
    assert linked.person_id == person.pk
    archive = zipfile.ZipFile(io.BytesIO(export_subject_access(actor=area_admin, person=person)))
    exported = json.loads(archive.read("records/notifications.notification.json"))
    assert [row["fields"]["body"] for row in exported] == ["Seemed low."]
    refresh_candidates()
    erase_personal_data(actor=area_admin, person=person)
    linked.refresh_from_db()
    assert "Seemed low." not in linked.body and linked.subject.startswith("A notification about a person")


def test_the_migration_links_old_notifications_to_the_person_their_crn_names(om, area, other_area, other_om):
    import importlib

    from django.apps import apps

    from notifications.models import Notification

    backfill = importlib.import_module("notifications.migrations.0005_backfill_notification_person").backfill
    person = eligible_person(area, om)
    elsewhere = eligible_person(other_area, other_om)
    named = Notification.objects.create(
        recipient=om, area=area, subject="Absence", body=f"{person.crn} missed it."
    )
    wrong_area = Notification.objects.create(
        recipient=om, area=area, subject="Absence", body=f"{elsewhere.crn} missed it."
    )
    nobody = Notification.objects.create(
        recipient=om, area=area, subject="A group has completed", body="G-1."
    )
    backfill(apps, None)
    for note in (named, wrong_area, nobody):
        note.refresh_from_db()
    assert (named.person_id, wrong_area.person_id, nobody.person_id) == (person.pk, None, None)
