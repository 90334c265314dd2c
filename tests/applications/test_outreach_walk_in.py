"""Walk-ins: at the event the office records an owner who came without registering (by account
e-mail or NIB); they count as attendees in the conversion and take no place of the capacity."""

import datetime

from django.urls import reverse
from django.utils import timezone

import pytest

from applications import services
from applications.exceptions import WorkflowError
from applications.models import Application, Event, Registration
from applications.outreach import event_conversion_rows
from tests.factories import (
    ApplicationFactory,
    CompanyFactory,
    EventFactory,
    ProductFactory,
    RegistrationFactory,
    UserFactory,
)
from tests.factories import (
    official_user as _official,
)

pytestmark = pytest.mark.django_db
R = Registration.Status


def _started(event):
    now = timezone.now()
    Event.objects.filter(pk=event.pk).update(
        starts_at=now - datetime.timedelta(hours=1), ends_at=now + datetime.timedelta(hours=2)
    )
    event.refresh_from_db()
    return event


def _walk_in_url(event):
    return reverse("admin:applications_event_walk_in", args=[event.pk])


# --- Service ------------------------------------------------------------------------------------


def test_an_owner_without_a_place_becomes_a_walk_in_present_and_recorded():
    official = _official()
    event = _started(EventFactory(capacity=1))
    RegistrationFactory(event=event)  # the one place is taken
    owner = UserFactory()
    registration = services.registration_walk_in(event=event, owner=owner, actor=official)
    assert registration.status == R.WALK_IN and registration.attended
    assert registration.attendance_recorded_by == official
    assert registration.attendance_recorded_at is not None
    # Again: nothing changes (no second row, same record).
    again = services.registration_walk_in(event=event, owner=owner, actor=_official())
    assert again.pk == registration.pk and again.attendance_recorded_by == official
    assert Registration.objects.filter(event=event, owner=owner).count() == 1


@pytest.mark.parametrize(
    "status,expected",
    [(R.REGISTERED, R.REGISTERED), (R.WAITING, R.WAITING), (R.CANCELLED, R.WALK_IN)],
)
def test_an_owner_with_a_row_is_marked_present_and_a_cancelled_one_is_a_walk_in(status, expected):
    event = _started(EventFactory())
    existing = RegistrationFactory(event=event, status=status)
    registration = services.registration_walk_in(
        event=event, owner=existing.owner, actor=_official()
    )
    assert registration.pk == existing.pk
    assert registration.status == expected and registration.attended


def test_walk_ins_are_refused_before_the_start_on_a_cancelled_event_and_outside_the_region():
    owner = UserFactory()
    upcoming = EventFactory()
    with pytest.raises(WorkflowError, match="setelah acara dimulai"):
        services.registration_walk_in(event=upcoming, owner=owner, actor=_official())
    cancelled = _started(EventFactory())
    Event.objects.filter(pk=cancelled.pk).update(cancelled=True)
    with pytest.raises(WorkflowError, match="dibatalkan"):
        services.registration_walk_in(event=cancelled, owner=owner, actor=_official())
    elsewhere = _started(EventFactory())
    with pytest.raises(WorkflowError, match="di luar wilayah"):
        services.registration_walk_in(event=elsewhere, owner=owner, actor=_official("33"))
    with pytest.raises(WorkflowError, match="petugas"):
        services.registration_walk_in(
            event=elsewhere, owner=UserFactory(is_staff=True), actor=_official()
        )
    assert not Registration.objects.exists()


def test_walk_ins_count_as_attendees_but_take_no_place_of_the_capacity():
    official = _official()
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event)
    _started(event)
    walk_in = services.registration_walk_in(event=event, owner=UserFactory(), actor=official)
    company = CompanyFactory(owner=walk_in.owner)
    application = ApplicationFactory(product=ProductFactory(company=company))
    Application.objects.filter(pk=application.pk).update(submitted_at=timezone.now())

    (row,) = event_conversion_rows(user=official)
    assert (row.registered, row.attended) == (1, 1)
    assert (row.applications_started, row.applications_submitted) == (1, 1)
    # The office can still edit the event: the walk-in is not a place beyond the capacity.
    event.refresh_from_db()
    event.partner = "Asosiasi Rotan"
    services.event_save(event=event, actor=official)


# --- Admin -------------------------------------------------------------------------------------


def test_an_official_records_a_walk_in_by_email_or_nib_from_the_event_page(client):
    official = _official()
    event = EventFactory(title="Bimtek Rotan Cirebon")
    by_email = UserFactory(email="datang@example.id")
    by_nib = CompanyFactory(nib="9120301234567").owner
    client.force_login(official)
    change = reverse("admin:applications_event_change", args=[event.pk])
    assert _walk_in_url(event) not in client.get(change).content.decode()  # not started yet

    _started(event)
    assert _walk_in_url(event) in client.get(change).content.decode()
    page = client.get(_walk_in_url(event))
    assert page.status_code == 200 and "E-mail akun atau NIB" in page.content.decode()

    response = client.post(_walk_in_url(event), {"owner": " DATANG@example.id "}, follow=True)
    assert "dicatat hadir tanpa mendaftar" in response.content.decode()
    assert "Datang tanpa mendaftar" in response.content.decode()  # the participants' list
    client.post(_walk_in_url(event), {"owner": "9120301234567"})
    rows = Registration.objects.filter(event=event).order_by("pk")
    assert [(r.owner, r.status, r.attended) for r in rows] == [
        (by_email, R.WALK_IN, True),
        (by_nib, R.WALK_IN, True),
    ]
    (row,) = client.get(reverse("admin:applications_event_changelist")).context["cl"].result_list
    assert (row.registered_count, row.attended_count) == (0, 2)


@pytest.mark.parametrize("value", ["tidak-ada@example.id", "9999999999999", "petugas@example.id"])
def test_an_unknown_owner_or_a_staff_account_is_a_field_error(client, value):
    UserFactory(email="petugas@example.id", is_staff=True)
    event = _started(EventFactory())
    client.force_login(_official())
    response = client.post(_walk_in_url(event), {"owner": value})
    assert response.status_code == 200
    assert "Tidak ada akun pemilik IKM" in response.content.decode()
    assert not Registration.objects.exists()


def test_the_service_refusal_is_shown_on_the_form(client):
    event = EventFactory()  # not started
    owner = UserFactory()
    client.force_login(_official())
    response = client.post(_walk_in_url(event), {"owner": owner.email})
    assert "setelah acara dimulai" in response.content.decode()
    assert not Registration.objects.exists()


def test_an_official_of_another_province_gets_404(client):
    event = _started(EventFactory())
    owner = UserFactory()
    client.force_login(_official("33"))
    assert client.get(_walk_in_url(event)).status_code == 404
    assert client.post(_walk_in_url(event), {"owner": owner.email}).status_code == 404
    assert not Registration.objects.exists()
