"""Two-factor login for officials' admin (django-otp TOTP), switched on by ``TKDN_ADMIN_2FA``.

On by default when DEBUG is off; the test settings turn it off and these tests turn it on.
Codes are real TOTP codes computed with django_otp.oath.totp from the device's key.
"""

import base64
import re

from django.contrib.auth.models import Group

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from applications.selectors import OFFICIAL_GROUP
from tests.factories import OfficialFactory, UserFactory

PASSWORD = "Rahasia-Kuat-2026"


def code_for(device) -> str:
    """The code the official's app shows now."""
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{code:06d}"


@pytest.fixture
def two_factor_on(settings):
    settings.TKDN_ADMIN_2FA = True
    return settings


def _admin_login(client, username):
    response = client.post(
        "/admin/login/?next=/admin/", {"username": username, "password": PASSWORD}
    )
    assert response.status_code == 302, response.content[:500]
    return response


@pytest.mark.django_db
def test_official_enrols_then_opens_the_admin(client, two_factor_on):
    official = OfficialFactory(user__username="petugas")
    official.user.groups.add(Group.objects.get(name=OFFICIAL_GROUP))
    _admin_login(client, "petugas")
    # Password alone: every admin page sends the official to the second step.
    response = client.get("/admin/applications/application/")
    assert response.status_code == 302
    assert response["Location"].startswith("/akun/verifikasi-dua-langkah/?next=")
    # Enrolment page: a QR code (data URI, allowed by the CSP) and the secret to type by hand.
    page = client.get(response["Location"])
    body = page.content.decode()
    assert page.status_code == 200
    assert 'src="data:image/svg+xml' in body
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', body).group(1)
    device = TOTPDevice.objects.get(user=official.user)
    assert not device.confirmed
    assert base64.b32decode(secret.replace(" ", "")) == device.bin_key
    # A wrong code: a clear message, still locked out of the admin.
    wrong = client.post(
        "/akun/verifikasi-dua-langkah/", {"code": "000000", "next": "/admin/applications/"}
    )
    assert wrong.status_code == 200
    assert "Kode salah atau sudah kedaluwarsa" in wrong.content.decode()
    assert client.get("/admin/").status_code == 302
    # The right code confirms the device and opens the admin.
    device.refresh_from_db()
    device.throttle_reset()
    ok = client.post(
        "/akun/verifikasi-dua-langkah/", {"code": code_for(device), "next": "/admin/applications/"}
    )
    assert ok.status_code == 302
    assert ok["Location"] == "/admin/applications/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/admin/applications/application/").status_code == 200


@pytest.mark.django_db
def test_enrolled_official_confirms_a_code_at_each_login(client, two_factor_on):
    official = OfficialFactory(user__username="petugas2")
    device = TOTPDevice.objects.create(user=official.user, name="ponsel", confirmed=True)
    _admin_login(client, "petugas2")
    page = client.get("/akun/verifikasi-dua-langkah/?next=/admin/")
    assert "data:image/svg+xml" not in page.content.decode()  # no new enrolment
    assert client.get("/admin/").status_code == 302
    response = client.post("/akun/verifikasi-dua-langkah/", {"code": code_for(device)})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    # A new session (logout, login) asks again; an old code cannot be replayed.
    client.post("/admin/logout/")
    _admin_login(client, "petugas2")
    assert client.get("/admin/").status_code == 302
    replay = client.post("/akun/verifikasi-dua-langkah/", {"code": code_for(device)})
    assert replay.status_code == 200
    assert TOTPDevice.objects.count() == 1


@pytest.mark.django_db
def test_bad_input_and_throttling_give_clear_messages(client, two_factor_on):
    official = OfficialFactory(user__username="petugas3")
    device = TOTPDevice.objects.create(user=official.user, name="ponsel", confirmed=True)
    _admin_login(client, "petugas3")
    for value in ("abc", "1234567", "", "<script>", "١٢٣٤٥٦"):
        response = client.post("/akun/verifikasi-dua-langkah/", {"code": value})
        assert response.status_code == 200
        assert "Masukkan 6 angka dari aplikasi autentikator." in response.content.decode()
    for _ in range(3):
        client.post("/akun/verifikasi-dua-langkah/", {"code": "000000"})
    # django-otp throttles after failures: even the right code waits, with a clear message.
    response = client.post("/akun/verifikasi-dua-langkah/", {"code": code_for(device)})
    assert response.status_code == 200
    assert "Terlalu banyak kode salah" in response.content.decode()


@pytest.mark.django_db
def test_owners_are_not_affected_and_setting_off_means_password_only(client, settings):
    settings.TKDN_ADMIN_2FA = True
    owner = UserFactory(username="pemilik")
    client.force_login(owner)
    assert client.get("/ikm/").status_code == 200
    assert client.get("/akun/verifikasi-dua-langkah/").status_code == 302  # staff only
    settings.TKDN_ADMIN_2FA = False
    OfficialFactory(user__username="petugas4")
    client.logout()
    _admin_login(client, "petugas4")
    assert client.get("/admin/").status_code == 200


def test_on_by_default_without_debug():
    from tkdnportal import settings as main

    assert main.DEBUG is False
    assert main.TKDN_ADMIN_2FA is True
    assert "accounts.middleware.AdminTwoFactorMiddleware" in main.MIDDLEWARE
