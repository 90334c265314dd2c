"""After the issue: revoke (with a reason), extend (once) and expire certificates.

Called by officials from the admin (revoke, extend) and by the periodic expiry task. The
application's status moves through ``applications.services.application_transition`` in the same
transaction as the certificate update.
"""

import datetime

from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from applications import rules
from applications.exceptions import WorkflowError
from applications.formatting import format_date
from applications.models import Application, Company
from applications.reasons import ReasonCode
from applications.services import application_transition, company_lock
from registry.models import Certificate
from registry.selectors import registry_pages_invalidate
from tkdnportal.tasks import enqueue

S = Application.Status
# The application states in which a certificate is in force (until its dates run out).
IN_FORCE = (S.ISSUED, S.EXTENDED)


def _lock_company_of(certificate: Certificate) -> None:
    """The certificate's company, locked first (``company_lock``'s order)."""
    company_lock(
        company_id=Certificate.objects.filter(pk=certificate.pk)
        .values_list("application__product__company_id", flat=True)
        .first()
    )


def certificate_revoke(*, certificate: Certificate, actor, reason: str) -> Certificate:
    """Revoke an issued certificate with a reason (spec §5); bar the company from applying for
    the rule set's bar (one year, spec §4).

    Called by officials from the admin. The application moves to REVOKED through the transition
    service (which refuses an empty reason) in the same transaction as the certificate update.
    """
    reason = (reason or "").strip()
    now = timezone.now()
    with transaction.atomic():
        _lock_company_of(certificate)
        cert = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if cert.status == Certificate.Status.REVOKED:
            raise WorkflowError(_("Sertifikat ini sudah dicabut."))
        application_transition(
            application=cert.application,
            to_status=S.REVOKED,
            actor=actor,
            note=reason,
            reason_code=ReasonCode.REVOKED,
            expected_from=IN_FORCE,
        )
        Certificate.objects.filter(pk=cert.pk).update(
            status=Certificate.Status.REVOKED,
            revoked_at=now,
            revocation_reason=reason,
            updated_at=now,
        )
        # After a revocation the company may not apply again for a while (spec §4: one year);
        # calculation.is_barred is the one comparison that reads this date.
        barred = rules.get(cert.rule_set).barred_until(timezone.localdate(now))
        Company.objects.filter(pk=cert.application.product.company_id).update(barred_until=barred)
        # The public pages cached for readers must say "dicabut" at once, not after they expire.
        transaction.on_commit(registry_pages_invalidate)
    certificate.refresh_from_db()
    return certificate


def certificate_extend(*, certificate: Certificate, actor, note: str = "") -> Certificate:
    """Extend a certificate once by its rule set's extension (IK-2022: 2 years, spec §6).

    Called by officials from the admin. ISSUED → EXTENDED allows no second extension (the
    transition table has no EXTENDED → EXTENDED); a rule set without extension (IK-2025: 5 years,
    one surveillance visit instead) refuses. The PDF is re-rendered with the new date after commit.
    """
    from registry.tasks import certificate_render_pdf_task

    with transaction.atomic():
        _lock_company_of(certificate)
        cert = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if cert.extended_until is not None or cert.status == Certificate.Status.REVOKED:
            raise WorkflowError(_("Sertifikat ini tidak dapat diperpanjang lagi."))
        rule_set = rules.get(cert.rule_set)
        extended_until = rule_set.extended_until(cert.valid_until)
        if extended_until is None:
            raise WorkflowError(
                _(
                    "Sertifikat menurut aturan %(code)s (%(basis)s) tidak dapat diperpanjang; "
                    "ajukan permohonan baru sebelum masa berlakunya berakhir."
                )
                % {"code": rule_set.code, "basis": rule_set.legal_basis_short}
            )
        if cert.effective_status() != Certificate.EffectiveStatus.VALID:
            raise WorkflowError(_("Sertifikat yang sudah kedaluwarsa tidak dapat diperpanjang."))
        application_transition(
            application=cert.application,
            to_status=S.EXTENDED,
            actor=actor,
            note=note
            or _("Masa berlaku diperpanjang sampai %(date)s.")
            % {"date": format_date(extended_until)},
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
                % {"date": format_date(cert.expires_on)},
                expected_from=IN_FORCE,
            )
        except WorkflowError:
            continue  # revoked or expired meanwhile by someone else
        moved += 1
    return moved
