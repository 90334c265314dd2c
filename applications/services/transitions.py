"""The one function that changes ``Application.status``, and the table of allowed moves.

Transitions follow domain spec §5. Each one runs in a durable transaction, updates the row with a
filter on the expected status (0 rows updated = someone else acted first), writes a history row
(from, to, who, when, why) and queues side effects with ``transaction.on_commit``. Every other
service (here, in ``registry.services``) changes a status by calling ``application_transition``.
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from applications.exceptions import IllegalTransition, ReasonRequired, TransitionConflict
from applications.models import Application, Company, StatusChange

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


def company_lock(*, company_id: int | None) -> None:
    """Lock a company's row until the transaction ends (``FOR NO KEY UPDATE``).

    The first lock of any write that also locks the company's applications or certificates
    (issue, revoke, extend). A move of the company's factory locks the company first, then, by
    triggers, its products, applications and certificates (their copies of its region:
    applications migrations 0012-0013, registry 0008); locking them in another order would
    deadlock with a move, and reading the company unlocked would copy a region a concurrent
    move is changing. ``None`` (no such row) locks nothing."""
    if company_id is not None:
        list(
            Company.objects.select_for_update(no_key=True)
            .filter(pk=company_id)
            .values_list("pk", flat=True)
        )
