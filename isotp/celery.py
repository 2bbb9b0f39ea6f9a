"""The Celery application: Redis broker, configuration read from Django settings (CELERY_*)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "isotp.settings")

# Every task publishes through the outbox base class: a message the broker cannot take is kept in the database.
app = Celery("isotp", task_cls="isotp.outbox:OutboxTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
