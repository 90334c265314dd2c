"""Concurrent registrations and cancellations on PostgreSQL: the lock on the event row keeps the
registered places within the capacity and gives a freed place to exactly one waiting owner.

Threads with their own connections are released together by a barrier; the locked section is
stretched so that they really overlap. SQLite serialises writers, so there is no race to test
there (the skip reason says so); CI runs this on PostgreSQL.
"""

import pytest

from applications import services
from applications.models import Registration
from applications.services import outreach
from tests.concurrency import RACE_MARKS, hold, race
from tests.factories import EventFactory, UserFactory

R = Registration.Status
pytestmark = RACE_MARKS


@pytest.fixture
def slow_count(monkeypatch):
    """Hold the event lock a moment after counting the places, so that a second caller that
    did not wait for the lock would count the same number."""
    hold(monkeypatch, outreach, "_registered_count", 0.2)


@pytest.mark.usefixtures("slow_count")
def test_owners_racing_for_the_last_place_get_one_place_and_one_waiting():
    event = EventFactory(capacity=1)
    owners = [UserFactory(), UserFactory(), UserFactory()]
    results = race(
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
    results = race(
        lambda: services.registration_cancel(registration=holder, actor=holder.owner),
        lambda: services.registration_create(event=event, owner=newcomer),
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    registered = Registration.objects.filter(event=event, status=R.REGISTERED)
    assert registered.count() == 2
    # Whatever the order, the first in the queue got the place before the newcomer.
    assert registered.filter(pk=first_waiting.pk).exists()
    assert Registration.objects.get(event=event, owner=newcomer).status == R.WAITING
