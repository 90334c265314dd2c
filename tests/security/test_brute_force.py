"""Brute-force protection (django-axes) on the owner login and the admin login.

AXES_FAILURE_LIMIT (5) failed logins for one username from one address lock that pair out for
AXES_COOLOFF_MINUTES (30): the lockout page (429) says how long to wait and links to the password
reset. Off in the test settings; these tests switch it on.
"""

import datetime

from django.utils import timezone

import pytest
from axes.models import AccessAttempt

from tests.factories import OfficialFactory, UserFactory

PASSWORD = "Rahasia-Kuat-2026"  # tests.factories.UserFactory


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_MINUTES = 30
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=30)
    return settings


def _login(client, username, password, url="/akun/masuk/", ip="203.0.113.7"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip)


def _assert_lockout_page(response):
    assert response.status_code == 429
    body = response.content.decode()
    assert "Akun dikunci sementara" in body
    assert "30 menit" in body
    assert 'href="/akun/kata-sandi/lupa/"' in body  # the way back


@pytest.mark.django_db
def test_owner_login_locks_after_five_failures_and_says_how_to_get_back(client, axes_on):
    user = UserFactory(username="budi", email="budi@example.id")
    for attempt in range(1, 5):
        response = _login(client, "budi@example.id", "salah")
        assert response.status_code == 200, attempt
        assert "E-mail/nama pengguna atau kata sandi salah." in response.content.decode()
    _assert_lockout_page(_login(client, "budi@example.id", "salah"))
    # Locked: even the right password (typed as e-mail or as username) gets the lockout page.
    _assert_lockout_page(_login(client, "budi@example.id", PASSWORD))
    _assert_lockout_page(_login(client, "budi", PASSWORD))
    assert "_auth_user_id" not in client.session
    # The lock is per username AND address: the owner from another address, and another user
    # from this address, still sign in.
    other = UserFactory(username="siti")
    assert _login(client, "siti", PASSWORD).status_code == 302
    client.logout()
    assert _login(client, "budi", PASSWORD, ip="198.51.100.9").status_code == 302
    client.logout()
    # After the cool-off the owner signs in again.
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=31))
    response = _login(client, "budi@example.id", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert other.pk != user.pk


@pytest.mark.django_db
def test_admin_login_locks_after_five_failures(client, axes_on):
    official = OfficialFactory(user__username="petugas")
    for _ in range(4):
        response = _login(client, "petugas", "salah", url="/admin/login/")
        assert response.status_code == 200
    _assert_lockout_page(_login(client, "petugas", "salah", url="/admin/login/"))
    _assert_lockout_page(_login(client, "petugas", PASSWORD, url="/admin/login/"))
    # Shared counter: the owner login form refuses the same username from the same address.
    _assert_lockout_page(_login(client, "petugas", PASSWORD))
    assert AccessAttempt.objects.get(username=official.user.username).failures_since_start >= 5


@pytest.mark.django_db
def test_login_by_email_works_with_axes_first_and_success_resets_the_count(client, axes_on):
    from django.conf import settings

    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    UserFactory(username="andi", email="andi@example.id")
    for _ in range(4):
        _login(client, "andi@example.id", "salah")
    assert _login(client, "Andi@Example.id", PASSWORD).status_code == 302
    client.logout()
    # The count started again: four more failures do not lock.
    for _ in range(4):
        assert _login(client, "andi", "salah").status_code == 200
    assert _login(client, "andi", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_lockout_is_off_when_the_setting_is_off(client, settings):
    settings.AXES_ENABLED = False
    UserFactory(username="dewi")
    for _ in range(8):
        assert _login(client, "dewi", "salah").status_code == 200
    assert _login(client, "dewi", PASSWORD).status_code == 302
    assert not AccessAttempt.objects.exists()


def test_production_settings_turn_lockout_on():
    """The main settings module: on, 5 failures, 30 minutes, by username and address."""
    from tkdnportal import settings as main

    assert main.AXES_ENABLED
    assert main.AXES_FAILURE_LIMIT == 5
    assert datetime.timedelta(minutes=30) == main.AXES_COOLOFF_TIME
    assert main.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert main.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"
