"""Writes of the application workflow. Nothing else in the code assigns ``Application.status``.

Transitions follow domain spec §5. Each one runs in a durable transaction, updates the row with a
filter on the expected status (0 rows updated = someone else acted first), writes a history row
(from, to, who, when, why) and queues side effects with ``transaction.on_commit``.
"""

import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import calculation
from .exceptions import IllegalTransition, ReasonRequired, TransitionConflict, WorkflowError
from .models import Application, StatusChange
from .selectors import application_calculation_input

logger = logging.getLogger(__name__)

S = Application.Status

# Allowed transitions: {from: {to, ...}} (domain spec §5).
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    # The worker computes; below the threshold it rejects at once (reason BELOW_THRESHOLD).
    S.SUBMITTED: frozenset({S.CALCULATED, S.REJECTED, S.PROCESSING_FAILED, S.WITHDRAWN}),
    S.CALCULATED: frozenset({S.UNDER_REVIEW, S.REJECTED}),
    S.UNDER_REVIEW: frozenset({S.APPROVED, S.NEEDS_REVISION, S.REJECTED}),
    S.NEEDS_REVISION: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    S.APPROVED: frozenset({S.ISSUED, S.PROCESSING_FAILED}),
    # A retry returns the application to the step that failed.
    S.PROCESSING_FAILED: frozenset({S.SUBMITTED, S.APPROVED}),
    S.ISSUED: frozenset({S.EXPIRED, S.REVOKED, S.EXTENDED}),
    # An extension is granted once; afterwards the certificate can only end.
    S.EXTENDED: frozenset({S.EXPIRED, S.REVOKED}),
    S.REJECTED: frozenset(),
    S.WITHDRAWN: frozenset(),
    S.EXPIRED: frozenset(),
    S.REVOKED: frozenset(),
}

# Decisions against the owner must say why (spec §5: revise/reject/revoke need a reason).
REASON_REQUIRED: frozenset[str] = frozenset({S.NEEDS_REVISION, S.REJECTED, S.REVOKED})

# Timestamps kept on the application row for the queue and the service-level count.
_STAMPS = {
    S.SUBMITTED: "submitted_at",
    S.APPROVED: "decided_at",
    S.REJECTED: "decided_at",
    S.NEEDS_REVISION: "decided_at",
}


def application_transition(
    *,
    application: Application,
    to_status: str,
    actor: Any = None,
    note: str = "",
    reason_code: str = "",
    expected_from: Iterable[str] | None = None,
    extra_updates: dict[str, Any] | None = None,
    on_commit: Callable[[], None] | None = None,
) -> Application:
    """Move ``application`` to ``to_status``, or raise.

    Called by every service that changes an application's status (submit, worker results,
    officials' decisions). Guarantees: the move is in ``TRANSITIONS``; a reason is present where
    required; the row is locked and updated only if still in the expected status, so two
    concurrent actors never both succeed (the loser gets ``TransitionConflict``); exactly one
    ``StatusChange`` row is written; ``on_commit`` runs only after the transaction commits.

    ``expected_from`` narrows the allowed source states (e.g. the worker only calculates a
    SUBMITTED application). ``extra_updates`` are fields written in the same UPDATE.
    """
    to_status = S(to_status)
    note = (note or "").strip()
    if to_status in REASON_REQUIRED and not note:
        raise ReasonRequired()

    with transaction.atomic():
        # Lock the row so that the check and the update see the same state.
        current = (
            Application.objects.select_for_update().only("id", "status").get(pk=application.pk)
        )
        from_status = S(current.status)
        allowed_from = set(expected_from) if expected_from is not None else None
        if allowed_from is not None and from_status not in allowed_from:
            raise TransitionConflict()
        if to_status not in TRANSITIONS[from_status]:
            if from_status != application.status:
                raise TransitionConflict()
            raise IllegalTransition(
                IllegalTransition.default_message + f" ({from_status.label} → {to_status.label})"
            )
        now = timezone.now()
        updates: dict[str, Any] = {"status": to_status, "updated_at": now, **(extra_updates or {})}
        if stamp := _STAMPS.get(to_status):
            updates[stamp] = now
        if to_status in (S.REJECTED, S.NEEDS_REVISION, S.REVOKED):
            updates["decision_reason"] = note
            updates["reason_code"] = reason_code
        elif to_status in (S.SUBMITTED,):
            updates["decision_reason"] = ""
            updates["reason_code"] = ""
        # The status filter makes the update a compare-and-set even where row locks are no-ops.
        updated = Application.objects.filter(pk=application.pk, status=from_status).update(
            **updates
        )
        if updated != 1:
            raise TransitionConflict()
        StatusChange.objects.create(
            application_id=application.pk,
            from_status=from_status,
            to_status=to_status,
            actor=actor if getattr(actor, "pk", None) else None,
            note=note,
            reason_code=reason_code,
        )
        if on_commit is not None:
            transaction.on_commit(on_commit)

    for field, value in updates.items():
        setattr(application, field, value)
    return application


def application_create(*, product, actor, is_renewal: bool = False) -> Application:
    """Start a draft application for ``product`` under the active rule set.

    Called by the applicant portal. A product has at most one open application (the database
    enforces it too); the history starts with the draft's creation.
    """
    with transaction.atomic():
        if Application.objects.filter(
            product=product, status__in=Application.OPEN_STATUSES
        ).exists():
            raise WorkflowError(_("Produk ini sudah memiliki permohonan yang berjalan."))
        application = Application(
            product=product, rule_set=settings.TKDN_ACTIVE_RULE_SET, is_renewal=is_renewal
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


def enqueue(task, *args) -> bool:
    """Send ``task`` to the broker; never fail the caller because the broker is down.

    Called from ``transaction.on_commit`` callbacks. If the broker cannot be reached the work is
    not lost: the row is already committed in its waiting state and the periodic sweep
    (``applications.tasks.sweep_stalled_task``) enqueues it again. Returns whether it was sent.
    """
    try:
        task.delay(*args)
    except Exception:  # noqa: BLE001 - any broker error; the sweep is the safety net
        logger.warning(
            "Broker unavailable: %s%r left for the sweep", task.name, args, exc_info=True
        )
        return False
    return True


def application_calculate(*, application_id: int) -> Application | None:
    """Compute the TKDN-IK value of a SUBMITTED application from its stored lines (worker step).

    Called by ``application_calculate_task``. Idempotent: an application that is no longer
    SUBMITTED (already computed, withdrawn, ...) is left alone and ``None`` is returned. The
    result and breakdown are stored with the move to CALCULATED; then the application goes to
    the reviewers' queue (UNDER_REVIEW), or, below the threshold, straight to REJECTED with
    reason BELOW_THRESHOLD (spec §5). Input the engine refuses (data that slipped past the
    forms) moves it to PROCESSING_FAILED with the engine's message, never silently stuck.
    """
    application = Application.objects.select_related("product").get(pk=application_id)
    if application.status != S.SUBMITTED:
        return None
    try:
        inp = application_calculation_input(application=application)
        result = calculation.calculate(inp, application.rule_set)
    except calculation.CalculationError as exc:
        return application_transition(
            application=application,
            to_status=S.PROCESSING_FAILED,
            note=exc.message_id,
            reason_code="INVALID_INPUT",
            expected_from=[S.SUBMITTED],
            extra_updates={"failed_step": "calculate", "processing_error": exc.message_id},
        )
    breakdown = calculation.result_to_dict(result)
    with transaction.atomic():
        application_transition(
            application=application,
            to_status=S.CALCULATED,
            note=_("Nilai TKDN-IK dihitung: %(value)s%%.") % {"value": result.tkdn_ik},
            expected_from=[S.SUBMITTED],
            extra_updates={
                "tkdn_ik": result.tkdn_ik,
                "eligible": result.eligible,
                "breakdown": breakdown,
                "computed_at": timezone.now(),
                "failed_step": "",
                "processing_error": "",
            },
        )
        if result.eligible:
            application_transition(
                application=application,
                to_status=S.UNDER_REVIEW,
                note=_("Masuk antrean verifikasi petugas dinas."),
                expected_from=[S.CALCULATED],
            )
        else:
            application_transition(
                application=application,
                to_status=S.REJECTED,
                note=_(
                    "Nilai TKDN-IK %(value)s%% di bawah ambang batas %(threshold)s%%; "
                    "sertifikat tidak dapat diterbitkan."
                )
                % {"value": result.tkdn_ik, "threshold": result.threshold},
                reason_code="BELOW_THRESHOLD",
                expected_from=[S.CALCULATED],
            )
    return application


# --- Owner side (applicant portal) ----------------------------------------------------------
#
# Called by the views of ``applications.views``. Each function checks ownership-independent
# rules (editability, file types); the views have already checked that the actor owns the rows.

#: Upload types accepted everywhere (sniffed from the content, never from the name).
ALLOWED_UPLOAD_TYPES: dict[str, str] = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
}


def upload_sniff(file) -> str:
    """Return the content type of an uploaded file, read from its first bytes, or raise.

    Raises ``django.core.exceptions.ValidationError`` (Indonesian message) when the file is larger
    than ``settings.MAX_UPLOAD_SIZE`` or is not a PDF, JPEG or PNG. The name and the browser's
    claimed content type are ignored: a renamed executable stays an executable.
    """
    from django.core.exceptions import ValidationError
    from django.template.defaultfilters import filesizeformat

    import filetype

    limit = settings.MAX_UPLOAD_SIZE
    if file.size is not None and file.size > limit:
        raise ValidationError(
            _("Berkas terlalu besar (%(size)s); paling besar %(limit)s.")
            % {"size": filesizeformat(file.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(2048)
    file.seek(position)
    kind = filetype.guess(head) if head else None
    if kind is None or kind.mime not in ALLOWED_UPLOAD_TYPES:
        raise ValidationError(
            _("Jenis berkas harus PDF, JPEG, atau PNG (diperiksa dari isi berkas, bukan namanya)."),
            code="file_type",
        )
    if kind.mime == "application/pdf":
        from .validators import pdf_has_active_content

        file.seek(0)
        data = file.read()
        file.seek(position)
        if pdf_has_active_content(data):
            raise ValidationError(
                _(
                    "PDF ini berisi JavaScript atau perintah menjalankan program dan tidak "
                    'diterima. Cetak ulang dokumen ke PDF biasa (misalnya lewat "Simpan '
                    'sebagai PDF"), lalu unggah lagi.'
                ),
                code="pdf_script",
            )
    return kind.mime


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
    from .models import Company

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
    from .models import Product

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
    from .checks import application_checks
    from .models import ApplicationSnapshot
    from .tasks import application_calculate_task

    if not declared:
        raise WorkflowError(_("Centang pernyataan penilaian mandiri untuk mengajukan."))
    with transaction.atomic():
        current = _lock_editable(application)
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
            extra_updates={"declared_at": timezone.now()},
            on_commit=lambda: enqueue(application_calculate_task, pk),
        )
    return application


def application_withdraw(*, application: Application, actor) -> Application:
    """The owner withdraws a draft, an uncalculated submission, or one returned for revision."""
    allowed = (S.DRAFT, S.SUBMITTED, S.NEEDS_REVISION)
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
    deleted, so sharing them is safe); the old application and its history stay unchanged.
    """
    if application.status not in (S.REJECTED, S.WITHDRAWN):
        raise WorkflowError(_("Hanya permohonan yang ditolak atau dibatalkan yang dapat disalin."))
    with transaction.atomic():
        new = application_start(product=application.product, actor=actor)
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
                line.save()
    return new


def document_upload(*, company, kind: str, file, product=None):
    """Store a supporting document (NIB/licence document, product photo) for ``company``.

    The type is sniffed from the content (PDF, JPEG, PNG) and the size limited to
    ``settings.MAX_UPLOAD_SIZE``; a ``ValidationError`` is raised otherwise. The file goes under
    private/ with an unguessable name and is served only by the permission-checked download view.
    """
    from .models import SupportingDocument
    from .validators import safe_original_name

    if product is not None and product.company_id != company.pk:
        raise WorkflowError(_("Produk ini bukan milik Anda."))
    content_type = upload_sniff(file)
    document = SupportingDocument(
        company=company,
        product=product,
        kind=kind,
        file=file,
        original_name=safe_original_name(getattr(file, "name", "") or ""),
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


# --- Officials' decisions (Django admin) ----------------------------------------------------------


def application_mark_checked(*, application: Application, actor) -> Application:
    """Record that ``actor`` checked an application under review (four-eyes rule, first pair).

    Called from the admin. Does not change the status; with ``TKDN_FOUR_EYES`` on, the approval
    must then come from another official.
    """
    with transaction.atomic():
        updated = Application.objects.filter(pk=application.pk, status=S.UNDER_REVIEW).update(
            checked_by=actor, updated_at=timezone.now()
        )
        if updated != 1:
            raise WorkflowError(
                _("Hanya permohonan dalam verifikasi yang dapat ditandai diperiksa.")
            )
    application.checked_by = actor
    return application


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


def application_reject(*, application: Application, actor, reason: str) -> Application:
    """UNDER_REVIEW → REJECTED by an official, with the reason the owner will read (required)."""
    return application_transition(
        application=application,
        to_status=S.REJECTED,
        actor=actor,
        note=reason,
        reason_code="OFFICIAL_DECISION",
        expected_from=[S.UNDER_REVIEW],
    )


def application_request_revision(
    *, application: Application, actor, reason: str, items: Iterable[str] = ()
) -> Application:
    """UNDER_REVIEW → NEEDS_REVISION with a reason and the parts to fix (listed in the note)."""
    reason = (reason or "").strip()
    items = [item for item in items if item]
    note = reason
    if reason and items:
        note = (
            reason
            + "\n"
            + _("Bagian yang perlu diperbaiki:")
            + "\n"
            + "\n".join(f"- {item}" for item in items)
        )
    return application_transition(
        application=application,
        to_status=S.NEEDS_REVISION,
        actor=actor,
        note=note,
        reason_code="REVISION",
        expected_from=[S.UNDER_REVIEW],
    )


def application_retry(*, application: Application, actor) -> Application:
    """PROCESSING_FAILED → the step that failed (SUBMITTED or APPROVED), queued again on commit.

    Called from the admin's retry action. A failed issue keeps its certificate number: the
    issue task finds the existing certificate and only renders the PDF again.
    """
    from registry.tasks import certificate_issue_task

    from .tasks import application_calculate_task

    if application.failed_step == "issue":
        to_status, task = S.APPROVED, certificate_issue_task
    else:
        to_status, task = S.SUBMITTED, application_calculate_task
    return application_transition(
        application=application,
        to_status=to_status,
        actor=actor,
        note=_("Pemrosesan diulang oleh petugas."),
        expected_from=[S.PROCESSING_FAILED],
        extra_updates={"failed_step": "", "processing_error": ""},
        on_commit=lambda: enqueue(task, application.pk),
    )
