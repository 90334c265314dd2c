"""Reason codes: one enumeration, stored in the free CharFields of the application and history."""

from applications.models import Application, StatusChange
from applications.reasons import ReasonCode


def test_every_code_fits_the_reason_fields():
    limit = min(
        Application._meta.get_field("reason_code").max_length,
        StatusChange._meta.get_field("reason_code").max_length,
    )
    assert all(len(code) <= limit for code in ReasonCode.values)


def test_codes_are_stored_as_their_plain_value():
    assert ReasonCode.BELOW_THRESHOLD == "BELOW_THRESHOLD"
    assert {"INVALID_INPUT", "OFFICIAL_DECISION", "REVISION", "ISSUE_FAILED", "REVOKED"} <= set(
        ReasonCode.values
    )
