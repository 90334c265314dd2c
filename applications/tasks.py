"""Celery tasks of the application workflow: thin, idempotent, retried on transient errors.

Tasks take primary keys, call one service and exit early when the work is already done. They are
queued with ``transaction.on_commit`` through ``tkdnportal.tasks.enqueue`` and imported with a
``_task`` suffix.
"""

import logging
from smtplib import SMTPException

from django.db import OperationalError

from celery import shared_task

from tkdnportal.tasks import enqueue

from . import services
from .models import Application

logger = logging.getLogger(__name__)

# Transient: the database restarted or a lock timed out. Anything else is a bug or bad data and
# is recorded on the application by the service instead of being retried forever.
TRANSIENT_ERRORS = (OperationalError,)


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=2,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=8,
)
def application_calculate_task(self, application_id: int) -> str | None:
    """Compute the TKDN-IK value of a submitted application (``services.application_calculate``)."""
    application = services.application_calculate(application_id=application_id)
    return application.status if application is not None else None


@shared_task(acks_late=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=30, max_retries=3)
def sweep_stalled_task() -> dict[str, int]:
    """Periodic (beat): queue again the calculations whose message was lost.

    An application submitted while the broker was down (``enqueue`` logs and returns) or whose
    message was dropped waits in SUBMITTED. Anything that has waited longer than
    ``TKDN_SWEEP_AFTER_SECONDS`` is queued again; the task is idempotent, so a message that was
    only slow does no harm. The same goes for outreach events' change notices still unsent.
    Approved applications waiting for their certificate are the registry's sweep
    (``registry.tasks.sweep_approved_task``).
    """
    from . import selectors
    from .outreach import event_changes_pending

    counts = {"calculate": 0, "event_changes": 0}
    for application_id in selectors.applications_stalled(status=Application.Status.SUBMITTED):
        counts["calculate"] += enqueue(application_calculate_task, application_id)
    # Event changes whose notices are still unsent (lost message, mail server down).
    for change_id in event_changes_pending():
        counts["event_changes"] += enqueue(event_change_notify_task, change_id)
    return counts


@shared_task(
    acks_late=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=60,
    max_retries=3,
)
def event_reminders_task() -> dict[str, int]:
    """Periodic (beat, hourly): e-mail each owner registered for an event that starts tomorrow.

    Idempotent: ``services.registration_remind`` records the sending on the registration, so a
    second run (or a retry, or two beats) sends nothing twice. A failed mail leaves its
    registration unmarked for the next run; the others still go out.
    """
    from .outreach import registrations_due_reminder

    counts = {"sent": 0, "failed": 0}
    for registration_id in registrations_due_reminder():
        try:
            if services.registration_remind(registration_id=registration_id):
                counts["sent"] += 1
        except (SMTPException, OSError):
            logger.warning("Reminder %s not sent; next run retries", registration_id, exc_info=True)
            counts["failed"] += 1
    return counts


@shared_task(acks_late=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=60, max_retries=3)
def event_change_notify_task(change_id: int) -> dict[str, int]:
    """Tell every owner of an event about one change (new time, place or link, or the
    cancellation): ``services.event_change_notify``. Queued on commit of the change.

    Idempotent: each notice is marked sent in the transaction that sends it, so a duplicate
    message sends only what is still pending. A mail that failed stays pending: the sweep
    (``sweep_stalled_task``) queues the change again until the event is over.
    """
    return services.event_change_notify(change_id=change_id)
