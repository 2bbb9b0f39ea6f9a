"""The S3 storage backend (django-storages) against a local moto server on 127.0.0.1: an issued report is
written as a private, encrypted object named by UUID, read back byte for byte, and its SHA-256 matches."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import boto3
import pytest
from moto.server import ThreadedMotoServer

from reports import services
from reports.tasks import render_report
from tests.reports.factories import AFTER_THE_PROGRAMME, finished_member, report_awaiting_approval

pytestmark = pytest.mark.django_db

BUCKET = "isotp-reports-test"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@pytest.fixture
def s3_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    boto3.client("s3", endpoint_url=endpoint, region_name="eu-west-2", **CREDENTIALS).create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"}
    )
    yield endpoint
    server.stop()


def test_an_issued_report_is_stored_on_s3(s3_endpoint, settings, area, tm, facilitator, om, time_machine):
    # The settings module builds this from REPORTS_S3_* variables; the test sets the same shape directly.
    settings.STORAGES = {
        **settings.STORAGES,
        "reports": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "region_name": "eu-west-2",
                "access_key": "testing",
                "secret_key": "testing",
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
                "object_parameters": {"ServerSideEncryption": "AES256"},
            },
        },
    }
    time_machine.move_to(AFTER_THE_PROGRAMME, tick=False)
    member = finished_member(area, tm=tm, facilitator=facilitator, om=om)
    report = report_awaiting_approval(member, drafter=facilitator)
    services.approve(actor=tm, report=report)
    assert render_report.apply(args=[report.pk]).get() == "issued"
    version = report.versions.get()

    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="eu-west-2", **CREDENTIALS)
    [stored] = client.list_objects_v2(Bucket=BUCKET)["Contents"]
    assert stored["Key"] == f"reports/{report.public_id}/v1.pdf"
    head = client.head_object(Bucket=BUCKET, Key=stored["Key"])
    assert head["ServerSideEncryption"] == "AES256"
    grants = client.get_object_acl(Bucket=BUCKET, Key=stored["Key"])["Grants"]
    assert all("AllUsers" not in str(grant.get("Grantee", {})) for grant in grants)  # never public
    body = client.get_object(Bucket=BUCKET, Key=stored["Key"])["Body"].read()
    assert hashlib.sha256(body).hexdigest() == version.sha256

    with services.open_version(actor=om, version=version, via="page") as handle:
        assert handle.read() == body
