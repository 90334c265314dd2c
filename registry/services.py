"""Writes of the registry: issuing, rendering, revoking and extending TKDN-IK certificates.

Status changes of the application go through ``applications.services.application_transition``;
these services only add the certificate side (number, snapshot, PDF, dates) in the same
transaction.

The order of the issue step is deliberate: the certificate (number + snapshot) is created while the
application stays APPROVED, then the PDF is rendered, and only then does the application become
ISSUED. So ISSUED always means "the PDF exists", and a render that keeps failing leaves the
application in PROCESSING_FAILED (failed_step "issue") with its number kept, never silently stuck.
"""

import datetime
import hashlib
import logging
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from applications import calculation
from applications.exceptions import WorkflowError
from applications.models import Application, Company
from applications.services import application_transition

from .models import Certificate, CertificateSequence
from .selectors import registry_pages_invalidate

logger = logging.getLogger(__name__)

S = Application.Status
# The application states in which a certificate is in force (until its dates run out).
IN_FORCE = (S.ISSUED, S.EXTENDED)


def add_years(day: datetime.date, years: int) -> datetime.date:
    """``day`` moved by whole years; 29 February becomes 1 March in a non-leap year.

    [A] With the day-inclusive convention (valid until the day before the anniversary) a
    certificate issued on 29 February is then valid until 28 February.
    """
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return datetime.date(day.year + years, 3, 1)


def validity_dates(issue_date: datetime.date, rule_set: str) -> tuple[datetime.date, datetime.date]:
    """(issue_date, valid_until): valid until the day before the anniversary (spec §6)."""
    years = calculation.get_rule_set(rule_set).validity_years
    return issue_date, add_years(issue_date, years) - datetime.timedelta(days=1)


def certificate_number(*, province_code: str, year: int, sequence: int) -> str:
    # [A] Spec §6 proposal: TKDNIK/{region_code}/{YYYY}/{seq:06d}.
    return f"TKDNIK/{province_code}/{year}/{sequence:06d}"


def verification_url(certificate: Certificate) -> str:
    """The absolute public verification URL printed as the QR code."""
    return settings.SITE_URL + reverse(
        "registry:verify", kwargs={"token": certificate.verification_token}
    )


def certificate_snapshot(*, application: Application) -> dict[str, Any]:
    """The certificate fields copied from the application, company and product (spec §6).

    Used by ``certificate_issue`` and by the admin's DRAFT preview, so both print the same data.
    """
    product = application.product
    company = product.company
    return {
        "rule_set": application.rule_set,
        "tkdn_ik": application.tkdn_ik,
        "breakdown": application.breakdown or {},
        "company_name": company.name,
        "company_nib": company.nib,
        "factory_address": company.factory_address,
        "province_id": company.province_id,
        "regency_id": company.regency_id,
        "province_name": company.province.name,
        "regency_name": company.regency.name,
        "product_name": product.name,
        "product_brand": product.brand,
        "product_specification": product.specification,
        "product_unit": product.unit,
        "kbli": product.kbli,
        "hs_code": product.hs_code,
        "issuer_name": settings.TKDN_ISSUER_NAME,
        "signatory_name": settings.TKDN_SIGNATORY_NAME,
        "signatory_position": settings.TKDN_SIGNATORY_POSITION,
        "legal_basis": settings.TKDN_LEGAL_BASIS,
    }


def _next_sequence(year: int) -> int:
    """Take the next number of ``year`` under a row lock (call inside a transaction).

    The INSERT ... ON CONFLICT DO NOTHING creates the year's row once even when two first issues
    of a year race; SELECT ... FOR UPDATE then serialises them, so numbers are unique and gap-free.
    """
    CertificateSequence.objects.bulk_create(
        [CertificateSequence(year=year, last_value=0)], ignore_conflicts=True
    )
    row = CertificateSequence.objects.select_for_update().get(year=year)
    row.last_value += 1
    row.save(update_fields=["last_value"])
    return row.last_value


def certificate_issue(
    *, application_id: int, issue_date: datetime.date | None = None
) -> Certificate:
    """Assign the number and store the snapshot of an APPROVED application (worker step 1).

    Called by ``registry.tasks.certificate_issue_task``. Idempotent: when the application already
    has a certificate, that one is returned and no number is taken. The application row is locked
    first, so two workers issuing the same application run one after the other and the second
    finds the first one's certificate. Raises ``WorkflowError`` when the application is not
    APPROVED (and has no certificate).
    """
    with transaction.atomic():
        # Lock the application row only (not the joined company/region rows, which would
        # serialise every issue in a province).
        application = (
            Application.objects.select_for_update(of=("self",))
            .select_related("product__company__province", "product__company__regency")
            .get(pk=application_id)
        )
        existing = Certificate.objects.filter(application_id=application_id).first()
        if existing is not None:
            return existing
        if application.status != S.APPROVED:
            raise WorkflowError(
                _("Sertifikat hanya dapat diterbitkan untuk permohonan yang disetujui.")
            )
        issue, valid_until = validity_dates(
            issue_date or timezone.localdate(), application.rule_set
        )
        fields = certificate_snapshot(application=application)
        sequence = _next_sequence(issue.year)
        certificate = Certificate(
            application=application,
            number=certificate_number(
                province_code=fields["province_id"], year=issue.year, sequence=sequence
            ),
            year=issue.year,
            sequence=sequence,
            issue_date=issue,
            valid_until=valid_until,
            **fields,
        )
        certificate.full_clean(exclude=["pdf", "pdf_sha256"])
        certificate.save()
    logger.info("Certificate %s issued for application %s", certificate.number, application_id)
    return certificate


def certificate_render_pdf(*, certificate_id: int, force: bool = False) -> Certificate:
    """Render and store the certificate PDF with its SHA-256 (worker step 2).

    Idempotent: skips when the PDF is already stored (unless ``force``). Rendering happens outside
    any transaction (it takes about a second); the file and hash are then saved together.
    """
    from .pdf import render_certificate_pdf

    certificate = Certificate.objects.get(pk=certificate_id)
    if certificate.pdf and not force:
        return certificate
    data = render_certificate_pdf(certificate)
    digest = hashlib.sha256(data).hexdigest()
    name = certificate.number.replace("/", "-") + ".pdf"
    old_name = certificate.pdf.name if certificate.pdf else ""
    certificate.pdf.save(name, ContentFile(data), save=False)
    certificate.pdf_sha256 = digest
    Certificate.objects.filter(pk=certificate.pk).update(
        pdf=certificate.pdf.name, pdf_sha256=digest, updated_at=timezone.now()
    )
    if old_name and old_name != certificate.pdf.name:
        certificate.pdf.storage.delete(old_name)
    return certificate


def certificate_complete_issue(*, application_id: int) -> Application | None:
    """APPROVED → ISSUED once the certificate and its PDF exist (worker step 3), then e-mail.

    Idempotent: an application that is already ISSUED (or later) is left alone and ``None`` is
    returned. The e-mail to the owner is queued after commit.
    """
    application = Application.objects.get(pk=application_id)
    if application.status != S.APPROVED:
        return None
    certificate = Certificate.objects.get(application_id=application_id)
    if not certificate.pdf:
        raise WorkflowError(_("PDF sertifikat belum tersedia."))
    from applications.services import enqueue

    from .tasks import certificate_email_task

    return application_transition(
        application=application,
        to_status=S.ISSUED,
        note=_("Sertifikat %(number)s terbit.") % {"number": certificate.number},
        expected_from=[S.APPROVED],
        extra_updates={"failed_step": "", "processing_error": ""},
        on_commit=lambda: enqueue(certificate_email_task, certificate.pk),
    )


def certificate_issue_failed(*, application_id: int, error: str) -> Application | None:
    """Record a failed issue step visibly: APPROVED → PROCESSING_FAILED (retry in the admin)."""
    application = Application.objects.get(pk=application_id)
    if application.status != S.APPROVED:
        return None
    return application_transition(
        application=application,
        to_status=S.PROCESSING_FAILED,
        note=_("Penerbitan sertifikat gagal: %(error)s") % {"error": error[:500]},
        reason_code="ISSUE_FAILED",
        expected_from=[S.APPROVED],
        extra_updates={"failed_step": "issue", "processing_error": error[:2000]},
    )


def _portal_url(application: Application) -> str:
    """The owner's page of the application (the portal's home page if that view is missing)."""
    try:
        path = reverse(
            "applications:application_detail", kwargs={"public_id": application.public_id}
        )
    except NoReverseMatch:
        path = "/"
    return settings.SITE_URL + path


def certificate_email_owner(*, certificate_id: int) -> bool:
    """E-mail the owner that the certificate is issued, with the PDF attached.

    Called by ``certificate_email_task`` after the application became ISSUED.
    """
    certificate = Certificate.objects.select_related("application__product__company__owner").get(
        pk=certificate_id
    )
    company = certificate.application.product.company
    recipients = sorted({company.email, company.owner.email} - {""})
    if not recipients:
        return False
    subject = _("Sertifikat TKDN-IK %(number)s telah terbit") % {"number": certificate.number}
    body = _(
        "Yth. %(person)s,\n\n"
        "Sertifikat TKDN-IK untuk produk %(product)s (%(brand)s) dari %(company)s telah terbit.\n\n"
        "Nomor sertifikat: %(number)s\n"
        "Nilai TKDN-IK: %(value)s%%\n"
        "Berlaku: %(issue)s s.d. %(until)s\n\n"
        "Keaslian sertifikat dapat diperiksa di:\n%(url)s\n\n"
        "Berkas PDF sertifikat terlampir dan dapat diunduh dari portal:\n%(portal)s\n\n"
        "Salam,\n%(issuer)s"
    ) % {
        "person": company.person_in_charge,
        "product": certificate.product_name,
        "brand": certificate.product_brand,
        "company": certificate.company_name,
        "number": certificate.number,
        "value": certificate.tkdn_ik,
        "issue": certificate.issue_date.strftime("%d-%m-%Y"),
        "until": certificate.expires_on.strftime("%d-%m-%Y"),
        "url": verification_url(certificate),
        "portal": _portal_url(certificate.application),
        "issuer": certificate.issuer_name,
    }
    message = EmailMessage(subject=subject, body=body, to=recipients)
    if certificate.pdf:
        with certificate.pdf.open("rb") as handle:
            message.attach(
                certificate.number.replace("/", "-") + ".pdf", handle.read(), "application/pdf"
            )
    message.send()
    return True


def certificate_revoke(*, certificate: Certificate, actor, reason: str) -> Certificate:
    """Revoke an issued certificate with a reason (spec §5); bar the company for one year (§4).

    Called by officials from the admin. The application moves to REVOKED through the transition
    service (which refuses an empty reason) in the same transaction as the certificate update.
    """
    reason = (reason or "").strip()
    now = timezone.now()
    with transaction.atomic():
        cert = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if cert.status == Certificate.Status.REVOKED:
            raise WorkflowError(_("Sertifikat ini sudah dicabut."))
        application_transition(
            application=cert.application,
            to_status=S.REVOKED,
            actor=actor,
            note=reason,
            reason_code="REVOKED",
            expected_from=IN_FORCE,
        )
        Certificate.objects.filter(pk=cert.pk).update(
            status=Certificate.Status.REVOKED,
            revoked_at=now,
            revocation_reason=reason,
            updated_at=now,
        )
        # After a revocation the company may not apply again for one year (spec §4).
        barred = add_years(timezone.localdate(now), 1)
        Company.objects.filter(pk=cert.application.product.company_id).update(barred_until=barred)
        # The public pages cached for readers must say "dicabut" at once, not after they expire.
        transaction.on_commit(registry_pages_invalidate)
    certificate.refresh_from_db()
    return certificate


def certificate_extend(*, certificate: Certificate, actor, note: str = "") -> Certificate:
    """Extend a certificate once by the rule set's extension (IK-2022: 2 years, spec §6).

    Called by officials from the admin. ISSUED → EXTENDED allows no second extension (the
    transition table has no EXTENDED → EXTENDED). The PDF is re-rendered with the new date after
    commit.
    """
    from applications.services import enqueue

    from .tasks import certificate_render_pdf_task

    with transaction.atomic():
        cert = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if cert.extended_until is not None or cert.status == Certificate.Status.REVOKED:
            raise WorkflowError(_("Sertifikat ini tidak dapat diperpanjang lagi."))
        if cert.effective_status() != Certificate.EffectiveStatus.VALID:
            raise WorkflowError(_("Sertifikat yang sudah kedaluwarsa tidak dapat diperpanjang."))
        years = calculation.get_rule_set(cert.rule_set).extension_years
        extended_until = add_years(cert.valid_until + datetime.timedelta(days=1), years) - (
            datetime.timedelta(days=1)
        )
        application_transition(
            application=cert.application,
            to_status=S.EXTENDED,
            actor=actor,
            note=note
            or _("Masa berlaku diperpanjang sampai %(date)s.")
            % {"date": extended_until.strftime("%d-%m-%Y")},
            expected_from=[S.ISSUED],
            on_commit=lambda: enqueue(certificate_render_pdf_task, cert.pk, True),
        )
        Certificate.objects.filter(pk=cert.pk).update(
            extended_until=extended_until, updated_at=timezone.now()
        )
        transaction.on_commit(registry_pages_invalidate)
    certificate.refresh_from_db()
    return certificate


def certificates_expire(*, today: datetime.date | None = None) -> int:
    """Move applications whose certificate ran out to EXPIRED (periodic task).

    The certificate's public status is derived from its dates anyway; this keeps the
    application's status (owner pages, admin) in step. Returns how many were moved.
    """
    today = today or timezone.localdate()
    moved = 0
    candidates = (
        Certificate.objects.filter(
            status=Certificate.Status.VALID, application__status__in=IN_FORCE
        )
        .annotate(expires=Coalesce("extended_until", "valid_until"))
        .filter(expires__lt=today)
        .select_related("application")
    )
    for cert in candidates.iterator():
        try:
            application_transition(
                application=cert.application,
                to_status=S.EXPIRED,
                note=_("Masa berlaku sertifikat berakhir pada %(date)s.")
                % {"date": cert.expires_on.strftime("%d-%m-%Y")},
                expected_from=IN_FORCE,
            )
        except WorkflowError:
            continue  # revoked or expired meanwhile by someone else
        moved += 1
    return moved
