from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

import pytest

from applications.calculation import get_rule_set
from applications.forms import (
    CompanyForm,
    DocumentForm,
    ProductForm,
    UploadField,
    calculator_formsets,
    line_formsets,
    parse_amount,
    preview_input,
)
from tests.applications.portal_helpers import draft_example_2, formset_post
from tests.factories import PDF_BYTES, PNG_BYTES, CompanyFactory


@pytest.mark.parametrize(
    ("text", "thousands", "expected"),
    [
        ("15000", True, "15000"),
        ("15.000", True, "15000"),
        ("Rp 1.250.000", True, "1250000"),
        ("1.250,50", True, "1250.50"),
        ("7500.5", True, "7500.5"),
        ("2,5", False, "2.5"),
        ("1.500", False, "1.500"),  # a quantity: the dot is a decimal point
        (" 42 ", True, "42"),
    ],
)
def test_parse_amount_accepts_the_indonesian_way(text, thousands, expected):
    assert parse_amount(text, thousands=thousands) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "abc", "1.2.3", "15 ribu", "1e5x", "--1"])
def test_parse_amount_rejects_non_numbers(text):
    with pytest.raises(ValueError):
        parse_amount(text, thousands=True)


def company_data(**overrides):
    data = {
        "name": "CV Anyaman",
        "legal_form": "CV",
        "nib": "9120301111111",
        "npwp": "01.234.567.8-426.000",
        "person_in_charge": "Dewi",
        "email": "dewi@contoh.id",
        "phone": "0812 2345 6789",
        "office_address": "Jl. A",
        "factory_address": "Jl. B",
        "postal_code": "45154",
        "province": "32",
        "regency": "32.09",
        "kbli_codes": "31001, 16291 31001",
        "capital_rp": "850.000.000",
        "workers_wni": "12",
        "workers_wna": "0",
        "siinas_account": "",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_company_form_normalises_kbli_and_capital():
    form = CompanyForm(company_data())
    assert form.is_valid(), form.errors
    assert form.cleaned_data["kbli_codes"] == ["31001", "16291"]
    assert form.cleaned_data["capital_rp"] == Decimal("850000000")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("nib", "12345", "13 angka"),
        ("npwp", "12", "15 atau 16 angka"),
        ("kbli_codes", "3100", "5 angka"),
        ("kbli_codes", "", "minimal"),
        ("capital_rp", "lima miliar", "Masukkan angka"),
        ("regency", "33.01", "pilihan yang tersedia"),  # a regency of another province
    ],
)
def test_company_form_errors_are_in_indonesian_next_to_the_field(field, value, message):
    form = CompanyForm(company_data(**{field: value}))
    assert not form.is_valid()
    assert message.lower() in " ".join(form.errors[field]).lower()


@pytest.mark.django_db
def test_product_form_requires_a_manufacturing_kbli():
    company = CompanyFactory()
    form = ProductForm(
        {"name": "Jasa", "brand": "X", "specification": "-", "unit": "buah", "kbli": "47111",
         "category": "GENERAL"},
        company=company,
    )  # fmt: skip
    assert not form.is_valid()
    assert "industri pengolahan" in form.errors["kbli"][0]


def test_upload_field_sniffs_the_content_not_the_name(settings):
    field = UploadField()
    assert field.clean(SimpleUploadedFile("faktur.pdf", PDF_BYTES, "application/pdf"))
    assert field.clean(SimpleUploadedFile("foto.png", PNG_BYTES, "image/png"))
    disguised = SimpleUploadedFile("faktur.pdf", b"MZ\x90\x00" + b"\x00" * 100, "application/pdf")
    with pytest.raises(Exception, match="PDF, JPEG, atau PNG"):
        field.clean(disguised)
    settings.MAX_UPLOAD_SIZE = 1000
    big = SimpleUploadedFile("besar.pdf", PDF_BYTES + b"0" * 2000, "application/pdf")
    with pytest.raises(Exception, match="terlalu besar"):
        field.clean(big)


@pytest.mark.django_db
def test_document_form_needs_a_product_for_a_product_photo():
    company = CompanyFactory()
    form = DocumentForm(
        {"kind": "PRODUCT_PHOTO"},
        {"file": SimpleUploadedFile("a.png", PNG_BYTES)},
        company=company,
    )
    assert not form.is_valid()
    assert "product" in form.errors


@pytest.mark.django_db
def test_preview_input_applies_the_evidence_rules_to_unsaved_data():
    application = draft_example_2()
    data = formset_post(application)
    # Mark the imported dye as domestic: without a proof it still counts as imported...
    data["materials-1-domestic"] = "True"
    ik_2022 = get_rule_set("IK-2022")
    formsets = line_formsets(application, data)
    inp, incomplete = preview_input(formsets, data, rule_set=ik_2022)
    assert incomplete == []
    assert [m.domestic for m in inp.materials] == [True, False]
    # ...and counts as domestic once a file is chosen in the browser (the marker).
    data["materials-1-purchase_proof"] = "1"
    inp, _ = preview_input(line_formsets(application, data), data, rule_set=ik_2022)
    assert [m.domestic for m in inp.materials] == [True, True]


@pytest.mark.django_db
def test_preview_input_leaves_out_and_names_incomplete_rows():
    application = draft_example_2()
    data = formset_post(application, **{"labour-0-cost_per_unit_rp": "enam ribu"})
    inp, incomplete = preview_input(line_formsets(application, data), data)
    assert inp.labour == ()
    assert incomplete == ["Tenaga kerja baris 1"]


@pytest.mark.django_db
def test_preview_input_skips_deleted_rows():
    application = draft_example_2()
    data = formset_post(application, **{"materials-1-DELETE": "on"})
    inp, _ = preview_input(line_formsets(application, data), data)
    assert [m.name for m in inp.materials] == ["Kain"]


@pytest.mark.django_db
@pytest.mark.usefixtures("ik_2022_in_force")
def test_calculator_formsets_have_no_file_fields_and_count_claims():
    data = {
        "materials-TOTAL_FORMS": "1",
        "materials-INITIAL_FORMS": "0",
        "materials-0-name": "Kayu",
        "materials-0-domestic": "True",
        "materials-0-qty_per_unit": "1",
        "materials-0-unit_price_rp": "10.000",
        "labour-TOTAL_FORMS": "1",
        "labour-INITIAL_FORMS": "0",
        "labour-0-role": "Tukang",
        "labour-0-citizenship": "WNI",
        "labour-0-cost_per_unit_rp": "5000",
        "overhead-TOTAL_FORMS": "0",
        "overhead-INITIAL_FORMS": "0",
        "development-TOTAL_FORMS": "1",
        "development-INITIAL_FORMS": "0",
        "development-0-kind": "HALAL",
    }
    formsets = calculator_formsets(data)
    assert "purchase_proof" not in formsets["materials"].forms[0].fields
    inp, incomplete = preview_input(formsets, data)
    assert incomplete == []
    assert inp.materials[0].unit_price_rp == Decimal("10000")
    assert inp.materials[0].domestic is True
    assert inp.development == frozenset({"HALAL"})


@pytest.mark.parametrize(
    ("thousands", "stored", "shown"),
    [
        (True, Decimal("850000000.00"), "850.000.000"),
        (True, Decimal("11000.50"), "11.000,5"),
        (True, Decimal("1234567.25"), "1.234.567,25"),
        (True, Decimal("0.0250"), "0,025"),
        (True, Decimal("0.00"), "0"),
        (False, Decimal("1.5000"), "1.5"),
        (False, Decimal("0.0250"), "0.025"),
        (False, Decimal("1500.0000"), "1500"),
    ],
)
def test_stored_amounts_are_shown_grouped_without_trailing_zeros(thousands, stored, shown):
    from applications.forms import AmountField

    field = AmountField(thousands=thousands)
    assert field.prepare_value(stored) == shown
    assert field.clean(shown) == stored  # what is shown reads back as the same amount
    assert field.prepare_value("15.000") == "15.000"  # typed input is kept as typed


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["850.000.000", "850000000", "Rp 850.000.000"])
def test_capital_keeps_its_separators_when_the_form_comes_back(client, typed):
    """Issue 13: "850.000.000" came back as "850000000" on a form with errors."""
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    response = client.post("/ikm/perusahaan/", {"capital_rp": typed, "name": ""})
    html = response.content.decode()
    assert f'value="{typed}"' in html  # as typed, separators included
    assert "capital_rp" not in str(response.context["form"].errors)  # both spellings accepted
