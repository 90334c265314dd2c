"""Concurrent approvals on PostgreSQL: row locks keep certificate numbers unique and gap-free.

Two threads with their own database connections act at the same moment (a barrier releases them
together, and the locked section is stretched so that they really overlap). On SQLite the whole
database is locked by one writer, so the race cannot happen there; these tests need PostgreSQL
and say so in the skip reason.
"""

from django.db import connection
from django.utils import timezone

import pytest

from applications.exceptions import TransitionConflict
from applications.models import Application
from registry import services
from registry.models import Certificate, CertificateSequence
from registry.services import application_approve
from tests.concurrency import RACE_MARKS, hold, race
from tests.factories import UserFactory, application_under_review

S = Application.Status
pytestmark = RACE_MARKS


@pytest.fixture(autouse=True)
def _no_queue(monkeypatch):
    """Approvals queue the issue task on commit, which runs at once here (eager, autocommit):
    keep it from issuing before the race starts."""
    monkeypatch.setattr("registry.services.issue.enqueue", lambda task, *args: False)


@pytest.fixture
def slow_sequence(monkeypatch):
    """Pause between reading the year's last number and writing the next one, holding the row
    lock: a second issuer must wait for it (without the lock it would read the same number)."""
    hold(monkeypatch, CertificateSequence, "save", 0.3, before=True)


def _approved(n: int) -> Application:
    application = application_under_review(product__name=f"Produk {n}")
    application_approve(application=application, actor=None)
    assert not Certificate.objects.filter(application=application).exists()
    return application


@pytest.mark.parametrize("last_value", [None, 41], ids=["first-of-the-year", "mid-year"])
def test_two_approvals_at_once_get_two_consecutive_numbers(slow_sequence, last_value):
    assert connection.vendor == "postgresql"
    year = timezone.localdate().year
    if last_value is not None:  # the year's row exists: only the row lock serialises them
        CertificateSequence.objects.create(year=year, last_value=last_value)
    first, second = _approved(1), _approved(2)
    results = race(
        lambda: services.certificate_issue(application_id=first.pk).sequence,
        lambda: services.certificate_issue(application_id=second.pk).sequence,
    )
    assert all(isinstance(r, int) for r in results), results
    start = (last_value or 0) + 1
    assert sorted(results) == [start, start + 1]
    assert CertificateSequence.objects.get(year=year).last_value == start + 1
    numbers = set(Certificate.objects.values_list("number", flat=True))
    assert numbers == {f"TKDNIK/32/{year}/{n:06d}" for n in (start, start + 1)}


def test_issuing_the_same_application_twice_at_once_makes_one_certificate(slow_sequence):
    application = _approved(1)
    results = race(
        lambda: services.certificate_issue(application_id=application.pk).pk,
        lambda: services.certificate_issue(application_id=application.pk).pk,
    )
    assert results[0] == results[1], results
    assert Certificate.objects.count() == 1
    assert CertificateSequence.objects.get().last_value == 1


def test_two_officials_approving_the_same_application(slow_sequence):
    application = application_under_review()
    a, b = UserFactory(is_staff=True), UserFactory(is_staff=True)
    results = race(
        lambda: (
            application_approve(
                application=Application.objects.get(pk=application.pk), actor=a
            ).status
        ),
        lambda: (
            application_approve(
                application=Application.objects.get(pk=application.pk), actor=b
            ).status
        ),
    )
    conflicts = [r for r in results if isinstance(r, TransitionConflict)]
    assert len(conflicts) == 1 and S.APPROVED in results, results
    assert application.history.filter(to_status=S.APPROVED).count() == 1
    # Both officials' messages (duplicate issue tasks) still give one certificate.
    issued = race(
        lambda: services.certificate_issue(application_id=application.pk).number,
        lambda: services.certificate_issue(application_id=application.pk).number,
    )
    assert issued[0] == issued[1] == f"TKDNIK/32/{timezone.localdate().year}/000001"
    assert Certificate.objects.count() == 1
