"""The worker step: SUBMITTED → CALCULATED → UNDER_REVIEW, or REJECTED below the threshold."""

from decimal import Decimal

import pytest

from applications.models import Application
from applications.services import application_calculate, application_transition
from applications.tasks import application_calculate_task
from tests.factories import (
    ApplicationFactory,
    LabourLineFactory,
    MaterialLineFactory,
    OverheadLineFactory,
)
from tkdnportal.tasks import enqueue

pytestmark = pytest.mark.django_db
S = Application.Status


def _submitted(domestic_price: str, imported_price: str) -> Application:
    application = ApplicationFactory()
    MaterialLineFactory(
        application=application, qty_per_unit=1, unit_price_rp=Decimal(domestic_price)
    )
    MaterialLineFactory(
        application=application,
        qty_per_unit=1,
        domestic=False,
        purchase_proof="",
        unit_price_rp=Decimal(imported_price),
    )
    LabourLineFactory(application=application, cost_per_unit_rp=Decimal("6000"))
    OverheadLineFactory(application=application, cost_per_unit_rp=Decimal("700"))
    OverheadLineFactory(application=application, kind="air", cost_per_unit_rp=Decimal("300"))
    application_transition(application=application, to_status=S.SUBMITTED)
    return application


def test_eligible_application_goes_to_review_with_its_breakdown():
    application = _submitted("11000", "13000")  # worked example 2: exactly 25.00
    application_calculate_task.delay(application.pk)
    application.refresh_from_db()
    assert application.status == S.UNDER_REVIEW
    assert application.tkdn_ik == Decimal("25.00")
    assert application.eligible is True
    assert application.breakdown["factors"]["materials"]["points"] == "11.00"
    assert list(application.history.values_list("to_status", flat=True)) == [
        S.SUBMITTED,
        S.CALCULATED,
        S.UNDER_REVIEW,
    ]


def test_below_threshold_is_rejected_at_once_with_the_reason():
    application = _submitted("10990", "13010")  # worked example 2b: 24.99
    application_calculate(application_id=application.pk)
    application.refresh_from_db()
    assert application.status == S.REJECTED
    assert application.tkdn_ik == Decimal("24.99")
    assert application.reason_code == "BELOW_THRESHOLD"
    assert "24.99%" in application.decision_reason


def test_running_twice_changes_nothing_the_second_time():
    application = _submitted("11000", "13000")
    application_calculate(application_id=application.pk)
    before = application.history.count()
    assert application_calculate(application_id=application.pk) is None
    assert application.history.count() == before


def test_refused_input_fails_visibly():
    application = ApplicationFactory()
    LabourLineFactory(application=application)
    application_transition(application=application, to_status=S.SUBMITTED)
    application_calculate(application_id=application.pk)  # no material line at all
    application.refresh_from_db()
    assert application.status == S.PROCESSING_FAILED
    assert application.failed_step == "calculate"
    assert application.processing_error == "Bahan langsung: isi minimal 1 baris."


def test_enqueue_survives_a_broker_outage(caplog):
    class DownTask:
        name = "down"

        def delay(self, *args):
            raise ConnectionRefusedError("broker down")

    assert enqueue(DownTask(), 1) is False
    assert "left for the sweep" in caplog.text
