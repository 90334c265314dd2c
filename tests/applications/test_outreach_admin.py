"""The events admin: officials plan events of their region only, record attendance on the
event's page (through the service), and read the conversion in the changelist."""

import datetime

from django.urls import reverse
from django.utils import timezone

import pytest

from applications.models import Application, Event, Registration
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
CHANGELIST = reverse("admin:applications_event_changelist")
ADD = reverse("admin:applications_event_add")
R = Registration.Status


def _change(event):
    return reverse("admin:applications_event_change", args=[event.pk])


def _form(**overrides):
    start = timezone.localtime() + datetime.timedelta(days=10)
    data = {
        "kind": "sosialisasi",
        "title": "Sosialisasi TKDN-IK Kota Bandung",
        "description": "Pengenalan sertifikat TKDN-IK.",
        "starts_at_0": start.strftime("%Y-%m-%d"),
        "starts_at_1": "09:00:00",
        "ends_at_0": start.strftime("%Y-%m-%d"),
        "ends_at_1": "12:00:00",
        "place": "Gedung Sate",
        "online_url": "",
        "capacity": "40",
        "province": "32",
        "regency": "32.73",
        "partner": "Universitas Padjadjaran",
        "registrations-TOTAL_FORMS": "0",
        "registrations-INITIAL_FORMS": "0",
        "registrations-MIN_NUM_FORMS": "0",
        "registrations-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_an_official_creates_an_event_in_their_province(client):
    official = _official()
    client.force_login(official)
    response = client.post(ADD, _form())
    assert response.status_code == 302, response.content.decode()[:2000]
    event = Event.objects.get()
    assert event.created_by == official
    assert timezone.localtime(event.starts_at).hour == 9


def test_an_event_outside_the_jurisdiction_is_refused_on_the_form(client):
    client.force_login(_official(regency="32.73"))
    response = client.post(ADD, _form(regency="32.09"))
    assert response.status_code == 200
    assert not Event.objects.exists()
    # The choice is not even offered: the regency list holds the official's own regency only.
    assert list(response.context["adminform"].form.errors) == ["regency"]


def test_bad_input_is_explained_and_kept(client):
    client.force_login(_official())
    response = client.post(ADD, _form(ends_at_1="08:00:00", place="", title="Judul Tetap"))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "ends_at" in errors and "place" in errors
    assert 'value="Judul Tetap"' in response.content.decode()


def test_an_official_of_another_province_gets_404_and_a_national_event_is_hidden(client):
    event = EventFactory()
    national = EventFactory(province_id=None, regency_id=None, place="", online_url="https://x.id")
    client.force_login(_official(province="33"))
    assert client.get(_change(event)).status_code == 404
    page = client.get(CHANGELIST).content.decode()
    assert event.title not in page and national.title not in page
    client.force_login(_official(province="32"))
    assert client.get(_change(event)).status_code == 200
    assert client.get(_change(national)).status_code == 404


def test_capacity_below_the_places_given_is_a_field_error(client):
    event = EventFactory(capacity=3)
    for _ in range(2):
        RegistrationFactory(event=event)
    client.force_login(_official())
    local = timezone.localtime(event.starts_at)
    end = timezone.localtime(event.ends_at)
    data = _form(
        capacity="1",
        starts_at_0=local.strftime("%Y-%m-%d"),
        starts_at_1=local.strftime("%H:%M:%S"),
        ends_at_0=end.strftime("%Y-%m-%d"),
        ends_at_1=end.strftime("%H:%M:%S"),
    )
    response = client.post(_change(event), data)
    assert response.status_code == 200
    assert "capacity" in response.context["adminform"].form.errors
    event.refresh_from_db()
    assert event.capacity == 3


def _attendance_post(client, event, attended: dict):
    """POST the change form of ``event`` with the "hadir" boxes of ``attended`` {pk: bool}."""
    response = client.get(_change(event))
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if name in ("starts_at", "ends_at"):
            local = timezone.localtime(value)
            data[f"{name}_0"] = local.strftime("%Y-%m-%d")
            data[f"{name}_1"] = local.strftime("%H:%M:%S")
        elif value is not None:
            data[name] = value
    registrations = list(event.registrations.order_by("status", "registered_at", "id"))
    data.update(
        {
            "registrations-TOTAL_FORMS": str(len(registrations)),
            "registrations-INITIAL_FORMS": str(len(registrations)),
            "registrations-MIN_NUM_FORMS": "0",
            "registrations-MAX_NUM_FORMS": "1000",
        }
    )
    for i, registration in enumerate(registrations):
        data[f"registrations-{i}-id"] = str(registration.pk)
        data[f"registrations-{i}-event"] = str(event.pk)
        if attended.get(registration.pk):
            data[f"registrations-{i}-attended"] = "on"
    return client.post(_change(event), data, follow=True)


def test_attendance_is_recorded_on_the_event_page_and_the_conversion_follows(client):
    official = _official()
    event = EventFactory(title="Bimtek Rotan Cirebon")
    came, absent = RegistrationFactory(event=event), RegistrationFactory(event=event)
    for registration in (came, absent):
        CompanyFactory(owner=registration.owner)
    client.force_login(official)

    # Before the start the service refuses, and the page says why.
    page = _attendance_post(client, event, {came.pk: True}).content.decode()
    assert "setelah acara dimulai" in page
    assert not Registration.objects.get(pk=came.pk).attended

    now = timezone.now()
    Event.objects.filter(pk=event.pk).update(
        starts_at=now - datetime.timedelta(hours=3), ends_at=now - datetime.timedelta(hours=1)
    )
    event.refresh_from_db()
    page = _attendance_post(client, event, {came.pk: True}).content.decode()
    assert "Kehadiran 1 peserta dicatat" in page
    came.refresh_from_db()
    assert came.attended and came.attendance_recorded_by == official
    assert not Registration.objects.get(pk=absent.pk).attended

    app = ApplicationFactory(product=ProductFactory(company=came.owner.company))
    Application.objects.filter(pk=app.pk).update(
        status=Application.Status.ISSUED, submitted_at=timezone.now()
    )
    response = client.get(CHANGELIST)
    (row,) = response.context["cl"].result_list
    assert (row.registered_count, row.attended_count, row.started_count) == (2, 1, 1)
    assert (row.submitted_count, row.issued_count) == (1, 1)
    page = response.content.decode().lower()
    assert "mulai mengajukan" in page and "terbit" in page
    assert '<td class="field-registered">2 / 30</td>' in page


def test_an_official_of_another_province_cannot_post_attendance(client):
    event = EventFactory()
    registration = RegistrationFactory(event=event)
    Event.objects.filter(pk=event.pk).update(starts_at=timezone.now() - datetime.timedelta(hours=1))
    client.force_login(_official(province="33"))
    data = {
        "registrations-TOTAL_FORMS": "1",
        "registrations-INITIAL_FORMS": "1",
        "registrations-0-id": str(registration.pk),
        "registrations-0-attended": "on",
    }
    assert client.post(_change(event), data).status_code == 404
    registration.refresh_from_db()
    assert not registration.attended


def test_cancel_action_asks_first_then_cancels_records_who_and_nobody_deletes(client):
    event = EventFactory(title="Bimtek Batik Cirebon")
    RegistrationFactory(event=event)
    RegistrationFactory(event=event, status=R.WAITING)
    official = _official()
    client.force_login(official)
    selection = {"action": "cancel_events", "_selected_action": [event.pk]}

    confirm = client.post(CHANGELIST, selection)
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "Bimtek Batik Cirebon" in page and "Ya, batalkan acara" in page
    assert "satu e-mail pembatalan" in page
    assert "<td>1</td><td>1</td>" in page  # one registered, one waiting will be told
    event.refresh_from_db()
    assert not event.cancelled  # nothing happens before the confirmation

    response = client.post(CHANGELIST, {**selection, "apply": "1"}, follow=True)
    assert "1 acara dibatalkan" in response.content.decode()
    event.refresh_from_db()
    assert event.cancelled and event.cancelled_by == official and event.cancelled_at
    page = client.get(_change(event)).content.decode()
    assert f"Ya, oleh {official}" in page
    assert "e-mail terkirim" in page
    assert (
        client.get(reverse("admin:applications_event_delete", args=[event.pk])).status_code == 403
    )
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    assert (
        client.get(reverse("admin:applications_event_delete", args=[event.pk])).status_code == 403
    )
