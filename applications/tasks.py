"""Celery tasks of the application workflow: thin, idempotent, retried on transient errors.

Tasks take primary keys, call one service and exit early when the work is already done. They are
queued with ``transaction.on_commit`` through ``services.enqueue`` and imported with a ``_task``
suffix.
"""

from django.db import OperationalError

from celery import shared_task

from . import services

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
