"""Media on object storage (a real S3 API server: moto in server mode) and on disk.

With S3 settings the whole journey (evidence upload, issue with the PDF rendered, signed and
stored, the owner's download, verify-by-file) and ``load_demo`` leave no file under
MEDIA_ROOT; objects stay private; ``move_media`` moves everything back and forth and loses
nothing; ``check_storage`` tells a working storage from a broken one.
"""

import hashlib
import io
from pathlib import Path

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

import pytest

from applications.models import Application, SupportingDocument
from applications.selectors import OFFICIAL_GROUP
from registry.models import Certificate, SupersededPdf
from tests.factories import (
    PDF_BYTES,
    PNG_BYTES,
    CertificateFactory,
    CompanyFactory,
    MaterialLineFactory,
    OfficialFactory,
    application_under_review,
)
from tkdnportal import storage

# A real HTTP server and PDF rendering: seconds per test.
pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def local_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def bucket_keys(bucket) -> set[str]:
    return {o.key for o in bucket.objects.all()}


def test_the_journey_on_s3_leaves_nothing_on_local_disk(
    client, settings, s3_media, django_capture_on_commit_callbacks
):
    application = application_under_review()
    owner = application.product.company.owner
    proof = application.materials.exclude(purchase_proof="").first()
    assert proof is not None and proof.purchase_proof.name in bucket_keys(s3_media)

    # The owner uploads a supporting document and downloads it back through the portal.
    client.force_login(owner)
    response = client.post(
        "/ikm/dokumen/", {"kind": "NIB", "file": SimpleUploadedFile("NIB.png", PNG_BYTES)}
    )
    assert response.status_code == 302
    document = SupportingDocument.objects.get()
    assert document.file.name in bucket_keys(s3_media)
    url = reverse("applications:file_download", kwargs={"kind": "document", "pk": document.pk})
    download = client.get(url)
    assert download.status_code == 200 and download["Content-Type"] == "image/png"
    assert b"".join(download.streaming_content) == PNG_BYTES
    # Another applicant gets a 404 for the same object, as on disk.
    client.force_login(CompanyFactory().owner)
    assert client.get(url).status_code == 404

    # An official approves: the certificate PDF is rendered, signed and stored in the bucket.
    official = OfficialFactory(province_id="32").user
    official.groups.add(Group.objects.get(name=OFFICIAL_GROUP))
    client.force_login(official)
    decide = reverse("admin:applications_application_decision", args=[application.pk, "setujui"])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(decide, {"apply": "1"}).status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.ISSUED
    certificate = Certificate.objects.get(application=application)
    assert certificate.pdf.name in bucket_keys(s3_media)
    stored = s3_media.Object(certificate.pdf.name)
    # Private: no grant to everybody (AllUsers) or to any signed-in AWS user.
    grants = {g["Grantee"].get("URI", "") for g in stored.Acl().grants}
    assert not any("AllUsers" in g or "AuthenticatedUsers" in g for g in grants)

    # The owner downloads it through the portal (the public view streams it).
    client.force_login(owner)
    response = client.get(reverse("registry:certificate_pdf", args=[certificate.number]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    data = b"".join(response.streaming_content)
    assert data[:5] == b"%PDF-" and hashlib.sha256(data).hexdigest() == certificate.pdf_sha256

    # Verify-by-file: the bytes a buyer drops on the verify page are the register's.
    verify = f"/verify/{certificate.verification_token}/"
    upload = SimpleUploadedFile("s.pdf", data, content_type="application/pdf")
    html = client.post(verify, {"pdf": upload}).content.decode()
    assert 'data-state="current"' in html and "TIDAK ASLI" not in html

    assert local_files(settings) == []


def test_storage_urls_are_signed_and_short_lived(s3_media, settings):
    name = default_storage.save("private/probe.pdf", ContentFile(PDF_BYTES))
    url = default_storage.url(name)
    assert "X-Amz-Signature=" in url
    assert f"X-Amz-Expires={settings.AWS_QUERYSTRING_EXPIRE}" in url


def test_a_missing_object_is_a_404_not_a_crash(client, s3_media):
    certificate = CertificateFactory()
    Certificate.objects.filter(pk=certificate.pk).update(pdf="certificates/2026/gone.pdf")
    assert client.get(f"/sertifikat/{certificate.number}/unduh/").status_code == 404


def test_load_demo_on_s3_leaves_no_file_on_local_disk(settings, s3_media):
    call_command("load_demo", verbosity=0)
    keys = bucket_keys(s3_media)
    assert any(key.startswith("certificates/") and key.endswith(".pdf") for key in keys)
    assert any(key.startswith("private/") for key in keys)
    for certificate in Certificate.objects.exclude(pdf=""):
        assert certificate.pdf.name in keys
    assert local_files(settings) == []


def _media_world():
    """Files of every kind on the current default storage, with their bytes."""
    line = MaterialLineFactory()
    certificate = CertificateFactory()
    certificate.pdf.save("sertifikat.pdf", ContentFile(PDF_BYTES + b"%current"), save=True)
    old = SupersededPdf.objects.create(
        certificate=certificate,
        pdf=default_storage.save("certificates/2026/lama.pdf", ContentFile(PDF_BYTES + b"%old")),
        sha256="0" * 64,
        reason="Diganti",
    )
    return {
        line.purchase_proof.name: PDF_BYTES,
        certificate.pdf.name: PDF_BYTES + b"%current",
        old.pdf.name: PDF_BYTES + b"%old",
    }


def _move(*args) -> str:
    out = io.StringIO()
    call_command("move_media", *args, stdout=out)
    return out.getvalue()


def test_move_media_back_and_forth_loses_nothing(settings, s3_media):
    s3_settings = settings.STORAGES
    settings.STORAGES = {**s3_settings, "default": {"BACKEND": storage.LOCAL_BACKEND}}
    files = _media_world()
    assert len(local_files(settings)) == 3 and bucket_keys(s3_media) == set()

    dry = _move("--to", "s3", "--dry-run")
    assert "would copy: 3" in dry and bucket_keys(s3_media) == set()

    report = _move("--to", "s3", "--delete-source")
    assert "copied: 3" in report and "source copies deleted: 3" in report
    assert bucket_keys(s3_media) == set(files) and local_files(settings) == []
    again = _move("--to", "s3")
    assert "copied: 0" in again and "already at the target (same size and SHA-256): 3" in again

    # The portal on S3 reads every moved file.
    settings.STORAGES = s3_settings
    for name, data in files.items():
        with default_storage.open(name, "rb") as handle:
            assert handle.read() == data

    report = _move("--to", "local", "--delete-source")
    assert "copied: 3" in report and bucket_keys(s3_media) == set()
    root = Path(settings.MEDIA_ROOT)
    assert {str(p.relative_to(root)) for p in local_files(settings)} == set(files)
    for name, data in files.items():
        assert (root / name).read_bytes() == data


def test_move_media_reports_conflicts_and_missing_files(settings, s3_media):
    s3_settings = settings.STORAGES
    settings.STORAGES = {**s3_settings, "default": {"BACKEND": storage.LOCAL_BACKEND}}
    files = _media_world()
    conflicting, lost = list(files)[:2]
    s3_media.put_object(Key=conflicting, Body=b"other bytes")
    (Path(settings.MEDIA_ROOT) / lost).unlink()
    out = io.StringIO()
    with pytest.raises(CommandError, match="missing or conflict"):
        call_command("move_media", "--to", "s3", "--delete-source", stdout=out)
    text = out.getvalue()
    assert f"conflict: {conflicting}" in text and f"missing: {lost}" in text
    # The conflicting file is left alone on both sides; the good one moved.
    assert s3_media.Object(conflicting).get()["Body"].read() == b"other bytes"
    assert (Path(settings.MEDIA_ROOT) / conflicting).read_bytes() == files[conflicting]
    assert "copied: 1" in text


def test_move_media_needs_a_bucket(settings):
    settings.MEDIA_S3_OPTIONS = {**settings.MEDIA_S3_OPTIONS, "bucket_name": ""}
    with pytest.raises(CommandError, match="AWS_STORAGE_BUCKET_NAME"):
        call_command("move_media", "--to", "s3", stdout=io.StringIO())


def test_check_storage_on_disk_and_on_s3(settings, s3_media):
    storage.check_storage()  # S3
    assert bucket_keys(s3_media) == set()  # the probe cleans up
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": storage.LOCAL_BACKEND}}
    storage.check_storage()
    assert local_files(settings) == []


def test_check_storage_reports_an_unreachable_bucket(settings, s3_media):
    options = {**settings.MEDIA_S3_OPTIONS, "endpoint_url": "http://127.0.0.1:9"}
    from botocore.config import Config

    options["client_config"] = Config(connect_timeout=1, retries={"max_attempts": 1})
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
    }
    with pytest.raises(storage.StorageUnavailable):
        storage.check_storage()
