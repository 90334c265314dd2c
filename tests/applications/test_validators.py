"""``validate_regency_in_province``: the one check that a regency/city lies in the chosen
province, and every model with a province and a regency refusing a mismatch through it."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

import pytest

from applications.models import Company, Event, Official
from applications.validators import validate_regency_in_province
from registry.models import ProgrammeTarget, RegionPopulation

MESSAGE = "Kabupaten/kota tidak berada di provinsi yang dipilih."


@pytest.mark.parametrize(
    "province,regency",
    [("32", "32.73"), ("32", None), (None, "32.73"), (None, None), ("32", "")],
)
def test_a_regency_of_the_province_or_a_missing_side_passes(province, regency):
    validate_regency_in_province(province_id=province, regency_id=regency)


@pytest.mark.parametrize("province,regency", [("33", "32.73"), ("3", "32.73"), ("32", "33.72")])
def test_a_regency_of_another_province_is_refused_on_the_regency_field(province, regency):
    # "3" is not the prefix of "32.73": the code is compared up to its dot.
    with pytest.raises(ValidationError) as excinfo:
        validate_regency_in_province(province_id=province, regency_id=regency)
    assert excinfo.value.message_dict == {"regency": [MESSAGE]}
    assert excinfo.value.error_dict["regency"][0].code == "regency_outside_province"


def _event(**region):
    start = timezone.now() + datetime.timedelta(days=3)
    return Event(
        kind=Event.Kind.SOSIALISASI,
        title="Sosialisasi",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        place="Gedung Sate",
        capacity=10,
        **region,
    )


MODELS = {
    "company": lambda **region: Company(**region),
    "official": lambda **region: Official(**region),
    "event": _event,
    "population": lambda **region: RegionPopulation(
        year=2025, ikm_count=10, source="BPS", **region
    ),
    "target": lambda **region: ProgrammeTarget(
        year=2026, metric=ProgrammeTarget.Metric.CERTIFICATES_ISSUED, target=5, **region
    ),
}


@pytest.mark.parametrize("model", MODELS)
def test_every_model_with_a_region_refuses_a_regency_outside_its_province(model):
    build = MODELS[model]
    build(province_id="32", regency_id="32.73").clean()  # a matching pair passes
    with pytest.raises(ValidationError) as excinfo:
        build(province_id="33", regency_id="32.73").clean()
    assert excinfo.value.message_dict["regency"] == [MESSAGE]


def test_an_event_reports_the_mismatch_with_its_other_errors():
    event = _event(province_id="33", regency_id="32.73")
    event.place = ""
    with pytest.raises(ValidationError) as excinfo:
        event.clean()
    assert excinfo.value.message_dict["regency"] == [MESSAGE]
    assert "place" in excinfo.value.message_dict
