import pytest

pytestmark = pytest.mark.django_db


def test_home_page_in_indonesian_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="id">' in html
    assert "Sertifikat TKDN-IK" in html
    assert "25,00%" in html  # the threshold of the active rule set, Indonesian number format


def test_home_page_in_english_on_request(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Who can apply?" in html


def test_static_assets_are_vendored_not_from_a_cdn(client):
    html = client.get("/").content.decode()
    assert "vendor/bootstrap/bootstrap.min.css" in html
    assert "cdn" not in html.lower()
    assert "https://" not in html.split("<body")[0]


def test_healthz(client):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/tidak-ada/")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.content.decode()


def test_admin_login_page(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200


def test_superuser_sees_the_admin_with_demo_data(admin_client):
    from django.core.management import call_command

    call_command("load_demo", verbosity=0)
    assert admin_client.get("/admin/").status_code == 200
    response = admin_client.get("/admin/applications/application/")
    assert response.status_code == 200
    assert "Kursi Rotan Sintetis" in response.content.decode()


def test_load_demo_is_idempotent():
    from django.core.management import call_command

    from accounts.models import User
    from applications.models import Application, Company, Product

    call_command("load_demo", verbosity=0)
    counts = (
        User.objects.count(),
        Company.objects.count(),
        Product.objects.count(),
        Application.objects.count(),
    )
    call_command("load_demo", verbosity=0)
    assert counts == (
        User.objects.count(),
        Company.objects.count(),
        Product.objects.count(),
        Application.objects.count(),
    )
    # Issue 5 added a second IKM (pemilik3) with an issued certificate and one in review.
    assert counts == (5, 2, 4, 3)
    from registry.models import Certificate

    assert Certificate.objects.get().pdf
