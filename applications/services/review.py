"""Officials' review decisions (Django admin): mark checked (four eyes), reject, ask for revision.

The approval is not here: it queues the certificate's issue, which belongs to the registry
(``registry.services.issue.application_approve``).
"""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.exceptions import WorkflowError
from applications.models import Application
from applications.reasons import ReasonCode

from .transitions import S, application_transition


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


def application_reject(*, application: Application, actor, reason: str) -> Application:
    """UNDER_REVIEW → REJECTED by an official, with the reason the owner will read (required)."""
    return application_transition(
        application=application,
        to_status=S.REJECTED,
        actor=actor,
        note=reason,
        reason_code=ReasonCode.OFFICIAL_DECISION,
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
        reason_code=ReasonCode.REVISION,
        expected_from=[S.UNDER_REVIEW],
    )
