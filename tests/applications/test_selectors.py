"""The stored lines feed the same engine as the command: worked example 1 and 3 from the DB."""

from decimal import Decimal

import pytest

from applications import calculation
from applications.selectors import application_calculation_input
from tests.factories import (
    ApplicationFactory,
    DevelopmentItemFactory,
    LabourLineFactory,
    MaterialLineFactory,
    OverheadLineFactory,
)

pytestmark = pytest.mark.django_db


def _example_1(application):
    MaterialLineFactory(
        application=application,
        name="LED",
        domestic=False,
        qty_per_unit=1,
        unit_price_rp=Decimal("30000"),
        purchase_proof="",
    )
    MaterialLineFactory(
        application=application, name="Rangka rotan", qty_per_unit=1, unit_price_rp=Decimal("15000")
    )
    MaterialLineFactory(
        application=application,
        name="Kabel",
        domestic=False,
        qty_per_unit=1,
        unit_price_rp=Decimal("5000"),
        purchase_proof="",
    )
    LabourLineFactory(application=application, cost_per_unit_rp=Decimal("8000"))
    for kind, cost in (("listrik", "1000"), ("air", "200"), ("alat_kerja", "800")):
        OverheadLineFactory(application=application, kind=kind, cost_per_unit_rp=Decimal(cost))


def test_worked_example_1_from_stored_lines():
    application = ApplicationFactory()
    _example_1(application)
    result = calculation.calculate(application_calculation_input(application=application))
    assert result.tkdn_ik == Decimal("21.20")
    assert result.eligible is False


def test_domestic_line_without_proof_is_computed_as_foreign():
    application = ApplicationFactory()
    _example_1(application)
    application.materials.filter(name="Rangka rotan").update(purchase_proof="")
    result = calculation.calculate(application_calculation_input(application=application))
    assert result.factors["materials"].points == 0
    assert result.tkdn_ik == Decimal("14.00")


def test_development_counts_only_with_evidence():
    application = ApplicationFactory()
    _example_1(application)
    DevelopmentItemFactory(application=application, kind="HALAL", evidence="")
    assert application_calculation_input(application=application).development == frozenset()
    DevelopmentItemFactory(application=application, kind="HKI")
    inp = application_calculation_input(application=application)
    assert inp.development == frozenset({"HKI"})
    assert calculation.calculate(inp).tkdn_ik == Decimal("23.20")
