"""Every (from, to) pair of statuses against the transition table: legal moves succeed and write
history; every other move raises and changes nothing."""

import itertools

import pytest

from applications.exceptions import IllegalTransition
from applications.models import Application, StatusChange
from applications.services import REASON_REQUIRED, TRANSITIONS, application_transition
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db
S = Application.Status
PAIRS = list(itertools.product(S.values, S.values))


@pytest.mark.parametrize(("start", "target"), PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_every_pair(start, target):
    application = ApplicationFactory(status=start)
    note = "Alasan tertulis." if target in REASON_REQUIRED else ""
    if target in TRANSITIONS[start]:
        application_transition(application=application, to_status=target, note=note)
        application.refresh_from_db()
        assert application.status == target
        change = StatusChange.objects.get(application=application)
        assert (change.from_status, change.to_status) == (start, target)
    else:
        with pytest.raises(IllegalTransition):
            application_transition(application=application, to_status=target, note=note)
        application.refresh_from_db()
        assert application.status == start
        assert not StatusChange.objects.filter(application=application).exists()


def test_the_table_matches_the_domain_spec():
    # Spec §5: the terminal states accept nothing; an extension happens once.
    for terminal in (S.REJECTED, S.WITHDRAWN, S.EXPIRED, S.REVOKED):
        assert TRANSITIONS[terminal] == frozenset()
    assert S.EXTENDED not in TRANSITIONS[S.EXTENDED]
    assert TRANSITIONS[S.ISSUED] == {S.EXPIRED, S.REVOKED, S.EXTENDED}
    assert TRANSITIONS[S.PROCESSING_FAILED] == {S.SUBMITTED, S.APPROVED}
