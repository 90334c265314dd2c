"""The IKM owner's whole journey in headless Chromium, at desktop and phone widths.

Register, confirm the e-mail (link read from the locmem outbox: live_server runs in this
process), fill the profile (the regency list follows the province), create a product, enter costs
while the TKDN-IK value changes, make a mistake and see it explained, save a draft, come back,
submit and see the status. Screenshots go to var/screenshots/ (ignored by git).
"""

import re
from pathlib import Path

from django.core import mail

import pytest

from tests.factories import PDF_BYTES

# reference_data: a transactional test flushes every table afterwards, the regions loaded by the
# data migration too; the fixture puts them back before this test runs, whatever the order.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}


@pytest.fixture
def browser(monkeypatch):
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Debian's chromium is not installed")
    # Playwright's sync API runs an event loop in this thread; the test still reads the ORM.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()


def shot(page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def value_of(page) -> str:
    return page.locator("#preview [data-tkdn-value]").inner_text()


def wait_value(page, expected: str) -> None:
    page.wait_for_function(
        "v => { const e = document.querySelector('#preview [data-tkdn-value]');"
        " return e && e.textContent.trim() === v; }",
        arg=expected,
        timeout=10_000,
    )


def test_owner_journey_desktop_and_phone(live_server, browser, tmp_path, settings):
    settings.ALLOWED_HOSTS = ["*"]
    proof = tmp_path / "faktur.pdf"
    proof.write_bytes(PDF_BYTES)
    context = browser.new_context(viewport=DESKTOP, locale="id-ID")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    base = live_server.url

    # --- Register and confirm ----------------------------------------------------------------
    page.goto(f"{base}/kalkulator/")
    shot(page, "01-calculator-1280")
    page.set_viewport_size(PHONE)
    # Today's rule set is IK-2025 (Permenperin 35/2025): the calculator says so and asks each
    # material's origin and the production facility (own factory preselected).
    assert "IK-2025" in page.locator("main").inner_text()
    assert page.locator("[data-provisional]").count() >= 1
    page.fill("#id_materials-0-name", "Kayu jati")
    page.select_option("#id_materials-0-origin", "local")
    page.fill("#id_materials-0-qty_per_unit", "1")
    page.fill("#id_materials-0-unit_price_rp", "50.000")
    page.fill("#id_labour-0-role", "Tukang")
    page.fill("#id_labour-0-cost_per_unit_rp", "20000")
    wait_value(page, "100,00\xa0%")  # 75 + 10 + 15: local material, WNI labour, own factory
    page.check("#id_facility_2")  # made by another industry: 0.30 × 15 = 4.5
    wait_value(page, "89,50\xa0%")
    shot(page, "01-calculator-375")
    page.set_viewport_size(DESKTOP)
    page.goto(f"{base}/akun/daftar/")
    page.fill("#id_full_name", "Dewi Lestari")
    page.fill("#id_email", "dewi@contoh.id")
    page.fill("#id_username", "dewi")
    page.fill("#id_password1", "pendek")
    page.fill("#id_password2", "pendek")
    page.click("main button[type=submit]")
    # A mistake is explained next to the field, and what was typed stays.
    assert page.locator("#id_password1").evaluate("e => e.classList.contains('is-invalid')")
    assert page.input_value("#id_email") == "dewi@contoh.id"
    shot(page, "02-register-error-1280")
    page.fill("#id_password1", "Rotan-Cirebon-2026")
    page.fill("#id_password2", "Rotan-Cirebon-2026")
    page.click("main button[type=submit]")
    page.wait_for_url("**/akun/daftar/terkirim/")
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/akun/konfirmasi/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)

    # --- Company profile ----------------------------------------------------------------
    page.wait_for_url("**/ikm/perusahaan/")
    page.fill("#id_name", "CV Anyaman Dewi")
    page.select_option("#id_legal_form", "CV")
    page.fill("#id_nib", "9120301111111")
    page.fill("#id_npwp", "01.234.567.8-426.000")
    page.fill("#id_person_in_charge", "Dewi Lestari")
    page.fill("#id_phone", "081234567890")
    page.fill("#id_office_address", "Jl. Tegalwangi 1")
    page.fill("#id_factory_address", "Jl. Tegalwangi 3, Weru")
    page.select_option("#id_province", "32")
    # The regency list follows the province without a reload (htmx).
    page.wait_for_selector("#id_regency option[value='32.09']", state="attached")
    page.select_option("#id_regency", "32.09")
    page.fill("#id_kbli_codes", "31001, 16291")
    page.fill("#id_capital_rp", "850.000.000")
    page.fill("#id_workers_wni", "12")
    page.click("main button[type=submit]")
    page.wait_for_selector("[data-eligible='1']")
    shot(page, "03-company-1280")
    page.set_viewport_size(PHONE)
    shot(page, "03-company-375")
    page.set_viewport_size(DESKTOP)

    # --- Product ----------------------------------------------------------------
    page.goto(f"{base}/ikm/produk/baru/")
    page.fill("#id_name", "Tas Anyaman Pandan")
    page.fill("#id_brand", "Dewi")
    page.fill("#id_specification", "30x20x10 cm, pandan alam")
    page.fill("#id_unit", "buah")
    page.fill("#id_kbli", "31001")
    page.check("#id_facility_0")  # own factory (asked from IK-2025 on)
    page.set_viewport_size(PHONE)
    shot(page, "03b-product-form-375")
    page.click("main button[type=submit]")
    page.wait_for_url("**/ikm/produk/")
    shot(page, "03c-products-375")

    # --- Supporting document (type checked from the content) -----------------------------------
    page.goto(f"{base}/ikm/dokumen/")
    page.select_option("#id_kind", "NIB")
    page.set_input_files("#id_file", str(proof))
    page.click("main button[type=submit]")
    page.wait_for_selector(".alert-success >> text=Dokumen diunggah")
    shot(page, "03d-documents-375")
    page.set_viewport_size(DESKTOP)
    page.goto(f"{base}/ikm/produk/")
    page.click("text=Ajukan TKDN-IK")
    page.wait_for_url("**/ubah/")

    # --- Costs with the live value ----------------------------------------------------------
    assert "IK-2025" in page.locator("#preview").inner_text()
    assert page.locator("#section-overhead").count() == 0  # IK-2025 has no overhead factor
    page.fill("#id_materials-0-name", "Kain")
    page.select_option("#id_materials-0-origin", "local")
    page.fill("#id_materials-0-qty_per_unit", "1")
    page.fill("#id_materials-0-unit_price_rp", "11.000")
    page.set_input_files("#id_materials-0-purchase_proof", str(proof))
    page.click("#section-materials [data-add-row]")
    page.fill("#id_materials-1-name", "Pewarna")
    page.select_option("#id_materials-1-origin", "imported")
    page.fill("#id_materials-1-qty_per_unit", "1")
    page.fill("#id_materials-1-unit_price_rp", "13000")
    page.fill("#id_labour-0-role", "Penjahit")
    page.fill("#id_labour-0-cost_per_unit_rp", "6000")
    wait_value(page, "59,38\xa0%")  # 75 × 11/24 + 10 + 15 (own factory) = 59.375, half-up
    assert page.locator("#preview .alert-success").count() == 1
    shot(page, "04-costs-1280")

    # A mistake: letters in an amount. Explained next to the field, values kept.
    page.fill("#id_labour-0-cost_per_unit_rp", "enam ribu")
    page.click("main button[value=save]")
    field = page.locator("#id_labour-0-cost_per_unit_rp")
    assert field.evaluate("e => e.classList.contains('is-invalid')")
    assert "Masukkan angka" in page.locator("#section-labour").inner_text()
    assert page.input_value("#id_materials-1-name") == "Pewarna"
    page.set_viewport_size(PHONE)
    shot(page, "05-costs-error-375")
    page.set_viewport_size(DESKTOP)
    page.fill("#id_labour-0-cost_per_unit_rp", "6000")
    page.set_input_files("#id_materials-0-purchase_proof", str(proof))  # files need re-choosing
    page.click("main button[value=save]")
    page.wait_for_selector(".alert-success >> text=Draf disimpan")

    # --- Come back later ----------------------------------------------------------------
    page.goto(f"{base}/ikm/")
    page.click("text=Tas Anyaman Pandan")
    page.click("text=Isi / ubah data biaya")
    assert page.input_value("#id_materials-1-name") == "Pewarna"
    assert value_of(page) == "59,38\xa0%"
    page.set_viewport_size(PHONE)
    shot(page, "06-costs-375")
    page.set_viewport_size(DESKTOP)

    # --- The session ends while typing: nothing typed is lost ----------------------------------
    context.clear_cookies(name="sessionid")
    page.fill("#id_materials-1-specification", "bubuk, impor")
    page.wait_for_selector("#preview .alert-warning >> text=Sesi Anda berakhir")
    other = context.new_page()
    other.goto(f"{base}/akun/masuk/")
    other.fill("#id_username", "dewi@contoh.id")
    other.fill("#id_password", "Rotan-Cirebon-2026")
    other.click("main button[type=submit]")
    other.wait_for_url("**/ikm/")
    other.close()
    page.click("main button[value=save]")
    page.wait_for_selector(".alert-success >> text=Draf disimpan")
    assert page.input_value("#id_materials-1-specification") == "bubuk, impor"

    # --- Submit and see the status ----------------------------------------------------------
    page.click("main button[value=submit]")
    page.wait_for_url("**/ajukan/")
    shot(page, "07-submit-1280")
    page.check("#id_declaration")
    page.click("button.btn-success[type=submit]")
    page.wait_for_url(re.compile(r".*/permohonan/[0-9a-f-]+/$"))
    assert "Dalam verifikasi" in page.locator("#status-card").inner_text()
    shot(page, "08-status-1280")
    page.set_viewport_size(PHONE)
    shot(page, "09-status-375")
    page.goto(f"{base}/ikm/")
    shot(page, "10-dashboard-375")
    assert errors == []
    context.close()


def test_status_card_follows_the_worker_without_a_reload(live_server, browser):
    """While the worker computes, the detail page polls the status card; the page itself stays."""
    from applications.models import Application
    from applications.services import application_calculate, application_transition
    from tests.applications.portal_helpers import draft_example_2

    application = draft_example_2()
    owner = application.product.company.owner
    # Submitted, but no worker has run yet.
    application_transition(application=application, to_status=Application.Status.SUBMITTED)
    page = browser.new_context(viewport=PHONE, locale="id-ID").new_page()
    page.goto(f"{live_server.url}/akun/masuk/")
    page.fill("#id_username", owner.email)
    page.fill("#id_password", "Rahasia-Kuat-2026")
    page.click("main button[type=submit]")
    page.wait_for_url("**/ikm/")
    page.goto(f"{live_server.url}/ikm/permohonan/{application.public_id}/")
    assert page.locator("#status-card .progress").count() == 1
    page.evaluate("window.notReloaded = true")
    polls = []
    page.on("request", lambda request: polls.append(request.url))
    application_calculate(application_id=application.pk)  # the worker's step
    page.wait_for_selector("#status-card >> text=Dalam verifikasi", timeout=10_000)
    assert page.locator("#status-card .progress").count() == 0
    assert page.evaluate("window.notReloaded") is True
    assert polls and all(url.endswith("/status/") for url in polls)
    assert "25,00\xa0%" in page.locator("#status-card").inner_text()
    shot(page, "11-status-updated-375")
