"""The audit tables refuse UPDATE and DELETE at the database, whatever the ORM or raw SQL tries."""

import pytest
from django.db import DatabaseError, connection, transaction

from audit.models import AccessLog, AuditEvent
from audit.services import record_access, record_event

pytestmark = pytest.mark.django_db


def test_update_is_refused_by_the_database(tm):
    event = record_event(actor=tm, action="test.done", obj=tm, object_id=str(tm.public_id))
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="tampered")
    event.refresh_from_db()
    assert event.action == "test.done"


def test_delete_is_refused_by_the_database(tm):
    event = record_event(actor=tm, action="test.done", obj=tm, object_id=str(tm.public_id))
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_raw_sql_update_is_refused(tm):
    record_event(actor=tm, action="test.done", obj=tm, object_id=str(tm.public_id))
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE audit_auditevent SET action = 'x'")


def test_access_log_is_append_only(tm):
    entry = record_access(actor=tm, obj=tm)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessLog.objects.filter(pk=entry.pk).delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessLog.objects.filter(pk=entry.pk).update(via="api")


def test_event_records_area_and_changes(tm):
    event = record_event(
        actor=tm,
        action="closure.added",
        obj=tm,
        object_id="x",
        changes={"date": __import__("datetime").date(2027, 1, 1)},
    )
    assert event.area_id == tm.area_id
    assert event.changes == {"date": "2027-01-01"}
