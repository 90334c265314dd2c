"""Issue 13 in the browser: the honest live value on a phone, selects that show whole region
names, the logged-in navbar on one line, and the screenshots committed under docs/screens/.

The three screenshots (375 px) are written to ``docs/screens/`` on every run, so they show what
the code does now: ``register-with-errors.png``, ``costs-with-an-invalid-line.png`` and
``application-issued.png``. Look at them after a change to those pages.
"""

import datetime
import hashlib
from pathlib import Path

from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

import pytest

from tests.applications.portal_helpers import draft_example_2
from tests.browser.test_owner_journey import DESKTOP, PHONE
from tests.factories import (
    PDF_BYTES,
    ApplicationFactory,
    CertificateFactory,
    CompanyFactory,
    ProductFactory,
    UserFactory,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data", "ik_2022_in_force"),
]

SCREENS = Path(__file__).resolve().parents[2] / "docs" / "screens"


def _login(context, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def _phone(browser):
    return browser.new_context(viewport=PHONE, locale="id-ID", device_scale_factor=1)


def test_register_with_errors_at_375(live_server, browser, settings):
    settings.ALLOWED_HOSTS = ["*"]
    SCREENS.mkdir(parents=True, exist_ok=True)
    context = _phone(browser)
    page = context.new_page()
    page.goto(f"{live_server.url}/akun/daftar/")
    page.fill("#id_full_name", "Dewi Lestari")
    page.fill("#id_email", "dewi@contoh.id")
    page.fill("#id_username", "dewi")
    page.fill("#id_password1", "pendek")
    page.fill("#id_password2", "pendek")
    page.click("main button[type=submit]")
    page.wait_for_selector("[data-error-summary]")
    assert page.input_value("#id_email") == "dewi@contoh.id"
    page.screenshot(path=str(SCREENS / "register-with-errors.png"))
    context.close()


def test_costs_with_an_invalid_line_at_375(live_server, browser, settings):
    """The live value on a phone with one negative price: no ✓, the row and its reason named,
    the bar says "belum final", one sentence in the live region."""
    settings.ALLOWED_HOSTS = ["*"]
    SCREENS.mkdir(parents=True, exist_ok=True)
    draft = draft_example_2()
    context = _phone(browser)
    _login(context, live_server, draft.product.company.owner)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/ikm/permohonan/{draft.public_id}/ubah/")
    assert page.locator("#preview-bar [data-bar-sign]").inner_text() == "✓"
    page.fill("#id_materials-1-unit_price_rp", "-13.000")
    page.wait_for_selector("#result-panel[data-partial='1']", timeout=10_000)
    panel = page.locator("#result-panel").inner_text()
    assert "✓" not in panel and "Mencapai ambang batas" not in panel
    assert "Bahan baris 2" in panel and "Isi angka lebih dari 0" in panel
    assert page.locator("#preview-bar [data-bar-sign]").inner_text() == "belum final"
    announce = page.locator("#preview-announce")
    assert announce.get_attribute("aria-live") == "polite"
    assert "Bahan baris 2" in announce.inner_text()
    # The screenshot shows the row being typed and, below it, the panel that explains it.
    page.locator("#id_materials-1-unit_price_rp").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENS / "costs-with-an-invalid-line.png"))
    page.locator("[data-left-out]").scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, -120)")
    page.screenshot(path=str(SCREENS / "costs-with-an-invalid-line-panel.png"))
    # Fixed: the value is final again.
    page.fill("#id_materials-1-unit_price_rp", "13.000")
    page.wait_for_selector("#result-panel[data-partial='']", timeout=10_000)
    assert page.locator("#preview-bar [data-bar-sign]").inner_text() == "✓"
    assert errors == []
    context.close()


def test_issued_application_page_at_375(live_server, browser, settings):
    settings.ALLOWED_HOSTS = ["*"]
    SCREENS.mkdir(parents=True, exist_ok=True)
    owner = UserFactory()
    company = CompanyFactory(owner=owner, name="CV Rotan Lestari Cirebon")
    product = ProductFactory(company=company, name="Kursi Rotan Teras")
    application = ApplicationFactory(product=product, issued=True)
    today = timezone.localdate()
    certificate = CertificateFactory(
        application=application,
        issue_date=today,
        valid_until=today.replace(year=today.year + 3) - datetime.timedelta(days=1),
    )
    certificate.pdf.save("s.pdf", ContentFile(PDF_BYTES), save=False)
    certificate.pdf_sha256 = hashlib.sha256(PDF_BYTES).hexdigest()
    certificate.save()
    context = _phone(browser)
    _login(context, live_server, owner)
    page = context.new_page()
    page.goto(f"{live_server.url}/ikm/permohonan/{application.public_id}/")
    download = page.locator("#certificate a[download]")
    assert download.inner_text() == "Unduh sertifikat (PDF)"
    response = page.request.get(live_server.url + download.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    page.screenshot(path=str(SCREENS / "application-issued.png"), full_page=True)
    context.close()


# The closed select: its height (one line or two) and whether the selected name fits in it.
SHOWN = """(select) => {
  const style = getComputedStyle(select);
  const canvas = document.createElement("canvas").getContext("2d");
  canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  const text = select.options[select.selectedIndex].text;
  return {appearance: style.appearance, room, width: canvas.measureText(text).width,
          height: select.getBoundingClientRect().height, line: parseFloat(style.lineHeight)};
}"""


def test_selects_show_whole_region_names_at_375(live_server, browser, settings):
    settings.ALLOWED_HOSTS = ["*"]
    SCREENS.mkdir(parents=True, exist_ok=True)
    context = _phone(browser)
    _login(context, live_server, UserFactory())
    page = context.new_page()
    page.goto(f"{live_server.url}/ikm/perusahaan/")
    # North Sulawesi has the longest regency name (Kabupaten Kepulauan Siau Tagulandang Biaro):
    # wider than a 375 px screen's select in any font, so the select must wrap to show it.
    page.select_option("#id_province", "71")
    page.wait_for_selector("#id_regency option[value='71.09']", state="attached")
    page.select_option("#id_regency", "71.09")
    regency = page.locator("#id_regency").evaluate(SHOWN)
    assert regency["appearance"] == "base-select", regency
    assert regency["width"] > regency["room"]  # the case of the finding...
    assert regency["height"] > 1.8 * regency["line"], regency  # ...shown on two lines, whole
    province = page.locator("#id_province").evaluate(SHOWN)
    assert province["height"] < 1.8 * province["line"] + 20, province  # a short name: one line
    page.locator("#id_province").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENS / "company-long-regency.png"))
    # Still a select: opened, it lists the names whole; the keyboard chooses.
    page.click("#id_regency")
    page.screenshot(path=str(SCREENS / "company-long-regency-open.png"))
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")
    assert page.input_value("#id_regency") != "71.09"
    context.close()


def test_logged_in_navbar_is_one_line_at_1280(live_server, browser, settings):
    settings.ALLOWED_HOSTS = ["*"]
    context = browser.new_context(viewport=DESKTOP, locale="id-ID")
    user = UserFactory(email="pemilik.usaha.dengan.alamat.panjang@contoh-perusahaan.co.id")
    CompanyFactory(owner=user)
    _login(context, live_server, user)
    page = context.new_page()
    for path in ("/", "/ikm/"):
        page.goto(live_server.url + path)
        tops = page.evaluate(
            "() => Array.from(document.querySelectorAll('#nav .nav-item'),"
            " e => Math.round(e.getBoundingClientRect().top))"
        )
        assert len(tops) >= 6 and max(tops) - min(tops) <= 8, (path, tops)
    context.close()
