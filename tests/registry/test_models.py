import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

import pytest

from registry.models import Certificate
from tests.factories import CertificateFactory

pytestmark = pytest.mark.django_db


def test_status_is_derived_from_the_last_valid_day():
    cert = CertificateFactory(issue_date=datetime.date(2026, 1, 15))
    assert cert.valid_until == datetime.date(2029, 1, 14)
    assert cert.effective_status(datetime.date(2029, 1, 14)) == "VALID"
    assert cert.effective_status(datetime.date(2029, 1, 15)) == "EXPIRED"
    assert cert.effective_status(datetime.date(2026, 1, 15)) == "VALID"


def test_extension_moves_the_expiry():
    cert = CertificateFactory(extended_until=datetime.date(2031, 1, 14))
    assert cert.expires_on == datetime.date(2031, 1, 14)
    assert cert.effective_status(datetime.date(2030, 6, 1)) == "VALID"


def test_revoked_wins_over_dates():
    cert = CertificateFactory()
    Certificate.objects.filter(pk=cert.pk).update(
        status=Certificate.Status.REVOKED, revoked_at=timezone.now()
    )
    cert.refresh_from_db()
    assert cert.effective_status(datetime.date(2026, 2, 1)) == "REVOKED"


def test_revocation_needs_its_timestamp():
    cert = CertificateFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.filter(pk=cert.pk).update(status=Certificate.Status.REVOKED)


def test_number_is_unique():
    cert = CertificateFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        CertificateFactory(number=cert.number)


def test_verification_tokens_are_long_and_distinct():
    tokens = {CertificateFactory().verification_token for _ in range(5)}
    assert len(tokens) == 5
    assert all(len(t) >= 40 for t in tokens)


def test_snapshot_does_not_follow_later_company_edits():
    cert = CertificateFactory()
    company = cert.application.product.company
    issued_name = cert.company_name
    company.name = "PT Nama Baru"
    company.save()
    cert.refresh_from_db()
    assert cert.company_name == issued_name != "PT Nama Baru"
