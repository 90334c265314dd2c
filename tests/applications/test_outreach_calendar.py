"""The .ics file of an event: WIB times, a stable UID, escaped text, public and without the
meeting link."""

import datetime
import zoneinfo

from django.urls import reverse

import icalendar
import pytest

from applications.models import Event
from applications.outreach_calendar import event_uid
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db
WIB = zoneinfo.ZoneInfo("Asia/Jakarta")


def _ics(client, event):
    response = client.get(reverse("outreach:event_calendar", args=[event.public_id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    return response.content


def test_ics_has_wib_times_a_stable_uid_and_escaped_text(client):
    event = EventFactory(
        title="Bimtek TKDN-IK; kayu, rotan & bambu",
        description="Baris satu\nBaris dua, dengan koma; dan titik koma \\ garis miring",
        starts_at=datetime.datetime(2027, 3, 4, 9, 0, tzinfo=WIB),
        ends_at=datetime.datetime(2027, 3, 4, 15, 30, tzinfo=WIB),
        place="Aula Dinas, Jl. Asia Afrika No. 1; Lantai 2",
        partner="Politeknik Negeri Bandung",
    )
    raw = _ics(client, event)
    text = raw.decode()
    # Times in Asia/Jakarta with its VTIMEZONE, never floating or shifted to UTC.
    assert "DTSTART;TZID=Asia/Jakarta:20270304T090000" in text
    assert "DTEND;TZID=Asia/Jakarta:20270304T153000" in text
    assert "BEGIN:VTIMEZONE" in text and "TZID:Asia/Jakarta" in text
    # RFC 5545 escaping of text values: commas, semicolons, backslashes, new lines.
    unfolded = text.replace("\r\n ", "")
    assert "SUMMARY:Bimtek TKDN-IK\\; kayu\\, rotan & bambu" in unfolded
    assert "LOCATION:Aula Dinas\\, Jl. Asia Afrika No. 1\\; Lantai 2" in unfolded
    assert "Baris satu\\nBaris dua\\, dengan koma\\; dan titik koma \\\\ garis miring" in unfolded
    # Lines are folded at 75 octets.
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))

    cal = icalendar.Calendar.from_ical(raw)
    (vevent,) = cal.walk("VEVENT")
    assert str(vevent["UID"]) == event_uid(event) == f"event-{event.public_id}@tkdn-ik"
    assert vevent.decoded("DTSTART") == datetime.datetime(2027, 3, 4, 9, 0, tzinfo=WIB)
    assert vevent.decoded("DTSTART").utcoffset() == datetime.timedelta(hours=7)
    assert str(vevent["SUMMARY"]) == event.title
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert "Politeknik Negeri Bandung" in str(vevent["DESCRIPTION"])
    assert str(event.public_id) in str(vevent["URL"])

    # The UID does not change when the event is edited; a cancelled event says so.
    Event.objects.filter(pk=event.pk).update(title="Judul baru", cancelled=True)
    event.refresh_from_db()
    (again,) = icalendar.Calendar.from_ical(_ics(client, event)).walk("VEVENT")
    assert str(again["UID"]) == str(vevent["UID"])
    assert str(again["STATUS"]) == "CANCELLED"


def test_public_ics_of_an_online_event_leaves_the_meeting_link_out(client):
    event = EventFactory(
        place="", province_id=None, regency_id=None, online_url="https://meet.example.id/rahasia"
    )
    raw = _ics(client, event)
    assert b"meet.example.id" not in raw
    (vevent,) = icalendar.Calendar.from_ical(raw).walk("VEVENT")
    assert str(vevent["LOCATION"]) == "Daring"


def test_unknown_event_is_404(client):
    url = reverse("outreach:event_calendar", args=["8a0f3c0e-0000-4000-8000-000000000000"])
    assert client.get(url).status_code == 404
