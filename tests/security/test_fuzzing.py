"""Property-based fuzzing (hypothesis) of the owner forms, the public calculator page, the
account forms and the calculator API with hostile values.

Properties, for every generated input:
- never a 500 (the test client re-raises any exception, so one would fail the test);
- a refused form comes back (200) with a message next to a field or above the form;
- a script payload typed into a field never comes back unescaped;
- the API answers 200 with a result or 4xx with ``{"error": <Indonesian>, "field": ...}``.
"""

from __future__ import annotations

import json

from django.test import Client

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.applications.portal_helpers import draft_example_2, formset_post
from tests.factories import CompanyFactory, UserFactory

SCRIPT = "<script>document.title='pwned'</script>"
IMG = '"><img src=x onerror="document.title=\'pwned\'">'

HOSTILE_STRINGS = [
    "NaN",
    "nan",
    "Infinity",
    "-Infinity",
    "inf",
    "1e309",
    "-1e309",
    "1e-400",
    "9" * 400,
    "-1",
    "-0",
    "-1.000.000",
    "1.000.000,50",
    "0,000000001",
    "0x1F",
    "1_000",
    "١٢٣",  # Arabic-Indic digits
    "１２３",  # full-width digits
    "𝟗𝟗",  # mathematical digits
    "\u202etxt.exe",
    "\u200b",
    "\ufeff",
    "e\u0301",
    "Ω≈ç√∫",
    "👩‍👩‍👧‍👦" * 50,
    "x" * 10_000,
    "\x00",
    "\x1b[31m",
    "",
    " ",
    "\r\n",
    SCRIPT,
    IMG,
    "javascript:alert(1)",
    "' OR '1'='1",
    "{{ 7*7 }}",
    "{% debug %}",
    "%s%s%n",
    "[]",
    "{}",
    "null",
    "true",
]

# Printable text only: the test client sends UTF-8, so lone surrogates cannot be encoded.
unicode_text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=60)
hostile = st.one_of(
    st.sampled_from(HOSTILE_STRINGS),
    unicode_text,
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(repr),
)
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def assert_safe_page(response, sent: dict):
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 200:
        body = response.content.decode()
        assert SCRIPT not in body and "<img src=x onerror" not in body
        return body
    return ""


def assert_clear_message(body: str):
    assert "invalid-feedback" in body or "alert-danger" in body or "errorlist" in body, body[:500]


COMPANY_FIELDS = [
    "name",
    "legal_form",
    "nib",
    "npwp",
    "person_in_charge",
    "email",
    "phone",
    "office_address",
    "factory_address",
    "postal_code",
    "province",
    "regency",
    "kbli_codes",
    "capital_rp",
    "workers_wni",
    "workers_wna",
    "siinas_account",
]
VALID_COMPANY = {
    "name": "CV Uji",
    "legal_form": "CV",
    "nib": "9120000000001",
    "npwp": "01.234.567.8-426.000",
    "person_in_charge": "Budi",
    "email": "budi@example.id",
    "phone": "081234567890",
    "office_address": "Jl. Merdeka 1",
    "factory_address": "Jl. Industri 2",
    "postal_code": "40111",
    "province": "32",
    "regency": "32.73",
    "kbli_codes": "31001",
    "capital_rp": "750000000",
    "workers_wni": "12",
    "workers_wna": "0",
    "siinas_account": "",
}


@pytest.mark.django_db
@FUZZ
@given(values=st.dictionaries(st.sampled_from(COMPANY_FIELDS), hostile, min_size=1, max_size=6))
def test_company_form(values):
    client = Client()
    client.force_login(UserFactory())
    data = {**VALID_COMPANY, **values}
    response = client.post("/ikm/perusahaan/", data)
    body = assert_safe_page(response, data)
    if response.status_code == 200:
        assert_clear_message(body)


PRODUCT_FIELDS = [
    "name",
    "brand",
    "specification",
    "unit",
    "kbli",
    "hs_code",
    "category",
    "process_description",
    "packing_only",
    "nie_number",
]
VALID_PRODUCT = {
    "name": "Kursi",
    "brand": "Lestari",
    "specification": "60x55x85 cm",
    "unit": "buah",
    "kbli": "31001",
    "hs_code": "",
    "category": "",
    "process_description": "Dirakit",
    "nie_number": "",
}


@pytest.mark.django_db
@FUZZ
@given(values=st.dictionaries(st.sampled_from(PRODUCT_FIELDS), hostile, min_size=1, max_size=5))
def test_product_form(values):
    client = Client()
    company = CompanyFactory()
    client.force_login(company.owner)
    data = {**VALID_PRODUCT, **values}
    response = client.post("/ikm/produk/baru/", data)
    body = assert_safe_page(response, data)
    if response.status_code == 200:
        assert_clear_message(body)


LINE_FIELDS = [
    "materials-0-name",
    "materials-0-qty_per_unit",
    "materials-0-unit_price_rp",
    "materials-0-domestic",
    "materials-1-unit_price_rp",
    "labour-0-role",
    "labour-0-citizenship",
    "labour-0-cost_per_unit_rp",
    "overhead-0-kind",
    "overhead-0-cost_per_unit_rp",
    "overhead-0-domestic",
    "materials-TOTAL_FORMS",
    "labour-INITIAL_FORMS",
    "materials-0-id",
]


@pytest.mark.django_db
@FUZZ
@given(values=st.dictionaries(st.sampled_from(LINE_FIELDS), hostile, min_size=1, max_size=4))
def test_cost_formsets_of_the_application_page(values):
    client = Client()
    application = draft_example_2()
    client.force_login(application.product.company.owner)
    data = {**formset_post(application), **values}
    url = f"/ikm/permohonan/{application.public_id}/ubah/"
    response = client.post(url, data)
    body = assert_safe_page(response, data)
    if response.status_code == 200:
        assert_clear_message(body)
    # The live preview (the page's script) gets the same input.
    preview = client.post(f"/ikm/permohonan/{application.public_id}/pratinjau/", data)
    assert preview.status_code in (200, 400), preview.status_code


CALCULATOR_FIELDS = [
    "materials-0-name",
    "materials-0-qty_per_unit",
    "materials-0-unit_price_rp",
    "materials-0-domestic",
    "labour-0-cost_per_unit_rp",
    "labour-0-citizenship",
    "overhead-0-cost_per_unit_rp",
    "materials-TOTAL_FORMS",
]


@FUZZ
@given(values=st.dictionaries(st.sampled_from(CALCULATOR_FIELDS), hostile, min_size=1))
@pytest.mark.django_db
def test_public_calculator_page(values):
    data = {
        "materials-TOTAL_FORMS": "1",
        "materials-INITIAL_FORMS": "0",
        "labour-TOTAL_FORMS": "1",
        "labour-INITIAL_FORMS": "0",
        "overhead-TOTAL_FORMS": "1",
        "overhead-INITIAL_FORMS": "0",
        "development-TOTAL_FORMS": "0",
        "development-INITIAL_FORMS": "0",
        **values,
    }
    client = Client()
    assert_safe_page(client.post("/kalkulator/", data), data)
    preview = client.post("/kalkulator/", data, headers={"X-Preview": "1"})
    assert preview.status_code in (200, 400)


@FUZZ
@given(
    field=st.sampled_from(["username", "email", "full_name", "password1", "password2"]),
    value=hostile,
)
@pytest.mark.django_db
def test_registration_and_login_forms(field, value):
    client = Client()
    data = {
        "full_name": "Budi",
        "email": "budi@example.id",
        "username": "budi",
        "password1": "Rahasia-Kuat-2026",
        "password2": "Rahasia-Kuat-2026",
        field: value,
    }
    assert_safe_page(client.post("/akun/daftar/", data), data)
    login = client.post("/akun/masuk/", {"username": value, "password": value})
    assert_clear_message(assert_safe_page(login, {}))


# --- The calculator API -------------------------------------------------------------------

json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=False, allow_infinity=False),
    hostile,
)
json_value = st.recursive(
    json_leaf,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(unicode_text, children, max_size=4)
    ),
    max_leaves=12,
)
LINE_KEYS = {
    "materials": ["name", "qty_per_unit", "unit_price_rp", "domestic"],
    "labour": ["role", "cost_per_unit_rp", "citizenship"],
    "overhead": ["kind", "cost_per_unit_rp", "domestic"],
}
VALID_BODY = {
    "materials": [
        {"name": "Kain", "qty_per_unit": "1", "unit_price_rp": "11000", "domestic": True}
    ],
    "labour": [{"role": "Penjahit", "cost_per_unit_rp": "6000", "citizenship": "WNI"}],
    "overhead": [{"kind": "listrik", "cost_per_unit_rp": "700", "domestic": True}],
    "development": [],
}


@st.composite
def hostile_body(draw):
    """A valid body with one to three values replaced by hostile JSON (wrong types too)."""
    body = json.loads(json.dumps(VALID_BODY))
    for _ in range(draw(st.integers(0, 3))):
        group = draw(st.sampled_from(list(LINE_KEYS)))
        key = draw(st.sampled_from(LINE_KEYS[group]))
        body[group][0][key] = draw(json_value)
    # Then, sometimes, a whole top-level value (a list replaced by a number, ...).
    if draw(st.booleans()):
        key = draw(st.sampled_from([*VALID_BODY, "rule_set", "extra"]))
        body[key] = draw(json_value)
    return body


def check_api_answer(response):
    assert response.status_code in (200, 400, 413, 415), response.status_code
    body = response.json()
    if response.status_code == 200:
        assert "tkdn_ik" in body
    else:
        assert isinstance(body["error"], str) and body["error"]
        assert "field" in body


@FUZZ
@given(body=hostile_body())
def test_calculator_api_with_hostile_values(body):
    response = Client().post(
        "/api/v1/calculator/", json.dumps(body), content_type="application/json"
    )
    check_api_answer(response)


@FUZZ
@given(body=json_value)
def test_calculator_api_with_any_json(body):
    response = Client().post(
        "/api/v1/calculator/", json.dumps(body), content_type="application/json"
    )
    check_api_answer(response)


@pytest.mark.parametrize(
    "raw",
    [
        b'{"materials": [{"unit_price_rp": NaN}]}',
        b'{"materials": [{"unit_price_rp": Infinity}]}',
        b'{"materials": [{"unit_price_rp": -Infinity}]}',
        b'{"materials": [{"unit_price_rp": 1e999999}]}',
        b'{"materials": [{"qty_per_unit": 123456789012345678901234567890123456789}]}',
        b"[" * 5000 + b"]" * 5000,
        b'{"a": "\\ud800"}',
        b"\xff\xfe\x00",
        b"",
        b"{",
        b'"just a string"',
    ],
)
def test_calculator_api_with_raw_hostile_json(raw):
    check_api_answer(Client().post("/api/v1/calculator/", raw, content_type="application/json"))
