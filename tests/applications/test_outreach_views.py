"""``/pelatihan/``: the public list and detail, registering and cancelling (POST, no JS needed),
and the owner's registrations on the dashboard."""

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

import pytest

from applications.models import Event, Registration
from tests.factories import CompanyFactory, EventFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db
R = Registration.Status
LIST = reverse("outreach:event_list")


def _detail(event):
    return reverse("outreach:event_detail", args=[event.public_id])


def _register_url(event):
    return reverse("outreach:event_register", args=[event.public_id])


def _cancel_url(event):
    return reverse("outreach:event_cancel", args=[event.public_id])


def test_the_public_sees_upcoming_events_and_a_login_link_instead_of_a_button(client):
    event = EventFactory(title="Bimtek Kemasan Produk", capacity=2)
    RegistrationFactory(event=event)
    past = EventFactory(title="Acara Lama")
    Event.objects.filter(pk=past.pk).update(
        starts_at=timezone.now() - datetime.timedelta(days=3),
        ends_at=timezone.now() - datetime.timedelta(days=2),
    )
    EventFactory(title="Acara Batal", cancelled=True)
    page = client.get(LIST).content.decode()
    assert "Bimtek Kemasan Produk" in page
    assert "Acara Lama" not in page and "Acara Batal" not in page
    assert "1 tempat tersisa" in page
    detail = client.get(_detail(event)).content.decode()
    assert "Masuk untuk mendaftar" in detail
    assert f"{reverse('login')}?next={_detail(event)}" in detail
    assert 'action="' + _register_url(event) not in detail


def test_the_list_shows_the_owners_regency_first_with_headings(client):
    owner = UserFactory()
    CompanyFactory(owner=owner, province_id="32", regency_id="32.09")
    soon = timezone.now() + datetime.timedelta(days=1)
    EventFactory(title="Di Jawa Tengah", province_id="33", regency_id=None, starts_at=soon)
    EventFactory(
        title="Di Cirebon", regency_id="32.09", starts_at=soon + datetime.timedelta(days=3)
    )
    client.force_login(owner)
    page = client.get(LIST).content.decode()
    assert page.index("Di kabupaten/kota Anda") < page.index("Di Cirebon")
    assert page.index("Di Cirebon") < page.index("Wilayah lain dan daring")
    assert page.index("Wilayah lain dan daring") < page.index("Di Jawa Tengah")


def test_an_owner_registers_then_cancels_with_plain_posts(client):
    owner = UserFactory()
    event = EventFactory(online_url="https://meet.example.id/bimtek")
    client.force_login(owner)
    assert "meet.example.id" not in client.get(_detail(event)).content.decode()
    response = client.post(_register_url(event), follow=True)
    assert response.redirect_chain == [(_detail(event), 302)]
    page = response.content.decode()
    assert "Anda terdaftar" in page
    assert "https://meet.example.id/bimtek" in page  # the link, now that the place is theirs
    assert Registration.objects.get(event=event, owner=owner).status == R.REGISTERED
    dashboard = client.get(reverse("applications:dashboard")).content.decode()
    assert event.title in dashboard and "Anda terdaftar" in dashboard

    response = client.post(_cancel_url(event), follow=True)
    assert "Pendaftaran Anda dibatalkan" in response.content.decode()
    assert Registration.objects.get(event=event, owner=owner).status == R.CANCELLED
    assert event.title not in client.get(reverse("applications:dashboard")).content.decode()


def test_a_full_event_offers_the_waiting_list_and_says_the_place_in_the_queue(client):
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event)
    owner = UserFactory()
    client.force_login(owner)
    assert "Masuk daftar tunggu" in client.get(_detail(event)).content.decode()
    page = client.post(_register_url(event), follow=True).content.decode()
    assert "daftar tunggu (urutan ke-1)" in page
    assert "Anda di daftar tunggu" in page
    assert "Keluar dari daftar tunggu" in page


def test_registering_twice_or_for_a_started_event_gives_a_message_not_an_error(client):
    owner = UserFactory()
    event = EventFactory()
    client.force_login(owner)
    client.post(_register_url(event))
    page = client.post(_register_url(event), follow=True).content.decode()
    assert "sudah terdaftar" in page
    started = EventFactory()
    Event.objects.filter(pk=started.pk).update(
        starts_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    response = client.post(_register_url(started), follow=True)
    assert response.status_code == 200
    assert "pendaftaran ditutup" in response.content.decode()
    assert not Registration.objects.filter(event=started).exists()


def test_register_and_cancel_need_a_login_and_a_post(client):
    event = EventFactory()
    response = client.post(_register_url(event))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert not Registration.objects.exists()
    client.force_login(UserFactory())
    assert client.get(_register_url(event)).status_code == 405
    assert client.get(_cancel_url(event)).status_code == 405


def test_another_owner_cannot_cancel_someone_elses_place(client):
    event = EventFactory()
    registration = RegistrationFactory(event=event)
    client.force_login(UserFactory())
    assert client.post(_cancel_url(event)).status_code == 404
    registration.refresh_from_db()
    assert registration.status == R.REGISTERED


def test_an_official_sees_the_event_but_cannot_register(client):
    event = EventFactory()
    client.force_login(UserFactory(is_staff=True))
    assert "Akun petugas tidak dapat mendaftar" in client.get(_detail(event)).content.decode()
    page = client.post(_register_url(event), follow=True).content.decode()
    assert "Akun petugas tidak dapat mendaftar" in page
    assert not Registration.objects.exists()


def test_a_cancelled_event_says_so_and_takes_no_registrations(client):
    event = EventFactory(cancelled=True)
    client.force_login(UserFactory())
    page = client.get(_detail(event)).content.decode()
    assert "dibatalkan oleh penyelenggara" in page
    assert "Pendaftaran sudah ditutup" in page


def test_unknown_event_is_404(client):
    assert client.get("/pelatihan/8a0f3c0e-0000-4000-8000-000000000000/").status_code == 404


def test_english_pages(client):
    event = EventFactory()
    client.cookies["django_language"] = "en"
    # The locale middleware leaves the request's language active in this thread: restore it
    # for the tests that follow.
    with translation.override(settings.LANGUAGE_CODE):
        assert "Training and outreach" in client.get(LIST).content.decode()
        assert "Sign in to register" in client.get(_detail(event)).content.decode()
