"""seed_demo shows issue 12's data: a transfer waiting for Cheshire, a person listed for retention review."""

from io import StringIO

import pytest
from django.core.management import call_command

from dataprotection.models import RetentionCandidate
from transfers.models import TransferRequest

pytestmark = pytest.mark.django_db


def test_seed_demo_has_a_transfer_and_a_retention_candidate():
    call_command("seed_demo", stdout=StringIO())
    assert TransferRequest.objects.filter(status="pending", from_area__code="cheshire").count() == 1
    assert RetentionCandidate.objects.filter(person__crn="D900001", erased_at__isnull=True).exists()
    call_command("seed_demo", stdout=StringIO())
    assert TransferRequest.objects.count() == 1
