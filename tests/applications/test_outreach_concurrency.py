"""Concurrent registrations and cancellations on PostgreSQL: the lock on the event row keeps the
registered places within the capacity and gives a freed place to exactly one waiting owner.

Threads with their own connections are released together by a barrier; the locked section is
stretched so that they really overlap. SQLite serialises writers, so there is no race to test
there (the skip reason says so); CI runs this on PostgreSQL.
"""

import threading
import time

from django.conf import settings
from django.db import connections

import pytest

from applications import services
from applications.models import Registration
from applications.services import outreach
from tests.factories import EventFactory, UserFactory

R = Registration.Status
# django-prometheus wraps the engine ("django_prometheus.db.backends.postgresql").
POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
    pytest.mark.skipif(
        not POSTGRES,
        reason="needs PostgreSQL (row locks; SQLite serialises writers so there is no race): "
        "run with DATABASE_URL=postgres://...",
    ),
]


def _race(*calls):
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - returned to the test
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def slow_count(monkeypatch):
    """Hold the event lock a moment after counting the places, so that a second caller that
    did not wait for the lock would count the same number."""
    original = outreach._registered_count

    def slow(event):
        value = original(event)
        time.sleep(0.2)
        return value

    monkeypatch.setattr(outreach, "_registered_count", slow)


@pytest.mark.usefixtures("slow_count")
def test_owners_racing_for_the_last_place_get_one_place_and_one_waiting():
    event = EventFactory(capacity=1)
    owners = [UserFactory(), UserFactory(), UserFactory()]
    results = _race(
        *[lambda o=o: services.registration_create(event=event, owner=o) for o in owners]
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    statuses = sorted(Registration.objects.filter(event=event).values_list("status", flat=True))
    assert statuses == [R.REGISTERED, R.WAITING, R.WAITING]


@pytest.mark.usefixtures("slow_count")
def test_a_cancellation_racing_a_registration_promotes_exactly_one_owner():
    event = EventFactory(capacity=2)
    holder = services.registration_create(event=event, owner=UserFactory())
    services.registration_create(event=event, owner=UserFactory())
    first_waiting = services.registration_create(event=event, owner=UserFactory())
    newcomer = UserFactory()
    results = _race(
        lambda: services.registration_cancel(registration=holder, actor=holder.owner),
        lambda: services.registration_create(event=event, owner=newcomer),
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    registered = Registration.objects.filter(event=event, status=R.REGISTERED)
    assert registered.count() == 2
    # Whatever the order, the first in the queue got the place before the newcomer.
    assert registered.filter(pk=first_waiting.pk).exists()
    assert Registration.objects.get(event=event, owner=newcomer).status == R.WAITING
