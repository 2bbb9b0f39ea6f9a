"""The home cards this issue adds: each role's page shows them, and each count links to a list of exactly those."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from quality.models import SessionRecording
from tests.factories import ClosureFactory, UserFactory, supervise
from tests.pages import page_text
from tests.reports.factories import quick_membership, quick_report


def test_the_tm_sees_reports_awaiting_approval_and_recordings_to_monitor(login, area, personas, tm):
    quick_report(area, personas, status="awaiting_approval")
    quick_report(area, personas, status="failed")
    session = quick_membership(area, personas, finished=True).group.sessions.order_by("number").first()
    SessionRecording.objects.create(area=area, session=session, recorded_by=tm)
    text = page_text(login(tm).get(reverse("home")))
    for title in (
        "Reports awaiting approval",
        "Failed report renders",
        "Recordings not yet monitored",
        "Facilitators below the monitoring target",
    ):
        assert title in text
    body = login(tm).get(reverse("home")).content.decode()
    assert "/reports/?status=awaiting_approval" in body and "/reports/?status=failed" in body


def test_the_facilitator_sees_reports_to_draft_and_sessions_to_mark(login, facilitator):
    text = page_text(login(facilitator).get(reverse("home")))
    assert "Reports to draft" in text and "Sessions to mark as recorded" in text


def test_the_om_sees_the_reports_issued_for_their_caseload(login, area, personas, om):
    quick_report(area, personas, status="issued", issued=True)
    response = login(om).get(reverse("home"))
    assert "Reports issued" in page_text(response)
    assert "/reports/?new=yes" in response.content.decode()  # new reports: not yet downloaded by the OM


def test_the_admin_cards_link_to_exactly_those_staff(login, area, area_admin, tm):
    enrolled = UserFactory(role="facilitator", area=area, full_name="Enrolled Facilitator")  # with a device
    supervise(tm, enrolled)
    unenrolled = UserFactory(role="facilitator", area=area, full_name="Unenrolled Facilitator")
    TOTPDevice.objects.filter(user=unenrolled).delete()
    ClosureFactory(area=area, date=dt.date.today() + dt.timedelta(days=10))
    client = login(area_admin)
    home = page_text(client.get(reverse("home")))
    assert "Staff without a second factor" in home and "Closure dates in the next 8 weeks" in home
    no_factor = page_text(client.get(reverse("accounts:staff_list") + "?needs=second_factor"))
    assert "Unenrolled Facilitator" in no_factor and "Enrolled Facilitator" not in no_factor.replace(
        "Unenrolled", ""
    )
    unsupervised = page_text(client.get(reverse("accounts:staff_list") + "?needs=supervisor"))
    assert "Unenrolled Facilitator" in unsupervised
    assert "Enrolled Facilitator" not in unsupervised.replace("Unenrolled Facilitator", "")


def test_the_recordings_to_monitor_page_builds_one_page_of_rows_at_a_fixed_cost(
    login, area, personas, tm, monkeypatch
):
    """Issue 11: the list was built whole (every unmonitored recording of the area) and then paginated; now the
    paginator's COUNT and one page's rows, whatever the number of recordings, in a fixed number of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from quality import home

    sessions = list(quick_membership(area, personas, finished=True).group.sessions.order_by("number"))
    assert len(sessions) >= 27
    url = reverse("attention_list", kwargs={"key": "recordings-to-monitor"})
    client = login(tm)
    built: list[object] = []
    describe = home._session_text
    monkeypatch.setattr(home, "_session_text", lambda session: built.append(session) or describe(session))

    def recorded(count: int) -> int:
        for session in sessions[SessionRecording.objects.count() : count]:
            SessionRecording.objects.create(area=area, session=session, recorded_by=tm)
        built.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = recorded(3)
    many = recorded(27)
    assert many <= few
    assert len(built) == 25  # one page of rows built, not all 27
    first, second = client.get(url).content.decode(), client.get(url + "?page=2").content.decode()
    assert first.count(">Monitor<") == 25 and second.count(">Monitor<") == 2
    assert "27 in all" in page_text(client.get(url))  # the total is every row, as the home card counts
