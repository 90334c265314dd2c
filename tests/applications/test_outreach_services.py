"""Outreach event services: capacity, waiting list and promotion, double registration,
cancellation, closed events, attendance, event edits and the conversion selectors."""

import datetime

from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

import pytest

from applications import services
from applications.exceptions import EventClosed, WorkflowError
from applications.models import Application, Event, Registration
from applications.outreach import (
    event_conversion_rows,
    events_upcoming_for,
    events_visible_to,
    waiting_position,
)
from tests.factories import (
    ApplicationFactory,
    CompanyFactory,
    EventFactory,
    OfficialFactory,
    ProductFactory,
    RegistrationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
R = Registration.Status
S = Application.Status


def _register(event, n):
    return [services.registration_create(event=event, owner=UserFactory()) for _ in range(n)]


def _started(event):
    """Move the event into the past (it started an hour ago)."""
    now = timezone.now()
    Event.objects.filter(pk=event.pk).update(
        starts_at=now - datetime.timedelta(hours=1), ends_at=now + datetime.timedelta(hours=2)
    )
    event.refresh_from_db()
    return event


# --- Registration, capacity, waiting list ---------------------------------------------------


def test_registrations_fill_the_capacity_then_the_waiting_list_in_order():
    event = EventFactory(capacity=2)
    first, second, third, fourth = _register(event, 4)
    statuses = [r.status for r in (first, second, third, fourth)]
    assert statuses == [R.REGISTERED, R.REGISTERED, R.WAITING, R.WAITING]
    assert waiting_position(third) == 1
    assert waiting_position(fourth) == 2
    assert waiting_position(first) is None


def test_double_registration_is_refused_and_the_database_enforces_one_row():
    event = EventFactory(capacity=1)
    owner = UserFactory()
    services.registration_create(event=event, owner=owner)
    with pytest.raises(WorkflowError, match="sudah terdaftar"):
        services.registration_create(event=event, owner=owner)
    waiting = UserFactory()
    services.registration_create(event=event, owner=waiting)
    with pytest.raises(WorkflowError, match="daftar tunggu"):
        services.registration_create(event=event, owner=waiting)
    assert Registration.objects.filter(event=event).count() == 2
    with pytest.raises(IntegrityError):
        Registration.objects.create(
            event=event, owner=owner, status=R.WAITING, registered_at=timezone.now()
        )


def test_cancelling_a_place_promotes_the_first_waiting_owner_and_tells_them():
    event = EventFactory(capacity=1, title="Bimtek Anyaman")
    holder, first_waiting, second_waiting = _register(event, 3)
    mail.outbox.clear()
    with pytest.MonkeyPatch.context() as mp:
        # accounts.services.mail_queue sends after the commit: run on-commit callbacks now.
        mp.setattr("django.db.transaction.on_commit", lambda f, *a, **k: f())
        services.registration_cancel(registration=holder, actor=holder.owner)
    statuses = dict(Registration.objects.filter(event=event).values_list("pk", "status"))
    assert statuses == {
        holder.pk: R.CANCELLED,
        first_waiting.pk: R.REGISTERED,
        second_waiting.pk: R.WAITING,
    }
    assert [m.to for m in mail.outbox] == [[first_waiting.owner.email]]
    assert "Bimtek Anyaman" in mail.outbox[0].subject


def test_leaving_the_waiting_list_promotes_nobody():
    event = EventFactory(capacity=1)
    holder, waiting, last = _register(event, 3)
    services.registration_cancel(registration=waiting, actor=waiting.owner)
    assert Registration.objects.get(pk=holder.pk).status == R.REGISTERED
    assert Registration.objects.get(pk=last.pk).status == R.WAITING
    assert waiting_position(Registration.objects.get(pk=last.pk)) == 1


def test_cancelled_owner_registers_again_at_the_end_of_the_queue():
    event = EventFactory(capacity=1)
    holder, waiting = _register(event, 2)
    services.registration_cancel(registration=holder, actor=holder.owner)
    again = services.registration_create(event=event, owner=holder.owner)
    assert again.pk == holder.pk
    assert again.status == R.WAITING  # the freed place went to the waiting owner
    assert Registration.objects.get(pk=waiting.pk).status == R.REGISTERED


def test_cancelling_twice_changes_nothing_and_another_owner_cannot_cancel():
    event = EventFactory(capacity=1)
    holder, waiting = _register(event, 2)
    with pytest.raises(WorkflowError):
        services.registration_cancel(registration=holder, actor=waiting.owner)
    assert Registration.objects.get(pk=holder.pk).status == R.REGISTERED
    services.registration_cancel(registration=holder, actor=holder.owner)
    services.registration_cancel(registration=holder, actor=holder.owner)
    assert Registration.objects.filter(event=event, status=R.REGISTERED).count() == 1


@pytest.mark.parametrize("when", ["started", "over", "cancelled"])
def test_closed_events_refuse_registrations(when):
    event = EventFactory()
    now = timezone.now()
    if when == "started":
        _started(event)
    elif when == "over":
        Event.objects.filter(pk=event.pk).update(
            starts_at=now - datetime.timedelta(days=2), ends_at=now - datetime.timedelta(days=1)
        )
    else:
        Event.objects.filter(pk=event.pk).update(cancelled=True)
    event.refresh_from_db()
    with pytest.raises(EventClosed):
        services.registration_create(event=event, owner=UserFactory())
    assert not Registration.objects.exists()


def test_cancellation_is_refused_once_the_event_has_started():
    event = EventFactory()
    (registration,) = _register(event, 1)
    _started(event)
    with pytest.raises(EventClosed):
        services.registration_cancel(registration=registration, actor=registration.owner)
    assert Registration.objects.get(pk=registration.pk).status == R.REGISTERED


def test_staff_accounts_cannot_register():
    with pytest.raises(WorkflowError, match="petugas"):
        services.registration_create(event=EventFactory(), owner=UserFactory(is_staff=True))


# --- Events (officials) -------------------------------------------------------------------


def _official(province="32", regency=None):
    return OfficialFactory(province_id=province, regency_id=regency).user


def test_official_creates_an_event_in_their_region_only():
    official = _official(regency="32.73")
    start = timezone.now() + datetime.timedelta(days=3)
    event = Event(
        kind=Event.Kind.SOSIALISASI,
        title="Sosialisasi TKDN-IK",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=3),
        place="Gedung Sate",
        capacity=50,
        province_id="32",
        regency_id="32.73",
    )
    services.event_save(event=event, actor=official)
    assert event.pk and event.created_by == official
    other = Event(
        kind=Event.Kind.BIMTEK,
        title="Di luar wilayah",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=3),
        place="Semarang",
        capacity=10,
        province_id="33",
    )
    with pytest.raises(ValidationError):
        services.event_save(event=other, actor=official)
    assert other.pk is None


def test_event_rules_are_checked_on_save():
    official = _official()
    start = timezone.now() + datetime.timedelta(days=3)
    event = Event(
        kind=Event.Kind.BIMTEK,
        title="Tanpa tempat",
        starts_at=start,
        ends_at=start - datetime.timedelta(hours=1),
        capacity=10,
        province_id="32",
    )
    with pytest.raises(ValidationError) as excinfo:
        services.event_save(event=event, actor=official)
    assert {"ends_at", "place"} <= set(excinfo.value.message_dict)


def test_capacity_cannot_drop_below_the_places_given_and_a_raise_promotes():
    official = _official()
    event = EventFactory(capacity=2)
    a, b, c, d = _register(event, 4)
    event.capacity = 1
    with pytest.raises(ValidationError):
        services.event_save(event=event, actor=official)
    event.capacity = 3
    services.event_save(event=event, actor=official)
    statuses = dict(Registration.objects.filter(event=event).values_list("pk", "status"))
    assert statuses == {a.pk: R.REGISTERED, b.pk: R.REGISTERED, c.pk: R.REGISTERED, d.pk: R.WAITING}


def test_cancelling_an_event_tells_every_registered_and_waiting_owner_once():
    official = _official()
    event = EventFactory(capacity=1)
    holder, waiting, gone = _register(event, 3)
    services.registration_cancel(registration=gone, actor=gone.owner)
    mail.outbox.clear()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("django.db.transaction.on_commit", lambda f, *a, **k: f())
        assert services.event_cancel(event=event, actor=official) is True
        assert services.event_cancel(event=event, actor=official) is False
    assert sorted(m.to[0] for m in mail.outbox) == sorted([holder.owner.email, waiting.owner.email])
    event.refresh_from_db()
    assert event.cancelled


def test_an_official_of_another_province_cannot_cancel_or_record_attendance():
    event = EventFactory()
    (registration,) = _register(event, 1)
    _started(event)
    stranger = _official(province="33")
    with pytest.raises(WorkflowError):
        services.event_cancel(event=event, actor=stranger)
    with pytest.raises(WorkflowError):
        services.registration_record_attendance(
            registration=registration, attended=True, actor=stranger
        )
    assert not Registration.objects.get(pk=registration.pk).attended


def test_attendance_only_after_the_start_and_it_records_who_and_when():
    official = _official()
    event = EventFactory()
    (registration,) = _register(event, 1)
    with pytest.raises(WorkflowError, match="setelah acara dimulai"):
        services.registration_record_attendance(
            registration=registration, attended=True, actor=official
        )
    _started(event)
    registration.refresh_from_db()
    services.registration_record_attendance(
        registration=registration, attended=True, actor=official
    )
    registration.refresh_from_db()
    assert registration.attended
    assert registration.attendance_recorded_by == official
    assert registration.attendance_recorded_at is not None


# --- Listing and scope -------------------------------------------------------------------


def test_upcoming_events_list_the_owners_regency_first_then_province_then_the_rest():
    owner = UserFactory()
    CompanyFactory(owner=owner, province_id="32", regency_id="32.09")
    soon = timezone.now() + datetime.timedelta(days=1)
    elsewhere = EventFactory(province_id="33", regency_id=None, starts_at=soon)
    online = EventFactory(
        province_id=None,
        regency_id=None,
        place="",
        online_url="https://meet.example.id/x",
        starts_at=soon + datetime.timedelta(hours=1),
    )
    province = EventFactory(regency_id="32.73", starts_at=soon + datetime.timedelta(days=2))
    regency = EventFactory(regency_id="32.09", starts_at=soon + datetime.timedelta(days=5))
    EventFactory(regency_id="32.09", cancelled=True)
    past = EventFactory(regency_id="32.09")
    Event.objects.filter(pk=past.pk).update(
        starts_at=soon - datetime.timedelta(days=5), ends_at=soon - datetime.timedelta(days=4)
    )
    assert list(events_upcoming_for(owner)) == [regency, province, elsewhere, online]
    assert list(events_upcoming_for(UserFactory())) == [elsewhere, online, province, regency]


def test_events_visible_to_follows_the_jurisdiction():
    in_city = EventFactory(regency_id="32.73")
    in_province = EventFactory(regency_id="32.09")
    other = EventFactory(province_id="33", regency_id=None)
    national = EventFactory(province_id=None, regency_id=None, place="", online_url="https://x.id")
    assert set(events_visible_to(_official(province="32"))) == {in_city, in_province}
    assert set(events_visible_to(_official(regency="32.73"))) == {in_city}
    assert set(events_visible_to(UserFactory(is_staff=True, is_superuser=True))) == {
        in_city,
        in_province,
        other,
        national,
    }
    assert not events_visible_to(UserFactory()).exists()


# --- Conversion --------------------------------------------------------------------------


def test_conversion_counts_applications_attendees_start_after_the_event():
    official = _official()
    event = EventFactory(capacity=3)
    attendee, absent, late_attendee, waiting = _register(event, 4)
    for registration in (attendee, absent, late_attendee, waiting):
        CompanyFactory(owner=registration.owner)
    # Applications created before the event do not count.
    before = ApplicationFactory(product=ProductFactory(company=attendee.owner.company))
    Application.objects.filter(pk=before.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=30)
    )
    _started(event)
    for registration in (attendee, late_attendee):
        services.registration_record_attendance(
            registration=registration, attended=True, actor=official
        )
    # After the event: the attendee starts two (one submitted, one issued); the absent owner one.
    ApplicationFactory(product=ProductFactory(company=attendee.owner.company))
    submitted = ApplicationFactory(product=ProductFactory(company=attendee.owner.company))
    Application.objects.filter(pk=submitted.pk).update(
        status=S.UNDER_REVIEW, submitted_at=timezone.now()
    )
    issued = ApplicationFactory(product=ProductFactory(company=late_attendee.owner.company))
    Application.objects.filter(pk=issued.pk).update(status=S.ISSUED, submitted_at=timezone.now())
    ApplicationFactory(product=ProductFactory(company=absent.owner.company))
    # Another event the same attendee did not attend converts nothing.
    EventFactory()

    rows = {row.event_id: row for row in event_conversion_rows(user=official)}
    row = rows[event.pk]
    assert (row.registered, row.waiting, row.attended) == (3, 1, 2)
    assert row.applications_started == 3
    assert row.applications_submitted == 2
    assert row.certificates_issued == 1
    assert all(r.applications_started == 0 for pk, r in rows.items() if pk != event.pk)
    year = event.starts_at.astimezone(timezone.get_current_timezone()).year
    assert [r.event_id for r in event_conversion_rows(user=official, year=year - 1)] == []
    assert event_conversion_rows(user=_official(province="33")) == []


def test_registration_factory_defaults_are_consistent():
    registration = RegistrationFactory()
    assert registration.status == R.REGISTERED and registration.event.capacity >= 1
