"""The read replica: anonymous public-register reads go to ``replica``, the rest to the primary.

``replica`` is a test mirror of the default database (tkdnportal/settings_test.py: SQLite and
PostgreSQL alike), so these tests run the routing for real: the rows are committed
(``transaction=True``) and the replica's own connection reads them.
"""

import hashlib

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import pytest

from registry.models import Certificate
from tests.factories import PDF_BYTES, CertificateFactory, UserFactory
from tkdnportal import db_router
from tkdnportal.db_router import ReplicaRouter, replica_reads

# Committed rows (the replica's connection must see them): transactional, seconds per test.
replica_db = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, databases=["default", "replica"]),
    pytest.mark.usefixtures("reference_data"),
]


def apply(marks):
    def decorate(function):
        for mark in reversed(marks):
            function = mark(function)
        return function

    return decorate


@pytest.fixture
def issued():
    certificate = CertificateFactory(issue_date=timezone.localdate())
    certificate.pdf.save("sertifikat.pdf", ContentFile(PDF_BYTES), save=False)
    certificate.pdf_sha256 = hashlib.sha256(PDF_BYTES).hexdigest()
    certificate.save()
    return certificate


class Reads:
    """The queries each database connection ran inside the block."""

    def __enter__(self):
        self.primary = CaptureQueriesContext(connections["default"]).__enter__()
        self.replica = CaptureQueriesContext(connections["replica"]).__enter__()
        return self

    def __exit__(self, *exc):
        self.replica.__exit__(*exc)
        self.primary.__exit__(*exc)


def public_urls(certificate) -> list[str]:
    return [
        f"/registri/?q={certificate.company_name.split()[0]}",
        "/registri/ekspor.csv",  # streamed: its rows are read while the response is sent
        f"/sertifikat/{certificate.number}/",
        f"/sertifikat/{certificate.number}/unduh/",
        f"/verify/{certificate.verification_token}/",
        "/api/v1/certificates/",
        f"/api/v1/verify/{certificate.verification_token}/",
    ]


@apply(replica_db)
def test_anonymous_public_reads_go_to_the_replica(client, issued):
    bodies = {}
    for url in public_urls(issued):
        with Reads() as reads:
            response = client.get(url)
            if response.streaming:
                bodies[url] = b"".join(response.streaming_content)
        assert response.status_code == 200, url
        assert len(reads.replica) > 0, url
        assert len(reads.primary) == 0, (url, [q["sql"] for q in reads.primary])
    # The export's rows were read from the replica while the response was sent.
    assert issued.number in bodies["/registri/ekspor.csv"].decode()
    # The mirror holds the committed rows: the page shows the certificate.
    assert issued.number in client.get(f"/sertifikat/{issued.number}/").content.decode()


@apply(replica_db)
def test_a_signed_in_person_reads_the_primary(client, issued):
    """Only people with a session can have written: they never see replication lag."""
    client.force_login(UserFactory())
    for url in public_urls(issued):
        with Reads() as reads:
            response = client.get(url)
            assert response.status_code == 200, url
            if response.streaming:
                b"".join(response.streaming_content)
        assert len(reads.replica) == 0, url
        assert len(reads.primary) > 0, url


@apply(replica_db)
def test_posts_and_other_pages_read_the_primary(client, issued):
    with Reads() as reads:
        upload = SimpleUploadedFile("s.pdf", PDF_BYTES, content_type="application/pdf")
        response = client.post(f"/verify/{issued.verification_token}/", {"pdf": upload})
        assert response.status_code == 200
        assert client.get("/kalkulator/").status_code == 200
        assert client.get("/akun/masuk/").status_code in (200, 302)
    assert len(reads.replica) == 0
    assert len(reads.primary) > 0


@apply(replica_db)
def test_writes_never_go_to_the_replica(issued):
    router = ReplicaRouter()
    with replica_reads(), Reads() as reads:
        assert router.db_for_write(Certificate) == "default"
        assert router.db_for_read(Certificate) == "replica"
        Certificate.objects.filter(pk=issued.pk).update(product_brand="Baru")
        with transaction.atomic():
            # Inside a transaction on the primary, reads must see its own rows: primary.
            assert router.db_for_read(Certificate) is None
            assert Certificate.objects.get(pk=issued.pk).product_brand == "Baru"
    assert not any("UPDATE" in q["sql"] for q in reads.replica.captured_queries)
    assert len(reads.replica) == 0
    assert router.allow_migrate("replica", "registry") is False
    assert router.allow_migrate("default", "registry") is True


@apply(replica_db)
def test_without_a_replica_everything_reads_the_primary(client, issued, settings):
    settings.DATABASE_REPLICA_ALIAS = ""
    with Reads() as reads:
        assert client.get(f"/sertifikat/{issued.number}/").status_code == 200
    assert len(reads.replica) == 0 and len(reads.primary) > 0
    db_router.check_replica()  # nothing to check


@apply(replica_db)
def test_check_replica_asks_the_replica():
    with Reads() as reads:
        db_router.check_replica()
    assert [q["sql"] for q in reads.replica.captured_queries] == ["SELECT 1"]


@pytest.mark.parametrize(
    ("method", "path", "cookies", "expected"),
    [
        ("GET", "/sertifikat/TKDNIK-32-2026-000001/", {}, True),
        ("HEAD", "/registri/", {}, True),
        ("GET", "/api/v1/certificates/", {"csrftoken": "x"}, True),
        ("GET", "/pemasok/", {}, True),
        ("GET", "/sertifikat/TKDNIK-32-2026-000001/", {"sessionid": "x"}, False),
        ("POST", "/verify/abc/", {}, False),
        ("GET", "/ikm/", {}, False),
        ("GET", "/admin/registry/certificate/", {}, False),
        ("GET", "/api/v1/calculator/", {}, False),
    ],
)
def test_which_requests_may_read_the_replica(rf, settings, method, path, cookies, expected):
    settings.DATABASE_REPLICA_ALIAS = "replica"
    request = rf.generic(method, path)
    request.COOKIES.update(cookies)
    assert db_router.may_read_replica(request) is expected
    settings.DATABASE_REPLICA_ALIAS = ""
    assert db_router.may_read_replica(request) is False


def test_streamed_chunks_are_made_inside_the_flag_and_it_never_leaks():
    seen = []

    def chunks():
        for part in (b"a", b"b"):
            seen.append(db_router._replica_allowed.get())
            yield part

    stream = db_router._reading_replica(chunks())
    assert next(stream) == b"a" and db_router._replica_allowed.get() is False
    assert list(stream) == [b"b"] and seen == [True, True]
    assert db_router._replica_allowed.get() is False


def test_settings_from_the_environment(tmp_path):
    """DATABASE_REPLICA_URL adds the replica with the pooler settings; a bucket name switches
    the media to a private S3 storage whose secret may come from a file."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    secret = tmp_path / "s3-secret"
    secret.write_text("rahasia-s3\n")
    code = (
        "import json; from django.conf import settings as s; print(json.dumps("
        "{'db': s.DATABASES, 'storages': s.STORAGES, 'alias': s.DATABASE_REPLICA_ALIAS}))"
    )
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "AWS_"))}
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parent.parent,
        env={
            **keep,
            "DJANGO_SETTINGS_MODULE": "tkdnportal.settings",
            "SECRET_KEY": "x" * 50,
            "TKDN_VAR_DIR": str(tmp_path),
            "DATABASE_URL": "postgres://tkdn:pw@pgbouncer:6432/tkdn",
            "DATABASE_REPLICA_URL": "postgres://tkdn:pw@pgbouncer-replica:6432/tkdn",
            "DISABLE_SERVER_SIDE_CURSORS": "true",
            "CONN_MAX_AGE": "30",
            "AWS_STORAGE_BUCKET_NAME": "tkdn-media",
            "AWS_S3_ENDPOINT_URL": "http://minio:9000",
            "AWS_ACCESS_KEY_ID": "portal",
            "AWS_SECRET_ACCESS_KEY_FILE": str(secret),
            "AWS_QUERYSTRING_EXPIRE": "30",
        },
    )
    assert out.returncode == 0, out.stderr
    loaded = json.loads(out.stdout)
    assert loaded["alias"] == "replica"
    replica = loaded["db"]["replica"]
    assert replica["HOST"] == "pgbouncer-replica" and replica["NAME"] == "tkdn"
    for database in loaded["db"].values():
        assert database["CONN_MAX_AGE"] == 30 and database["CONN_HEALTH_CHECKS"] is True
        assert database["DISABLE_SERVER_SIDE_CURSORS"] is True
    media = loaded["storages"]["default"]
    assert media["BACKEND"] == "storages.backends.s3.S3Storage"
    options = media["OPTIONS"]
    assert options["bucket_name"] == "tkdn-media"
    assert options["endpoint_url"] == "http://minio:9000"
    assert options["secret_key"] == "rahasia-s3"
    assert options["default_acl"] is None and options["file_overwrite"] is False
    assert options["querystring_auth"] is True and options["querystring_expire"] == 30
