"""The approval and the issue step: number, snapshot, PDF, ISSUED; and its retry.

The approval lives here, not in ``applications.services``, because it queues the issue task of
this app (imports go one way: the registry builds on the applications, never the reverse). Status
changes go through ``applications.services.application_transition``; these services only add the
certificate side (number, snapshot, PDF, dates) in the same transaction.

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
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications import rules
from applications import services as applications_services
from applications.exceptions import IllegalTransition, WorkflowError
from applications.formatting import format_date
from applications.models import Application
from applications.reasons import ReasonCode
from applications.services import application_transition, company_lock
from registry.models import Certificate, CertificateSequence
from tkdnportal.tasks import enqueue

from .dates import validity_dates

logger = logging.getLogger(__name__)

S = Application.Status


def application_approve(*, application: Application, actor, note: str = "") -> Application:
    """UNDER_REVIEW → APPROVED by an official; the certificate is issued by the worker after commit.

    Called from the admin (single and bulk approval). With ``TKDN_FOUR_EYES`` on, the application
    must have been checked by another official first. The issue task is queued on commit; if the
    broker is down, the periodic sweep queues it later.
    """
    from registry.tasks import certificate_issue_task

    if getattr(settings, "TKDN_FOUR_EYES", False):
        checker_id = (
            Application.objects.filter(pk=application.pk)
            .values_list("checked_by_id", flat=True)
            .first()
        )
        if checker_id is None:
            raise WorkflowError(
                _(
                    "Prinsip empat mata: permohonan harus ditandai diperiksa oleh petugas lain "
                    "sebelum disetujui."
                )
            )
        if checker_id == getattr(actor, "pk", None):
            raise WorkflowError(
                _(
                    "Prinsip empat mata: petugas yang memeriksa tidak boleh menyetujui "
                    "permohonan yang sama."
                )
            )
    return application_transition(
        application=application,
        to_status=S.APPROVED,
        actor=actor,
        note=note or _("Disetujui; sertifikat akan diterbitkan."),
        expected_from=[S.UNDER_REVIEW],
        on_commit=lambda: enqueue(certificate_issue_task, application.pk),
    )


def certificate_number(*, province_code: str, year: int, sequence: int) -> str:
    # [A] Spec §6 proposal: TKDNIK/{region_code}/{YYYY}/{seq:06d}.
    return f"TKDNIK/{province_code}/{year}/{sequence:06d}"


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
        **_signatory(application),
        # The regulation of the application's rule set (spec §8), never a fixed text.
        "legal_basis": rules.of(application).legal_basis,
    }


def _signatory(application: Application) -> dict[str, str]:
    """Who signs for the issuing authority: the official who approved, when their profile names
    them (name, position, NIP), else the portal's signatory from the settings."""
    from django.core.exceptions import ObjectDoesNotExist

    change = (
        application.history.filter(to_status=S.APPROVED)
        .select_related("actor")
        .order_by("-at", "-id")
        .first()
    )
    try:
        official = change.actor.official if change and change.actor else None
    except ObjectDoesNotExist:
        official = None
    if official is not None and official.full_name.strip():
        return {
            "signatory_name": official.full_name.strip(),
            "signatory_position": official.position.strip() or settings.TKDN_SIGNATORY_POSITION,
            "signatory_nip": official.nip,
        }
    return {
        "signatory_name": settings.TKDN_SIGNATORY_NAME,
        "signatory_position": settings.TKDN_SIGNATORY_POSITION,
        "signatory_nip": settings.TKDN_SIGNATORY_NIP,
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
        # The company first (the lock order of ``company_lock``: a move of its factory waits
        # for this certificate, whose copy of the region is then the move's to update), then
        # the application row only (not the region rows, which would serialise every issue in
        # a province).
        company_lock(
            company_id=Application.objects.filter(pk=application_id)
            .values_list("product__company_id", flat=True)
            .first()
        )
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
    """Render, sign and store the certificate PDF with its SHA-256 (worker step 2).

    Idempotent: when the stored PDF already shows the certificate's current last valid day,
    nothing happens (``force`` is accepted from older queued messages and means the same). A
    stored PDF is never changed: after an extension the new PDF is stored under a new name and
    the earlier one is kept as a :class:`SupersededPdf`, so a buyer's copy still verifies. The
    PAdES signature (``registry.signing``) covers the whole file; the hash is of the signed
    bytes. Rendering and signing happen outside any transaction (about a second); the file, hash
    and signature facts are then saved together.
    """
    from registry import signing
    from registry.models import SupersededPdf
    from registry.pdf import render_certificate_pdf

    certificate = Certificate.objects.get(pk=certificate_id)
    if certificate.pdf and certificate.pdf_valid_until == certificate.expires_on:
        return certificate
    data, info = signing.sign_pdf(
        render_certificate_pdf(certificate),
        reason=f"Sertifikat TKDN-IK {certificate.number}",
        location=certificate.issuer_name,
    )
    digest = hashlib.sha256(data).hexdigest()
    old_name, old_digest = (
        (certificate.pdf.name, certificate.pdf_sha256) if certificate.pdf else ("", "")
    )
    stamp = certificate.expires_on.strftime("%Y%m%d")
    name = f"{certificate.number.replace('/', '-')}-{stamp}.pdf"
    certificate.pdf.save(name, ContentFile(data), save=False)
    fields = {
        "pdf": certificate.pdf.name,
        "pdf_sha256": digest,
        "pdf_valid_until": certificate.expires_on,
        "signed_at": info.signed_at,
        "signature_signer": info.signer[:300],
        "signature_algorithm": info.algorithm,
        "signature_level": info.level,
        "signature_certificate_sha256": info.certificate_sha256,
    }
    with transaction.atomic():
        if old_name and old_name != certificate.pdf.name:
            SupersededPdf.objects.create(
                certificate=certificate,
                pdf=old_name,
                sha256=old_digest,
                reason=_("Diganti karena masa berlaku diperpanjang sampai %(date)s.")
                % {"date": format_date(certificate.expires_on)},
            )
        Certificate.objects.filter(pk=certificate.pk).update(**fields, updated_at=timezone.now())
    for key, value in fields.items():
        if key != "pdf":
            setattr(certificate, key, value)
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
    from registry.tasks import certificate_email_task

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
        reason_code=ReasonCode.ISSUE_FAILED,
        expected_from=[S.APPROVED],
        extra_updates={"failed_step": "issue", "processing_error": error[:2000]},
    )


def certificate_issue_retry(*, application: Application, actor) -> Application:
    """PROCESSING_FAILED → APPROVED after a failed issue step, queued again on commit.

    Called from the admin's retry action (``registry.admin``) for an application whose
    ``failed_step`` is "issue"; a failed calculation is retried by
    ``applications.services.application_retry``. The certificate number is kept: the issue task
    finds the existing certificate and only renders the PDF again.
    """
    from registry.tasks import certificate_issue_task

    if application.failed_step != "issue":
        raise IllegalTransition()
    return applications_services.processing_retry(
        application=application,
        actor=actor,
        to_status=S.APPROVED,
        task=certificate_issue_task,
    )


def application_retry(*, application: Application, actor) -> Application:
    """PROCESSING_FAILED → the step that failed (SUBMITTED or APPROVED), queued again on commit.

    The admin's retry action: the issue step is retried here, a calculation by
    ``applications.services.application_retry``.
    """
    if application.failed_step == "issue":
        return certificate_issue_retry(application=application, actor=actor)
    return applications_services.application_retry(application=application, actor=actor)
