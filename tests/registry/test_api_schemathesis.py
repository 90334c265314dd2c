"""The OpenAPI schema is what the API does (issue 16): schemathesis loads the live schema from
``/api/v1/schema/`` and calls every operation with generated requests, valid (positive) and
invalid (negative), with a fixed seed and a bounded number of examples per operation, checking
that no answer is a server error and that every answer (status code, content type, headers,
body) is one the schema documents; valid requests must also be accepted.

Not checked, on purpose:

- that every schema-violating request is refused (``negative_data_rejection``): like the lookup
  page, whose URLs it shares, the API reads an empty parameter as "no filter" and trims spaces
  around text, which JSON Schema cannot state without making the documentation unreadable;
- that every schema-valid request is accepted (``positive_data_acceptance``) by the change feed,
  the calculator and the PDF check: JSON Schema cannot state a date range (``changed_since``
  from 1970 to a day from now), the calculator's cross-field rules (a facility under IK-2025, a
  component value for a certified material...) nor "a PDF" for an uploaded file. They answer
  those with a documented 400 that says why; the calculator is fuzzed on its own
  (tests/security/test_fuzzing.py), the PDF check with real and forged PDFs.
"""

import datetime
import os
from decimal import Decimal

from django.core import signals
from django.db import close_old_connections

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import CertificateFactory

pytestmark = pytest.mark.django_db
#: Examples per operation and generation mode: about 8 s in all, with the fixed seed. A deeper
#: run: TKDN_SCHEMATHESIS_EXAMPLES=500 pytest tests/registry/test_api_schemathesis.py
EXAMPLES = int(os.environ.get("TKDN_SCHEMATHESIS_EXAMPLES", "30"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
NOT_STATABLE_IN_SCHEMA = {
    "GET /api/v1/certificates/changes/",
    # The regency must lie in the province, and the minimum has at most 2 decimals: a 400
    # naming the parameter, as on the page (JSON Schema cannot relate two parameters).
    "GET /api/v1/suppliers/",
    "POST /api/v1/calculator/",
    "POST /api/v1/verify-file/",
}


@pytest.fixture
def api_schema(settings):
    from django.core.cache import cache
    from django.core.wsgi import get_wsgi_application

    settings.REGISTRY_API_RATE = "1000000/min"
    cache.clear()
    CertificateFactory(tkdn_ik=Decimal("30.00"))
    CertificateFactory(tkdn_ik=Decimal("38.50"), issue_date=datetime.date(2025, 3, 1))
    # As Django's test client does: the start and end of a request must not close the
    # connection that holds the test's transaction.
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    try:
        schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())
        # A NUL anywhere in a URL is a 400 (tkdnportal.middleware, documented with each 400
        # and walked by tests/security/test_hostile_input.py), not a value to search for.
        schema.config.generation.update(allow_x00=False)
        yield schema
    finally:
        for signal in (signals.request_started, signals.request_finished):
            signal.connect(close_old_connections)
        cache.clear()


def _checks(label: str, mode: GenerationMode) -> list:
    if mode == GenerationMode.POSITIVE and label not in NOT_STATABLE_IN_SCHEMA:
        return [*CHECKS, positive_data_acceptance]
    return CHECKS


def _fuzz(operation, mode: GenerationMode) -> None:
    """``EXAMPLES`` generated requests to one operation, each answer checked."""
    checks = _checks(operation.label, mode)

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,  # the fixed seed: the same requests on every run
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        case.call_and_validate(checks=checks)

    run()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_conforms_to_the_schema(api_schema, mode):
    failures = {}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    labels = {operation.label for operation in operations}
    assert {
        "GET /api/v1/certificates/",
        "GET /api/v1/certificates/{number}/",
        "GET /api/v1/certificates/changes/",
        "GET /api/v1/certificates/export.csv",
        "GET /api/v1/verify/{token}/",
        "GET /api/v1/suppliers/",
        "POST /api/v1/calculator/",
    } <= labels
    for operation in operations:
        try:
            _fuzz(operation, mode)
        except Unsatisfiable:
            # Nothing to make invalid: any text is a valid certificate number or token.
            assert mode == GenerationMode.NEGATIVE, operation.label
        except (Exception, BaseExceptionGroup) as error:  # schemathesis' FailureGroup
            failures[operation.label] = str(error)
    assert not failures, "\n\n".join(f"{label}:\n{error}" for label, error in failures.items())
