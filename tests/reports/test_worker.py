"""A real Celery worker (own Redis queue) renders an approved report on PostgreSQL; the PDF is read back with
pypdf: the sections, the protective marking and "Page X of Y" on every page, and a tagged PDF/UA document."""

from __future__ import annotations

import io
import re
import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from pypdf import PdfReader

from isotp import outbox
from isotp.celery import app
from reports import services
from reports.models import PostProgrammeReport
from reports.tasks import render_report
from tests.reports.factories import (
    AFTER_THE_PROGRAMME,
    finished_member,
    record_psychometrics,
    report_awaiting_approval,
)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SECTIONS = [
    "Identification",
    "Attendance",
    "Psychometric results",
    "Treatment-needs profile",  # issue 10: the facts include the treatment-needs profile
    "Progress against each treatment target",
    "Strengths",
    "Remaining concerns",
    "Relapse prevention and New Life Plan",
    "Recommendations for the offender manager",
    "Sign-off",
]


def test_a_real_worker_renders_and_issues_the_report(
    area, tm, facilitator, om, settings, time_machine, monkeypatch
):
    assert not settings.CELERY_TASK_ALWAYS_EAGER, "this test is about a real worker, not eager execution"
    time_machine.move_to(AFTER_THE_PROGRAMME, tick=False)
    member = finished_member(area, tm=tm, facilitator=facilitator, om=om)
    record_psychometrics(member, actor=tm)
    report = report_awaiting_approval(member, drafter=facilitator)
    queue = f"test-{uuid.uuid4().hex}"  # nobody else's worker can take this task
    sent = []
    monkeypatch.setattr(  # the outbox publishes after the commit, to this test's queue
        outbox, "_publish", lambda task, message: sent.append(task.apply_async(message.args, queue=queue))
    )
    with start_worker(app, queues=[queue], perform_ping_check=False, shutdown_timeout=30):
        services.approve(actor=tm, report=report)  # queued on commit (this test's transactions commit)
        assert len(sent) == 1
        assert sent[0].get(timeout=120) == "issued"
        # The same message delivered again finds nothing to do: one issued version.
        again = render_report.apply_async(args=[report.pk], queue=queue)
        assert again.get(timeout=60) == "skipped"

    report = PostProgrammeReport.objects.get(pk=report.pk)
    assert report.status == "issued"
    version = report.versions.get()
    pdf = PdfReader(io.BytesIO(version.file.read()))

    pages = [page.extract_text() for page in pdf.pages]
    total = len(pages)
    assert total == version.pages >= 3
    for number, text in enumerate(pages, start=1):
        assert "OFFICIAL-SENSITIVE" in text, f"page {number} has no protective marking"
        assert re.search(rf"Page\s+{number}\s+of\s+{total}", text), f"page {number} has no 'Page X of Y'"
    everything = "\n".join(pages)
    for section in SECTIONS:
        assert section in everything, f"the PDF has no {section!r} section"
    assert member.referral.person.crn in everything
    assert "Sessions attended" in everything
    needs = version.snapshot["facts"]["psychometrics"]["treatment_needs"]
    assert needs and all(need["short"] in everything for need in needs)

    # PDF/UA-1: tagged (MarkInfo /Marked, a structure tree), with the language and the title set.
    root = pdf.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert str(root["/Lang"]).lower().startswith("en")
    assert pdf.metadata.title.startswith("Post-Programme Report")
    xmp = root["/Metadata"].get_object().get_data()
    assert b"pdfuaid" in xmp  # the PDF/UA identification in the XMP metadata
    # The chart is vector SVG drawn into the page, not a raster image.
    assert not any(page.images for page in pdf.pages)
