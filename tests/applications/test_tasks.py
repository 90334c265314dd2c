"""Periodic tasks and the retry of failed processing (tasks run synchronously here)."""

import datetime

from django.utils import timezone

import pytest

from applications import services, tasks
from applications.exceptions import IllegalTransition, WorkflowError
from applications.models import Application
from applications.services import application_retry, application_transition
from registry import tasks as registry_tasks
from registry.models import Certificate
from registry.services import application_approve
from tests.factories import ApplicationFactory, LabourLineFactory, application_under_review

pytestmark = pytest.mark.django_db
S = Application.Status


def _age(application: Application, seconds: int) -> None:
    Application.objects.filter(pk=application.pk).update(
        updated_at=timezone.now() - datetime.timedelta(seconds=seconds)
    )


def _sweep() -> dict[str, int]:
    """Both periodic sweeps, as beat runs them: calculations (SUBMITTED) and issues (APPROVED)."""
    return {
        **tasks.sweep_stalled_task.delay().get(),
        **registry_tasks.sweep_approved_task.delay().get(),
    }


def test_sweep_requeues_applications_stuck_in_submitted_and_approved(monkeypatch, settings):
    settings.TKDN_SWEEP_AFTER_SECONDS = 300
    sent = []

    def enqueue(task, *args):
        sent.append((task.name, args))
        return True

    monkeypatch.setattr(tasks, "enqueue", enqueue)
    monkeypatch.setattr(registry_tasks, "enqueue", enqueue)
    stuck = ApplicationFactory(submitted=True)
    fresh = ApplicationFactory(submitted=True)
    approved = ApplicationFactory(approved=True)
    review = ApplicationFactory(under_review=True)
    for application in (stuck, approved, review):
        _age(application, 600)
    _age(fresh, 30)
    counts = _sweep()
    assert counts == {"calculate": 1, "event_changes": 0, "issue": 1}
    assert ("applications.tasks.application_calculate_task", (stuck.pk,)) in sent
    assert ("registry.tasks.certificate_issue_task", (approved.pk,)) in sent
    assert all(args != (fresh.pk,) and args != (review.pk,) for _, args in sent)


def test_sweep_finishes_the_work_end_to_end(settings):
    """Submitted while the broker was down: the sweep computes it; approved: the sweep issues."""
    application = application_under_review()
    application_approve(application=application, actor=None)  # on_commit never ran
    _age(application, 3600)
    _sweep()
    application.refresh_from_db()
    assert application.status == S.ISSUED
    assert Certificate.objects.filter(application=application).count() == 1


def test_sweep_survives_a_broker_outage(monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.application_calculate_task, "delay", down)
    application = ApplicationFactory(submitted=True)
    _age(application, 3600)
    assert _sweep() == {"calculate": 0, "event_changes": 0, "issue": 0}
    application.refresh_from_db()
    assert application.status == S.SUBMITTED  # still waiting; the next sweep tries again


def test_failed_calculation_can_be_retried_after_the_data_is_fixed():
    application = ApplicationFactory()
    LabourLineFactory(application=application)
    application_transition(application=application, to_status=S.SUBMITTED)
    services.application_calculate(application_id=application.pk)  # no material line
    application.refresh_from_db()
    assert application.status == S.PROCESSING_FAILED
    assert application.failed_step == "calculate"
    from tests.factories import MaterialLineFactory

    MaterialLineFactory(application=application)
    application_retry(application=application, actor=None)
    assert application.status == S.SUBMITTED
    assert application.failed_step == ""
    tasks.application_calculate_task.delay(application.pk)
    application.refresh_from_db()
    assert application.status in (S.UNDER_REVIEW, S.REJECTED)
    assert application.tkdn_ik is not None


def test_retry_is_only_for_failed_processing():
    application = ApplicationFactory(under_review=True)
    with pytest.raises(WorkflowError):
        application_retry(application=application, actor=None)


def test_a_failed_issue_is_retried_by_the_registry_not_here():
    """The applications app retries calculations only; the issue task belongs to the registry."""
    application = ApplicationFactory(under_review=True)
    Application.objects.filter(pk=application.pk).update(
        status=S.PROCESSING_FAILED, failed_step="issue"
    )
    application.refresh_from_db()
    with pytest.raises(IllegalTransition):
        application_retry(application=application, actor=None)
    from registry.services import application_retry as retry_failed_step

    retry_failed_step(application=application, actor=None)
    assert application.status == S.APPROVED and application.failed_step == ""


def test_expire_task_runs():
    from registry.tasks import certificates_expire_task

    assert certificates_expire_task.delay().get() == 0


def test_beat_schedule_names_real_tasks(settings):
    from tkdnportal.celery import app

    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks
        assert entry["task"].endswith("_task")


def test_tasks_acknowledge_late():
    from registry.tasks import certificate_email_task, certificate_issue_task

    for task in (
        tasks.application_calculate_task,
        tasks.sweep_stalled_task,
        certificate_issue_task,
        certificate_email_task,
    ):
        assert task.acks_late is True
