"""Celery tasks of the application workflow: thin, idempotent, retried on transient errors.

Tasks take primary keys, call one service and exit early when the work is already done. They are
queued with ``transaction.on_commit`` through ``tkdnportal.tasks.enqueue`` and imported with a
``_task`` suffix.
"""

from django.db import OperationalError

from celery import shared_task

from tkdnportal.tasks import enqueue

from . import services
from .models import Application

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
    only slow does no harm. Approved applications waiting for their certificate are the
    registry's sweep (``registry.tasks.sweep_approved_task``).
    """
    from . import selectors

    counts = {"calculate": 0}
    for application_id in selectors.applications_stalled(status=Application.Status.SUBMITTED):
        counts["calculate"] += enqueue(application_calculate_task, application_id)
    return counts
