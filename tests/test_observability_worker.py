"""With a REAL Celery worker (tests/test_worker.py's fixture): /health/ sees it answer on every
queue, and a request's id reaches the worker's JSON log lines through the task's headers."""

import json
import time

from django.http import HttpResponse
from django.test import RequestFactory

import pytest

from applications.models import Application
from applications.services import application_transition
from applications.tasks import application_calculate_task
from tests.test_worker import _application, _status, _wait_for, worker  # noqa: F401
from tkdnportal import logs
from tkdnportal.tasks import enqueue

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]
S = Application.Status


def test_health_sees_the_worker_and_its_queues(worker, client, settings):  # noqa: F811
    settings.HEALTH_WORKER_TIMEOUT = 2.0
    deadline = time.monotonic() + 60
    while True:
        response = client.get("/health/?format=json")
        checks = response.json()["checks"]
        if checks["workers"]["status"] == "ok" or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert checks["workers"]["status"] == "ok", checks["workers"]
    assert response.status_code == 200
    assert response.json()["status"] in ("ok", "degraded")  # degraded only by a full disk


def test_request_id_reaches_the_workers_log(worker, tmp_path):  # noqa: F811
    application = _application(1)

    def submit(request):
        # What the owner's submit does: the transition, then the task on commit.
        application_transition(
            application=application,
            to_status=S.SUBMITTED,
            on_commit=lambda: enqueue(application_calculate_task, application.pk),
        )
        return HttpResponse("ok")

    request = RequestFactory().post("/", HTTP_X_REQUEST_ID="owner-submit-0123456789abcdef")
    response = logs.RequestIdMiddleware(submit)(request)
    assert response["X-Request-ID"] == "owner-submit-0123456789abcdef"
    _wait_for(lambda: _status(application) == S.UNDER_REVIEW, "the TKDN-IK value", worker)

    def task_lines():
        lines = []
        for raw in (tmp_path / "worker.log").read_text().splitlines():
            if raw.startswith("{"):
                line = json.loads(raw)
                if line.get("logger") == "tkdnportal.task":
                    lines.append(line)
        return lines

    _wait_for(lambda: len(task_lines()) >= 2, "the task's log lines", worker)
    lines = [line for line in task_lines() if line["task"].endswith("application_calculate_task")]
    assert [line["message"].rsplit(" ", 1)[-1] for line in lines] == ["started", "SUCCESS"]
    assert {line["request_id"] for line in lines} == {"owner-submit-0123456789abcdef"}
