"""Owners hear about changes: a new time, place or online link, or a cancellation, reaches every
registered and waiting owner once, in Bahasa Indonesia, old → new; other edits send nothing."""

import datetime
import smtplib
import zoneinfo

from django.core import mail
from django.utils import timezone, translation

import icalendar
import pytest

from applications import services
from applications.models import Event, EventChange, EventChangeNotice, Registration
from applications.outreach import event_changes_pending
from applications.tasks import event_change_notify_task, sweep_stalled_task
from tests.factories import EventFactory, OfficialFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db
R = Registration.Status
WIB = zoneinfo.ZoneInfo("Asia/Jakarta")


@pytest.fixture
def official():
    return OfficialFactory(province_id="32").user


@pytest.fixture
def event():
    start = datetime.datetime(2099, 3, 4, 9, 0, tzinfo=WIB)
    return EventFactory(
        title="Bimtek Rotan Cirebon",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=3),
        place="Aula Dinas",
        online_url="https://meet.example.id/lama",
        capacity=1,
    )


@pytest.fixture
def owners(event):
    """One registered, one waiting, one who cancelled."""
    return {
        "registered": RegistrationFactory(event=event, owner=UserFactory(first_name="Siti")),
        "waiting": RegistrationFactory(event=event, status=R.WAITING),
        "cancelled": RegistrationFactory(event=event, status=R.CANCELLED),
    }


def _save(event, actor, captured, **changes):
    event = Event.objects.get(pk=event.pk)  # the admin's form works on a fresh instance
    for name, value in changes.items():
        setattr(event, name, value)
    with captured(execute=True):
        services.event_save(event=event, actor=actor)
    return event


def _mail_to(registration):
    (message,) = [m for m in mail.outbox if m.to == [registration.owner.email]]
    return message


def test_a_new_time_place_and_link_reach_every_registered_and_waiting_owner_once(
    event, owners, official, django_capture_on_commit_callbacks
):
    new_start = datetime.datetime(2099, 3, 5, 13, 0, tzinfo=WIB)
    with translation.override("en"):  # the official's language: the owners still get Indonesian
        _save(
            event,
            official,
            django_capture_on_commit_callbacks,
            starts_at=new_start,
            ends_at=new_start + datetime.timedelta(hours=2),
            place="Gedung Sate",
            online_url="https://meet.example.id/baru",
        )
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [owners["registered"].owner.email, owners["waiting"].owner.email]
    )
    registered = _mail_to(owners["registered"])
    assert registered.subject == "Perubahan acara: Bimtek Rotan Cirebon"
    body = registered.body
    assert "Yth. Siti" in body
    assert (
        "Waktu: Rabu, 4 Maret 2099, 09.00–12.00 WIB → Kamis, 5 Maret 2099, 13.00–15.00 WIB" in body
    )
    assert "Tempat: Aula Dinas → Gedung Sate" in body
    assert "Tautan daring: https://meet.example.id/lama → https://meet.example.id/baru" in body
    assert f"/pelatihan/{event.public_id}/kalender.ics" in body
    # The waiting owner reads that the link changed, not the link (as on the event page).
    waiting = _mail_to(owners["waiting"]).body
    assert "Tempat: Aula Dinas → Gedung Sate" in waiting
    assert "meet.example.id" not in waiting
    assert "Tautan daring: (hanya untuk peserta terdaftar) → (hanya untuk peserta terdaftar)" in (
        waiting
    )
    assert "daftar tunggu" in waiting

    change = EventChange.objects.get(event=event)
    assert change.kind == EventChange.Kind.CHANGED and change.made_by == official
    assert change.notices.filter(sent_at__isnull=False).count() == 2
    # The task again (a duplicate message, a retry): nothing more goes out.
    assert event_change_notify_task.delay(change.pk).get() == {"sent": 0, "failed": 0}
    assert len(mail.outbox) == 2


@pytest.mark.parametrize(
    "changes",
    [
        {"title": "Judul baru"},
        {"description": "Uraian baru"},
        {"capacity": 5},
        {"partner": "Universitas Padjadjaran"},
        {},
    ],
    ids=["title", "description", "capacity", "partner", "nothing"],
)
def test_a_change_that_touches_no_notified_field_sends_nothing(
    event, owners, official, django_capture_on_commit_callbacks, changes
):
    _save(event, official, django_capture_on_commit_callbacks, **changes)
    assert not EventChange.objects.exists()
    assert [m.subject for m in mail.outbox if "Perubahan" in m.subject] == []


def test_the_same_time_in_another_zone_is_no_change(
    event, owners, official, django_capture_on_commit_callbacks
):
    _save(
        event,
        official,
        django_capture_on_commit_callbacks,
        starts_at=event.starts_at.astimezone(datetime.UTC),
    )
    assert not EventChange.objects.exists() and not mail.outbox


def test_an_event_that_is_over_tells_nobody(
    event, owners, official, django_capture_on_commit_callbacks
):
    past = timezone.now() - datetime.timedelta(days=2)
    Event.objects.filter(pk=event.pk).update(
        starts_at=past, ends_at=past + datetime.timedelta(hours=3)
    )
    _save(event, official, django_capture_on_commit_callbacks, place="Ruang rapat (koreksi)")
    assert not EventChange.objects.exists() and not mail.outbox


def test_cancelling_tells_each_owner_once_with_the_original_time_and_records_who(
    event, owners, official, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert services.event_cancel(event=event, actor=official) is True
    with django_capture_on_commit_callbacks(execute=True):
        assert services.event_cancel(event=event, actor=official) is False
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [owners["registered"].owner.email, owners["waiting"].owner.email]
    )
    message = _mail_to(owners["waiting"])
    assert message.subject == "Acara dibatalkan: Bimtek Rotan Cirebon"
    assert 'acara "Bimtek Rotan Cirebon" dibatalkan' in message.body
    assert "Waktu semula: Rabu, 4 Maret 2099, 09.00–12.00 WIB" in message.body
    event.refresh_from_db()
    assert event.cancelled and event.cancelled_by == official
    assert abs(event.cancelled_at - timezone.now()) < datetime.timedelta(minutes=1)
    assert EventChange.objects.get(event=event).kind == EventChange.Kind.CANCELLED


def test_a_failed_mail_stays_pending_and_the_sweep_sends_it_later(
    event, owners, official, django_capture_on_commit_callbacks, monkeypatch, settings
):
    settings.TKDN_SWEEP_AFTER_SECONDS = 300
    sent = []

    def flaky(*args, recipient_list, **kwargs):
        if recipient_list == [owners["waiting"].owner.email] and not sent:
            sent.append("refused once")
            raise smtplib.SMTPServerDisconnected("down")
        return 1

    monkeypatch.setattr("applications.services.outreach_notices.send_mail", flaky)
    _save(event, official, django_capture_on_commit_callbacks, place="Gedung Sate")
    change = EventChange.objects.get()
    pending = EventChangeNotice.objects.filter(sent_at__isnull=True)
    assert list(pending.values_list("registration", flat=True)) == [owners["waiting"].pk]

    assert event_changes_pending() == []  # not yet: the task's own message may be under way
    EventChange.objects.filter(pk=change.pk).update(
        made_at=timezone.now() - datetime.timedelta(minutes=10)
    )
    assert event_changes_pending() == [change.pk]
    assert sweep_stalled_task.delay().get()["event_changes"] == 1  # eager: sent at once
    assert not pending.exists()
    assert sweep_stalled_task.delay().get()["event_changes"] == 0


def test_notices_of_an_event_that_is_over_are_not_swept(event, owners, official):
    change = EventChange.objects.create(
        event=event,
        kind=EventChange.Kind.CHANGED,
        before={},
        after={},
        made_by=official,
        made_at=timezone.now() - datetime.timedelta(hours=1),
    )
    EventChangeNotice.objects.create(change=change, registration=owners["registered"])
    assert event_changes_pending(older_than_seconds=60) == [change.pk]
    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=3),
        ends_at=timezone.now() - datetime.timedelta(hours=1),
    )
    assert event_changes_pending(older_than_seconds=60) == []


def test_the_event_page_shows_the_change_and_the_calendar_file_a_new_sequence(
    client, event, owners, official, django_capture_on_commit_callbacks
):
    def sequence():
        ics = client.get(f"/pelatihan/{event.public_id}/kalender.ics").content
        return int(icalendar.Calendar.from_ical(ics).walk("VEVENT")[0]["SEQUENCE"])

    assert sequence() == 0
    _save(
        event,
        official,
        django_capture_on_commit_callbacks,
        place="Gedung Sate",
        online_url="https://meet.example.id/baru",
    )
    assert sequence() == 1

    client.force_login(owners["registered"].owner)
    page = client.get(f"/pelatihan/{event.public_id}/").content.decode()
    assert "Diubah oleh penyelenggara" in page
    assert "<del>Aula Dinas</del> → <ins>Gedung Sate</ins>" in page
    assert "<ins>https://meet.example.id/baru</ins>" in page
    client.force_login(owners["waiting"].owner)
    page = client.get(f"/pelatihan/{event.public_id}/").content.decode()
    assert "<del>Aula Dinas</del> → <ins>Gedung Sate</ins>" in page
    assert "meet.example.id" not in page
