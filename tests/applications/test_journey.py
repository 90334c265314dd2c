"""Journey gaps of issue 13, one test per finding: start button, certificate download, no second
application for a certified product, withdraw with confirmation, stale withdraw, way back from the
documents page, one word for password, the admin's greeting, a next step for every status."""

import datetime
import re

from django.core.files.base import ContentFile
from django.utils import timezone, translation

import pytest

from applications.exceptions import WorkflowError
from applications.models import Application
from applications.services import application_start, application_transition
from applications.views import next_step
from tests.applications.portal_helpers import draft_example_2
from tests.factories import (
    PDF_BYTES,
    ApplicationFactory,
    CertificateFactory,
    CompanyFactory,
    OfficialFactory,
    ProductFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ik_2022_in_force")]
S = Application.Status


def url(application, suffix=""):
    return f"/ikm/permohonan/{application.public_id}/{suffix}"


def _issued(owner=None, *, valid_until=None, pdf=True):
    owner = owner or UserFactory()
    company = getattr(owner, "company", None) or CompanyFactory(owner=owner)
    product = ProductFactory(company=company)
    application = ApplicationFactory(product=product, issued=True)
    today = timezone.localdate()
    certificate = CertificateFactory(
        application=application,
        issue_date=today - datetime.timedelta(days=30),
        valid_until=valid_until or today + datetime.timedelta(days=3 * 365),
    )
    if pdf:
        certificate.pdf.save("s.pdf", ContentFile(PDF_BYTES))
    return application, certificate


def test_home_page_has_a_start_button_for_owners(client):
    html = client.get("/").content.decode()
    start = re.search(r"<a[^>]*data-start[^>]*>([^<]*)</a>", html)
    assert start and start.group(1) == "Mulai ajukan sertifikat"
    assert 'href="/akun/daftar/"' in start.group(0)
    client.force_login(CompanyFactory().owner)
    html = client.get("/").content.decode()
    start = re.search(r"<a[^>]*data-start[^>]*>", html).group(0)
    assert 'href="/ikm/"' in start


def test_issued_application_page_offers_the_certificate_download(client):
    application, certificate = _issued()
    client.force_login(application.product.company.owner)
    html = client.get(url(application)).content.decode()
    pdf_url = f"/sertifikat/{certificate.number}/unduh/"
    assert f'href="{pdf_url}"' in html and "Unduh sertifikat (PDF)" in html
    assert "{#" not in html and "{%" not in html  # no template comment leaks onto the page
    assert client.get(pdf_url).status_code == 200
    # The next step it promises is on the page.
    assert "Unduh sertifikat (PDF) di halaman permohonan" in html


def test_certificate_without_its_pdf_yet_says_so(client):
    application, _certificate = _issued(pdf=False)
    client.force_login(application.product.company.owner)
    html = client.get(url(application)).content.decode()
    assert "Berkas PDF sedang dibuat" in html and "/unduh/" not in html


def test_dashboard_does_not_offer_to_apply_for_a_certified_product(client):
    application, certificate = _issued()
    owner = application.product.company.owner
    client.force_login(owner)
    start = f"/ikm/produk/{application.product.pk}/ajukan/"
    for page in ("/ikm/", "/ikm/produk/"):
        html = client.get(page).content.decode()
        assert start not in html, page
        assert certificate.number in html and "Pembaruan dapat diajukan mulai" in html
    # A forged POST is refused by the service, with the date the renewal opens.
    response = client.post(start, follow=True)
    assert "sudah memiliki sertifikat TKDN-IK" in response.content.decode()
    assert application.product.applications.count() == 1


def test_renewal_is_offered_within_the_renewal_window(client):
    today = timezone.localdate()
    application, _certificate = _issued(valid_until=today + datetime.timedelta(days=30))
    client.force_login(application.product.company.owner)
    html = client.get("/ikm/").content.decode()
    # Offered once, as the renewal that copies the data (not also as a blank application).
    assert f"/ikm/permohonan/{application.public_id}/perbarui/" in html
    assert "Perbarui sertifikat" in html
    assert f"/ikm/produk/{application.product.pk}/ajukan/" not in html
    renewal = application_start(
        product=application.product, actor=application.product.company.owner
    )
    assert renewal.is_renewal


def test_service_refuses_a_new_application_outside_the_window():
    application, _certificate = _issued()
    with pytest.raises(WorkflowError, match="Permohonan pembaruan dapat diajukan mulai"):
        application_start(product=application.product, actor=application.product.company.owner)


def test_withdraw_asks_for_confirmation_first(client):
    draft = draft_example_2()
    client.force_login(draft.product.company.owner)
    detail = client.get(url(draft)).content.decode()
    # The detail page links to the confirmation page; no form posts the withdrawal directly.
    assert f'href="{url(draft, "batalkan/")}"' in detail
    assert f'action="{url(draft, "batalkan/")}"' not in detail
    page = client.get(url(draft, "batalkan/")).content.decode()
    assert "Batalkan permohonan ini?" in page and "Ya, batalkan permohonan" in page
    assert f'href="{url(draft)}"' in page  # "no, back"
    draft.refresh_from_db()
    assert draft.status == S.DRAFT
    assert client.post(url(draft, "batalkan/"))["Location"] == url(draft)
    draft.refresh_from_db()
    assert draft.status == S.WITHDRAWN


def test_withdraw_button_disappears_and_a_stale_post_gets_a_message(client):
    draft = draft_example_2()
    client.force_login(draft.product.company.owner)
    application_transition(application=draft, to_status=S.SUBMITTED)
    assert "Batalkan permohonan" in client.get(url(draft, "status/")).content.decode()
    application_transition(application=draft, to_status=S.CALCULATED)
    # The polled status card (and the page) no longer offer it.
    assert "Batalkan permohonan" not in client.get(url(draft, "status/")).content.decode()
    assert url(draft, "batalkan/") not in client.get(url(draft)).content.decode()
    # The confirmation page or its form left open: a clear message, not an error page.
    for method in (client.get, client.post):
        response = method(url(draft, "batalkan/"), follow=True)
        assert response.status_code == 200
        assert "tidak dapat dibatalkan lagi: statusnya sekarang" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == S.CALCULATED


def test_documents_page_has_a_way_back(client):
    client.force_login(CompanyFactory().owner)
    html = client.get("/ikm/dokumen/").content.decode()
    assert 'aria-label="breadcrumb"' in html
    assert re.search(r'<a[^>]*href="/ikm/"[^>]*data-back', html)


@pytest.mark.parametrize(
    "path", ["/akun/kata-sandi/lupa/", "/akun/masuk/", "/akun/daftar/", "/admin/login/"]
)
def test_one_word_for_password(client, path):
    html = client.get(path).content.decode()
    text = re.sub(r"<[^>]+>", " ", html)
    assert not re.search(r"(?<![Kk]ata )\b[Ss]andi\b", text), path


def test_one_word_for_password_on_signed_in_pages(client):
    client.force_login(UserFactory())
    text = re.sub(r"<[^>]+>", " ", client.get("/akun/kata-sandi/ubah/").content.decode())
    assert "Kata sandi" in text or "kata sandi" in text
    assert not re.search(r"(?<![Kk]ata )\b[Ss]andi\b", text)


def test_admin_greets_by_name_and_role_not_a_code(client, settings):
    settings.TKDN_ADMIN_2FA = False
    official = OfficialFactory(
        user__username="OFFICIAL", user__first_name="", user__last_name="", full_name="Sri Wahyuni"
    )
    client.force_login(official.user)
    html = client.get("/admin/").content.decode()
    greeting = re.search(r"Selamat datang,(.*?)</div>", html, re.S).group(1)
    assert "Sri Wahyuni" in greeting and "Petugas Dinas Perindustrian, Jawa Barat" in greeting
    assert "OFFICIAL" not in greeting


@pytest.mark.parametrize("status", list(S))
def test_every_status_has_a_next_step_in_both_languages(status):
    application = ApplicationFactory.build(status=status)
    step = next_step(application)
    assert len(step) > 30, status
    with translation.override("en"):
        english = next_step(application)
    assert english and english != step, status
