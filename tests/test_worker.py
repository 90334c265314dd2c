"""A REAL Celery worker process, from submit to PDF certificate.

The worker runs as a separate process (``celery -A tkdnportal worker --pool=solo``) on the broker
the settings choose: Redis when ``REDIS_URL`` is set (CI), otherwise kombu's filesystem broker
under the test run's ``var`` folder. It connects to this run's test database (a file on SQLite,
the test database on PostgreSQL), so the test uses ``transaction=True``: everything it writes is
committed and visible to the worker.

``TKDN_WORKER_TEST_COUNT=10`` runs ten applications and prints the timings (median and max) of
submit → value computed and approval → PDF ready.
"""

import io
import os
import signal
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

import pytest
from pypdf import PdfReader

from applications.models import Application
from applications.services import application_transition
from applications.tasks import application_calculate_task
from registry import signing
from registry.models import Certificate
from registry.services import application_approve
from tests.factories import (
    ApplicationFactory,
    DevelopmentItemFactory,
    LabourLineFactory,
    MaterialLineFactory,
    OverheadLineFactory,
    UserFactory,
)
from tkdnportal.celery import app as celery_app
from tkdnportal.tasks import enqueue

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]
S = Application.Status
ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 90


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        name = str(db["NAME"])
        assert name != ":memory:" and "mode=memory" not in name, "the worker needs a file database"
        return f"sqlite:///{name}"
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(settings, tmp_path):
    """Start a real worker on this run's broker and test database; stop it afterwards."""
    broker = celery_app.conf.broker_url
    if broker.startswith("redis"):
        import redis

        # Messages left in this Redis database by an earlier, interrupted run are dropped.
        redis.Redis.from_url(broker).delete(celery_app.conf.task_default_queue or "celery")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tkdnportal.settings",
        "SECRET_KEY": "worker-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DEBUG": "false",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": broker,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "TKDN_VAR_DIR": str(settings.VAR_DIR),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "SITE_URL": settings.SITE_URL,
        "EMAIL_URL": "consolemail://",
        "PYTHONUNBUFFERED": "1",
    }
    log = (tmp_path / "worker.log").open("w+")
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "tkdnportal",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"test-{uuid.uuid4().hex[:8]}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False  # this process sends to the broker
    try:
        yield process
    finally:
        celery_app.conf.task_always_eager = eager
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.seek(0)
        output = log.read()
        log.close()
        # Shown by pytest when the test fails.
        print("---- worker log ----\n" + output[-6000:])


def _wait_for(predicate, what: str, process) -> float:
    start = time.monotonic()
    while time.monotonic() - start < TIMEOUT:
        if process.poll() is not None:
            pytest.fail(f"worker exited with {process.returncode} while waiting for {what}")
        if predicate():
            return time.monotonic() - start
        time.sleep(0.05)
    pytest.fail(f"timed out after {TIMEOUT}s waiting for {what}")


def _application(n: int) -> Application:
    application = ApplicationFactory(product__name=f"Kursi Rotan Uji {n}")
    MaterialLineFactory(application=application, unit_price_rp=21000)
    MaterialLineFactory(application=application, domestic=False, purchase_proof="")
    LabourLineFactory(application=application)
    OverheadLineFactory(application=application)
    DevelopmentItemFactory(application=application)
    return application


def _status(application: Application) -> str:
    return Application.objects.values_list("status", flat=True).get(pk=application.pk)


def test_submit_to_pdf_with_a_real_worker(worker, client):
    count = int(os.environ.get("TKDN_WORKER_TEST_COUNT", "2"))
    official = UserFactory(is_staff=True, is_superuser=True)
    calculated, issued = [], []
    for n in range(count):
        application = _application(n)
        # What the owner's submit does: the transition, then the task on commit.
        application_transition(
            application=application,
            to_status=S.SUBMITTED,
            on_commit=lambda pk=application.pk: enqueue(application_calculate_task, pk),
        )
        calculated.append(
            _wait_for(
                lambda a=application: _status(a) == S.UNDER_REVIEW, "the TKDN-IK value", worker
            )
        )
        application.refresh_from_db()
        assert application.tkdn_ik is not None and application.eligible

        application_approve(application=application, actor=official)
        issued.append(
            _wait_for(lambda a=application: _status(a) == S.ISSUED, "the certificate", worker)
        )
        certificate = Certificate.objects.get(application=application)
        assert certificate.pdf and len(certificate.pdf_sha256) == 64
        text = " ".join(
            PdfReader(io.BytesIO(certificate.pdf.read())).pages[0].extract_text().split()
        )
        assert certificate.number in text
        assert application.product.company.name in text
        # The QR code's target resolves.
        verify = reverse("registry:verify", kwargs={"token": certificate.verification_token})
        assert client.get(verify).status_code == 200
        # The worker signed it (issue 14): intact, the whole file, the portal's key; one changed
        # byte fails the signature and the register on the verify page and the API.
        data = certificate.pdf.open("rb").read()
        assert signing.validate(data).ok
        changed = bytearray(data)
        changed[data.index(b"stream", 2000) + 40] ^= 0x01
        upload = SimpleUploadedFile("s.pdf", bytes(changed), content_type="application/pdf")
        page = client.post(verify, {"pdf": upload}).content.decode()
        assert 'data-state="broken"' in page and 'data-state="unknown"' in page
        api = client.post(
            reverse("api:verify_file"), data=bytes(changed), content_type="application/pdf"
        ).json()
        assert (api["authentic"], api["signature"]["state"]) == (False, "broken")

    numbers = list(Certificate.objects.order_by("sequence").values_list("sequence", flat=True))
    assert numbers == list(range(1, count + 1))
    broker = celery_app.conf.broker_url.split(":")[0]
    print(
        f"\n[{broker} broker, {connection.vendor}, {count} applications] "
        f"submit→value: median {statistics.median(calculated):.2f}s max {max(calculated):.2f}s; "
        f"approval→PDF: median {statistics.median(issued):.2f}s max {max(issued):.2f}s"
    )
    assert settings.CELERY_TASK_ALWAYS_EAGER  # the rest of the suite stays synchronous
