import datetime
import re

from django.utils import timezone

import pytest

pytestmark = pytest.mark.django_db


def test_home_page_in_indonesian_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="id">' in html
    assert "Sertifikat TKDN-IK" in html
    assert "25,00\xa0%" in html  # the threshold of the active rule set, Indonesian number format


def test_home_page_in_english_on_request(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Who can apply?" in html


def test_static_assets_are_vendored_not_from_a_cdn(client):
    html = client.get("/").content.decode()
    assert "vendor/bootstrap/bootstrap.min.css" in html
    # No asset from a CDN or any other host (a random CSRF token may contain the letters "cdn").
    assert not re.search(r"<(?:script|link)[^>]+(?:src|href)=[\"']?(?:https?:)?//", html)
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
    # Issue 5 added a second IKM (pemilik3) with an issued certificate and one in review; issue
    # 12 an older certificate that stays IK-2022 beside the IK-2025 ones.
    assert counts == (5, 2, 5, 4)
    from registry.models import Certificate

    certificates = {c.rule_set: c for c in Certificate.objects.all()}
    assert set(certificates) == {"IK-2022", "IK-2025"}
    assert all(c.pdf for c in certificates.values())
    ik_2022, ik_2025 = certificates["IK-2022"], certificates["IK-2025"]
    assert ik_2022.issue_date == datetime.date(2025, 6, 17)
    assert ik_2022.valid_until == datetime.date(2028, 6, 16)  # 3 years
    assert ik_2025.valid_until == ik_2025.issue_date.replace(
        year=ik_2025.issue_date.year + 5
    ) - datetime.timedelta(days=1)
    assert "Nomor 35 Tahun 2025" in ik_2025.legal_basis
    assert "Nomor 46 Tahun 2022" in ik_2022.legal_basis
    # The IK-2025 draft of the first owner has one material line of each origin.
    draft = Application.objects.get(status="DRAFT", product__name="Kursi Rotan Sintetis")
    assert draft.rule_set == "IK-2025"
    assert sorted(draft.materials.values_list("origin", flat=True)) == [
        "certified",
        "imported",
        "local",
        "local_with_imports",
    ]


def test_favicon_ico_answers_with_the_icon(client):
    from django.contrib.staticfiles import finders
    from django.templatetags.static import static

    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == static("favicon.ico")  # served by WhiteNoise
    with open(finders.find("favicon.ico"), "rb") as icon:
        assert icon.read(4) == b"\x00\x00\x01\x00"  # an ICO file
    assert 'rel="icon"' in client.get("/").content.decode()


@pytest.mark.parametrize(
    "path", ["/", "/kalkulator/", "/registri/", "/statistik/", "/akun/masuk/", "/akun/daftar/"]
)
def test_every_page_has_a_meta_description(client, path):
    html = client.get(path).content.decode()
    match = re.search(r'<meta name="description" content="([^"]+)">', html)
    assert match and len(match.group(1)) > 50


def test_language_changes_with_a_button_not_on_select(client):
    """WCAG 3.2.2: choosing an option (an arrow key does) must not submit the form."""
    html = client.get("/").content.decode()
    form = re.search(r'<form action="/i18n/setlang/".*?</form>', html, re.S).group(0)
    assert "data-autosubmit" not in form and "<select" not in form
    # One button names the other language, in that language.
    button = r'<button type="submit" name="language" value="en" lang="en"[^>]*>English</button>'
    assert re.search(button, form)


def test_the_language_button_switches_to_english_and_back(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
    html = response.content.decode()
    assert 'value="id" lang="id"' in html and ">Bahasa Indonesia</button>" in html
    assert 'value="en" lang="en"' not in html


def test_load_demo_has_upcoming_events_in_the_demo_region_seen_by_its_official(client):
    from django.core.management import call_command

    from accounts.models import User
    from applications.models import Event
    from applications.outreach import events_upcoming_for, events_visible_to

    call_command("load_demo", verbosity=0)
    call_command("load_demo", verbosity=0)
    events = list(Event.objects.order_by("starts_at"))
    assert len(events) == 2
    assert all(e.province_id == "32" and e.starts_at > timezone.now() for e in events)
    official = events[0].created_by
    assert set(events_visible_to(official)) == set(events)
    # The demo owner's factory is in Kabupaten Cirebon: the Cirebon bimtek comes first.
    owner = User.objects.get(username="pemilik")
    assert next(iter(events_upcoming_for(owner))).regency_id == "32.09"
    assert "Bimtek TKDN-IK untuk IKM Rotan" in client.get("/pelatihan/").content.decode()
