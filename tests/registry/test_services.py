"""Issuing, revoking and extending certificates: numbers, snapshots, dates, idempotency."""

import datetime
from decimal import Decimal

from django.core import mail

import pytest

from applications.exceptions import IllegalTransition, ReasonRequired, WorkflowError
from applications.models import Application
from registry import services
from registry.models import Certificate, CertificateSequence
from registry.tasks import certificate_issue_task
from tests.factories import application_under_review

pytestmark = pytest.mark.django_db
S = Application.Status
D = datetime.date


def _approved(**kwargs) -> Application:
    application = application_under_review(**kwargs)
    services.application_approve(application=application, actor=None)
    return application


def test_issue_assigns_the_number_snapshot_and_dates():
    application = _approved(
        product__company__province_id="33", product__company__regency_id="33.74"
    )
    cert = services.certificate_issue(application_id=application.pk, issue_date=D(2026, 3, 2))
    assert cert.number == "TKDNIK/33/2026/000001"
    assert (cert.year, cert.sequence) == (2026, 1)
    assert cert.issue_date == D(2026, 3, 2)
    assert cert.valid_until == D(2029, 3, 1)  # 3 years, ending the day before the anniversary
    company = application.product.company
    assert cert.company_name == company.name
    assert cert.company_nib == company.nib
    assert cert.regency_name == "Kota Semarang"
    assert cert.province_name == "Jawa Tengah"
    assert cert.product_name == application.product.name
    assert cert.tkdn_ik == Decimal("38.91")
    assert cert.breakdown["factors"]["materials"]["weight"] == "24"
    assert cert.issuer_name and cert.signatory_name and cert.legal_basis
    # The application stays APPROVED until the PDF exists.
    application.refresh_from_db()
    assert application.status == S.APPROVED


def test_snapshot_does_not_follow_later_profile_edits():
    application = _approved()
    cert = services.certificate_issue(application_id=application.pk)
    company = application.product.company
    company.name = "PT Nama Baru"
    company.save()
    cert.refresh_from_db()
    assert cert.company_name != "PT Nama Baru"


def test_numbers_are_consecutive_per_year_and_restart_in_a_new_year():
    numbers = [
        services.certificate_issue(application_id=_approved().pk, issue_date=day).number
        for day in (D(2026, 12, 30), D(2026, 12, 31), D(2027, 1, 2))
    ]
    assert numbers == [
        "TKDNIK/32/2026/000001",
        "TKDNIK/32/2026/000002",
        "TKDNIK/32/2027/000001",
    ]
    assert CertificateSequence.objects.get(year=2026).last_value == 2


def test_issue_twice_returns_the_same_certificate_and_takes_no_number():
    application = _approved()
    first = services.certificate_issue(application_id=application.pk)
    second = services.certificate_issue(application_id=application.pk)
    assert first.pk == second.pk
    assert CertificateSequence.objects.get(year=first.year).last_value == 1


def test_issue_refuses_an_application_that_is_not_approved():
    application = application_under_review()
    with pytest.raises(WorkflowError):
        services.certificate_issue(application_id=application.pk)
    assert not Certificate.objects.exists()


def test_leap_day_issue_is_valid_until_28_february():
    assert services.validity_dates(D(2028, 2, 29), "IK-2022") == (D(2028, 2, 29), D(2031, 2, 28))


def test_issue_task_goes_to_issued_with_pdf_and_emails_the_owner(
    django_capture_on_commit_callbacks,
):
    application = _approved()
    with django_capture_on_commit_callbacks(execute=True):
        assert certificate_issue_task.delay(application.pk).get() == S.ISSUED
    application.refresh_from_db()
    assert application.status == S.ISSUED
    cert = application.certificate
    assert cert.pdf and len(cert.pdf_sha256) == 64
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert cert.number in message.subject
    assert application.product.company.email in message.to
    assert cert.verification_url() in message.body
    assert str(application.public_id) in message.body  # the owner's page in the portal
    assert message.attachments[0][2] == "application/pdf"


def test_issue_task_twice_leaves_one_certificate(django_capture_on_commit_callbacks):
    application = _approved()
    with django_capture_on_commit_callbacks(execute=True):
        certificate_issue_task.delay(application.pk)
        certificate_issue_task.delay(application.pk)
    assert Certificate.objects.filter(application=application).count() == 1
    assert CertificateSequence.objects.get().last_value == 1
    assert application.history.filter(to_status=S.ISSUED).count() == 1
    assert len(mail.outbox) == 1


def test_pdf_render_is_skipped_when_done_and_forced_after_extension():
    application = _approved()
    cert = services.certificate_issue(application_id=application.pk)
    cert = services.certificate_render_pdf(certificate_id=cert.pk)
    digest = cert.pdf_sha256
    again = services.certificate_render_pdf(certificate_id=cert.pk)
    assert again.pdf.name == cert.pdf.name and again.pdf_sha256 == digest


def test_failed_render_is_visible_and_can_be_retried(monkeypatch):
    from registry.services import application_retry

    application = _approved()

    def broken(*args, **kwargs):
        raise RuntimeError("font cache rusak")

    monkeypatch.setattr("registry.pdf.render_certificate_pdf", broken)
    assert certificate_issue_task.delay(application.pk).get() == "PROCESSING_FAILED"
    application.refresh_from_db()
    assert application.status == S.PROCESSING_FAILED
    assert application.failed_step == "issue"
    assert "font cache rusak" in application.processing_error
    number = application.certificate.number  # the number is kept for the retry

    monkeypatch.undo()
    application_retry(application=application, actor=None)
    assert application.status == S.APPROVED
    certificate_issue_task.delay(application.pk)
    application.refresh_from_db()
    assert application.status == S.ISSUED
    assert application.certificate.number == number
    assert CertificateSequence.objects.get().last_value == 1


def _issued() -> Certificate:
    application = _approved()
    certificate_issue_task.delay(application.pk)
    return Certificate.objects.get(application=application)


def test_revoke_needs_a_reason_and_bars_the_company_for_a_year():
    cert = _issued()
    with pytest.raises(ReasonRequired):
        services.certificate_revoke(certificate=cert, actor=None, reason="  ")
    cert = services.certificate_revoke(
        certificate=cert, actor=None, reason="Produksi tidak sesuai data."
    )
    assert cert.status == Certificate.Status.REVOKED
    assert cert.revoked_at is not None
    assert cert.revocation_reason == "Produksi tidak sesuai data."
    assert cert.effective_status() == "REVOKED"
    application = cert.application
    application.refresh_from_db()
    assert application.status == S.REVOKED
    assert application.decision_reason == "Produksi tidak sesuai data."
    company = application.product.company
    company.refresh_from_db()
    today = cert.revoked_at.astimezone(datetime.UTC).date()
    assert company.barred_until in (
        services.add_years(today, 1),
        services.add_years(today + datetime.timedelta(days=1), 1),
    )
    with pytest.raises(WorkflowError):
        services.certificate_revoke(certificate=cert, actor=None, reason="lagi")


def test_extend_once_by_two_years():
    cert = _issued()
    old_sha = cert.pdf_sha256
    cert = services.certificate_extend(certificate=cert, actor=None)
    assert cert.extended_until == services.add_years(cert.valid_until, 2)
    assert cert.expires_on == cert.extended_until
    cert.application.refresh_from_db()
    assert cert.application.status == S.EXTENDED
    with pytest.raises(WorkflowError):
        services.certificate_extend(certificate=cert, actor=None)
    assert cert.pdf_sha256 == old_sha  # re-rendered after commit (not captured here)


def test_extension_rerenders_the_pdf(django_capture_on_commit_callbacks):
    cert = _issued()
    with django_capture_on_commit_callbacks(execute=True):
        services.certificate_extend(certificate=cert, actor=None)
    cert.refresh_from_db()
    from pypdf import PdfReader

    text = " ".join(PdfReader(cert.pdf.open("rb")).pages[0].extract_text().split())
    assert "Diperpanjang sampai dengan" in text


def test_a_revoked_certificate_cannot_be_extended():
    cert = _issued()
    services.certificate_revoke(certificate=cert, actor=None, reason="Data palsu.")
    with pytest.raises(WorkflowError):
        services.certificate_extend(certificate=cert, actor=None)


def test_expiry_moves_run_out_certificates_to_expired():
    cert = _issued()
    fresh = _issued()
    Certificate.objects.filter(pk=cert.pk).update(
        issue_date=D(2023, 1, 2), valid_until=D(2026, 1, 1)
    )
    assert services.certificates_expire(today=D(2026, 1, 1)) == 0  # last valid day
    assert services.certificates_expire(today=D(2026, 1, 2)) == 1
    cert.application.refresh_from_db()
    fresh.application.refresh_from_db()
    assert cert.application.status == S.EXPIRED
    assert fresh.application.status == S.ISSUED
    assert services.certificates_expire(today=D(2026, 1, 2)) == 0  # idempotent


def test_an_expired_application_cannot_be_revoked_any_more():
    cert = _issued()
    Certificate.objects.filter(pk=cert.pk).update(
        issue_date=D(2023, 1, 2), valid_until=D(2026, 1, 1)
    )
    services.certificates_expire(today=D(2026, 1, 2))
    cert.refresh_from_db()
    with pytest.raises((IllegalTransition, WorkflowError)):
        services.certificate_revoke(certificate=cert, actor=None, reason="terlambat")


@pytest.mark.parametrize("change", ["revoke", "extend"])
def test_revocation_and_extension_show_at_once_on_cached_public_pages(
    client, settings, django_capture_on_commit_callbacks, change
):
    from django.core.cache import cache

    settings.REGISTRY_PAGE_CACHE_SECONDS = 300
    cache.clear()
    cert = _issued()
    url = f"/registri/?number={cert.number}&status=VALID"
    link = f'href="/sertifikat/{cert.number}/"'
    assert link in client.get(url).content.decode()  # now cached for 300 s
    with django_capture_on_commit_callbacks(execute=True):
        if change == "revoke":
            services.certificate_revoke(certificate=cert, actor=None, reason="Data palsu.")
        else:
            services.certificate_extend(certificate=cert, actor=None)
    after = client.get(url).content.decode()
    cert.refresh_from_db()
    if change == "revoke":
        assert link not in after  # no longer among the valid certificates
    else:
        assert cert.extended_until.strftime("%d-%m-%Y") in after
    cache.clear()
