"""What the OM and TM are told when an outcome is recorded: concerns, sent-home reasons, missed sessions in a block. The group meets on Mondays from 4 January 2027."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sessions import services
from sessions.models import MembershipStatus
from tests.sessions.attendance_helpers import (
    allocate_member,
    move_to,
    session_number,
)
from tests.sessions.factories import make_group, trained_facilitator, waiting_referral

pytestmark = pytest.mark.django_db


def test_a_new_or_different_concern_on_the_same_record_alerts_the_om_again(
    group, tm, om, facilitator, time_machine
):
    from notifications.models import Notification

    member = allocate_member(group, tm, om)
    s1 = session_number(group, 1)
    move_to(time_machine, s1.date)

    def record(**kw):
        services.record_attendance(actor=facilitator, membership=member, session=s1, outcome="attended", **kw)

    record(concern=True, notes="First worry")
    record(concern=True, notes="First worry")  # the same concern again: told once
    assert Notification.objects.filter(recipient=om, kind="concern").count() == 1
    record(concern=True, notes="A second, different worry")
    assert Notification.objects.filter(recipient=om, kind="concern").count() == 2


def test_changing_a_sent_home_reason_to_unacceptable_tells_the_om(group, tm, om, facilitator, time_machine):
    from notifications.models import Notification
    from sessions.progress import enforcement_for

    member = allocate_member(group, tm, om)
    s1 = session_number(group, 1)
    move_to(time_machine, s1.date)

    def sent_home(acceptable):
        services.record_attendance(
            actor=facilitator,
            membership=member,
            session=s1,
            outcome="sent_home",
            sent_home_acceptable=acceptable,
        )

    sent_home(True)
    assert Notification.objects.filter(recipient=om, kind="absence").count() == 1
    sent_home(False)
    referral = member.referral
    assert enforcement_for([referral])[referral.pk].state.status == "warning_due"
    notes = list(Notification.objects.filter(recipient=om, kind="absence").order_by("id"))
    assert len(notes) == 2 and "enforcement step due" in notes[-1].subject
    assert "sent home (unacceptable reason)" in notes[-1].body and "correction" in notes[-1].body
    assert notes[-1].body.count("failure to comply") == 1  # no. 17: said once
    # Corrected back to attended: the enforcement position changes, and the OM is told.
    services.record_attendance(actor=facilitator, membership=member, session=s1, outcome="attended")
    change = Notification.objects.get(recipient=om, kind="enforcement")
    assert "no enforcement action" in change.body


def test_more_than_two_missed_in_a_block_tells_the_tm_and_om_with_the_block_wording(
    api, area, tm, om, facilitator, time_machine
):
    from audit.models import AuditEvent
    from notifications.models import Notification

    group = make_group(
        area,
        actor=tm,
        programme_code="nsogp_core_group",
        facilitators=[facilitator, trained_facilitator(area, "nsogp")],
        slots=[{"weekday": "monday", "start_time": "10:00"}],
    )
    member = services.allocate(actor=tm, group=group, referral=waiting_referral(area, om, programme="nsogp"))
    first_block = list(group.sessions.filter(block=1).order_by("number")[:3])
    move_to(time_machine, first_block[-1].date)
    for s in first_block:
        services.record_attendance(
            actor=facilitator, membership=member, session=s, outcome="acceptable_absence"
        )
    member.refresh_from_db()
    assert member.status == MembershipStatus.ACTIVE  # only the block is redone
    told = Notification.objects.filter(kind="restart")
    assert set(told.values_list("recipient_id", flat=True)) == {group.treatment_manager_id, om.pk}
    assert "restarts block 1 at the next block boundary" in told.first().body
    assert AuditEvent.objects.filter(action="membership.block_restart").count() == 1
    third = Notification.objects.filter(recipient=om, kind="absence").order_by("id").last()
    assert "before the next group session" not in third.body and "restarts block 1" in third.body
    detail = api(tm).get(reverse("api-membership-detail", args=[member.public_id])).json()
    assert detail["restart_blocks"] == [1] and "BLOCK_RESTART_REQUIRED" in detail["codes"]
    # Recording it again tells nobody twice.
    services.record_attendance(
        actor=facilitator, membership=member, session=first_block[-1], outcome="unacceptable_absence"
    )
    assert Notification.objects.filter(kind="restart").count() == 2
