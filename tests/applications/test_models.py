from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

import pytest

from applications.models import Application, Company, Province, Regency
from applications.validators import validate_manufacturing_kbli, validate_nib, validate_npwp
from tests.factories import (
    ApplicationFactory,
    CompanyFactory,
    DevelopmentItemFactory,
    MaterialLineFactory,
    ProductFactory,
)

pytestmark = pytest.mark.django_db


def test_region_reference_data_is_loaded_by_migration():
    assert Province.objects.count() == 38
    assert Regency.objects.count() == 514
    assert Province.objects.get(code="32").name == "Jawa Barat"
    assert Regency.objects.get(code="32.73").name == "Kota Bandung"
    # Every regency code starts with its province code.
    for regency in Regency.objects.all():
        assert regency.code.startswith(f"{regency.province_id}.")


@pytest.mark.parametrize(
    "value", ["912030123456", "91203012345678", "91203O1234567", "", "9120-301234567"]
)
def test_nib_must_be_13_digits(value):
    with pytest.raises(ValidationError) as exc:
        validate_nib(value)
    assert "13 angka" in str(exc.value)


def test_valid_nib_and_npwp_pass():
    validate_nib("9120301234567")
    validate_npwp("01.234.567.8-426.000")
    validate_npwp("3201234567890001")


@pytest.mark.parametrize("value", ["0123", "01.234.567.8-426.00X", "12345678901234567"])
def test_npwp_rejects_wrong_lengths_and_letters(value):
    with pytest.raises(ValidationError):
        validate_npwp(value)


@pytest.mark.parametrize(
    "code,ok",
    [
        ("10110", True),
        ("31001", True),
        ("33121", True),
        ("09100", False),
        ("34100", False),
        ("46100", False),
        ("3100", False),
        ("3100a", False),
    ],
)
def test_product_kbli_must_be_manufacturing(code, ok):
    if ok:
        validate_manufacturing_kbli(code)
    else:
        with pytest.raises(ValidationError):
            validate_manufacturing_kbli(code)


def test_company_regency_must_be_in_province():
    company = CompanyFactory.build(province_id="32", regency_id="31.71")
    with pytest.raises(ValidationError) as exc:
        company.clean()
    assert "regency" in exc.value.message_dict


@pytest.mark.parametrize(
    "capital,small",
    [(Decimal("5000000000"), True), (Decimal("5000000000.01"), False), (Decimal("0"), True)],
)
def test_small_industry_is_computed_from_capital(capital, small):
    assert CompanyFactory.build(capital_rp=capital).is_small_industry is small


def test_nib_is_unique_in_the_database():
    CompanyFactory(nib="9120301234567")
    with pytest.raises(IntegrityError), transaction.atomic():
        CompanyFactory(nib="9120301234567")


def test_negative_capital_is_refused_by_the_database():
    company = CompanyFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Company.objects.filter(pk=company.pk).update(capital_rp=Decimal("-1"))


def test_one_open_application_per_product_in_the_database():
    product = ProductFactory()
    ApplicationFactory(product=product)
    with pytest.raises(IntegrityError), transaction.atomic():
        ApplicationFactory(product=product)
    # A finished application does not block a new one (renewal after issue).
    Application.objects.filter(product=product).update(status=Application.Status.ISSUED)
    ApplicationFactory(product=product)


def test_domestic_material_without_proof_counts_as_foreign():
    with_proof = MaterialLineFactory()
    without_proof = MaterialLineFactory(purchase_proof="")
    imported = MaterialLineFactory(domestic=False)
    assert with_proof.counts_as_domestic
    assert not without_proof.counts_as_domestic
    assert not imported.counts_as_domestic


def test_development_item_needs_number_and_file():
    assert DevelopmentItemFactory().is_evidenced
    assert not DevelopmentItemFactory(number=" ").is_evidenced
    assert not DevelopmentItemFactory(evidence="").is_evidenced


def test_uploads_get_unguessable_private_names():
    line = MaterialLineFactory()
    assert line.purchase_proof.name.startswith("private/materialline/")
    assert "faktur" not in line.purchase_proof.name
    assert line.purchase_proof.name.endswith(".pdf")


def test_str_methods_are_readable():
    line = MaterialLineFactory()
    application = line.application
    assert str(application.product.company).endswith(f"(NIB {application.product.company.nib})")
    assert "Draf" in str(application)
    assert str(line) == "Rotan"
    assert str(Province.objects.get(code="11")) == "Aceh"


@pytest.mark.parametrize("language", ["id", "en"])
def test_status_display_is_djangos_for_every_status(language):
    """``Application.get_status_display`` (a faster copy) answers as Django's own would, in
    both languages, and returns an unknown value as it is."""
    from django.db.models import Model
    from django.utils import translation

    field = Application._meta.get_field("status")
    with translation.override(language):
        for value, _label in Application.Status.choices + [("NOT_A_STATUS", "")]:
            application = Application(status=value)
            django = Model._get_FIELD_display(application, field)
            assert application.get_status_display() == django
