"""The supplier finder (issue 15): page, shortlist, exports and the owner's contact opt-in."""

import datetime
import io
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

import pytest
from openpyxl import load_workbook

from registry import finder, procurement
from registry.models import Certificate
from tests.factories import CertificateFactory, CompanyFactory

pytestmark = pytest.mark.django_db

FINDER = "/pemasok/"
SHORTLIST = "/pemasok/daftar-pendek/"
CHANGE = "/pemasok/daftar-pendek/ubah/"


def _cert(company=None, **kwargs):
    """A certificate of ``company`` (one product each)."""
    if company is not None:
        kwargs["application__product__company"] = company
    return CertificateFactory(**kwargs)


@pytest.fixture
def opted_in():
    return CompanyFactory(
        name="CV Mebel Sekolah Bandung",
        public_phone="0812 1111 2222",
        public_email="jual@mebelsekolah.example",
        marketplace_url="https://katalog.example/mebel-sekolah",
        show_contact_to_buyers=True,
        phone="0899 7777 6666",
        person_in_charge="Siti Rahmawati",
        npwp="09.876.543.2-111.000",
    )


@pytest.fixture
def private():
    return CompanyFactory(
        name="CV Rotan Sunyi",
        # Filled in, but no consent: nothing of this may reach a buyer.
        public_phone="0813 5555 4444",
        public_email="rahasia@rotansunyi.example",
        marketplace_url="https://toko.example/rotan-sunyi",
        show_contact_to_buyers=False,
        phone="0877 1234 9876",
        person_in_charge="Agus Wiranata",
        npwp="07.111.222.3-444.000",
        email="pemilik@rotansunyi.example",
    )


def _secrets_of(company) -> list[str]:
    return [
        company.phone,
        company.email,
        company.nib,
        company.npwp,
        company.person_in_charge,
        company.public_phone,
        company.public_email,
        company.marketplace_url,
    ]


def test_needs_map_to_kbli_ranges():
    furniture = procurement.NEEDS_BY_SLUG["mebel"]
    assert furniture.kbli_prefixes == ("310",)
    assert str(furniture.kbli_q()) == str(
        __import__("django.db.models", fromlist=["Q"]).Q(kbli__gte="310", kbli__lt="311")
    )
    slugs = [need.slug for need in procurement.NEEDS]
    assert len(slugs) == len(set(slugs))
    assert procurement.tkdn_level(Decimal("40.00")) == "wajib"
    assert procurement.tkdn_level(Decimal("39.99")) == "preferensi"
    assert procurement.tkdn_level(Decimal("25.00")) == "preferensi"


def test_category_region_tiers_and_minimum(opted_in):
    # Furniture in Kota Bandung (32.73), Kab. Bandung (32.04, same province) and Jakarta (31.71).
    here = _cert(opted_in, product_name="Meja Sekolah", tkdn_ik=Decimal("30.00"))
    province = _cert(
        product_name="Kursi Rotan Soreang", regency_id="32.04", regency_name="Kab. Bandung"
    )
    national = _cert(
        product_name="Lemari Jakarta",
        province_id="31",
        regency_id="31.71",
        province_name="DKI Jakarta",
        regency_name="Kota Jakarta Pusat",
        tkdn_ik=Decimal("40.00"),
    )
    # Not furniture, below the minimum, expired, revoked: never shown.
    _cert(product_name="Keripik Bandung", kbli="10794")
    _cert(product_name="Kursi Murah", tkdn_ik=Decimal("24.99"))
    _cert(product_name="Kursi Lama", issue_date=datetime.date(2020, 1, 1))
    revoked = _cert(product_name="Kursi Dicabut")
    Certificate.objects.filter(pk=revoked.pk).update(status="REVOKED", revoked_at=timezone.now())

    tiers = finder.supplier_search(category="mebel", province="32", regency="32.73")
    assert [tier.scope for tier in tiers] == ["regency", "province", "national"]
    found = [[p.pk for g in tier.groups for p in g.products] for tier in tiers]
    assert found == [[here.pk], [province.pk], [national.pk]]
    assert tiers[0].groups[0].contact["phone"] == "0812 1111 2222"
    assert tiers[1].groups[0].contact is None

    # The minimum: 40 leaves only the "wajib" product.
    tiers = finder.supplier_search(category="mebel", min_tkdn=procurement.MANDATORY_MIN_TKDN)
    assert [p.pk for tier in tiers for g in tier.groups for p in g.products] == [national.pk]


def test_page_groups_products_by_company_in_tiers(client, opted_in):
    _cert(opted_in, product_name="Meja Sekolah", tkdn_ik=Decimal("30.00"))
    _cert(opted_in, product_name="Kursi Sekolah", tkdn_ik=Decimal("40.00"))
    response = client.get(FINDER, {"category": "mebel", "regency": "32.73"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="card mb-2 supplier-card"') == 1
    assert "Meja Sekolah" in html and "Kursi Sekolah" in html
    assert html.index("Kursi Sekolah") < html.index("Meja Sekolah")  # best value first
    assert "Di Kota Bandung" in html and "Di kabupaten/kota lain di Jawa Barat" in html
    assert "tingkat wajib" in html
    assert "jual@mebelsekolah.example" in html
    assert (
        'value="32"'
        in html.split('id="id_province"')[1].split("</select>")[0].split("selected")[0][-12:]
    )


def test_words_use_the_lookup_search(client):
    _cert(product_name="Lemari Jati Ukir")
    _cert(product_name="Kursi Bambu")
    html = client.get(FINDER, {"q": "jati"}).content.decode()
    assert "Lemari Jati Ukir" in html and "Kursi Bambu" not in html


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"min_tkdn": "abc"}, "min_tkdn", "angka"),
        ({"min_tkdn": "101"}, "min_tkdn", "100"),
        ({"category": "kapal-selam"}, "category", "pilihan"),
        ({"province": "99"}, "province", "pilihan"),
        ({"province": "31", "regency": "32.73"}, "regency", "provinsi"),
        ({"q": "ab"}, "q", "3"),
    ],
)
def test_bad_input_is_explained_and_kept(client, params, field, message):
    html = client.get(FINDER, params).content.decode()
    assert f'id="id_{field}_error"' in html
    error = html.split(f'id="id_{field}_error">')[1].split("</div>")[0]
    assert message in error.lower()
    for value in params.values():
        assert value in html  # nothing typed is lost


def test_default_minimum_and_comma_decimal(client):
    _cert(product_name="Kursi 26", tkdn_ik=Decimal("26.00"))
    _cert(product_name="Kursi 28", tkdn_ik=Decimal("28.00"))
    assert "Kursi 26" in client.get(FINDER, {"category": "mebel"}).content.decode()
    html = client.get(FINDER, {"min_tkdn": "27,5"}).content.decode()
    assert "Kursi 28" in html and "Kursi 26" not in html


def test_shortlist_add_remove_without_javascript(client):
    first = _cert(product_name="Meja Guru")
    second = _cert(product_name="Kursi Murid")
    back = f"{FINDER}?category=mebel"
    for cert in (first, second):
        response = client.post(CHANGE, {"action": "add", "number": cert.number, "next": back})
        assert response.status_code == 302 and response.url == back
    html = client.get(back).content.decode()
    assert html.count("Di daftar pendek") == 2
    page = client.get(SHORTLIST).content.decode()
    assert "Meja Guru" in page and "Kursi Murid" in page
    client.post(CHANGE, {"action": "remove", "number": first.number})
    page = client.get(SHORTLIST).content.decode()
    assert "Meja Guru" not in page and "Kursi Murid" in page
    client.post(CHANGE, {"action": "clear"})
    assert "masih kosong" in client.get(SHORTLIST).content.decode()


def test_shortlist_refuses_unknown_or_invalid_and_external_next(client):
    expired = _cert(issue_date=datetime.date(2020, 1, 1))
    response = client.post(
        CHANGE, {"action": "add", "number": expired.number, "next": "https://evil.example/"}
    )
    assert response.url == SHORTLIST
    assert client.session.get(finder.SHORTLIST_SESSION_KEY, []) == []
    client.post(CHANGE, {"action": "add", "number": "TKDNIK/99/2026/999999"})
    assert client.session.get(finder.SHORTLIST_SESSION_KEY, []) == []
    assert client.get(CHANGE).status_code == 405


def _shortlisted(client, *certs):
    for cert in certs:
        client.post(CHANGE, {"action": "add", "number": cert.number})


def test_shortlist_exports_csv_and_xlsx(client, opted_in, private):
    shown = _cert(opted_in, product_name="Meja Sekolah", tkdn_ik=Decimal("40.00"))
    hidden = _cert(private, product_name="Kursi Rotan", tkdn_ik=Decimal("31.25"))
    _shortlisted(client, shown, hidden)

    response = client.get(SHORTLIST, {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "daftar-pendek-pemasok-" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[:3] == ("Perusahaan", "Produk", "Merek")
    by_product = {row[1]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert by_product["Meja Sekolah"]["TKDN-IK (%)"] == 40
    assert by_product["Meja Sekolah"]["Telepon/WhatsApp"] == "0812 1111 2222"
    assert by_product["Kursi Rotan"]["TKDN-IK (%)"] == pytest.approx(31.25)
    assert by_product["Kursi Rotan"]["Telepon/WhatsApp"] in (None, "")
    assert by_product["Kursi Rotan"]["Nomor sertifikat"] == hidden.number
    cells = " ".join(str(c) for row in rows for c in row if c is not None)
    for secret in _secrets_of(private):
        assert secret not in cells
    for secret in (opted_in.phone, opted_in.nib, opted_in.npwp, opted_in.person_in_charge):
        assert secret not in cells

    csv_text = client.get(SHORTLIST, {"format": "csv"}).content.decode("utf-8-sig")
    assert "Meja Sekolah" in csv_text and "31.25" in csv_text
    for secret in _secrets_of(private):
        assert secret not in csv_text
    assert client.get(SHORTLIST, {"format": "pdf"}).status_code == 404


def test_private_company_never_shown_on_page_or_shortlist(client, private):
    cert = _cert(private, product_name="Kursi Rotan Sunyi")
    _shortlisted(client, cert)
    for html in (
        client.get(FINDER, {"category": "mebel"}).content.decode(),
        client.get(FINDER, {"q": "rotan sunyi", "regency": "32.73"}).content.decode(),
        client.get(SHORTLIST).content.decode(),
    ):
        assert "Kursi Rotan Sunyi" in html
        for secret in _secrets_of(private):
            assert secret not in html
        assert "belum menampilkan kontak" in html


def test_print_stylesheet_and_links(client):
    css = (
        __import__("pathlib").Path(__file__).resolve().parents[2] / "static/css/portal.css"
    ).read_text()
    assert "@media print" in css and ".shortlist-table" in css
    for url in ("/", "/registri/", FINDER):
        assert 'href="/pemasok/"' in client.get(url).content.decode()


def test_owner_opts_in_on_company_profile(client):
    company = CompanyFactory()
    client.force_login(company.owner)
    url = reverse("applications:company")
    form = client.get(url).context["form"]
    data = {
        name: (value if value is not None else "")
        for name, value in form.initial.items()
        if name in form.fields
    }
    data.update(
        kbli_codes=", ".join(company.kbli_codes),
        capital_rp="750000000",
        province=company.province_id,
        regency=company.regency_id,
        show_contact_to_buyers="on",
    )
    # Consent without any contact: refused, nothing typed lost.
    html = client.post(url, data).content.decode()
    assert "paling sedikit satu kontak" in html
    company.refresh_from_db()
    assert not company.show_contact_to_buyers
    data.update(public_phone="0812-3333-4444", marketplace_url="https://toko.example/karya")
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    company.refresh_from_db()
    assert company.show_contact_to_buyers and company.public_phone == "0812-3333-4444"
    assert company.buyer_contact()["marketplace_url"] == "https://toko.example/karya"


def test_more_of_one_tier(client):
    for n in range(finder.PER_TIER + 2):
        _cert(product_name=f"Kursi Nomor {n}", tkdn_ik=Decimal("30.00") + n)
    html = client.get(FINDER, {"category": "mebel"}).content.decode()
    assert html.count("supplier-product") == finder.PER_TIER
    assert 'lebih=national#tier-national">Tampilkan lebih banyak' in html
    html = client.get(FINDER, {"category": "mebel", "lebih": "national"}).content.decode()
    assert html.count("supplier-product") == finder.PER_TIER + 2
    assert "Tampilkan lebih banyak" not in html
    # An unknown tier is ignored, never an error.
    assert client.get(FINDER, {"category": "mebel", "lebih": "mars"}).status_code == 200


def test_words_give_the_same_rings_with_or_without_the_pool(monkeypatch):
    """A search with words reads its matches at once (few matches) or ring by ring (many):
    the answer is the same."""
    _cert(product_name="Meja Jati Kota", tkdn_ik=Decimal("33.00"))
    _cert(product_name="Meja Jati Kabupaten", regency_id="32.04", regency_name="Kab. Bandung")
    _cert(
        product_name="Meja Jati Jakarta",
        province_id="31",
        regency_id="31.71",
        province_name="DKI Jakarta",
        regency_name="Kota Jakarta Pusat",
    )
    _cert(product_name="Kursi Bambu")

    def answer():
        tiers = finder.supplier_search(text="meja jati", province="32", regency="32.73")
        return [
            (t.scope, t.count, t.capped, [p.product_name for g in t.groups for p in g.products])
            for t in tiers
        ]

    pooled = answer()
    assert pooled == [
        ("regency", 1, False, ["Meja Jati Kota"]),
        ("province", 1, False, ["Meja Jati Kabupaten"]),
        ("national", 1, False, ["Meja Jati Jakarta"]),
    ]
    monkeypatch.setattr(finder, "TEXT_POOL", 1)
    assert answer() == pooled
