"""Owner-side writes (applicant portal): profile, products, documents, drafts, submit, withdraw.

Called by the views of ``applications.views``. Each function checks ownership-independent rules
(editability, file types); the views have already checked that the actor owns the rows.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications import rules, uploads
from applications.exceptions import WorkflowError
from applications.formatting import format_date
from applications.models import Application, MaterialLine, StatusChange
from applications.selectors import product_held_certificate
from tkdnportal.tasks import enqueue

from .transitions import S, application_transition


def application_create(*, product, actor, is_renewal: bool = False) -> Application:
    """Start a draft application for ``product`` under the rule set in force today.

    Called by the applicant portal. A product has at most one open application (the database
    enforces it too); the history starts with the draft's creation.
    """
    with transaction.atomic():
        if Application.objects.filter(
            product=product, status__in=Application.OPEN_STATUSES
        ).exists():
            raise WorkflowError(_("Produk ini sudah memiliki permohonan yang berjalan."))
        application = Application(
            product=product, rule_set=rules.in_force().code, is_renewal=is_renewal
        )
        application.full_clean()
        application.save()
        StatusChange.objects.create(
            application=application,
            from_status=S.DRAFT,
            to_status=S.DRAFT,
            actor=actor if getattr(actor, "pk", None) else None,
            note=_("Draf dibuat."),
        )
    return application


#: Upload types accepted at all (sniffed from the content, never from the name) → extension.
ALLOWED_UPLOAD_TYPES: dict[str, str] = dict(uploads.EXTENSIONS)


def upload_inspect(file, *, allowed=uploads.DOCUMENT_TYPES) -> str:
    """Check an uploaded file by its content and give it the extension of what it really is.

    Returns the detected content type (one of ``allowed``). Raises
    ``django.core.exceptions.ValidationError`` (Indonesian message) when the file is larger than
    ``settings.MAX_UPLOAD_SIZE``, is not one of ``allowed``, or does not parse as its type (see
    ``applications.uploads``). The name and the browser's claimed content type are ignored; on
    success ``file.name`` becomes ``<original stem>.<detected extension>``, so
    ``private_upload_to`` stores ``faktur.hta`` holding a PDF as ``<random>.pdf``, and
    ``file.original_name`` keeps the name as uploaded. Called by ``UploadField`` and
    ``document_upload``; a second call on the same file is cheap and gives the same answer.
    """
    from django.core.exceptions import ValidationError
    from django.template.defaultfilters import filesizeformat

    limit = settings.MAX_UPLOAD_SIZE
    if file.size is not None and file.size > limit:
        raise ValidationError(
            _("Berkas terlalu besar (%(size)s); paling besar %(limit)s.")
            % {"size": filesizeformat(file.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    data = file.read(limit + 1)
    file.seek(position)
    try:
        mime = uploads.detect(data, allowed=allowed)
    except uploads.Refusal as refusal:
        raise refusal.error() from None
    original = getattr(file, "original_name", None) or file.name or ""
    file.original_name, file.detected_type = original, mime
    stem = original.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0] or "berkas"
    file.name = f"{stem}.{uploads.EXTENSIONS[mime]}"
    return mime


def upload_sniff(file) -> str:
    """``upload_inspect`` with the document allow-list (PDF, JPEG, PNG); kept for callers."""
    return upload_inspect(file)


def _apply(instance, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        # An empty file field in a form means "keep the stored file".
        if value is None and hasattr(getattr(instance, name, None), "field"):
            continue
        setattr(instance, name, value)


def company_save(*, owner, fields: dict[str, Any], company=None):
    """Create or update the owner's IKM profile (one per owner); returns the saved company.

    ``fields`` are model field values (the profile form's cleaned data). ``full_clean`` runs
    before saving, so the NIB/NPWP/KBLI validators and the province/regency check always apply.
    """
    from applications.models import Company

    if company is None:
        company = Company(owner=owner)
    elif company.owner_id != owner.pk:
        raise WorkflowError(_("Profil usaha ini bukan milik Anda."))
    _apply(company, fields)
    company.full_clean()
    company.save()
    return company


#: Statuses in which the product is being assessed as submitted: its data must not change.
PRODUCT_LOCKED_STATUSES = (
    S.SUBMITTED,
    S.CALCULATED,
    S.UNDER_REVIEW,
    S.APPROVED,
    S.PROCESSING_FAILED,
)


def product_save(*, company, fields: dict[str, Any], product=None):
    """Create or update a product of ``company``; returns the saved product.

    A product whose application is being assessed (submitted up to approval) cannot change,
    because the official must decide on the data that was submitted.
    """
    from applications.models import Product

    if product is None:
        product = Product(company=company)
    elif product.company_id != company.pk:
        raise WorkflowError(_("Produk ini bukan milik Anda."))
    elif product.applications.filter(status__in=PRODUCT_LOCKED_STATUSES).exists():
        raise WorkflowError(
            _("Produk sedang dinilai dan tidak dapat diubah sampai ada keputusan petugas.")
        )
    _apply(product, fields)
    product.full_clean()
    product.save()
    return product


def application_start(*, product, actor) -> Application:
    """Start a draft for ``product``: a renewal when the product already has a certificate.

    Called by the owner's "Ajukan permohonan" button. One open application per product
    (``application_create`` and the database constraint enforce it).
    """
    held = product_held_certificate(product=product, today=timezone.localdate())
    if held is not None and not held.renewal_open(timezone.localdate()):
        # A product holds one valid certificate; its renewal opens shortly before it ends.
        raise WorkflowError(
            _(
                "Produk ini sudah memiliki sertifikat TKDN-IK %(number)s yang berlaku sampai "
                "%(until)s. Permohonan pembaruan dapat diajukan mulai %(opens)s."
            )
            % {
                "number": held.number,
                "until": format_date(held.until),
                "opens": format_date(held.renewal_opens),
            }
        )
    has_certificate = product.applications.filter(
        status__in=[S.ISSUED, S.EXTENDED, S.EXPIRED]
    ).exists()
    return application_create(product=product, actor=actor, is_renewal=has_certificate)


def _lock_editable(application: Application) -> Application:
    current = Application.objects.select_for_update().get(pk=application.pk)
    if current.status not in Application.EDITABLE_STATUSES:
        raise WorkflowError(
            _("Permohonan ini sudah diajukan dan tidak dapat diubah lagi (status: %(s)s).")
            % {"s": current.get_status_display()}
        )
    return current


def application_draft_save(*, application: Application, formsets: Iterable[Any]) -> Application:
    """Save the cost lines of a draft (or of an application returned for revision).

    ``formsets`` are the bound, valid inline formsets of the application page; their rows are
    saved (deleted rows removed) and numbered in the order shown. The row is locked so a submit
    running at the same time cannot see half of the lines; a non-editable application raises
    ``WorkflowError`` and nothing is written.
    """
    with transaction.atomic():
        _lock_editable(application)
        for formset in formsets:
            # commit=False: collect deletions and copy the form values onto the instances.
            formset.save(commit=False)
            for obj in formset.deleted_objects:
                obj.delete()
            position = 0
            for form in formset.forms:
                obj = form.instance
                if form in formset.deleted_forms or (obj.pk is None and not form.has_changed()):
                    continue
                if hasattr(obj, "position"):
                    obj.position = position
                    position += 1
                obj.application = application
                obj.full_clean()
                obj.save()
        Application.objects.filter(pk=application.pk).update(updated_at=timezone.now())
    return application


def application_snapshot_data(*, application: Application) -> dict[str, Any]:
    """What was submitted, as JSON: company and product data plus every line (with file names)."""
    from django.db.models import Q

    product = application.product
    company = product.company

    def money(value) -> str:
        return str(value)

    return {
        "rule_set": application.rule_set,
        "company": {
            "name": company.name,
            "nib": company.nib,
            "kbli_codes": list(company.kbli_codes),
            "capital_rp": money(company.capital_rp),
            "province": company.province_id,
            "regency": company.regency_id,
            "factory_address": company.factory_address,
        },
        "product": {
            "name": product.name,
            "brand": product.brand,
            "specification": product.specification,
            "kbli": product.kbli,
            "hs_code": product.hs_code,
            "unit": product.unit,
            "category": product.category,
            "packing_only": product.packing_only,
            "facility": product.facility,
            "nie_number": product.nie_number,
            "nie_file": product.nie_file.name or "",
            "process_description": product.process_description,
        },
        "materials": [
            {
                "name": line.name,
                "specification": line.specification,
                "qty_per_unit": money(line.qty_per_unit),
                "unit_price_rp": money(line.unit_price_rp),
                "domestic": line.domestic,
                "origin": line.origin,
                "component_tkdn_pct": money(line.component_tkdn)
                if line.component_tkdn is not None
                else None,
                "component_certificate_number": line.component_certificate_number,
                "component_certificate": line.component_certificate.name or "",
                "purchase_proof": line.purchase_proof.name or "",
            }
            for line in application.materials.all()
        ],
        "labour": [
            {
                "role": line.role,
                "cost_per_unit_rp": money(line.cost_per_unit_rp),
                "citizenship": line.citizenship,
            }
            for line in application.labour.all()
        ],
        "overhead": [
            {
                "kind": line.kind,
                "description": line.description,
                "cost_per_unit_rp": money(line.cost_per_unit_rp),
                "domestic": line.domestic,
            }
            for line in application.overhead.all()
        ],
        "development": [
            {
                "kind": item.kind,
                "number": item.number,
                "description": item.description,
                "evidence": item.evidence.name or "",
            }
            for item in application.development.all()
        ],
        # Company documents and this product's photos as they were at submission.
        "documents": [
            {"kind": doc.kind, "original_name": doc.original_name, "file": doc.file.name}
            for doc in company.documents.filter(Q(product__isnull=True) | Q(product=product))
        ],
    }


def application_submit(*, application: Application, actor, declared: bool) -> Application:
    """Submit a draft (or a revised application) for calculation and review.

    Called by the owner's confirmation page. Requires the self-assessment declaration and every
    pre-submission check of ``applications.checks`` to pass (``WorkflowError`` otherwise). In one
    transaction it stores the next ``ApplicationSnapshot`` version (earlier versions stay for the
    officials) and moves DRAFT/NEEDS_REVISION → SUBMITTED; the calculation task is queued only
    after the commit, so the worker never reads an uncommitted submission.
    """
    from applications.checks import application_checks
    from applications.models import ApplicationSnapshot
    from applications.tasks import application_calculate_task

    if not declared:
        raise WorkflowError(_("Centang pernyataan penilaian mandiri untuk mengajukan."))
    with transaction.atomic():
        current = _lock_editable(application)
        # Spec §8: an application is computed under the set in force on its submission date; a
        # revision keeps the set of its first submission.
        rule_set = rules.applicable(current)
        current.rule_set = rule_set.code
        failing = [check for check in application_checks(application=current) if not check.ok]
        if failing:
            raise WorkflowError(
                _("Permohonan belum dapat diajukan: %(items)s.")
                % {"items": "; ".join(str(check.title) for check in failing)}
            )
        last = (
            ApplicationSnapshot.objects.filter(application=current)
            .order_by("-version")
            .values_list("version", flat=True)
            .first()
        )
        ApplicationSnapshot.objects.create(
            application=current,
            version=(last or 0) + 1,
            data=application_snapshot_data(application=current),
        )
        pk = application.pk
        application_transition(
            application=application,
            to_status=S.SUBMITTED,
            actor=actor,
            note=_("Diajukan oleh pemohon (versi %(v)d).") % {"v": (last or 0) + 1},
            expected_from=Application.EDITABLE_STATUSES,
            extra_updates={"declared_at": timezone.now(), "rule_set": rule_set.code},
            on_commit=lambda: enqueue(application_calculate_task, pk),
        )
    return application


def application_follow_rule_set(*, application: Application) -> str:
    """Move a draft to the rule set in force today; return the code it had, or ``""``.

    Called when the owner opens a draft (spec §8: drafts show today's set), so a draft started
    before a new regulation took effect is computed, checked and shown under the new one. Only
    DRAFT moves: a revision keeps the set of its first submission.
    """
    code = rules.in_force().code
    if application.status != S.DRAFT or application.rule_set == code:
        return ""
    old = application.rule_set
    updated = Application.objects.filter(pk=application.pk, status=S.DRAFT).update(
        rule_set=code, updated_at=timezone.now()
    )
    if updated:
        application.rule_set = code
        return old
    return ""


def application_withdraw(*, application: Application, actor) -> Application:
    """The owner withdraws a draft, an uncalculated submission, or one returned for revision."""
    allowed = Application.WITHDRAWABLE_STATUSES
    if application.status not in allowed:
        raise WorkflowError(
            _("Permohonan dengan status %(s)s tidak dapat dibatalkan.")
            % {"s": application.get_status_display()}
        )
    return application_transition(
        application=application,
        to_status=S.WITHDRAWN,
        actor=actor,
        note=_("Dibatalkan oleh pemohon."),
        expected_from=allowed,
    )


def application_copy(*, application: Application, actor) -> Application:
    """Copy a rejected (or withdrawn) application into a new draft, lines and files included.

    Called by the owner's "Salin ke draf baru" button so a rejected application can be fixed and
    submitted again. The new draft points at the same stored evidence files (files are never
    deleted, so sharing them is safe); the old application and its history stay unchanged. The
    draft takes the rule set in force today (spec §8); when that set asks each material's origin
    and the old one did not, an imported line becomes ``imported`` and a domestic one is left for
    the owner to choose (local, with imported inputs, or certified), which the checklist asks.
    """
    if application.status not in (S.REJECTED, S.WITHDRAWN):
        raise WorkflowError(_("Hanya permohonan yang ditolak atau dibatalkan yang dapat disalin."))
    return _copy_into_new_draft(application=application, actor=actor)


#: Statuses of an application whose certificate was issued (and not revoked).
CERTIFIED_STATUSES = (S.ISSUED, S.EXTENDED, S.EXPIRED)


def application_renewable(*, application: Application, today=None) -> bool:
    """Whether the owner may renew this application's certificate now (``application_renew``)."""
    certificate = getattr(application, "certificate", None)
    return (
        application.status in CERTIFIED_STATUSES
        and certificate is not None
        and certificate.status == "VALID"
        and rules.in_renewal_window(
            certificate.expires_on, today, window_days=rules.of(application).renewal_window_days
        )
    )


def application_renew(*, application: Application, actor, today=None) -> Application:
    """Renew a certificate: copy the product's application into a new draft (a renewal).

    Called by the owner's "Perbarui sertifikat" button (dashboard, the application page and the
    expiry reminder e-mail's link). Allowed from its rule set's ``renewal_window_days`` before the
    certificate's last valid day (and after it ran out), never for a revoked certificate. The
    copy is ``application_copy``'s: every line and evidence file, under the rule set in force
    today, marked ``is_renewal``; the old certificate stays valid until its last day.
    """
    certificate = getattr(application, "certificate", None)
    if application.status not in CERTIFIED_STATUSES or certificate is None:
        raise WorkflowError(_("Hanya sertifikat yang sudah terbit yang dapat diperbarui."))
    if certificate.status != "VALID":
        raise WorkflowError(_("Sertifikat yang dicabut tidak dapat diperbarui."))
    window_days = rules.of(application).renewal_window_days
    if not rules.in_renewal_window(certificate.expires_on, today, window_days=window_days):
        opens = certificate.expires_on - datetime.timedelta(days=window_days)
        raise WorkflowError(
            _("Sertifikat ini dapat diperbarui mulai %(date)s (%(days)d hari sebelum berakhir).")
            % {"date": format_date(opens), "days": window_days}
        )
    return _copy_into_new_draft(application=application, actor=actor)


def _copy_into_new_draft(*, application: Application, actor) -> Application:
    with transaction.atomic():
        new = application_start(product=application.product, actor=actor)
        asks_origin = rules.of(new).uses_origin
        for related in (
            application.materials,
            application.labour,
            application.overhead,
            application.development,
        ):
            for line in related.all():
                line.pk = None
                line.id = None
                line._state.adding = True
                line.application = new
                if asks_origin and isinstance(line, MaterialLine) and not line.origin:
                    line.origin = "" if line.domestic else line.Origin.IMPORTED
                line.save()
    return new


def document_upload(*, company, kind: str, file, product=None):
    """Store a supporting document (NIB/licence document, product photo) for ``company``.

    The type is sniffed from the content (PDF, JPEG, PNG) and the size limited to
    ``settings.MAX_UPLOAD_SIZE``; a ``ValidationError`` is raised otherwise. The file goes under
    private/ with an unguessable name and is served only by the permission-checked download view.
    """
    from applications.models import SupportingDocument
    from applications.validators import safe_original_name

    if product is not None and product.company_id != company.pk:
        raise WorkflowError(_("Produk ini bukan milik Anda."))
    allowed = (
        uploads.PHOTO_TYPES
        if kind == SupportingDocument.Kind.PRODUCT_PHOTO
        else uploads.DOCUMENT_TYPES
    )
    content_type = upload_inspect(file, allowed=allowed)
    document = SupportingDocument(
        company=company,
        product=product,
        kind=kind,
        file=file,
        original_name=safe_original_name(getattr(file, "original_name", "") or ""),
        content_type=content_type,
        size=file.size,
    )
    document.full_clean()
    document.save()
    return document


def document_delete(*, document) -> None:
    """Remove a supporting document the owner uploaded by mistake (the stored file stays).

    Refused while an application that relies on it is being assessed: company documents for any
    of the company's applications, a product photo for that product's.
    """
    scope = Application.objects.filter(product__company_id=document.company_id)
    if document.product_id:
        scope = scope.filter(product_id=document.product_id)
    if scope.filter(status__in=PRODUCT_LOCKED_STATUSES).exists():
        raise WorkflowError(
            _("Dokumen ini sedang dipakai dalam penilaian dan tidak dapat dihapus sekarang.")
        )
    document.delete()
