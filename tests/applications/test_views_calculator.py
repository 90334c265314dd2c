import pytest

# These tests cover the IK-2022 forms and flows; IK-2025 has its own tests (test_ik2025_*.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ik_2022_in_force")]

EXAMPLE_3 = {
    "materials-TOTAL_FORMS": "3",
    "materials-INITIAL_FORMS": "0",
    "materials-0-name": "Kayu",
    "materials-0-domestic": "True",
    "materials-0-qty_per_unit": "1",
    "materials-0-unit_price_rp": "42.000",
    "materials-1-name": "Lem",
    "materials-1-domestic": "True",
    "materials-1-qty_per_unit": "1",
    "materials-1-unit_price_rp": "6000",
    "materials-2-name": "Pernis",
    "materials-2-domestic": "True",
    "materials-2-qty_per_unit": "1",
    "materials-2-unit_price_rp": "2000",
    "labour-TOTAL_FORMS": "1",
    "labour-INITIAL_FORMS": "0",
    "labour-0-role": "Tukang",
    "labour-0-citizenship": "WNI",
    "labour-0-cost_per_unit_rp": "15000",
    "overhead-TOTAL_FORMS": "1",
    "overhead-INITIAL_FORMS": "0",
    "overhead-0-kind": "listrik",
    "overhead-0-domestic": "True",
    "overhead-0-cost_per_unit_rp": "3000",
    "development-TOTAL_FORMS": "1",
    "development-INITIAL_FORMS": "0",
    "development-0-kind": "HKI",
}


def test_public_calculator_page_needs_no_login(client):
    response = client.get("/kalkulator/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Kalkulator TKDN-IK" in html and 'name="materials-TOTAL_FORMS"' in html
    assert "purchase_proof" not in html


def test_preview_request_gets_the_result_panel_only(client):
    response = client.post("/kalkulator/", EXAMPLE_3, HTTP_X_PREVIEW="1")
    html = response.content.decode()
    assert "<html" not in html and "40,00\xa0%" in html and "Mencapai ambang batas" in html


def test_form_post_without_script_renders_the_whole_page(client):
    response = client.post("/kalkulator/", {**EXAMPLE_3, "materials-0-domestic": "False"})
    html = response.content.decode()
    assert "<html" in html and "19,84\xa0%" in html and "ditolak otomatis" in html


def test_bad_input_is_explained_never_a_500(client):
    data = {**EXAMPLE_3, "materials-0-unit_price_rp": "empat puluh", "labour-TOTAL_FORMS": "0"}
    response = client.post("/kalkulator/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Masukkan angka" in html and "Tenaga kerja langsung: isi minimal 1 baris" in html
    assert client.post("/kalkulator/", {"materials-TOTAL_FORMS": "x"}).status_code == 200


@pytest.mark.parametrize(
    "value",
    ["", "-1", "1e999999", "NaN", "Infinity", "9" * 40, "0,00001", "١٢٣", "1.2.3", "\x00", "<b>"],
)
@pytest.mark.parametrize(
    "field",
    [
        "materials-0-unit_price_rp",
        "materials-0-qty_per_unit",
        "materials-0-domestic",
        "labour-0-citizenship",
        "overhead-0-kind",
        "development-0-kind",
        "materials-TOTAL_FORMS",
        "labour-INITIAL_FORMS",
    ],
)
def test_hostile_values_never_give_a_500(client, field, value):
    for headers in ({}, {"HTTP_X_PREVIEW": "1"}):
        response = client.post("/kalkulator/", {**EXAMPLE_3, field: value}, **headers)
        assert response.status_code == 200
