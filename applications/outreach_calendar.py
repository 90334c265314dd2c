"""The calendar file (.ics, RFC 5545) of an outreach event, built with ``icalendar``.

Times are written in Asia/Jakarta (WIB) with the VTIMEZONE the library derives from the zone
database, so calendar programs show the local time of the event whatever the phone's zone. The
UID is derived from the event's public id and never changes, so importing the file again (after
a change of time or place) updates the entry instead of adding a second one. ``icalendar`` escapes
commas, semicolons, backslashes and new lines in text values and folds long lines. The file is
public: an online event's meeting link is left out (registered owners get it on the event page
and in the reminder).
"""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

import icalendar

from .models import Event

WIB = zoneinfo.ZoneInfo("Asia/Jakarta")
PRODID = "-//Portal TKDN-IK//Acara Pelatihan//ID"


def event_uid(event: Event) -> str:
    return f"event-{event.public_id}@tkdn-ik"


def event_ics(event: Event) -> bytes:
    """The event as a one-event VCALENDAR; a cancelled event is sent as STATUS:CANCELLED."""
    url = settings.SITE_URL + reverse("outreach:event_detail", args=[event.public_id])
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    vevent = icalendar.Event()
    vevent.add("uid", event_uid(event))
    vevent.add("dtstamp", timezone.now().astimezone(zoneinfo.ZoneInfo("UTC")))
    vevent.add("last-modified", event.updated_at.astimezone(zoneinfo.ZoneInfo("UTC")))
    # RFC 5545 §3.8.7.4: a calendar replaces its copy only when the sequence grows; it grows
    # with each change the owners were told about (new time, place or link, cancellation).
    vevent.add("sequence", event.changes.count())
    vevent.add("dtstart", event.starts_at.astimezone(WIB))
    vevent.add("dtend", event.ends_at.astimezone(WIB))
    vevent.add("summary", event.title)
    description = [event.get_kind_display()]
    if event.partner:
        description.append(_("Mitra: %(partner)s") % {"partner": event.partner})
    if event.description:
        description.append(event.description)
    if event.online_url:
        # The meeting link is for registered owners (event page, reminder e-mail), not the
        # public file.
        description.append(_("Tautan daring untuk peserta terdaftar: lihat halaman acara."))
    description.append(url)
    vevent.add("description", "\n\n".join(description))
    vevent.add("location", event.place or _("Daring"))
    vevent.add("url", url)
    vevent.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
    cal.add_component(vevent)
    cal.add_missing_timezones()
    return cal.to_ical()
