"""Celery tasks of the registry: issue (number → PDF → ISSUED), re-render, e-mail, expiry.

Thin and idempotent: they take primary keys and call ``registry.services``, which exit early when
the work is done (certificate exists, PDF stored, application already ISSUED). Only transient
errors (database restarts, lock timeouts, a full or unreachable disk) are retried, with
exponential backoff and a limit; anything else, or retries running out, is recorded on the
application as PROCESSING_FAILED with a retry action in the admin.
"""

import logging

from django.db import InterfaceError, OperationalError

from celery import shared_task

from applications.exceptions import WorkflowError
from applications.models import Application
from tkdnportal.tasks import enqueue

from . import services

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS = (OperationalError, InterfaceError, TimeoutError, ConnectionError)
MAX_RETRIES = 5


def _backoff(retries: int) -> int:
    return min(2 ** (retries + 1), 120)


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def certificate_issue_task(self, application_id: int) -> str | None:
    """Issue the certificate of an APPROVED application: number and snapshot, PDF, ISSUED, e-mail.

    Queued on commit of an approval (and by ``sweep_approved_task`` or the admin's retry).
    Running it twice never creates a second certificate or takes a second number.
    """
    try:
        certificate = services.certificate_issue(application_id=application_id)
        services.certificate_render_pdf(certificate_id=certificate.pk)
        application = services.certificate_complete_issue(application_id=application_id)
    except WorkflowError as exc:
        # Not (or no longer) APPROVED: withdrawn, already failed, or a duplicate message.
        logger.info("Issue of application %s skipped: %s", application_id, exc)
        return None
    except TRANSIENT_ERRORS as exc:
        if self.request.retries >= self.max_retries:
            services.certificate_issue_failed(application_id=application_id, error=repr(exc))
            return "PROCESSING_FAILED"
        raise self.retry(exc=exc, countdown=_backoff(self.request.retries)) from exc
    except Exception as exc:
        logger.exception("Issue of application %s failed", application_id)
        services.certificate_issue_failed(application_id=application_id, error=repr(exc))
        return "PROCESSING_FAILED"
    return application.status if application is not None else None


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=2,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
)
def certificate_render_pdf_task(self, certificate_id: int, force: bool = False) -> str:
    """Render (or, after an extension, re-render) a certificate's PDF; returns its SHA-256."""
    return services.certificate_render_pdf(certificate_id=certificate_id, force=force).pdf_sha256


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(*TRANSIENT_ERRORS, OSError),
    retry_backoff=10,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
)
def certificate_email_task(self, certificate_id: int) -> bool:
    """E-mail the owner that the certificate is issued (SMTP errors are OSErrors: retried)."""
    return services.certificate_email_owner(certificate_id=certificate_id)


@shared_task(acks_late=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=30, max_retries=3)
def certificates_expire_task() -> int:
    """Periodic (beat): move applications whose certificate has run out to EXPIRED."""
    return services.certificates_expire()


@shared_task(acks_late=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=30, max_retries=3)
def registry_statistics_refresh_task() -> int:
    """Recompute the public statistics into the cache (celery beat, every 15 minutes).

    The statistics page only reads the cache, so no request ever aggregates the whole register.
    Idempotent: a second run just writes the same numbers again.
    """
    from .selectors import registry_statistics_refresh

    return registry_statistics_refresh()["totals"]["total"]


@shared_task(acks_late=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=30, max_retries=3)
def sweep_approved_task() -> dict[str, int]:
    """Periodic (beat): queue again the issues whose message was lost.

    An application approved while the broker was down (``enqueue`` logs and returns) or whose
    message was dropped waits in APPROVED. Anything that has waited longer than
    ``TKDN_SWEEP_AFTER_SECONDS`` is queued again; ``certificate_issue_task`` is idempotent, so a
    message that was only slow does no harm. Submitted applications waiting for their
    calculation are the applications' sweep (``applications.tasks.sweep_stalled_task``).
    """
    from applications.selectors import applications_stalled

    counts = {"issue": 0}
    for application_id in applications_stalled(status=Application.Status.APPROVED):
        counts["issue"] += enqueue(certificate_issue_task, application_id)
    return counts


@shared_task(acks_late=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=30, max_retries=3)
def certificate_reminders_sweep_task() -> int:
    """Periodic (beat, daily): claim the expiry reminders due today and queue their e-mails.

    Idempotent: a reminder step is claimed once (unique row), so running it twice sends nothing
    twice.
    """
    return services.certificate_reminders_sweep()


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(*TRANSIENT_ERRORS, OSError),
    retry_backoff=10,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
)
def certificate_reminder_send_task(self, reminder_id: int) -> bool:
    """Send one expiry reminder e-mail (exits early when it was already sent)."""
    return services.certificate_reminder_send(reminder_id=reminder_id)
