"""Login and accounts leak nothing, and the account forms, the calculator API and the statistics
page are rate-limited per client address, taken only from our own proxies (issue 16).

Each test failed before issue 16: the lockout could be used to test passwords of unconfirmed
accounts, registration said which addresses were registered (and skipped the password hashing
for them), the password-reset page talked to the mail server only for registered addresses,
nothing here was rate-limited, and behind the proxy every client shared the proxy's address.
"""

import datetime
import re
import secrets

from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "Rahasia-Kuat-2026"  # tests.factories.UserFactory


def fresh_address() -> str:
    """A client address never used before (documentation range, IPv6): the limits' counters
    live in the cache, which on Redis outlives the test run."""
    return f"2001:db8::{secrets.token_hex(2)}:{secrets.token_hex(2)}:{secrets.token_hex(2)}"


@pytest.fixture
def address():
    return fresh_address()


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_MINUTES = 30
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=30)
    return settings


def _without_tokens(response) -> str:
    """The page without its per-request CSRF token."""
    return re.sub(r'value="[A-Za-z0-9]{32,}"', "", response.content.decode())


def _login(client, username, password, **meta):
    return client.post("/akun/masuk/", {"username": username, "password": password}, **meta)


# --- Lockout ---------------------------------------------------------------------------------


def test_after_the_lockout_the_right_password_of_an_unconfirmed_account_says_nothing(
    client, axes_on, address
):
    UserFactory(username="baru", email="baru@contoh.id", is_active=False)
    for _ in range(5):
        _login(client, "baru@contoh.id", "salah", REMOTE_ADDR=address)
    wrong = _login(client, "baru@contoh.id", "masih-salah", REMOTE_ADDR=address)
    right = _login(client, "baru@contoh.id", PASSWORD, REMOTE_ADDR=address)
    assert wrong.status_code == right.status_code == 429
    assert "belum dikonfirmasi" not in right.content.decode()
    assert _without_tokens(right) == _without_tokens(wrong)


def test_behind_the_proxy_one_client_cannot_lock_out_another(client, axes_on, settings):
    """With NUM_PROXIES=1 the lockout is per client address as nginx reports it."""
    settings.NUM_PROXIES = 1
    user = UserFactory(username="budi")
    proxy = {"REMOTE_ADDR": "172.18.0.5"}
    for _ in range(6):
        _login(client, "budi", "salah", HTTP_X_FORWARDED_FOR="203.0.113.66", **proxy)
    assert (
        _login(client, "budi", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.66", **proxy).status_code
        == 429
    )
    response = _login(client, "budi", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.9", **proxy)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_without_a_proxy_a_made_up_forwarded_for_does_not_escape_the_lockout(client, axes_on):
    UserFactory(username="budi")
    for n in range(6):
        _login(
            client, "budi", "salah", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}"
        )
    response = _login(
        client, "budi", PASSWORD, REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="10.9.9.9"
    )
    assert response.status_code == 429


# --- Registration and password reset: the same answer and the same work ----------------------

REGISTRATION = {
    "full_name": "Dewi Lestari",
    "username": "dewi",
    "password1": "Rotan-Cirebon-2026",
    "password2": "Rotan-Cirebon-2026",
}


def _count_hashing(monkeypatch):
    calls = []
    original = MD5PasswordHasher.encode

    def counting(self, password, salt):
        calls.append(password)
        return original(self, password, salt)

    monkeypatch.setattr(MD5PasswordHasher, "encode", counting)
    return calls


def _queued_mail(monkeypatch):
    """Record what is queued for the worker instead of sending it."""
    from accounts.tasks import mail_send_task

    queued = []
    monkeypatch.setattr(mail_send_task, "delay", lambda *args: queued.append(args))
    return queued


def test_registration_answers_the_same_for_a_registered_address(
    client, monkeypatch, django_capture_on_commit_callbacks
):
    UserFactory(username="lama", email="dewi@contoh.id")
    hashed, queued = _count_hashing(monkeypatch), _queued_mail(monkeypatch)
    answers = []
    for n, email in enumerate(["dewi@contoh.id", "baru@contoh.id"]):
        hashed.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/akun/daftar/", {**REGISTRATION, "email": email, "username": f"dewi{n}"}
            )
        page = _without_tokens(client.get(response["Location"])).replace(email, "EMAIL")
        answers.append((response.status_code, response["Location"], page, len(hashed)))
    assert answers[0] == answers[1]
    assert answers[0][3] >= 1  # the password is hashed for a registered address too
    # One e-mail each, to the address typed: the owner of the registered one learns of it.
    assert [q[2] for q in queued] == ["dewi@contoh.id", "baru@contoh.id"]
    assert "sudah memiliki akun" in queued[0][1]
    assert "/akun/konfirmasi/" in queued[1][1]
    assert not mail.outbox  # nothing talked to the mail server inside the request


def test_password_reset_answers_the_same_and_never_waits_for_the_mail_server(
    client, monkeypatch, django_capture_on_commit_callbacks
):
    UserFactory(username="pemilik", email="pemilik@contoh.id")
    queued = _queued_mail(monkeypatch)
    answers = []
    for email in ["pemilik@contoh.id", "tidak-ada@contoh.id"]:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/akun/kata-sandi/lupa/", {"email": email})
        answers.append((response.status_code, response["Location"]))
    assert answers[0] == answers[1] == (302, "/akun/kata-sandi/lupa/terkirim/")
    assert not mail.outbox  # the request for a registered address did no SMTP
    assert len(queued) == 1 and queued[0][2] == "pemilik@contoh.id"
    assert "/akun/kata-sandi/atur/" in queued[0][1]


def test_login_checks_a_password_as_often_for_unknown_as_for_known_accounts(client, monkeypatch):
    UserFactory(username="pemilik")
    hashed = _count_hashing(monkeypatch)
    counts = []
    for login in ["pemilik", "tidak-ada"]:
        hashed.clear()
        response = _login(client, login, "salah")
        assert "kata sandi salah" in response.content.decode()
        counts.append(len(hashed))
    assert counts[0] == counts[1]


# --- Rate limits ------------------------------------------------------------------------------


def _assert_429(response, *, json=False):
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 3600
    text = response.json()["error"] if json else response.content.decode()
    assert "Terlalu banyak permintaan dari alamat Anda" in text
    assert f"{response['Retry-After']} detik" in text


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/akun/kata-sandi/lupa/", {"email": "siapa@contoh.id"}),
        ("/akun/konfirmasi-ulang/", {"email": "siapa@contoh.id"}),
        ("/akun/daftar/", {**REGISTRATION, "password2": "beda"}),
    ],
)
def test_account_forms_are_rate_limited_per_client_address(client, settings, address, url, data):
    settings.ACCOUNTS_RATE = "3/hour"
    for _ in range(3):
        assert client.post(url, data, REMOTE_ADDR=address).status_code != 429
    _assert_429(client.post(url, data, REMOTE_ADDR=address))
    assert client.get(url, REMOTE_ADDR=address).status_code == 200  # reading the form is free
    assert client.post(url, data, REMOTE_ADDR=fresh_address()).status_code != 429


def test_calculator_api_is_rate_limited(client, settings, address):
    settings.CALCULATOR_API_RATE = "2/min"
    body = {"materials": [], "labour": [], "facility": "none"}
    for _ in range(2):
        response = client.post(
            "/api/v1/calculator/", body, content_type="application/json", REMOTE_ADDR=address
        )
        assert response.status_code in (200, 400)
    _assert_429(
        client.post(
            "/api/v1/calculator/", body, content_type="application/json", REMOTE_ADDR=address
        ),
        json=True,
    )


def test_statistics_page_is_rate_limited(client, settings, address):
    settings.REGISTRY_API_RATE = "2/min"
    for _ in range(2):
        assert client.get("/statistik/", REMOTE_ADDR=address).status_code == 200
    response = client.get("/statistik/", REMOTE_ADDR=address)
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1


def test_limits_count_the_client_behind_the_proxy_not_the_proxy(client, settings):
    settings.ACCOUNTS_RATE = "1/hour"
    settings.NUM_PROXIES = 1
    proxy = {"REMOTE_ADDR": "172.18.0.5"}
    url, data = "/akun/konfirmasi-ulang/", {"email": "siapa@contoh.id"}
    first, second = fresh_address(), fresh_address()
    assert client.post(url, data, HTTP_X_FORWARDED_FOR=first, **proxy).status_code == 302
    _assert_429(client.post(url, data, HTTP_X_FORWARDED_FOR=first, **proxy))
    # Another client behind the same proxy; a made-up left-hand hop changes nothing.
    assert client.post(url, data, HTTP_X_FORWARDED_FOR=second, **proxy).status_code == 302
    spoofed = client.post(url, data, HTTP_X_FORWARDED_FOR=f"1.2.3.4, {first}", **proxy)
    assert spoofed.status_code == 429
