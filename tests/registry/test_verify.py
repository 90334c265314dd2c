"""The QR target and the certificate page: each status, unknown tokens, the PDF download
through a view, and the "drop a PDF here" check (server-side hash, works without JS)."""

import datetime
import hashlib

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

import pytest

from registry.models import Certificate
from tests.factories import PDF_BYTES, CertificateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued():
    certificate = CertificateFactory(issue_date=timezone.localdate())
    certificate.pdf.save("sertifikat.pdf", ContentFile(PDF_BYTES), save=False)
    certificate.pdf_sha256 = hashlib.sha256(PDF_BYTES).hexdigest()
    certificate.save()
    return certificate


def url(certificate) -> str:
    return f"/verify/{certificate.verification_token}/"


def test_valid_shows_green_snapshot_and_hash(client, issued):
    response = client.get(url(issued))
    html = response.content.decode()
    assert response.status_code == 200
    assert "alert-success" in html and "BERLAKU" in html
    assert issued.pdf_sha256 in html
    assert issued.company_name in html and issued.product_name in html


def test_snapshot_not_the_live_profile(client, issued):
    company = issued.application.product.company
    company.name = "PT Nama Baru Setelah Terbit"
    company.save()
    html = client.get(url(issued)).content.decode()
    assert "PT Nama Baru Setelah Terbit" not in html
    assert issued.company_name in html
    for private in (company.npwp, company.phone, company.person_in_charge, company.email):
        assert private not in html


def test_revoked_is_red_with_the_date(client):
    certificate = CertificateFactory(issue_date=timezone.localdate())
    revoked_at = timezone.make_aware(datetime.datetime(2026, 3, 2, 10, 0))
    Certificate.objects.filter(pk=certificate.pk).update(status="REVOKED", revoked_at=revoked_at)
    html = client.get(url(certificate)).content.decode()
    assert "alert-danger" in html and "DICABUT" in html and "2 Maret 2026" in html
    assert "BERLAKU" not in html


def test_expired_the_day_after_the_last_valid_day(client):
    today = timezone.localdate()
    last_day = CertificateFactory(issue_date=today - datetime.timedelta(days=50), valid_until=today)
    expired = CertificateFactory(
        issue_date=today - datetime.timedelta(days=50),
        valid_until=today - datetime.timedelta(days=1),
    )
    assert "BERLAKU" in client.get(url(last_day)).content.decode()
    html = client.get(url(expired)).content.decode()
    assert "KEDALUWARSA" in html and "alert-danger" in html


def test_unknown_token_is_404_without_a_hint(client, issued):
    for token in ("tidak-ada", issued.verification_token[:-1], "x" * 200):
        response = client.get(f"/verify/{token}/")
        assert response.status_code == 404
        assert issued.verification_token not in response.content.decode()
    assert client.post("/verify/tidak-ada/").status_code == 404


def test_dropping_the_issued_pdf_says_it_matches(client, issued):
    upload = SimpleUploadedFile("s.pdf", PDF_BYTES, content_type="application/pdf")
    response = client.post(url(issued), {"pdf": upload})
    assert response.status_code == 200
    html = response.content.decode()
    # An unsigned PDF issued before certificates were signed: the register proves it.
    assert "ASLI" in html and "TIDAK ASLI" not in html
    assert 'data-state="current"' in html and "sebelum portal menandatangani" in html


def test_an_edited_pdf_is_told_apart(client, issued):
    forged = PDF_BYTES.replace(b"Catalog", b"Catalof")
    upload = SimpleUploadedFile("s.pdf", forged, content_type="application/pdf")
    html = client.post(url(issued), {"pdf": upload}).content.decode()
    assert "TIDAK ASLI" in html and 'data-state="unknown"' in html
    assert hashlib.sha256(forged).hexdigest() in html


def test_check_without_a_stored_hash_says_so(client):
    certificate = CertificateFactory(issue_date=timezone.localdate())
    upload = SimpleUploadedFile("s.pdf", PDF_BYTES, content_type="application/pdf")
    html = client.post(url(certificate), {"pdf": upload}).content.decode()
    # No PDF with this hash in the whole register: not a file the portal issued.
    assert "TIDAK ADA di register" in html and "TIDAK ASLI" in html


def test_not_a_pdf_or_missing_file_is_explained(client, issued):
    upload = SimpleUploadedFile("s.pdf", b"GIF89a....", content_type="application/pdf")
    response = client.post(url(issued), {"pdf": upload})
    assert response.status_code == 400
    assert "bukan PDF" in response.content.decode()
    response = client.post(url(issued), {})
    assert response.status_code == 400
    assert "BERLAKU" in response.content.decode()  # the verdict stays on the page


def test_too_large_pdf_is_refused(client, issued, settings):
    settings.REGISTRY_VERIFY_MAX_PDF = 100
    upload = SimpleUploadedFile("s.pdf", b"%PDF-" + b"0" * 200, content_type="application/pdf")
    response = client.post(url(issued), {"pdf": upload})
    assert response.status_code == 400
    assert "terlalu besar" in response.content.decode()
    big = SimpleUploadedFile("s.pdf", b"%PDF-" + b"0" * 70_000, content_type="application/pdf")
    response = client.post(url(issued), {"pdf": big})
    assert response.status_code == 413
    assert "terlalu besar" in response.content.decode()


def test_form_works_without_javascript(client, issued):
    html = client.get(url(issued)).content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'type="file"' in html and 'type="submit"' in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_certificate_page_links_pdf_and_verify(client, issued):
    html = client.get(f"/sertifikat/{issued.number}/").content.decode()
    assert f"/sertifikat/{issued.number}/unduh/" in html
    assert url(issued) in html


def test_pdf_download_goes_through_the_view(client, issued):
    response = client.get(f"/sertifikat/{issued.number}/unduh/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert issued.number.replace("/", "-") in response["Content-Disposition"]


def test_pdf_download_404_when_missing(client):
    no_pdf = CertificateFactory()
    assert client.get(f"/sertifikat/{no_pdf.number}/unduh/").status_code == 404
    assert client.get("/sertifikat/TKDNIK/00/2026/000000/unduh/").status_code == 404
    gone = CertificateFactory(pdf="certificates/2026/hilang.pdf")
    assert client.get(f"/sertifikat/{gone.number}/unduh/").status_code == 404


def test_media_is_not_served_publicly(client, issued):
    assert client.get(f"/media/{issued.pdf.name}").status_code == 404


def test_certificate_and_verify_pages_take_one_query(client, issued, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert client.get(url(issued)).status_code == 200
    with django_assert_num_queries(1):
        assert client.get(f"/sertifikat/{issued.number}/").status_code == 200
    with django_assert_num_queries(1):
        assert client.get(f"/api/v1/verify/{issued.verification_token}/").status_code == 200
