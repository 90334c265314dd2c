"""Outreach events for owners and the public: ``/pelatihan/``.

Anyone may read the list, an event and its calendar file; registering and cancelling need a
signed-in owner account and a POST (plain forms: they work without JavaScript). Views are thin:
they call ``applications.services.outreach`` and redirect back to the event with a message.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import services
from .exceptions import WorkflowError
from .models import Event, Registration
from .outreach import event_changes_shown, events_upcoming_for, seats_taken, waiting_position
from .outreach_calendar import event_ics

R = Registration.Status


def _event(public_id) -> Event:
    return get_object_or_404(
        Event.objects.select_related("province", "regency"), public_id=public_id
    )


@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    """Upcoming events, nearest to the owner's company first (regency, province, the rest)."""
    events = list(events_upcoming_for(request.user))
    mine = {}
    if request.user.is_authenticated:
        mine = {
            r.event_id: r
            for r in Registration.objects.filter(
                owner=request.user, event__in=[e.pk for e in events]
            ).exclude(status=R.CANCELLED)
        }
    company = getattr(request.user, "company", None) if request.user.is_authenticated else None
    groups = []
    titles = {
        0: _("Di kabupaten/kota Anda"),
        1: _("Di provinsi Anda"),
        2: _("Wilayah lain dan daring") if company else "",
    }
    for event in events:
        event.my_registration = mine.get(event.pk)
        event.seats_left = max(event.capacity - event.seats_taken, 0)
        if not groups or groups[-1]["proximity"] != event.proximity:
            groups.append(
                {"proximity": event.proximity, "title": titles[event.proximity], "events": []}
            )
        groups[-1]["events"].append(event)
    return render(
        request,
        "applications/event_list.html",
        {"groups": groups, "company": company, "has_events": bool(events)},
    )


@require_GET
def event_detail(request: HttpRequest, public_id) -> HttpResponse:
    event = _event(public_id)
    registration = None
    if request.user.is_authenticated:
        registration = (
            Registration.objects.filter(event=event, owner=request.user)
            .exclude(status=R.CANCELLED)
            .first()
        )
    now = timezone.now()
    taken = seats_taken(event)
    registered = registration is not None and registration.status == R.REGISTERED
    return render(
        request,
        "applications/event_detail.html",
        {
            "event": event,
            "registration": registration,
            # What the organisers changed, old → new (the online link's values: registered only).
            "changes": [] if event.cancelled else event_changes_shown(event, show_link=registered),
            "position": waiting_position(registration) if registration else None,
            "seats_left": max(event.capacity - taken, 0),
            "is_full": taken >= event.capacity,
            "is_open": not event.cancelled and event.starts_at > now,
            "is_over": event.ends_at <= now,
        },
    )


@require_GET
def event_calendar(request: HttpRequest, public_id) -> HttpResponse:
    """The event as an .ics file (a calendar entry for phones and desktop calendars)."""
    event = _event(public_id)
    response = HttpResponse(event_ics(event), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="acara-{event.public_id}.ics"'
    return response


@login_required
@require_POST
def event_register(request: HttpRequest, public_id) -> HttpResponse:
    event = _event(public_id)
    try:
        registration = services.registration_create(event=event, owner=request.user)
    except WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        if registration.status == R.REGISTERED:
            messages.success(
                request,
                _("Anda terdaftar. Pengingat dikirim ke %(email)s sehari sebelum acara.")
                % {"email": request.user.email},
            )
        else:
            messages.info(
                request,
                _(
                    "Kuota penuh: Anda masuk daftar tunggu (urutan ke-%(n)d). Bila ada peserta "
                    "yang batal, Anda otomatis mendapat tempat dan diberi tahu lewat e-mail."
                )
                % {"n": waiting_position(registration)},
            )
    return redirect("outreach:event_detail", public_id=event.public_id)


@login_required
@require_POST
def event_cancel_registration(request: HttpRequest, public_id) -> HttpResponse:
    event = _event(public_id)
    registration = Registration.objects.filter(event=event, owner=request.user).first()
    if registration is None:
        raise Http404
    try:
        services.registration_cancel(registration=registration, actor=request.user)
    except WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Pendaftaran Anda dibatalkan."))
    return redirect("outreach:event_detail", public_id=event.public_id)
