"""Telling the owners of an event that it changed: its time, place or online link, or that it
was cancelled (issue 15's follow-up).

``event_change_record`` is called by ``event_save`` and ``event_cancel`` inside their
transaction: it writes the ``EventChange`` and one ``EventChangeNotice`` per owner holding or
awaiting a place at that moment, and queues ``event_change_notify_task`` after the commit. The
task sends each notice once: ``event_change_notice_send`` locks the notice, checks and sets
``sent_at`` and sends in one transaction (as the reminder of the day before does), so a retry,
a second worker or the sweep (``sweep_stalled_task``) never sends a notice twice, and a notice
whose mail failed stays pending for the sweep (until the event is over).
"""

from __future__ import annotations

import datetime
import logging
from smtplib import SMTPException

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation

from accounts.services import mail_render
from applications.models import Event, EventChange, EventChangeNotice, Registration
from applications.outreach import event_change_lines, event_when
from tkdnportal.tasks import enqueue

logger = logging.getLogger(__name__)
R = Registration.Status


def owner_mail_send(*, to: str, subject_template: str, body_template: str, context: dict) -> None:
    """Render an e-mail to an owner and send it now (the worker's e-mails: the reminder of the
    day before, the change notices). The project stores no language per account: owners get
    the portal's language."""
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = mail_render(
            subject_template=subject_template, body_template=body_template, context=context
        )
    send_mail(
        subject=subject, message=body, from_email=settings.DEFAULT_FROM_EMAIL, recipient_list=[to]
    )


def event_snapshot(event: Event) -> dict:
    """``Event.NOTIFIED_FIELDS`` as JSON: date-times in UTC, ISO 8601 (equal instants compare
    equal whatever zone the form gave them in)."""
    values = {}
    for name in Event.NOTIFIED_FIELDS:
        value = getattr(event, name)
        if isinstance(value, datetime.datetime):
            value = value.astimezone(datetime.UTC).isoformat()
        values[name] = value
    return values


def event_change_record(
    *, event: Event, before: dict, kind: str, actor, now: datetime.datetime | None = None
) -> EventChange | None:
    """Record a change of ``event`` (its fields are the new ones; ``before`` is
    ``event_snapshot`` of the old row) and queue the notices. Call inside the transaction that
    holds the event's lock. A ``CHANGED`` that touches none of ``Event.NOTIFIED_FIELDS`` records
    nothing and returns None."""
    after = event_snapshot(event)
    if kind == EventChange.Kind.CHANGED and after == before:
        return None
    change = EventChange.objects.create(
        event=event,
        kind=kind,
        before=before,
        after=after,
        made_by=actor,
        made_at=now or timezone.now(),
    )
    recipients = event.registrations.filter(status__in=[R.REGISTERED, R.WAITING])
    EventChangeNotice.objects.bulk_create(
        EventChangeNotice(change=change, registration=registration)
        for registration in recipients.order_by("pk")
    )
    if change.notices.exists():
        from applications.tasks import event_change_notify_task

        transaction.on_commit(lambda: enqueue(event_change_notify_task, change.pk))
    return change


def event_change_notify(*, change_id: int) -> dict[str, int]:
    """Send every notice of a change that is not sent yet. Called by
    ``event_change_notify_task``. A mail that fails is logged and left pending; the others still
    go out. Returns the counts of notices sent and failed."""
    counts = {"sent": 0, "failed": 0}
    pending = EventChangeNotice.objects.filter(change_id=change_id, sent_at__isnull=True)
    for notice_id in pending.order_by("pk").values_list("pk", flat=True):
        try:
            if event_change_notice_send(notice_id=notice_id):
                counts["sent"] += 1
        except (SMTPException, OSError):
            logger.warning(
                "Event change notice %s not sent; the sweep retries", notice_id, exc_info=True
            )
            counts["failed"] += 1
    return counts


def event_change_notice_send(*, notice_id: int) -> bool:
    """Send one notice, at most once (the row is locked, ``sent_at`` checked and set in the
    transaction that sends; a failed mail rolls it back). Returns whether a mail was sent."""
    with transaction.atomic():
        notice = (
            EventChangeNotice.objects.select_for_update(of=("self",))
            .select_related("change__event__regency", "registration__owner")
            .filter(pk=notice_id)
            .first()
        )
        if notice is None or notice.sent_at is not None:
            return False
        change, registration = notice.change, notice.registration
        # The lines are worded and formatted in the portal's language, as the e-mail is.
        with translation.override(settings.LANGUAGE_CODE):
            context = {
                "change": change,
                "event": change.event,
                "registration": registration,
                "base_url": settings.SITE_URL,
                "when_before": event_when(change.before),
                # Only a registered owner sees the online link (as on the event page).
                "lines": event_change_lines(change, show_link=registration.status == R.REGISTERED),
            }
        EventChangeNotice.objects.filter(pk=notice.pk).update(sent_at=timezone.now())
        owner_mail_send(
            to=registration.owner.email,
            subject_template="applications/email_event_changed_subject.txt",
            body_template="applications/email_event_changed.txt",
            context=context,
        )
    return True
