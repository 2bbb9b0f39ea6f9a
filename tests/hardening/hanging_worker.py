"""A Celery worker (run as its own process by test_worker_killed.py) whose report PDF write stops half way.

The PDF is rendered for real; when the issue step saves it, the content hands the storage its first half, writes
the marker file named by HANG_MARKER, and then waits forever, so the test can SIGKILL this process in the middle
of writing the file, with the issue transaction open. Only the PDF's content object is replaced: the storage, the
task and the services are the product's own.
"""

from __future__ import annotations

import os
import sys
import threading

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "isotp.settings")
django.setup()

from django.core.files.base import ContentFile  # noqa: E402

from isotp.celery import app  # noqa: E402
from reports import services  # noqa: E402

MARKER = os.environ["HANG_MARKER"]


class HalfThenHang(ContentFile):
    def chunks(self, chunk_size=None):  # type: ignore[no-untyped-def]
        data = self.read()
        yield data[: len(data) // 2]
        with open(MARKER, "w") as marker:
            marker.write("half written")
        threading.Event().wait()  # until killed
        yield data[len(data) // 2 :]


services.ContentFile = HalfThenHang  # type: ignore[attr-defined,misc]

if __name__ == "__main__":
    app.worker_main(
        ["worker", "--pool=solo", "--without-gossip", "--without-mingle", "-l", "warning", *sys.argv[1:]]
    )
