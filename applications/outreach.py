"""Reads of the outreach events (sosialisasi / bimtek): listings, region scope and conversion.

The writes live in ``applications.services.outreach``. ``events_with_conversion`` and
``event_conversion_rows`` are the figures of "events and their conversion" for the admin
changelist and the programme dashboard:

- ``registered_count`` / ``waiting_count``: registrations now registered / on the waiting list;
- ``attended_count``: registrations marked as attended;
- ``started_count``: applications created at or after the event's start by the company of an
  attendee (an owner has one company, ``Company.owner``);
- ``submitted_count``: of those, the ones ever submitted (``submitted_at`` is set);
- ``issued_count``: of those, the ones that reached a certificate (ISSUED, and what follows it:
  EXTENDED, EXPIRED, REVOKED).

An application counts for every event its owner attended before creating it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import (
    Case,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from .formatting import format_datetime_range
from .models import Application, Event, EventChange, EventChangeNotice, Registration
from .selectors import sees_every_region

S = Application.Status
# A certificate was issued for the application (the states that only follow ISSUED).
ISSUED_STATUSES = (S.ISSUED, S.EXTENDED, S.EXPIRED, S.REVOKED)


class SubqueryCount(Subquery):
    """``(SELECT count(*) FROM (<subquery>))``: a correlated count that needs no GROUP BY, so
    several of them on one queryset never multiply each other (as joined ``Count``\\ s would).
    Standard SQL: works on PostgreSQL and SQLite alike."""

    template = "(SELECT count(*) FROM (%(subquery)s) _count)"
    output_field = IntegerField()


# --- Region scope ----------------------------------------------------------------------------


def official_of(user):
    """The ``Official`` row of a staff user, or None."""
    if not getattr(user, "is_authenticated", False) or not user.is_staff:
        return None
    return getattr(user, "official", None)


def events_visible_to(user) -> QuerySet[Event]:
    """The events ``user`` manages in the admin: the one scope rule for events.

    Superusers and national administrators: all. A dinas official: the events of their
    jurisdiction (their regency, or any regency of their province); national online events (no
    province) belong to the national administrators. Anyone else: none.
    """
    qs = Event.objects.select_related("province", "regency")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if sees_every_region(user):
        return qs
    official = official_of(user)
    if official is None:
        return qs.none()
    if official.regency_id:
        return qs.filter(regency_id=official.regency_id)
    return qs.filter(province_id=official.province_id)


def event_in_scope(*, event: Event, user) -> bool:
    """Whether ``event`` (saved or not) lies in ``user``'s jurisdiction (checked on save)."""
    if sees_every_region(user):
        return True
    official = official_of(user)
    if official is None:
        return False
    if official.regency_id:
        return event.regency_id == official.regency_id
    return event.province_id == official.province_id


# --- Public listing --------------------------------------------------------------------------


def events_upcoming(*, now: datetime.datetime | None = None) -> QuerySet[Event]:
    """Events not cancelled and not yet over, soonest first."""
    now = now or timezone.now()
    return (
        Event.objects.filter(cancelled=False, ends_at__gt=now)
        .select_related("province", "regency")
        .order_by("starts_at", "id")
    )


def events_upcoming_for(user, *, now: datetime.datetime | None = None) -> QuerySet[Event]:
    """Upcoming events, nearest to ``user``'s company first: its regency, then its province,
    then the rest (other regions and national online events); soonest first within each.

    Each event carries ``proximity`` (0 regency, 1 province, 2 other) and ``seats_taken``.
    """
    company = getattr(user, "company", None) if getattr(user, "is_authenticated", False) else None
    qs = events_upcoming(now=now).annotate(
        seats_taken=SubqueryCount(
            Registration.objects.filter(
                event=OuterRef("pk"), status=Registration.Status.REGISTERED
            ).values("pk")
        )
    )
    if company is None:
        return qs.annotate(proximity=Value(2, output_field=IntegerField()))
    return qs.annotate(
        proximity=Case(
            When(regency_id=company.regency_id, then=Value(0)),
            When(province_id=company.province_id, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    ).order_by("proximity", "starts_at", "id")


def seats_taken(event: Event) -> int:
    return event.registrations.filter(status=Registration.Status.REGISTERED).count()


def registrations_of(user) -> QuerySet[Registration]:
    """``user``'s registrations that are not cancelled, for events not yet over."""
    if not getattr(user, "is_authenticated", False):
        return Registration.objects.none()
    return (
        Registration.objects.filter(owner=user, event__ends_at__gt=timezone.now())
        .exclude(status=Registration.Status.CANCELLED)
        .select_related("event", "event__province", "event__regency")
        .order_by("event__starts_at")
    )


def waiting_position(registration: Registration) -> int | None:
    """1-based place of a waiting registration in its event's queue (None if not waiting)."""
    if registration.status != Registration.Status.WAITING:
        return None
    ahead = Registration.objects.filter(
        event_id=registration.event_id, status=Registration.Status.WAITING
    ).filter(
        Q(registered_at__lt=registration.registered_at)
        | Q(registered_at=registration.registered_at, pk__lt=registration.pk)
    )
    return ahead.count() + 1


# --- Conversion ------------------------------------------------------------------------------


def _attendee_applications():
    """Applications of the company of an attendee of the outer event, created at or after the
    event's start (the attribution rule of the module docstring)."""
    attended = Registration.objects.filter(event=OuterRef(OuterRef("pk")), attended=True).values(
        "owner_id"
    )
    return Application.objects.filter(
        product__company__owner_id__in=attended,
        created_at__gte=OuterRef("starts_at"),
    )


def events_with_conversion(qs: QuerySet[Event]) -> QuerySet[Event]:
    """``qs`` annotated with the conversion figures named in the module docstring."""

    def registrations(**filters):
        return SubqueryCount(
            Registration.objects.filter(event=OuterRef("pk"), **filters).values("pk")
        )

    def applications(**filters):
        return SubqueryCount(_attendee_applications().filter(**filters).values("pk"))

    return qs.annotate(
        registered_count=registrations(status=Registration.Status.REGISTERED),
        waiting_count=registrations(status=Registration.Status.WAITING),
        attended_count=registrations(attended=True),
        started_count=applications(),
        submitted_count=applications(submitted_at__isnull=False),
        issued_count=applications(status__in=ISSUED_STATUSES),
    )


@dataclass(frozen=True)
class EventConversion:
    """One event's conversion, as the programme dashboard shows it."""

    event_id: int
    public_id: str
    title: str
    kind: str
    starts_at: datetime.datetime
    region: str
    cancelled: bool
    capacity: int
    registered: int
    waiting: int
    attended: int
    applications_started: int
    applications_submitted: int
    certificates_issued: int


def event_conversion_rows(*, user, year: int | None = None) -> list[EventConversion]:
    """Conversion of every event ``user`` may see (``events_visible_to``), oldest first;
    only the events starting in ``year`` (local time, Asia/Jakarta) when given.

    For the programme dashboard (issue 15): one query, whatever the number of events.
    """
    qs = events_visible_to(user)
    if year is not None:
        qs = qs.filter(starts_at__year=year)
    rows = []
    for event in events_with_conversion(qs).order_by("starts_at", "id"):
        rows.append(
            EventConversion(
                event_id=event.pk,
                public_id=str(event.public_id),
                title=event.title,
                kind=event.get_kind_display(),
                starts_at=event.starts_at,
                region=str(event.regency or event.province or ""),
                cancelled=event.cancelled,
                capacity=event.capacity,
                registered=event.registered_count,
                waiting=event.waiting_count,
                attended=event.attended_count,
                applications_started=event.started_count,
                applications_submitted=event.submitted_count,
                certificates_issued=event.issued_count,
            )
        )
    return rows


def registrations_due_reminder(*, now: datetime.datetime | None = None) -> list[int]:
    """Ids of registered places whose event starts tomorrow (local date, Asia/Jakarta) and
    whose reminder has not been sent. For the reminder sweep (``event_reminders_task``)."""
    now = now or timezone.now()
    tomorrow = timezone.localdate(now) + datetime.timedelta(days=1)
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(tomorrow, datetime.time.min, tzinfo=tz)
    end = start + datetime.timedelta(days=1)
    return list(
        Registration.objects.filter(
            status=Registration.Status.REGISTERED,
            reminder_sent_at__isnull=True,
            event__cancelled=False,
            event__starts_at__gte=start,
            event__starts_at__lt=end,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


# --- Changes the owners are told about ---------------------------------------------------------


@dataclass(frozen=True)
class ChangeLine:
    """One changed thing of an event, in the active language: "Tempat: Aula A → Aula B"."""

    label: str
    old: str
    new: str


def _instant(value: str | None) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(value) if value else None


def event_when(values: dict) -> str:
    """The time of an ``EventChange.before``/``after`` snapshot, as the e-mails write it."""
    return format_datetime_range(_instant(values.get("starts_at")), _instant(values.get("ends_at")))


def event_change_lines(change: EventChange, *, show_link: bool) -> list[ChangeLine]:
    """What a change changed, old → new (formatted by ``applications.formatting``); nothing for
    a cancellation. The online link's values only with ``show_link`` (for a registered owner, as
    on the event page); anyone else reads that the link changed, not the link."""
    before, after = change.before, change.after
    lines = []
    if any(_instant(before[f]) != _instant(after[f]) for f in ("starts_at", "ends_at")):
        lines.append(ChangeLine(_("Waktu"), event_when(before), event_when(after)))
    if before["place"] != after["place"]:
        lines.append(ChangeLine(_("Tempat"), before["place"] or "—", after["place"] or "—"))
    if before["online_url"] != after["online_url"]:

        def link(value):
            if not value:
                return "—"
            return value if show_link else _("(hanya untuk peserta terdaftar)")

        lines.append(
            ChangeLine(_("Tautan daring"), link(before["online_url"]), link(after["online_url"]))
        )
    return lines


def event_changes_shown(event: Event, *, show_link: bool, limit: int = 5) -> list[dict]:
    """The latest changes of ``event`` for its page (newest first): when, and the lines."""
    changes = event.changes.filter(kind=EventChange.Kind.CHANGED).order_by("-made_at", "-pk")
    return [
        {"made_at": change.made_at, "lines": event_change_lines(change, show_link=show_link)}
        for change in changes[:limit]
    ]


def event_changes_pending(*, older_than_seconds: int | None = None) -> list[int]:
    """Ids of changes with notices still unsent after ``TKDN_SWEEP_AFTER_SECONDS`` (the broker
    was down at the commit, or the mail server refused), of events not over yet (news of an
    event that is over helps nobody; it also ends the retries of an address that keeps
    failing). For the periodic sweep (``applications.tasks.sweep_stalled_task``)."""
    from django.conf import settings

    seconds = (
        older_than_seconds if older_than_seconds is not None else settings.TKDN_SWEEP_AFTER_SECONDS
    )
    now = timezone.now()
    cutoff = now - datetime.timedelta(seconds=seconds)
    return list(
        EventChangeNotice.objects.filter(
            sent_at__isnull=True, change__made_at__lt=cutoff, change__event__ends_at__gt=now
        )
        .order_by("change_id")
        .values_list("change_id", flat=True)
        .distinct()[:500]
    )
