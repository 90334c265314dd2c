"""Acceptance test of the rule sets, end to end: headless Chromium (id-ID) and a REAL Celery worker.

1. An owner chooses the production facility on the product form, then enters an IK-2025 cost page:
   a certified component (TKDN 45,5 %, certificate number and file, purchase proof), a material
   made in Indonesia with imported inputs, and WNI labour. The live value changes as they type; the
   result panel names IK-2025 and Permenperin 35/2025 and says the set is provisional. Save, submit.
2. The worker computes the value (UNDER_REVIEW): the engine's value for those inputs under IK-2025.
3. A superuser approves in the admin; the worker renders the PDF (ISSUED).
4. The PDF, the public certificate page, the open API and the admin say IK-2025, Permenperin
   35/2025 and 5 years' validity; the admin offers no extension, only revocation.
5. An application submitted before 12 Dec 2025 (IK-2022) is certified for 3 years with the 2022
   legal basis, and is extended once, by 2 years, from the admin; a second extension is refused.

Screenshots (1280 and 375 px) go to var/screenshots/ (ignored by git).
"""

import datetime
import io
import re
import time
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

import pytest
from pypdf import PdfReader

from applications import calculation
from applications.exceptions import WorkflowError
from applications.models import Application
from registry.models import Certificate
from registry.services import application_approve, certificate_extend
from tests.browser.test_owner_journey import DESKTOP, PHONE, SHOTS, wait_value
from tests.factories import (
    PDF_BYTES,
    CompanyFactory,
    ProductFactory,
    UserFactory,
    application_under_review,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]
S = Application.Status
PASSWORD = "Rahasia-Kuat-2026"
TIMEOUT = 60


def _wait_for(predicate, what: str, worker) -> None:
    start = time.monotonic()
    while time.monotonic() - start < TIMEOUT:
        if worker.poll() is not None:
            pytest.fail(f"worker exited with {worker.returncode} while waiting for {what}")
        if predicate():
            return
        time.sleep(0.05)
    pytest.fail(f"timed out after {TIMEOUT}s waiting for {what}")


def _status(pk: int) -> str:
    return Application.objects.values_list("status", flat=True).get(pk=pk)


def _shots(page, name: str, *, element: str | None = None) -> None:
    """``name``-1280.png and ``name``-375.png; the whole page, or one element of it."""
    for size, viewport in (("1280", DESKTOP), ("375", PHONE)):
        page.set_viewport_size(viewport)
        path = str(SHOTS / f"{name}-{size}.png")
        if element:
            page.locator(element).screenshot(path=path)
        else:
            page.screenshot(path=path, full_page=True)
    page.set_viewport_size(DESKTOP)


def _pdf_text(certificate: Certificate) -> str:
    certificate.pdf.open("rb")
    try:
        reader = PdfReader(io.BytesIO(certificate.pdf.read()))
    finally:
        certificate.pdf.close()
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _plus_years_minus_a_day(day: datetime.date, years: int) -> datetime.date:
    # Spec §6: issue date + N years − 1 day (29 Feb + N years is 1 Mar of a common year).
    try:
        end = day.replace(year=day.year + years)
    except ValueError:
        end = datetime.date(day.year + years, 3, 1)
    return end - datetime.timedelta(days=1)


def _long_date(day: datetime.date) -> str:
    with translation.override("id"):
        return date_format(day, "j F Y")


def _page_date(day: datetime.date) -> str:
    with translation.override("id"):
        return date_format(day)


def _login(page, base: str, username: str, url: str) -> None:
    page.goto(f"{base}{url}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit], #login-form input[type=submit]")


def _expected_ik2025() -> calculation.CalculationResult:
    """The engine on what the owner types below (spec §8): 75·s_M + 10·s_L + 15·f."""
    return calculation.calculate(
        calculation.CalculationInput(
            materials=(
                calculation.MaterialLine(
                    name="Rangka aluminium",
                    qty_per_unit=Decimal("1"),
                    unit_price_rp=Decimal("20000"),
                    origin="certified",
                    component_tkdn_pct=Decimal("45.5"),
                ),
                calculation.MaterialLine(
                    name="Kain jok",
                    qty_per_unit=Decimal("2"),
                    unit_price_rp=Decimal("5000"),
                    origin="local_with_imports",
                ),
            ),
            labour=(
                calculation.LabourLine(
                    role="Tukang las", cost_per_unit_rp=Decimal("12000"), citizenship="WNI"
                ),
            ),
            facility="own",
        ),
        calculation.IK_2025,
    )


def test_ik2025_from_cost_page_to_certificate_and_ik2022_extension(
    live_server, browser, worker, tmp_path, settings, client
):
    settings.ALLOWED_HOSTS = ["*"]
    settings.TKDN_ADMIN_2FA = False  # the admin's second factor has its own tests
    settings.TKDN_FOUR_EYES = False
    proof = tmp_path / "faktur.pdf"
    proof.write_bytes(PDF_BYTES)
    certificate_file = tmp_path / "sertifikat-tkdn-komponen.pdf"
    certificate_file.write_bytes(PDF_BYTES)
    base = live_server.url
    expected = _expected_ik2025()
    # 20,000 × 0.60 (45.5 % is in the band 40–60) + 10,000 × 0.25 of 30,000 → 75 × 0.4833 = 36.25;
    # + 10 (WNI labour) + 15 (own factory).
    assert expected.tkdn_ik == Decimal("61.25")
    shown = f"{expected.tkdn_ik}".replace(".", ",") + "\xa0%"

    owner = UserFactory(username="pemilik_ik2025")
    company = CompanyFactory(owner=owner, name="CV Kursi Lipat Bandung")
    product = ProductFactory(company=company, name="Kursi Lipat Aluminium", facility="")
    official = UserFactory(username="admin_ik2025", is_staff=True, is_superuser=True)

    context = browser.new_context(viewport=DESKTOP, locale="id-ID")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # --- 1. The owner: facility on the product form, then the IK-2025 cost page ---------------
    _login(page, base, owner.username, "/akun/masuk/")
    page.wait_for_url("**/ikm/")
    page.goto(f"{base}{reverse('applications:product_edit', args=[product.pk])}")
    page.check("input[name=facility][value=own]")
    page.click("main button[type=submit]")
    page.wait_for_url("**/ikm/produk/")
    product.refresh_from_db()
    assert product.facility == "own"
    page.locator("form", has=page.locator("text=Ajukan TKDN-IK")).locator("button").click()
    page.wait_for_url("**/ubah/")
    application = Application.objects.get(product=product)
    assert application.rule_set == "IK-2025"
    assert page.url.endswith(
        reverse("applications:application_edit", kwargs={"public_id": application.public_id})
    )
    assert "Pabrik/bengkel sendiri" in page.locator("main").inner_text()

    row0 = page.locator("#section-materials [data-row]").nth(0)
    certified_only = row0.locator("[data-certified-only]")
    assert certified_only.count() == 3
    # Asked only for a certified component (static/js/line-formsets.js syncCertified).
    for i in range(3):
        assert certified_only.nth(i).is_hidden()
    page.fill("#id_materials-0-name", "Rangka aluminium")
    page.select_option("#id_materials-0-origin", "certified")
    for i in range(3):
        assert certified_only.nth(i).is_visible()
    page.fill("#id_materials-0-qty_per_unit", "1")
    page.fill("#id_materials-0-unit_price_rp", "20.000")
    page.fill("#id_materials-0-component_tkdn", "45,5")
    page.fill("#id_materials-0-component_certificate_number", "TKDN-KOMP/2025/000123")
    page.set_input_files("#id_materials-0-component_certificate", str(certificate_file))
    page.set_input_files("#id_materials-0-purchase_proof", str(proof))
    page.fill("#id_labour-0-role", "Tukang las")
    page.fill("#id_labour-0-cost_per_unit_rp", "12000")
    # Materials all certified at 0.60: 75 × 0.60 + 10 + 15.
    wait_value(page, "70,00\xa0%")
    page.click("#section-materials [data-add-row]")
    row1 = page.locator("#section-materials [data-row]").nth(1)
    page.fill("#id_materials-1-name", "Kain jok")
    # A row added in the browser toggles too, both ways.
    assert row1.locator("[data-certified-only]").first.is_hidden()
    page.select_option("#id_materials-1-origin", "certified")
    assert row1.locator("[data-certified-only]").first.is_visible()
    page.select_option("#id_materials-1-origin", "local_with_imports")
    assert row1.locator("[data-certified-only]").first.is_hidden()
    page.fill("#id_materials-1-qty_per_unit", "2")
    page.fill("#id_materials-1-unit_price_rp", "5000")
    page.set_input_files("#id_materials-1-purchase_proof", str(proof))
    wait_value(page, shown)
    panel = page.locator("#preview #result-panel")
    assert "IK-2025" in panel.locator("[data-rule-set]").inner_text()
    assert "Permenperin 35/2025" in panel.locator("[data-rule-set]").inner_text()
    provisional = panel.locator("[data-provisional]")
    assert provisional.is_visible()
    assert "Sementara" in provisional.inner_text()
    # No overhead list and no development points under IK-2025: the panel's factors say so.
    assert page.locator("#section-overhead").count() == 0
    factors = panel.locator("tbody").inner_text()
    assert "Fasilitas produksi" in factors and "15,00 / 15" in factors
    assert "Biaya pengembangan" not in factors and "Biaya tidak langsung" not in factors
    _shots(page, "rs-01-ik2025-costs")
    _shots(page, "rs-02-ik2025-result", element="#preview")

    page.click("main button[value=save]")
    page.wait_for_selector(".alert-success >> text=Draf disimpan")
    materials = list(application.materials.order_by("position", "id"))
    assert [m.origin for m in materials] == ["certified", "local_with_imports"]
    assert materials[0].component_tkdn == Decimal("45.50")
    assert materials[0].component_is_evidenced and materials[0].purchase_proof
    # After the reload the stored certified line still shows its fields, the other does not.
    assert (
        page.locator("#section-materials [data-row]")
        .nth(0)
        .locator("[data-certified-only]")
        .first.is_visible()
    )
    assert (
        page.locator("#section-materials [data-row]")
        .nth(1)
        .locator("[data-certified-only]")
        .first.is_hidden()
    )
    assert page.locator("#preview [data-tkdn-value]").inner_text() == shown

    page.click("main button[value=submit]")
    page.wait_for_url("**/ajukan/")
    page.check("#id_declaration")
    page.click("button.btn-success[type=submit]")
    page.wait_for_url(re.compile(r".*/permohonan/[0-9a-f-]+/$"))

    # --- 2. The real worker computes it ------------------------------------------------------
    _wait_for(lambda: _status(application.pk) == S.UNDER_REVIEW, "the TKDN-IK value", worker)
    application.refresh_from_db()
    assert application.rule_set == "IK-2025"
    assert application.tkdn_ik == expected.tkdn_ik
    assert application.breakdown["rule_set"] == "IK-2025"
    assert application.breakdown["legal_basis"] == "Permenperin 35/2025"
    assert set(application.breakdown["factors"]) == {"materials", "labour", "facility"}
    page.wait_for_selector("#status-card >> text=Dalam verifikasi", timeout=10_000)

    # --- 3. An official approves in the admin ------------------------------------------------
    admin = browser.new_context(viewport=DESKTOP, locale="id-ID")
    admin_page = admin.new_page()
    admin_page.on("pageerror", lambda exc: errors.append(f"admin: {exc}"))
    _login(admin_page, base, official.username, "/admin/login/?next=/admin/")
    admin_page.wait_for_url("**/admin/")
    change = reverse("admin:applications_application_change", args=[application.pk])
    admin_page.goto(f"{base}{change}")
    admin_page.click(".decision-tools a >> text=Setujui permohonan")
    admin_page.click("input[type=submit][value='Ya, setujui']")
    admin_page.wait_for_selector(".messagelist .success, ul.messagelist li")
    _wait_for(lambda: _status(application.pk) == S.ISSUED, "the certificate", worker)

    # --- 4. PDF, public page, API, admin -----------------------------------------------------
    certificate = Certificate.objects.get(application=application)
    issue = certificate.issue_date
    assert issue == timezone.localdate()
    valid_until = _plus_years_minus_a_day(issue, 5)
    assert certificate.valid_until == valid_until
    assert certificate.rule_set == "IK-2025"
    assert certificate.legal_basis == "Peraturan Menteri Perindustrian Nomor 35 Tahun 2025"
    assert certificate.tkdn_ik == expected.tkdn_ik
    text = _pdf_text(certificate)
    assert certificate.number in text
    assert "61,25 %" in text or "61,25%" in text, text
    assert "Nomor 35 Tahun 2025" in text, text
    assert _long_date(valid_until) in text, text

    detail = reverse("registry:certificate_detail", kwargs={"number": certificate.number})
    page.goto(f"{base}{detail}")
    body = page.locator("main").inner_text()
    assert "61,25\xa0%" in body
    assert "IK-2025" in body
    assert "IK-2025 — Peraturan Menteri Perindustrian Nomor 35 Tahun 2025" in body
    assert _page_date(valid_until) in body, body
    _shots(page, "rs-03-ik2025-certificate")

    api = client.get(reverse("api:certificate_detail", kwargs={"number": certificate.number}))
    assert api.status_code == 200
    data = api.json()
    assert data["rule_set"] == "IK-2025"
    assert data["legal_basis"] == "Peraturan Menteri Perindustrian Nomor 35 Tahun 2025"
    assert data["valid_until"] == valid_until.isoformat()
    assert data["extended_until"] is None
    assert data["tkdn_ik"] == "61.25"

    admin_page.goto(f"{base}{reverse('admin:registry_certificate_change', args=[certificate.pk])}")
    tools = admin_page.locator(".decision-tools").inner_text()
    assert "Cabut" in tools
    assert "Perpanjang" not in tools
    with pytest.raises(WorkflowError):
        certificate_extend(certificate=certificate, actor=official)

    # --- 5. An IK-2022 application (submitted before 12 Dec 2025): 3 years + one extension ----
    old = application_under_review(product__name="Meja Rotan Lama", rule_set="IK-2022")
    Application.objects.filter(pk=old.pk).update(
        submitted_at=datetime.datetime(2025, 6, 2, 9, 0, tzinfo=datetime.UTC)
    )
    old.refresh_from_db()
    assert old.breakdown["rule_set"] == "IK-2022"
    application_approve(application=old, actor=official)
    _wait_for(lambda: _status(old.pk) == S.ISSUED, "the IK-2022 certificate", worker)
    old_certificate = Certificate.objects.get(application=old)
    old_valid_until = _plus_years_minus_a_day(old_certificate.issue_date, 3)
    assert old_certificate.rule_set == "IK-2022"
    assert old_certificate.valid_until == old_valid_until
    old_text = _pdf_text(old_certificate)
    assert "Nomor 46 Tahun 2022" in old_text, old_text
    assert _long_date(old_valid_until) in old_text, old_text
    page.goto(
        f"{base}{reverse('registry:certificate_detail', kwargs={'number': old_certificate.number})}"
    )
    old_body = page.locator("main").inner_text()
    assert "IK-2022" in old_body
    assert "IK-2022 — Peraturan Menteri Perindustrian Nomor 46 Tahun 2022" in old_body
    assert _page_date(old_valid_until) in old_body

    admin_page.goto(
        f"{base}{reverse('admin:registry_certificate_change', args=[old_certificate.pk])}"
    )
    tools = admin_page.locator(".decision-tools").inner_text()
    assert "Perpanjang" in tools and "Cabut" in tools
    first_sha = old_certificate.pdf_sha256
    admin_page.click(".decision-tools a >> text=Perpanjang")
    admin_page.click("input[type=submit][value='Perpanjang']")
    admin_page.wait_for_selector("ul.messagelist li")
    old_certificate.refresh_from_db()
    extended_until = old_valid_until.replace(year=old_valid_until.year + 2)
    assert old_certificate.extended_until == extended_until
    assert _status(old.pk) == S.EXTENDED
    # The admin no longer offers it, and the service refuses a second extension.
    admin_page.goto(
        f"{base}{reverse('admin:registry_certificate_change', args=[old_certificate.pk])}"
    )
    assert "Perpanjang" not in admin_page.locator(".decision-tools").inner_text()
    with pytest.raises(WorkflowError):
        certificate_extend(certificate=old_certificate, actor=official)
    # The worker re-renders the PDF with the new date before the test ends.
    _wait_for(
        lambda: (
            Certificate.objects.filter(pk=old_certificate.pk).exclude(pdf_sha256=first_sha).exists()
        ),
        "the re-rendered PDF",
        worker,
    )
    old_certificate.refresh_from_db()
    assert _long_date(extended_until) in _pdf_text(old_certificate)
    api = client.get(reverse("api:certificate_detail", kwargs={"number": old_certificate.number}))
    assert api.json()["extended_until"] == extended_until.isoformat()
    assert api.json()["legal_basis"] == "Peraturan Menteri Perindustrian Nomor 46 Tahun 2022"

    assert errors == []
    admin.close()
    context.close()
