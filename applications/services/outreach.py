"""Writes of the outreach events: events (officials), registrations (owners), attendance and
reminders. What owners are told when an event changes: ``outreach_notices``.

Capacity is guarded by locking the event row (``select_for_update``) in every service that
changes who holds a place: two owners registering for the last seat, or a cancellation racing a
registration, are serialised on that row, so the count of registered places never exceeds the
capacity and a freed place goes to exactly one waiting owner. On SQLite (no row locks) the
database-wide write lock gives the same order.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.services import mail_queue
from applications.exceptions import EventClosed, WorkflowError
from applications.models import Event, EventChange, Registration
from applications.outreach import event_in_scope

from .outreach_notices import event_change_record, event_snapshot, owner_mail_send

logger = logging.getLogger(__name__)
R = Registration.Status


def _locked_event(event_id: int) -> Event:
    return Event.objects.select_for_update().get(pk=event_id)


def _registered_count(event: Event) -> int:
    return event.registrations.filter(status=R.REGISTERED).count()


def _promote(event: Event, *, free: int) -> list[Registration]:
    """Give up to ``free`` places to the first waiting owners (queue order), within the caller's
    transaction and its lock on the event. Their notice goes out after the commit."""
    promoted = []
    if free <= 0:
        return promoted
    waiting = list(
        event.registrations.select_for_update()
        .filter(status=R.WAITING)
        .order_by("registered_at", "pk")[:free]
    )
    for registration in waiting:
        registration.status = R.REGISTERED
        registration.save(update_fields=["status"])
        promoted.append(registration)
        _mail_on_commit(
            registration,
            subject_template="applications/email_event_promoted_subject.txt",
            body_template="applications/email_event_promoted.txt",
        )
    return promoted


def _mail_on_commit(registration: Registration, *, subject_template: str, body_template: str):
    event = registration.event
    with translation.override(settings.LANGUAGE_CODE):
        mail_queue(
            subject_template=subject_template,
            body_template=body_template,
            context={"registration": registration, "event": event, "base_url": _base_url()},
            to=registration.owner.email,
        )


def _base_url() -> str:
    return settings.SITE_URL


# --- Officials ---------------------------------------------------------------------------------


def event_save(*, event: Event, actor) -> Event:
    """Create or update an event (the admin's save). Called by ``EventAdmin.save_model``.

    Guarantees: the event lies in ``actor``'s jurisdiction (``outreach.event_in_scope``), the
    model's rules hold (``full_clean``), the capacity is not lowered below the places already
    given, a raised capacity promotes waiting owners at once, and a new start time makes the
    reminder due again. Raises ``ValidationError``.
    """
    if not event_in_scope(event=event, user=actor):
        raise ValidationError({"province": _("Acara hanya dapat dibuat untuk wilayah kerja Anda.")})
    with transaction.atomic():
        if event.pk is None:
            event.created_by = actor
            event.full_clean()
            event.save()
            return event
        before = _locked_event(event.pk)
        was = event_snapshot(before)
        taken = _registered_count(event)
        if event.capacity < taken:
            raise ValidationError(
                {
                    "capacity": _(
                        "Sudah ada %(n)d peserta terdaftar; kapasitas tidak dapat lebih kecil."
                    )
                    % {"n": taken}
                }
            )
        event.full_clean()
        event.save()
        if before.starts_at != event.starts_at:
            # Moved to another day: the reminder of the day before is due again.
            event.registrations.update(reminder_sent_at=None)
        _promote(event, free=event.capacity - taken)
        if not before.cancelled and before.ends_at > timezone.now():
            # Owners holding or awaiting a place hear of a new time, place or link (an event
            # that is over or cancelled has nobody left to tell).
            event_change_record(event=event, before=was, kind=EventChange.Kind.CHANGED, actor=actor)
    return event


def event_cancel(*, event: Event, actor) -> bool:
    """Cancel an event (admin action) and tell every owner holding or awaiting a place.

    Idempotent: an event already cancelled is left alone (returns False). An event that is over
    cannot be cancelled any more. Who cancelled and when are kept on the event; the owners get
    one e-mail each after the commit (``outreach_notices``).
    """
    if not event_in_scope(event=event, user=actor):
        raise WorkflowError(_("Acara ini di luar wilayah kerja Anda."))
    with transaction.atomic():
        locked = _locked_event(event.pk)
        if locked.cancelled:
            return False
        now = timezone.now()
        if locked.ends_at <= now:
            raise WorkflowError(_("Acara yang sudah selesai tidak dapat dibatalkan."))
        Event.objects.filter(pk=event.pk).update(
            cancelled=True, cancelled_at=now, cancelled_by=actor, updated_at=now
        )
        event.cancelled, event.cancelled_at, event.cancelled_by = True, now, actor
        snapshot = event_snapshot(locked)
        event_change_record(
            event=locked, before=snapshot, kind=EventChange.Kind.CANCELLED, actor=actor, now=now
        )
    return True


def registration_record_attendance(
    *, registration: Registration, attended: bool, actor
) -> Registration:
    """Mark an owner as present (or not) at an event. Called by the event admin's inline.

    Only an official of the event's region records it, only once the event has started, and only
    for an owner who registered (or waited and came anyway); a cancelled place is refused. Who
    recorded it and when are kept.
    """
    event = Event.objects.get(pk=registration.event_id)  # fresh: its time may have changed
    if not event_in_scope(event=event, user=actor):
        raise WorkflowError(_("Acara ini di luar wilayah kerja Anda."))
    if event.starts_at > timezone.now():
        raise WorkflowError(_("Kehadiran baru dapat dicatat setelah acara dimulai."))
    with transaction.atomic():
        locked = Registration.objects.select_for_update().get(pk=registration.pk)
        if locked.status == R.CANCELLED and attended:
            raise WorkflowError(_("Pendaftaran ini sudah dibatalkan."))
        if locked.attended == attended:
            registration.attended = attended
            return registration
        locked.attended = attended
        locked.attendance_recorded_by = actor
        locked.attendance_recorded_at = timezone.now()
        locked.save(update_fields=["attended", "attendance_recorded_by", "attendance_recorded_at"])
    return locked


def registration_walk_in(*, event: Event, owner, actor) -> Registration:
    """Record that ``owner`` came to ``event`` without a place (the official's "walk-in" at the
    door). Called by the event admin's walk-in page.

    Same rules as recording attendance (an official of the event's region, once the event has
    started) and the event must not be cancelled. An owner who holds or awaits a place is simply
    marked present; anyone else (no row, or a cancelled one) gets a ``WALK_IN`` registration,
    attended, which takes no place of the capacity and counts in the conversion like any
    attendee. Staff accounts are refused. Recording twice changes nothing.
    """
    if not event_in_scope(event=event, user=actor):
        raise WorkflowError(_("Acara ini di luar wilayah kerja Anda."))
    if owner.is_staff:
        raise WorkflowError(_("Akun petugas tidak dapat dicatat sebagai peserta."))
    with transaction.atomic():
        locked = _locked_event(event.pk)
        now = timezone.now()
        if locked.cancelled:
            raise WorkflowError(_("Acara ini dibatalkan oleh penyelenggara."))
        if locked.starts_at > now:
            raise WorkflowError(_("Kehadiran baru dapat dicatat setelah acara dimulai."))
        registration = (
            Registration.objects.select_for_update().filter(event=locked, owner=owner).first()
        )
        if registration is None:
            registration = Registration(event=locked, owner=owner)
        if registration.pk is None or registration.status == R.CANCELLED:
            registration.status = R.WALK_IN
            registration.registered_at = now
            registration.cancelled_at = None
        elif registration.attended:
            return registration
        registration.attended = True
        registration.attendance_recorded_by = actor
        registration.attendance_recorded_at = now
        registration.full_clean(exclude=["event", "owner"])
        registration.save()
    return registration


# --- Owners ------------------------------------------------------------------------------------


def registration_create(*, event: Event, owner) -> Registration:
    """Register ``owner`` for ``event``: a place while the capacity allows, else the waiting
    list. Called by the ``/pelatihan/`` register view.

    Refused (``WorkflowError``): cancelled events, events that have started, staff accounts, and
    an owner who already holds or awaits a place. An owner who cancelled earlier registers
    again on the same row, at the end of the queue.
    """
    if owner.is_staff:
        raise WorkflowError(_("Akun petugas tidak dapat mendaftar sebagai peserta."))
    with transaction.atomic():
        locked = _locked_event(event.pk)
        now = timezone.now()
        if locked.cancelled:
            raise EventClosed(_("Acara ini dibatalkan oleh penyelenggara."))
        if locked.starts_at <= now:
            raise EventClosed(_("Acara ini sudah dimulai atau selesai; pendaftaran ditutup."))
        existing = (
            Registration.objects.select_for_update().filter(event=locked, owner=owner).first()
        )
        if existing is not None and existing.status != R.CANCELLED:
            raise WorkflowError(
                _("Anda sudah terdaftar pada acara ini.")
                if existing.status == R.REGISTERED
                else _("Anda sudah berada di daftar tunggu acara ini.")
            )
        status = R.REGISTERED if _registered_count(locked) < locked.capacity else R.WAITING
        registration = existing or Registration(event=locked, owner=owner)
        registration.status = status
        registration.registered_at = now
        registration.cancelled_at = None
        registration.reminder_sent_at = None
        registration.full_clean(exclude=["event", "owner"])
        registration.save()
    return registration


def registration_cancel(*, registration: Registration, actor) -> Registration:
    """Give up a place (or leave the waiting list). Called by the owner's cancel view.

    A registered place that is freed goes at once to the first owner on the waiting list, in the
    same transaction (the lock on the event row orders concurrent cancellations and
    registrations). Refused once the event has started. Cancelling twice changes nothing.
    """
    with transaction.atomic():
        event = _locked_event(registration.event_id)
        locked = Registration.objects.select_for_update().get(pk=registration.pk)
        if locked.owner_id != getattr(actor, "pk", None):
            raise WorkflowError(_("Pendaftaran ini bukan milik Anda."))
        if locked.status == R.CANCELLED:
            return locked
        if event.starts_at <= timezone.now():
            raise EventClosed(_("Acara ini sudah dimulai; pendaftaran tidak dapat dibatalkan."))
        was_registered = locked.status == R.REGISTERED
        locked.status = R.CANCELLED
        locked.cancelled_at = timezone.now()
        locked.save(update_fields=["status", "cancelled_at"])
        if was_registered and not event.cancelled:
            _promote(event, free=event.capacity - _registered_count(event))
    return locked


# --- Reminders ---------------------------------------------------------------------------------


def registration_remind(*, registration_id: int, now: datetime.datetime | None = None) -> bool:
    """Send the reminder of the day before to one registered owner, at most once.

    Called by the reminder sweep (``applications.tasks.event_reminders_task``). The row is locked
    and its ``reminder_sent_at`` checked and set in the same transaction as the sending: a second
    run, or a second worker, finds it set and sends nothing. If the mail server fails, the
    transaction rolls back and the next sweep tries again. Returns whether a mail was sent.
    """
    now = now or timezone.now()
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update(of=("self",))
            .select_related("event", "owner")
            .filter(pk=registration_id)
            .first()
        )
        if (
            registration is None
            or registration.reminder_sent_at is not None
            or registration.status != R.REGISTERED
            or registration.event.cancelled
            or registration.event.starts_at <= now
        ):
            return False
        context = {
            "registration": registration,
            "event": registration.event,
            "base_url": _base_url(),
        }
        Registration.objects.filter(pk=registration.pk).update(reminder_sent_at=now)
        owner_mail_send(
            to=registration.owner.email,
            subject_template="applications/email_event_reminder_subject.txt",
            body_template="applications/email_event_reminder.txt",
            context=context,
        )
    return True
