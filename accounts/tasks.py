"""Account e-mails, sent by the worker.

The request that asks for a confirmation link, a password reset or a registration only renders the
message and queues it (``transaction.on_commit`` → ``tkdnportal.tasks.enqueue``): talking to the
mail server takes time, and a request that does it only for registered addresses would tell an
observer which addresses are registered.
"""

from smtplib import SMTPException

from django.conf import settings
from django.core.mail import send_mail

from celery import shared_task


@shared_task(
    acks_late=True,
    autoretry_for=(SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=5,
)
def mail_send_task(subject: str, body: str, to: str) -> None:
    """Send one plain-text e-mail. Retried while the mail server is unreachable; a message lost
    with the broker is asked for again by the owner (the pages say to retry after a while)."""
    send_mail(
        subject=subject, message=body, from_email=settings.DEFAULT_FROM_EMAIL, recipient_list=[to]
    )
