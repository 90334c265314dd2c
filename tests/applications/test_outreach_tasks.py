"""The reminder of the day before: sent once per registration, whatever the number of runs."""

import datetime
import smtplib
import zoneinfo

from django.core import mail
from django.utils import timezone

import pytest

from applications import services
from applications.models import Event, Registration
from applications.outreach import registrations_due_reminder
from applications.tasks import event_reminders_task
from tests.factories import EventFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db
WIB = zoneinfo.ZoneInfo("Asia/Jakarta")
R = Registration.Status


def _tomorrow_at(hour):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    return datetime.datetime.combine(tomorrow, datetime.time(hour), tzinfo=WIB)


def test_running_the_sweep_twice_sends_one_reminder_per_registered_owner():
    start = _tomorrow_at(9)
    event = EventFactory(
        title="Sosialisasi TKDN-IK Cirebon",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=3),
        online_url="https://meet.example.id/abc",
    )
    registered = RegistrationFactory(event=event, owner=UserFactory(first_name="Siti"))
    RegistrationFactory(event=event, status=R.WAITING)
    RegistrationFactory(event=event, status=R.CANCELLED)
    later = EventFactory(starts_at=_tomorrow_at(9) + datetime.timedelta(days=1))
    RegistrationFactory(event=later)
    cancelled_event = EventFactory(starts_at=start, ends_at=start + datetime.timedelta(hours=1))
    RegistrationFactory(event=cancelled_event)
    Event.objects.filter(pk=cancelled_event.pk).update(cancelled=True)

    assert event_reminders_task.delay().get() == {"sent": 1, "failed": 0}
    assert event_reminders_task.delay().get() == {"sent": 0, "failed": 0}
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [registered.owner.email]
    assert "Sosialisasi TKDN-IK Cirebon" in message.subject
    assert "09.00" in message.body and "WIB" in message.body
    assert "https://meet.example.id/abc" in message.body  # registered owners get the link
    assert str(event.public_id) in message.body
    registered.refresh_from_db()
    assert registered.reminder_sent_at is not None


def test_a_second_worker_finding_the_reminder_sent_sends_nothing():
    start = _tomorrow_at(14)
    registration = RegistrationFactory(
        event=EventFactory(starts_at=start, ends_at=start + datetime.timedelta(hours=2))
    )
    assert services.registration_remind(registration_id=registration.pk) is True
    assert services.registration_remind(registration_id=registration.pk) is False
    assert len(mail.outbox) == 1
    assert registrations_due_reminder() == []


def test_a_failed_mail_is_not_marked_and_the_next_run_sends_it(monkeypatch):
    start = _tomorrow_at(8)
    registration = RegistrationFactory(
        event=EventFactory(starts_at=start, ends_at=start + datetime.timedelta(hours=2))
    )

    def down(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("mail server down")

    monkeypatch.setattr("applications.services.outreach_notices.send_mail", down)
    assert event_reminders_task.delay().get() == {"sent": 0, "failed": 1}
    registration.refresh_from_db()
    assert registration.reminder_sent_at is None
    monkeypatch.undo()
    assert event_reminders_task.delay().get() == {"sent": 1, "failed": 0}
    assert len(mail.outbox) == 1


def test_an_owner_who_registers_again_after_cancelling_gets_a_new_reminder_only_once():
    start = _tomorrow_at(10)
    event = EventFactory(starts_at=start, ends_at=start + datetime.timedelta(hours=2))
    registration = services.registration_create(event=event, owner=UserFactory())
    event_reminders_task.delay()
    services.registration_cancel(registration=registration, actor=registration.owner)
    services.registration_create(event=event, owner=registration.owner)
    event_reminders_task.delay()
    event_reminders_task.delay()
    assert len(mail.outbox) == 2


def test_the_reminder_task_is_in_the_beat_schedule(settings):
    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "applications.tasks.event_reminders_task" in schedule


def test_moving_the_event_makes_the_reminder_due_again():
    from tests.factories import OfficialFactory

    official = OfficialFactory(province_id="32").user
    start = _tomorrow_at(9)
    event = EventFactory(starts_at=start, ends_at=start + datetime.timedelta(hours=2))
    RegistrationFactory(event=event)
    event_reminders_task.delay()
    event.starts_at += datetime.timedelta(days=1)
    event.ends_at += datetime.timedelta(days=1)
    services.event_save(event=event, actor=official)
    assert event_reminders_task.delay().get() == {"sent": 0, "failed": 0}  # not tomorrow now
    with pytest.MonkeyPatch.context() as mp:
        later = timezone.now() + datetime.timedelta(days=1)
        mp.setattr("django.utils.timezone.now", lambda: later)
        assert event_reminders_task.delay().get() == {"sent": 1, "failed": 0}
    assert len(mail.outbox) == 2
