"""Stored script payloads shown back in headless Chromium: on the owner's pages and in the admin
they appear as text, never run, and the pages raise no Content-Security-Policy violation."""

from pathlib import Path

import pytest

from tests.factories import (
    ApplicationFactory,
    CompanyFactory,
    MaterialLineFactory,
    ProductFactory,
    UserFactory,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
SCRIPT = "<script>window.__xss=1;document.title='pwned'</script>"
IMG = "<img src=x onerror=\"window.__xss=2;document.title='pwned'\">"
PASSWORD = "Rahasia-Kuat-2026"


@pytest.fixture
def browser(monkeypatch):
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Debian's chromium is not installed")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()


def _visit(page, url, problems):
    page.goto(url)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__xss") is None, f"a payload ran on {url}"
    assert page.title() != "pwned", url
    shown = page.evaluate(
        """() => {
            const has = t =>
                t.includes('<script>window.__xss=1') || t.includes('<img src=x onerror');
            return has(document.body.innerText) || [...document.querySelectorAll('input,textarea')]
                .some(e => has(e.value));
        }"""
    )
    assert shown, f"the payload is not shown as text (or in a field) on {url}"
    assert not problems, f"{url}: {problems}"


def _login(page, base, username, url="/akun/masuk/"):
    page.goto(base + url)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    # Not the navbar's language form (its button is the first submit button of the page).
    page.click("form:not([action*='setlang']) [type=submit]")
    page.wait_for_load_state("networkidle")


def test_stored_payloads_never_run_on_owner_pages_and_in_the_admin(live_server, browser):
    owner = UserFactory(username="pemilik_xss")
    company = CompanyFactory(owner=owner, name=f"CV {SCRIPT}", person_in_charge=IMG)
    product = ProductFactory(company=company, name=f"Kursi {IMG}", brand=SCRIPT)
    application = ApplicationFactory(product=product)
    MaterialLineFactory(application=application, name=f"Rotan {SCRIPT}{IMG}")
    UserFactory(username="admin_xss", is_staff=True, is_superuser=True)

    context = browser.new_context(locale="id-ID", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda exc: problems.append(f"error: {exc}"))
    page.on(
        "console",
        lambda msg: (
            problems.append(f"console: {msg.text}")
            if "Content Security Policy" in msg.text or "Refused to" in msg.text
            else None
        ),
    )
    base = live_server.url
    _login(page, base, "pemilik_xss")
    for url in (
        "/ikm/",
        "/ikm/perusahaan/",
        "/ikm/produk/",
        f"/ikm/produk/{product.pk}/ubah/",
        f"/ikm/permohonan/{application.public_id}/",
        f"/ikm/permohonan/{application.public_id}/ubah/",
    ):
        _visit(page, base + url, problems)
    page.screenshot(path=str(SHOTS / "xss-owner-application.png"), full_page=True)
    context.close()

    context = browser.new_context(locale="id-ID", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.on("pageerror", lambda exc: problems.append(f"error: {exc}"))
    page.on(
        "console",
        lambda msg: (
            problems.append(f"console: {msg.text}")
            if "Content Security Policy" in msg.text or "Refused to" in msg.text
            else None
        ),
    )
    _login(page, base, "admin_xss", url="/admin/login/")
    for url in (
        "/admin/applications/application/",
        f"/admin/applications/application/{application.pk}/change/",
        "/admin/applications/company/",
        f"/admin/applications/company/{company.pk}/change/",
        "/admin/applications/product/",
    ):
        _visit(page, base + url, problems)
    page.screenshot(path=str(SHOTS / "xss-admin-application.png"), full_page=True)
    context.close()
