import re

from django.contrib.auth import get_user_model
from django.core import mail

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()

REGISTRATION = {
    "full_name": "Dewi Lestari",
    "email": "dewi@contoh.id",
    "username": "dewi",
    "password1": "Rotan-Cirebon-2026",
    "password2": "Rotan-Cirebon-2026",
}


def confirmation_link() -> str:
    return re.search(r"https?://\S+(/akun/konfirmasi/\S+/)", mail.outbox[-1].body).group(1)


def register(client, django_capture_on_commit_callbacks, **overrides):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post("/akun/daftar/", {**REGISTRATION, **overrides})


def test_registration_creates_an_inactive_account_and_mails_a_link(
    client, django_capture_on_commit_callbacks
):
    response = register(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == "/akun/daftar/terkirim/"
    user = User.objects.get(email="dewi@contoh.id")
    assert not user.is_active and user.first_name == "Dewi" and user.last_name == "Lestari"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["dewi@contoh.id"]
    assert "dewi@contoh.id" in client.get("/akun/daftar/terkirim/").content.decode()


def test_the_link_activates_signs_in_and_works_once(client, django_capture_on_commit_callbacks):
    register(client, django_capture_on_commit_callbacks)
    link = confirmation_link()
    response = client.get(link)
    assert response.status_code == 302 and response["Location"] == "/ikm/perusahaan/"
    assert User.objects.get(username="dewi").is_active
    assert client.get("/ikm/").status_code == 200
    client.post("/akun/keluar/")
    assert client.get(link).status_code == 400  # last_login changed: the token is spent


def test_a_wrong_link_is_a_friendly_400(client):
    response = client.get("/akun/konfirmasi/MQ/abc-def/")
    assert response.status_code == 400
    assert "tidak berlaku" in response.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"password2": "lain"}, "password2", "tidak sama"),
        ({"password1": "12345678", "password2": "12345678"}, "password1", "umum"),
        ({"email": "bukan-email"}, "email", "format yang benar"),
        ({"username": "nama dengan spasi"}, "username", "huruf, angka"),
    ],
)
def test_registration_errors_keep_what_was_typed(client, overrides, field, message):
    response = client.post("/akun/daftar/", {**REGISTRATION, **overrides})
    assert response.status_code == 200
    form = response.context["form"]
    assert message.lower() in " ".join(form.errors[field]).lower()
    assert 'value="Dewi Lestari"' in response.content.decode()
    assert not User.objects.exists()


def test_registration_refuses_a_taken_username_but_never_says_an_email_is_taken(client):
    """A registered address is answered by e-mail to its owner (issue 16,
    tests/security/test_accounts_and_limits.py); a username is public, so it may be refused."""
    UserFactory(username="DEWI", email="Dewi@Contoh.id")
    response = client.post("/akun/daftar/", REGISTRATION)
    errors = response.context["form"].errors
    assert "email" not in errors
    assert "sudah dipakai" in errors["username"][0]


@pytest.mark.parametrize("login", ["pemilik@contoh.id", "PEMILIK@contoh.id", "pemilik"])
def test_login_by_email_or_username(client, login):
    UserFactory(username="pemilik", email="pemilik@contoh.id")
    response = client.post("/akun/masuk/", {"username": login, "password": "Rahasia-Kuat-2026"})
    assert response.status_code == 302 and response["Location"] == "/ikm/"


def test_login_sends_officials_to_the_admin_and_honours_a_safe_next(client):
    UserFactory(username="petugas", is_staff=True)
    data = {"username": "petugas", "password": "Rahasia-Kuat-2026"}
    assert client.post("/akun/masuk/", data)["Location"] == "/admin/"
    client.post("/akun/keluar/")
    response = client.post("/akun/masuk/?next=https://evil.example/", data)
    assert response["Location"] == "/admin/"
    client.post("/akun/keluar/")
    assert client.post("/akun/masuk/?next=/kalkulator/", data)["Location"] == "/kalkulator/"


def test_login_errors_explain_wrong_password_and_unconfirmed_account(client):
    UserFactory(username="pemilik", email="pemilik@contoh.id")
    UserFactory(username="baru", email="baru@contoh.id", is_active=False)
    wrong = client.post("/akun/masuk/", {"username": "pemilik", "password": "salah"})
    assert "kata sandi salah" in wrong.content.decode()
    unconfirmed = client.post(
        "/akun/masuk/", {"username": "baru@contoh.id", "password": "Rahasia-Kuat-2026"}
    )
    assert "belum dikonfirmasi" in unconfirmed.content.decode()


def test_logout_is_post_only(client):
    client.force_login(UserFactory())
    assert client.get("/akun/keluar/").status_code == 405
    assert client.post("/akun/keluar/").status_code == 302
    assert client.get("/ikm/").status_code == 302


def test_resend_confirmation_answers_the_same_for_unknown_addresses(
    client, django_capture_on_commit_callbacks
):
    UserFactory(username="baru", email="baru@contoh.id", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/akun/konfirmasi-ulang/", {"email": "baru@contoh.id"})
    assert len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/akun/konfirmasi-ulang/", {"email": "tidak-ada@contoh.id"})
    assert len(mail.outbox) == 1
    response = client.post("/akun/konfirmasi-ulang/", {"email": "tidak-ada@contoh.id"})
    assert response.status_code == 302


def test_password_reset_and_change(client, django_capture_on_commit_callbacks):
    user = UserFactory(username="pemilik", email="pemilik@contoh.id")
    assert client.get("/akun/kata-sandi/lupa/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/akun/kata-sandi/lupa/", {"email": "pemilik@contoh.id"})
    assert response["Location"] == "/akun/kata-sandi/lupa/terkirim/"
    assert "/akun/kata-sandi/atur/" in mail.outbox[-1].body
    reset = re.search(r"http://testserver(/akun/kata-sandi/atur/\S+/)", mail.outbox[-1].body)
    response = client.get(reset.group(1), follow=True)
    assert response.status_code == 200 and "new_password1" in response.content.decode()
    assert client.get("/akun/kata-sandi/ubah/").status_code == 302  # login required
    client.force_login(user)
    response = client.post(
        "/akun/kata-sandi/ubah/",
        {
            "old_password": "Rahasia-Kuat-2026",
            "new_password1": "Anyaman-Baru-2027",
            "new_password2": "Anyaman-Baru-2027",
        },
    )
    assert response["Location"] == "/akun/kata-sandi/ubah/selesai/"
    user.refresh_from_db()
    assert user.check_password("Anyaman-Baru-2027")
