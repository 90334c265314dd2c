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
    result = calculation.calculate(
        application_calculation_input(application=application), application.rule_set
    )
    assert result.tkdn_ik == Decimal("21.20")
    assert result.eligible is False


def test_domestic_line_without_proof_is_computed_as_foreign():
    application = ApplicationFactory()
    _example_1(application)
    application.materials.filter(name="Rangka rotan").update(purchase_proof="")
    result = calculation.calculate(
        application_calculation_input(application=application), application.rule_set
    )
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
    assert calculation.calculate(inp, "IK-2022").tkdn_ik == Decimal("23.20")


def test_visibility_follows_ownership_and_jurisdiction():
    from django.contrib.auth.models import AnonymousUser, Group

    from applications.selectors import NATIONAL_ADMIN_GROUP, applications_visible_to
    from tests.factories import OfficialFactory, UserFactory

    bandung = ApplicationFactory(product__company__regency_id="32.73")
    bogor = ApplicationFactory(product__company__regency_id="32.01")
    jakarta = ApplicationFactory(
        product__company__province_id="31", product__company__regency_id="31.71"
    )
    owner = bandung.product.company.owner

    def seen(user):
        return set(applications_visible_to(user))

    assert seen(AnonymousUser()) == set()
    assert seen(owner) == {bandung}
    assert seen(UserFactory()) == set()
    assert seen(OfficialFactory(province_id="32").user) == {bandung, bogor}
    assert seen(OfficialFactory(province_id="32", regency_id="32.01").user) == {bogor}
    assert seen(OfficialFactory(province_id="31").user) == {jakarta}
    assert seen(UserFactory(is_superuser=True, is_staff=True)) == {bandung, bogor, jakarta}
    national = UserFactory(is_staff=True)
    national.groups.add(Group.objects.get_or_create(name=NATIONAL_ADMIN_GROUP)[0])
    assert seen(national) == {bandung, bogor, jakarta}
    # An official whose staff flag was removed sees nothing as an official.
    demoted = OfficialFactory(province_id="32").user
    demoted.is_staff = False
    demoted.save()
    assert seen(demoted) == set()
