"""The one transition service: allowed moves, history, reasons, conflicts, on-commit effects."""

import pytest

from applications.exceptions import (
    IllegalTransition,
    ReasonRequired,
    TransitionConflict,
    WorkflowError,
)
from applications.models import Application, StatusChange
from applications.services import TRANSITIONS, application_create, application_transition
from tests.factories import ApplicationFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db
S = Application.Status


def test_every_status_has_a_row_in_the_transition_table():
    assert set(TRANSITIONS) == set(S.values)
    for targets in TRANSITIONS.values():
        assert targets <= set(S.values)


def test_a_legal_transition_updates_status_and_writes_history():
    owner = UserFactory()
    application = ApplicationFactory(product__company__owner=owner)
    application_transition(application=application, to_status=S.SUBMITTED, actor=owner)
    application.refresh_from_db()
    assert application.status == S.SUBMITTED
    assert application.submitted_at is not None
    change = StatusChange.objects.get(application=application)
    assert (change.from_status, change.to_status, change.actor) == (S.DRAFT, S.SUBMITTED, owner)
    assert change.at is not None


def test_the_happy_path_to_issue_and_expiry():
    official = UserFactory(is_staff=True)
    application = ApplicationFactory()
    for status in (
        S.SUBMITTED,
        S.CALCULATED,
        S.UNDER_REVIEW,
        S.APPROVED,
        S.ISSUED,
        S.EXTENDED,
        S.EXPIRED,
    ):
        application_transition(application=application, to_status=status, actor=official)
    assert list(application.history.values_list("to_status", flat=True)) == [
        S.SUBMITTED,
        S.CALCULATED,
        S.UNDER_REVIEW,
        S.APPROVED,
        S.ISSUED,
        S.EXTENDED,
        S.EXPIRED,
    ]


@pytest.mark.parametrize(
    "start,target",
    [
        (S.DRAFT, S.APPROVED),
        (S.DRAFT, S.ISSUED),
        (S.SUBMITTED, S.APPROVED),
        (S.UNDER_REVIEW, S.ISSUED),
        (S.REJECTED, S.SUBMITTED),
        (S.EXTENDED, S.EXTENDED),
        (S.WITHDRAWN, S.DRAFT),
    ],
)
def test_illegal_transitions_raise_and_change_nothing(start, target):
    application = ApplicationFactory(status=start)
    with pytest.raises(IllegalTransition) as exc:
        application_transition(application=application, to_status=target, note="x")
    assert "tidak diizinkan" in str(exc.value)
    application.refresh_from_db()
    assert application.status == start
    assert not StatusChange.objects.filter(application=application).exists()


@pytest.mark.parametrize("target", [S.NEEDS_REVISION, S.REJECTED])
def test_decisions_against_the_owner_need_a_reason(target):
    application = ApplicationFactory(status=S.UNDER_REVIEW)
    with pytest.raises(ReasonRequired):
        application_transition(application=application, to_status=target, note="   ")
    application_transition(
        application=application, to_status=target, note="Bukti pembelian rotan tidak terbaca."
    )
    application.refresh_from_db()
    assert application.decision_reason == "Bukti pembelian rotan tidak terbaca."


def test_second_official_acting_on_a_stale_copy_gets_a_conflict():
    application = ApplicationFactory(status=S.UNDER_REVIEW)
    stale = Application.objects.get(pk=application.pk)
    application_transition(application=application, to_status=S.APPROVED)
    with pytest.raises(TransitionConflict) as exc:
        application_transition(application=stale, to_status=S.REJECTED, note="Tidak lengkap")
    assert "diubah oleh pihak lain" in str(exc.value)
    stale.refresh_from_db()
    assert stale.status == S.APPROVED
    assert application.history.count() == 1


def test_expected_from_guards_worker_steps():
    application = ApplicationFactory(status=S.UNDER_REVIEW)
    with pytest.raises(TransitionConflict):
        application_transition(
            application=application, to_status=S.REJECTED, note="x", expected_from=[S.SUBMITTED]
        )


def test_side_effects_run_only_after_commit(django_capture_on_commit_callbacks):
    calls = []
    application = ApplicationFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        application_transition(
            application=application, to_status=S.SUBMITTED, on_commit=lambda: calls.append(1)
        )
    assert len(callbacks) == 1
    assert calls == [1]


def test_failed_transition_queues_nothing(django_capture_on_commit_callbacks):
    application = ApplicationFactory()
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(IllegalTransition):
        application_transition(application=application, to_status=S.ISSUED, on_commit=lambda: None)
    assert callbacks == []


def test_application_create_starts_a_draft_with_history():
    owner = UserFactory()
    product = ProductFactory(company__owner=owner)
    application = application_create(product=product, actor=owner)
    assert application.status == S.DRAFT
    # The set in force today (spec §8): IK-2025 since 12 Dec 2025.
    assert application.rule_set == "IK-2025"
    assert application.history.get().actor == owner


def test_application_create_refuses_a_second_open_application():
    product = ProductFactory()
    application_create(product=product, actor=None)
    with pytest.raises(WorkflowError) as exc:
        application_create(product=product, actor=None)
    assert "sudah memiliki permohonan" in str(exc.value)
