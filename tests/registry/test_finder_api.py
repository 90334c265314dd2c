"""``GET /api/v1/suppliers/`` (issue 15): same search as the page, 400 per bad parameter,
values as decimal strings, contact only where the owner opted in."""

import json
from decimal import Decimal

import pytest

from tests.factories import CertificateFactory, CompanyFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/suppliers/"


def test_tiers_companies_and_decimal_strings(client):
    company = CompanyFactory(
        name="CV Mebel Terbuka",
        public_email="jual@terbuka.example",
        show_contact_to_buyers=True,
    )
    CertificateFactory(
        application__product__company=company, product_name="Meja", tkdn_ik=Decimal("40.00")
    )
    CertificateFactory(
        application__product__company=company, product_name="Kursi", tkdn_ik=Decimal("27.50")
    )
    CertificateFactory(
        product_name="Lemari Solo",
        province_id="33",
        regency_id="33.72",
        province_name="Jawa Tengah",
        regency_name="Kota Surakarta",
    )
    response = client.get(URL, {"category": "mebel", "regency": "32.73"})
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("public")
    data = response.json()
    assert data["min_tkdn"] == "25.00"
    assert [tier["scope"] for tier in data["tiers"]] == ["regency", "province", "national"]
    regency, province, national = data["tiers"]
    (group,) = regency["companies"]
    assert group["name"] == "CV Mebel Terbuka"
    assert group["contact"] == {
        "phone": "",
        "email": "jual@terbuka.example",
        "marketplace_url": "",
    }
    assert [(p["product_name"], p["tkdn_ik"], p["level"]) for p in group["products"]] == [
        ("Meja", "40.00", "wajib"),
        ("Kursi", "27.50", "preferensi"),
    ]
    assert group["products"][0]["detail_url"].startswith("http://testserver/sertifikat/")
    assert province["count"] == 0 and province["companies"] == []
    assert national["companies"][0]["products"][0]["product_name"] == "Lemari Solo"
    assert national["companies"][0]["contact"] is None


def test_no_region_is_one_national_tier_and_minimum_applies(client):
    CertificateFactory(product_name="Kursi 30", tkdn_ik=Decimal("30.00"))
    CertificateFactory(product_name="Kursi 39", tkdn_ik=Decimal("39.00"))
    data = client.get(URL, {"min_tkdn": "35"}).json()
    (tier,) = data["tiers"]
    assert tier["scope"] == "national" and tier["count"] == 1
    assert data["min_tkdn"] == "35.00"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"min_tkdn": "abc"}, "min_tkdn"),
        ({"min_tkdn": "-1"}, "min_tkdn"),
        ({"min_tkdn": "100.01"}, "min_tkdn"),
        ({"min_tkdn": "25.123"}, "min_tkdn"),
        ({"category": "rudal"}, "category"),
        ({"province": "99"}, "province"),
        ({"regency": "99.99"}, "regency"),
        ({"province": "31", "regency": "32.73"}, "regency"),
        ({"q": "ab"}, "q"),
        ({"q": "x" * 101}, "q"),
    ],
)
def test_bad_parameter_is_a_400_naming_it(client, params, field):
    response = client.get(URL, params)
    assert response.status_code == 400
    body = response.json()
    assert list(body) == [field]
    assert body[field] and all(isinstance(message, str) and message for message in body[field])


def test_two_bad_parameters_two_messages(client):
    body = client.get(URL, {"min_tkdn": "x", "category": "y"}).json()
    assert set(body) == {"min_tkdn", "category"}


def test_private_company_data_never_in_the_api(client):
    company = CompanyFactory(
        public_phone="0813 5555 4444",
        public_email="rahasia@rotansunyi.example",
        show_contact_to_buyers=False,
        phone="0877 1234 9876",
        person_in_charge="Agus Wiranata",
        npwp="07.111.222.3-444.000",
    )
    CertificateFactory(application__product__company=company, product_name="Kursi Sunyi")
    text = client.get(URL, {"q": "sunyi"}).content.decode()
    assert "Kursi Sunyi" in text
    for secret in (
        company.phone,
        company.email,
        company.nib,
        company.npwp,
        company.person_in_charge,
        company.public_phone,
        company.public_email,
    ):
        assert secret not in text
    assert json.loads(text)["tiers"][0]["companies"][0]["contact"] is None


def test_schema_documents_the_operation(client):
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/suppliers/"]["get"]
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert {"q", "category", "province", "regency", "min_tkdn"} <= names
    assert "400" in operation["responses"] and "200" in operation["responses"]
    product = schema["components"]["schemas"]["SupplierProduct"]["properties"]
    assert product["tkdn_ik"]["type"] == "string"
