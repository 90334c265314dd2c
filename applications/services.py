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
        note = reason + "\n" + _("Bagian yang perlu diperbaiki:") + "\n" + "\n".join(
            f"- {item}" for item in items
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
