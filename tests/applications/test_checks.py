import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

import pytest

from applications.checks import application_checks, company_checks
from tests.applications.portal_helpers import draft_example_2
from tests.factories import PDF_BYTES, DevelopmentItemFactory, MaterialLineFactory

# These tests cover the IK-2022 forms and flows; IK-2025 has its own tests (test_ik2025_*.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ik_2022_in_force")]


def failing(application):
    return {check.code for check in application_checks(application=application) if not check.ok}


def test_a_complete_draft_passes_every_check():
    application = draft_example_2()
    checks = application_checks(application=application)
    assert [c.code for c in checks] == [
        "capital",
        "revocation_bar",
        "kbli",
        "packing_only",
        "nie",
        "purchase_proof",
        "development_evidence",
        "cost_data",
    ]
    assert all(c.ok for c in checks)


def test_capital_above_the_small_industry_limit():
    application = draft_example_2()
    company = application.product.company
    company.capital_rp = Decimal("5000000000.01")
    company.save()
    check = next(c for c in company_checks(company=company) if c.code == "capital")
    assert not check.ok and "Rp\xa05.000.000.000" in check.explanation and check.action
    assert failing(application) == {"capital"}


def test_product_kbli_not_on_the_nib():
    application = draft_example_2(kbli="16291")
    company = application.product.company
    company.kbli_codes = ["31001"]
    company.save()
    assert failing(application) == {"kbli"}


def test_domestic_material_without_purchase_proof_names_the_line():
    application = draft_example_2()
    MaterialLineFactory(application=application, name="Rotan", purchase_proof="")
    check = next(c for c in application_checks(application=application) if not c.ok)
    assert check.code == "purchase_proof" and check.details == ["Rotan"]


def test_development_claim_without_number_or_file():
    application = draft_example_2()
    DevelopmentItemFactory(application=application, kind="SNI", number="")
    assert failing(application) == {"development_evidence"}
    application.development.all().delete()
    DevelopmentItemFactory(application=application, kind="HALAL", evidence="")
    assert failing(application) == {"development_evidence"}


@pytest.mark.parametrize("category", ["MEDICAL_DEVICE", "PHARMACEUTICAL"])
def test_medical_and_pharmaceutical_products_need_an_nie(category):
    application = draft_example_2(category=category)
    assert failing(application) == {"nie"}
    product = application.product
    product.nie_number = "AKD 20501234567"
    product.nie_file.save("nie.pdf", ContentFile(PDF_BYTES))
    assert failing(application) == set()


def test_packing_only_is_not_eligible():
    application = draft_example_2(packing_only=True)
    assert failing(application) == {"packing_only"}


def test_the_one_year_bar_after_a_revocation():
    application = draft_example_2()
    company = application.product.company
    company.barred_until = timezone.localdate() + datetime.timedelta(days=30)
    company.save()
    check = next(c for c in company_checks(company=company) if c.code == "revocation_bar")
    assert not check.ok and str(company.barred_until.year) in check.explanation
    company.barred_until = timezone.localdate()
    company.save()
    assert failing(application) == set()


def test_missing_cost_data_is_explained_by_the_engine():
    application = draft_example_2()
    application.labour.all().delete()
    check = next(c for c in application_checks(application=application) if not c.ok)
    assert check.code == "cost_data" and "Tenaga kerja langsung" in check.explanation
