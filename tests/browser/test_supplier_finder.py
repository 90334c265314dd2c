"""A government buyer without an account finds furniture suppliers in a regency, shortlists two
products and downloads the shortlist as XLSX (issue 15), at phone and desktop width. The filled
shortlist page is checked with axe too. Screenshots: var/screenshots/finder-*.png."""

import io
from decimal import Decimal

from django.utils import timezone

import pytest
from openpyxl import load_workbook

from tests.browser.test_accessibility import AXE, _context, _violations
from tests.browser.test_owner_journey import DESKTOP, PHONE, SHOTS
from tests.factories import CertificateFactory, CompanyFactory

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


@pytest.fixture
def suppliers():
    today = timezone.localdate()
    open_company = CompanyFactory(
        name="CV Mebel Sekolah Cirebon",
        public_phone="0812 1111 2222",
        public_email="jual@mebelcirebon.example",
        show_contact_to_buyers=True,
        npwp="09.876.543.2-111.000",
        person_in_charge="Siti Rahmawati",
    )
    quiet_company = CompanyFactory(
        name="CV Rotan Sunyi",
        public_phone="0813 5555 4444",
        show_contact_to_buyers=False,
        npwp="07.111.222.3-444.000",
        person_in_charge="Agus Wiranata",
    )
    place = {
        "issue_date": today,
        "province_id": "32",
        "regency_id": "32.09",
        "province_name": "Jawa Barat",
        "regency_name": "Kabupaten Cirebon",
    }
    desk = CertificateFactory(
        application__product__company=open_company,
        company_name=open_company.name,
        product_name="Meja Belajar Siswa",
        tkdn_ik=Decimal("40.00"),
        kbli="31001",
        **place,
    )
    chair = CertificateFactory(
        application__product__company=quiet_company,
        company_name=quiet_company.name,
        product_name="Kursi Rotan Kelas",
        tkdn_ik=Decimal("31.75"),
        kbli="31002",
        **place,
    )
    # Elsewhere in the province, and something that is not furniture in the same regency.
    CertificateFactory(
        product_name="Lemari Arsip Bandung", issue_date=today, regency_name="Kota Bandung"
    )
    CertificateFactory(product_name="Keripik Singkong", kbli="10794", **place)
    return desk, chair, open_company, quiet_company


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_buyer_finds_shortlists_and_downloads_xlsx(
    live_server, browser, suppliers, settings, viewport
):
    settings.ALLOWED_HOSTS = ["*"]
    desk, chair, open_company, quiet_company = suppliers
    width = viewport["width"]
    context = _context(browser)
    page = context.new_page()
    page.set_viewport_size(viewport)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(live_server.url + "/")
    if width < 768:
        page.get_by_role("button", name="Menu").click()
    page.get_by_role("link", name="Cari pemasok").first.click()
    page.wait_for_url("**/pemasok/")

    page.get_by_label("Kebutuhan").select_option("mebel")
    page.get_by_label("Provinsi").select_option("32")
    page.get_by_label("Kabupaten/kota").select_option("32.09")
    page.get_by_role("button", name="Cari pemasok").click()
    page.wait_for_url("**/pemasok/?*")
    page.screenshot(path=str(SHOTS / f"finder-results-{width}.png"), full_page=True)

    regency = page.locator("section", has=page.locator("#tier-regency"))
    assert "Di Kabupaten Cirebon" in regency.locator("h2").inner_text()
    assert regency.get_by_text("Meja Belajar Siswa", exact=True).is_visible()
    assert regency.get_by_text("Kursi Rotan Kelas", exact=True).is_visible()
    assert "Keripik" not in page.content()
    province = page.locator("section", has=page.locator("#tier-province"))
    assert province.get_by_text("Lemari Arsip Bandung", exact=True).is_visible()
    # Contact only where the owner agreed.
    assert regency.get_by_text("jual@mebelcirebon.example").is_visible()
    body = page.content()
    for secret in (quiet_company.public_phone, quiet_company.npwp, open_company.npwp):
        assert secret not in body

    for product in ("Meja Belajar Siswa", "Kursi Rotan Kelas"):
        page.get_by_role("button", name="Tambah ke daftar pendek").filter(has_text=product).click()
        page.wait_for_load_state()
        assert page.get_by_role("alert").filter(has_text="ditambahkan").is_visible()
    assert page.get_by_role("button", name="Di daftar pendek").count() == 2

    page.get_by_role("link", name="Daftar pendek").click()
    page.wait_for_url("**/pemasok/daftar-pendek/")
    assert page.get_by_role("button", name="Cetak").is_visible()  # shown by the script
    page.screenshot(path=str(SHOTS / f"finder-shortlist-{width}.png"), full_page=True)
    page.emulate_media(media="print")
    page.screenshot(path=str(SHOTS / f"finder-shortlist-print-{width}.png"), full_page=True)
    assert not page.locator("nav.navbar").is_visible()
    assert page.locator("table").get_by_text("Meja Belajar Siswa", exact=True).is_visible()
    page.emulate_media(media="screen")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Unduh XLSX").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    rows = list(load_workbook(io.BytesIO(download.path().read_bytes())).active.values)
    header, data = rows[0], rows[1:]
    table = [dict(zip(header, row, strict=True)) for row in data]
    assert [(row["Produk"], row["Perusahaan"]) for row in table] == [
        ("Meja Belajar Siswa", "CV Mebel Sekolah Cirebon"),
        ("Kursi Rotan Kelas", "CV Rotan Sunyi"),
    ]
    assert table[0]["TKDN-IK (%)"] == 40
    assert table[1]["TKDN-IK (%)"] == pytest.approx(31.75)
    assert table[0]["Nomor sertifikat"] == desk.number
    assert table[1]["Nomor sertifikat"] == chair.number
    assert table[0]["Telepon/WhatsApp"] == "0812 1111 2222"
    assert not table[1]["Telepon/WhatsApp"]
    cells = " ".join(str(c) for row in rows for c in row if c is not None)
    for secret in (
        quiet_company.public_phone,
        quiet_company.npwp,
        quiet_company.nib,
        quiet_company.person_in_charge,
        open_company.npwp,
        open_company.person_in_charge,
    ):
        assert secret not in cells

    if width == DESKTOP["width"] and AXE.exists():
        found = _violations(page, "shortlist-filled")
        assert not found, "\n".join(found)
    assert errors == []
    context.close()
