"""A Celery worker killed in the middle of writing a report's PDF (issue 12): after the retry exactly one issued
version exists, and no half-written file is visible.

Real processes throughout: a throwaway Redis of this test's own, a worker process that renders for real and stops
half way through writing the PDF (tests/hardening/hanging_worker.py), SIGKILL, then an ordinary worker process
that picks the unacknowledged message up again (acks_late, the broker's visibility timeout) and re-claims the
abandoned render. Waits are bounded polls on conditions, never assertions about time.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.db import connection

from isotp.celery import app
from reports import services
from reports.models import PostProgrammeReport
from reports.tasks import render_report
from tests.hardening.redis_server import ThrowawayRedis
from tests.reports.factories import (
    AFTER_THE_PROGRAMME,
    finished_member,
    record_psychometrics,
    report_awaiting_approval,
)

pytestmark = [pytest.mark.worker]

ROOT = Path(__file__).resolve().parents[2]


def _wait_for(
    condition: Callable[[], bool],
    what: str,
    *,
    alive: subprocess.Popen[bytes] | None = None,
    attempts: int = 1200,
    step: float = 0.25,
) -> None:
    """Poll `condition` up to `attempts` times, `step` seconds apart (a bound, not a speed assertion); stop early
    if the process it depends on has exited."""
    for _ in range(attempts):
        if condition():
            return
        if alive is not None and alive.poll() is not None:
            raise AssertionError(f"the worker exited ({alive.returncode}) before {what}")
        threading.Event().wait(step)
    raise AssertionError(f"gave up waiting for {what}")


@pytest.fixture
def broker() -> Iterator[ThrowawayRedis]:
    server = ThrowawayRedis()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _worker_env(broker: ThrowawayRedis, media: Path, **extra: str) -> dict[str, str]:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "CELERY_BROKER_URL": broker.url,
        "CELERY_RESULT_BACKEND": "",
        "PRIVATE_MEDIA_ROOT": str(media),
        # A message the dead worker held goes back on the queue one second after delivery, swept every second.
        "CELERY_BROKER_TRANSPORT_OPTIONS": (
            '{"visibility_timeout": 1, "unacked_restore_interval": 1, "unacked_restore_throttle": 1}'
        ),
        "DJANGO_SETTINGS_MODULE": "isotp.settings",
    }
    env.update(extra)
    return env


def _visible_files(media: Path) -> list[Path]:
    return sorted(p for p in media.rglob("*") if p.is_file() and not p.name.startswith("."))


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_write_leaves_one_issued_version_and_no_half_file(
    area, tm, facilitator, om, monkeypatch, broker, tmp_path
):
    assert settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    monkeypatch.setattr(services, "_queue_render", lambda pk: None)  # sent below, to this test's broker
    with time_machine.travel(AFTER_THE_PROGRAMME, tick=False):  # the workers live in real time
        member = finished_member(area, tm=tm, facilitator=facilitator, om=om)
        record_psychometrics(member, actor=tm)
        report = report_awaiting_approval(member, drafter=facilitator)
        services.approve(actor=tm, report=report)

    media, marker = tmp_path / "media", tmp_path / "half-written"
    media.mkdir()
    queue = f"test-{uuid.uuid4().hex}"
    with app.connection_for_write(broker.url) as conn:
        render_report.apply_async(args=[report.pk], queue=queue, connection=conn)

    hanging = subprocess.Popen(
        [sys.executable, "-m", "tests.hardening.hanging_worker", "-Q", queue],
        cwd=ROOT,
        env=_worker_env(broker, media, HANG_MARKER=str(marker)),
        start_new_session=True,
    )
    try:
        _wait_for(marker.exists, "the worker to be half way through writing the PDF", alive=hanging)
        report.refresh_from_db()
        assert report.status == "rendering"
        os.killpg(hanging.pid, signal.SIGKILL)  # no clean shutdown: the message stays unacknowledged
        hanging.wait(timeout=60)
    finally:
        if hanging.poll() is None:
            os.killpg(hanging.pid, signal.SIGKILL)
            hanging.wait(timeout=60)

    # The dead worker's transaction rolled back: no version, and no PDF under any name, however half-written.
    _wait_for(lambda: not report.versions.exists(), "the dead worker's transaction to be rolled back")
    assert _visible_files(media) == []

    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "isotp",
            "worker",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "warning",
            "-Q",
            queue,
        ],
        cwd=ROOT,
        # The dead worker's claim counts as abandoned at once (the default is 10 minutes).
        env=_worker_env(broker, media, REPORT_RENDER_STALE_SECONDS="0"),
        start_new_session=True,
    )
    try:
        _wait_for(
            lambda: PostProgrammeReport.objects.filter(pk=report.pk, status="issued").exists(),
            "the redelivered render to issue the report",
            alive=worker,
        )
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=120)

    report.refresh_from_db()
    (version,) = report.versions.all()  # exactly one issued version
    assert version.number == 1 and report.render_attempts >= 2
    path = media / version.file.name
    assert _visible_files(media) == [path]  # the one issued PDF, whole
    body = path.read_bytes()
    assert body.startswith(b"%PDF") and body.rstrip().endswith(b"%%EOF")
    assert hashlib.sha256(body).hexdigest() == version.sha256 and len(body) == version.size


def test_the_atomic_storage_never_overwrites_and_leaves_no_partial_file(tmp_path):
    from django.core.files.base import ContentFile

    from reports.storage import AtomicFileSystemStorage

    storage = AtomicFileSystemStorage(location=str(tmp_path))
    first = storage.save("r/v1.pdf", ContentFile(b"%PDF first"))
    second = storage.save("r/v1.pdf", ContentFile(b"%PDF second"))
    assert first == "r/v1.pdf" and second != first
    assert (tmp_path / first).read_bytes() == b"%PDF first"
    assert (tmp_path / second).read_bytes() == b"%PDF second"
    assert sorted(p.name for p in (tmp_path / "r").iterdir()) == sorted([Path(first).name, Path(second).name])
