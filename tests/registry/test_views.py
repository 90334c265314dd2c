import datetime

from django.utils import timezone

import pytest

from registry.models import Certificate
from tests.factories import CertificateFactory

pytestmark = pytest.mark.django_db


def test_verify_shows_valid_certificate_without_personal_data(client):
    cert = CertificateFactory(issue_date=timezone.localdate())
    html = client.get(f"/verify/{cert.verification_token}/").content.decode()
    assert "BERLAKU" in html
    assert cert.number in html and cert.company_name in html
    company = cert.application.product.company
    assert company.npwp not in html and company.phone not in html
    assert company.person_in_charge not in html


def test_verify_revoked_and_expired(client):
    revoked = CertificateFactory(issue_date=timezone.localdate())
    Certificate.objects.filter(pk=revoked.pk).update(status="REVOKED", revoked_at=timezone.now())
    assert "DICABUT" in client.get(f"/verify/{revoked.verification_token}/").content.decode()
    expired = CertificateFactory(issue_date=datetime.date(2020, 1, 1))
    assert "KEDALUWARSA" in client.get(f"/verify/{expired.verification_token}/").content.decode()


def test_unknown_token_is_a_plain_404(client):
    response = client.get("/verify/not-a-real-token/")
    assert response.status_code == 404


def test_certificate_page_by_number_with_slashes(client):
    cert = CertificateFactory()
    response = client.get(f"/sertifikat/{cert.number}/")
    assert response.status_code == 200
    assert cert.product_name in response.content.decode()
    assert client.get("/sertifikat/TKDNIK/99/2026/999999/").status_code == 404
