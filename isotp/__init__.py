"""isotp: running accredited sex-offender treatment programmes in a probation area."""

from .celery import app as celery_app

__all__ = ("celery_app",)
