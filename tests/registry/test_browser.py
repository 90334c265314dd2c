"""Search → certificate → verify (and the PDF check) in headless Chromium, desktop and phone.

Screenshots go to var/screenshots/ (ignored by git)."""

import hashlib
from decimal import Decimal
from pathlib import Path

from django.core.files.base import ContentFile
from django.utils import timezone

import pytest

from tests.factories import PDF_BYTES, CertificateFactory

# reference_data: the region tables (loaded by a data migration) come back after the flush of an
# earlier transactional test, whatever order the tests run in.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 740}}


@pytest.fixture
def browser(monkeypatch):
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Debian's chromium is not installed")
    # Playwright's sync API runs an event loop in this thread; undone after the test, so later
    # subprocesses (manage.py check --deploy) do not inherit it.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def certificates():
    today = timezone.localdate()
    target = CertificateFactory(
        company_name="CV Rotan Lestari Cirebon",
        product_name="Kursi Rotan Teras",
        product_brand="Lestari",
        tkdn_ik=Decimal("36.25"),
        issue_date=today,
        province_id="32",
        regency_id="32.09",
        regency_name="Kabupaten Cirebon",
    )
    target.pdf.save("s.pdf", ContentFile(PDF_BYTES), save=False)
    target.pdf_sha256 = hashlib.sha256(PDF_BYTES).hexdigest()
    target.save()
    for i in range(25):
        CertificateFactory(
            company_name=f"UD Batik Sekar {i}",
            product_name="Kain Batik Tulis",
            tkdn_ik=Decimal("25.50") + i / Decimal("2"),
            issue_date=today,
        )
    return target


def _journey(page, base, target, size, tmp_path):
    page.goto(f"{base}/registri/")
    page.screenshot(path=str(SHOTS / f"registry-lookup-{size}.png"), full_page=True)
    page.fill("#id_q", "rotan lestari")
    page.select_option("#id_province", "32")
    page.click("#lookup-form button[type=submit]")
    page.wait_for_url("**/registri/?*q=rotan*")
    assert "province=32" in page.url  # the search lives in the URL
    page.screenshot(path=str(SHOTS / f"registry-results-{size}.png"), full_page=True)
    page.locator(f"a:visible:text('{target.number}')").first.click()
    page.wait_for_url(f"**/sertifikat/{target.number}/")
    assert page.locator("h1").inner_text().endswith(target.number)
    page.screenshot(path=str(SHOTS / f"registry-certificate-{size}.png"), full_page=True)
    page.click("text=Periksa keaslian berkas PDF")
    page.wait_for_url(f"**/verify/{target.verification_token}/")
    assert "BERLAKU" in page.locator(".verdict").inner_text()
    forged = tmp_path / "palsu.pdf"
    forged.write_bytes(PDF_BYTES.replace(b"Catalog", b"Catalof"))
    page.set_input_files("#id_pdf", str(forged))  # the change submits the form
    page.wait_for_selector("#check-result")
    result = page.locator("#check-result").inner_text()
    assert "TIDAK ASLI" in result and "TIDAK ADA di register" in result
    page.screenshot(path=str(SHOTS / f"registry-verify-{size}.png"), full_page=True)


def test_search_certificate_verify_desktop_and_phone(live_server, browser, certificates, tmp_path):
    for size, viewport in SIZES.items():
        page = browser.new_page(viewport=viewport, locale="id-ID")
        errors = []
        page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
        _journey(page, live_server.url, certificates, size, tmp_path)
        # No horizontal scrolling on a phone.
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"] + 1, (size, width)
        page.goto(f"{live_server.url}/statistik/")
        page.wait_for_function("document.querySelector('#chart-province').width > 0")
        page.screenshot(path=str(SHOTS / f"registry-statistics-{size}.png"), full_page=True)
        assert errors == []
        page.close()


def test_api_docs_render_under_the_content_security_policy(live_server, browser):
    """Swagger UI and ReDoc come up (vendored, no inline script blocked by the CSP)."""
    page = browser.new_page(viewport=SIZES["desktop"], locale="id-ID")
    blocked = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security" in m.text else None)
    page.goto(f"{live_server.url}/api/v1/docs/")
    page.wait_for_selector(".swagger-ui .info .title", timeout=15000)
    assert "/api/v1/certificates/" in page.locator(".swagger-ui").inner_text()
    page.screenshot(path=str(SHOTS / "api-docs-desktop.png"))
    page.goto(f"{live_server.url}/api/v1/redoc/")
    page.wait_for_selector("redoc .api-info, .api-content", timeout=15000)
    # Only ReDoc's "by Redocly" logo (an image on their CDN) may be refused; no script or style.
    assert [m for m in blocked if "cdn.redoc.ly" not in m] == []
    page.close()
