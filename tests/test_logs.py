"""JSON logs with a request id that travels into Celery tasks; no personal data in the logs."""

import io
import json
import logging
import re

from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

import pytest

from applications.tasks import application_calculate_task
from registry.tasks import registry_statistics_refresh_task
from tests.factories import UserFactory
from tkdnportal import logs
from tkdnportal.celery import app as celery_app
from tkdnportal.tasks import enqueue

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_lines():
    """Every log record of the test, through the production JSON formatter and filter."""
    config = settings.LOGGING["formatters"]["json"]
    handler = logging.StreamHandler(io.StringIO())
    handler.setFormatter(
        logs.JsonFormatter(
            config["format"], rename_fields=config["rename_fields"], timestamp=config["timestamp"]
        )
    )
    handler.addFilter(logs.RequestIdFilter())
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)

    def read() -> list[dict]:
        return [json.loads(line) for line in handler.stream.getvalue().splitlines() if line]

    try:
        yield read
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def test_response_carries_a_new_request_id(client, json_lines):
    response = client.get("/ping/")
    request_id = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    line = next(line for line in json_lines() if line["logger"] == "tkdnportal.request")
    assert line["request_id"] == request_id
    assert line["route"] == "/ping/" and line["status"] == 200 and line["method"] == "GET"
    assert {"time", "level", "message", "ms"} <= set(line)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["time"])
    assert client.get("/ping/")["X-Request-ID"] != request_id


def test_the_proxys_request_id_is_kept_when_well_formed(client, json_lines):
    given = "5f0c8e0a9d2b4c6f8e1a3b5c7d9e0f12"
    assert client.get("/ping/", HTTP_X_REQUEST_ID=given)["X-Request-ID"] == given
    assert any(line["request_id"] == given for line in json_lines())


@pytest.mark.parametrize(
    "bad", ["short", "a" * 129, "has space in it", "line\nbreak-12345", "<script>x</script>"]
)
def test_a_malformed_request_id_is_replaced(client, json_lines, bad):
    response = client.get("/ping/", HTTP_X_REQUEST_ID=bad)
    assert response["X-Request-ID"] != bad
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    assert all(bad not in json.dumps(line) for line in json_lines())


def test_the_request_line_has_the_url_pattern_not_the_path(client, json_lines):
    """A path's values (certificate numbers, tokens, ids) and the query stay out of the log."""
    client.get("/sertifikat/TKDN-IK-SECRET-123/?q=Budi+Santoso")
    line = next(line for line in json_lines() if line["logger"] == "tkdnportal.request")
    assert "SECRET" not in json.dumps(line) and "Budi" not in json.dumps(line)
    assert line["route"].startswith("/sertifikat/<")


def test_request_id_travels_in_the_task_headers(json_lines, monkeypatch):
    """Published (not eager): the message carries the id the request was given."""
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    published = []

    def capture(headers=None, **kwargs):
        published.append(dict(headers))

    from celery import signals

    signals.before_task_publish.connect(capture, weak=False)
    # kombu's in-memory transport: a real publish without a broker server.
    with celery_app.connection_for_write("memory://") as connection:
        monkeypatch.setattr(celery_app, "connection_for_write", lambda *a, **k: connection)

        def view(request):
            enqueue(application_calculate_task, 42)
            return HttpResponse("ok")

        middleware = logs.RequestIdMiddleware(view)
        request = RequestFactory().get("/", HTTP_X_REQUEST_ID="proxy-id-0123456789")
        try:
            response = middleware(request)
        finally:
            signals.before_task_publish.disconnect(capture)
    assert response["X-Request-ID"] == "proxy-id-0123456789"
    assert published and published[0][logs.TASK_HEADER] == "proxy-id-0123456789"
    assert published[0]["task"] == "applications.tasks.application_calculate_task"
    # Outside a request nothing is added (beat's sweeps).
    assert logs.current_request_id() is None


def test_task_lines_carry_the_request_id(json_lines):
    token = logs.request_id_var.set("request-under-test-1")
    try:
        registry_statistics_refresh_task.delay()  # eager: runs in this process
    finally:
        logs.request_id_var.reset(token)
    lines = [line for line in json_lines() if line["logger"] == "tkdnportal.task"]
    assert [line["message"] for line in lines] == [
        "registry.tasks.registry_statistics_refresh_task started",
        "registry.tasks.registry_statistics_refresh_task SUCCESS",
    ]
    assert {line["request_id"] for line in lines} == {"request-under-test-1"}
    assert lines[1]["task_id"] and "ms" in lines[1]


def test_a_task_from_the_broker_takes_the_id_from_its_header():
    task = application_calculate_task
    task.push_request(id="t-1", **{logs.TASK_HEADER: "from-the-web-123456"})
    try:
        logs._enter_task(task_id="t-1", task=task)
        assert logs.current_request_id() == "from-the-web-123456"
        logs._leave_task(task_id="t-1", task=task, state="SUCCESS")
    finally:
        task.pop_request()
    assert logs.current_request_id() is None


def test_a_failed_login_leaves_no_email_in_the_logs(client, json_lines, settings):
    """django-axes logs every failed login; the e-mail address (the username) and the client
    address must not appear, in any logger, at any level."""
    settings.AXES_ENABLED = True
    email = "rahasia.pemilik@contoh-ikm.id"
    UserFactory(email=email, username="rahasiapemilik")
    response = client.post(
        reverse("login"),
        {"username": email, "password": "salah-sekali-123"},
        REMOTE_ADDR="198.51.100.23",
    )
    assert response.status_code == 200
    text = json.dumps(json_lines())
    assert "AXES" in text  # the failure was logged...
    # ...without who: no e-mail address, username or client address.
    assert email not in text and "rahasia" not in text
    assert "198.51.100.23" not in text
    # The same pseudonym each time (the login form turns the e-mail into the username), so
    # repeated failures can be followed.
    assert f"user: {logs.pseudonym('rahasiapemilik')}" in text
    assert f"address: {logs.pseudonym('198.51.100.23')}" in text


def test_any_email_in_a_line_is_blanked(json_lines, caplog):
    logging.getLogger("tkdnportal.anything").warning(
        "mail to %s failed", "budi@contoh.id", extra={"to": "siti.a+1@dinas.jabarprov.go.id"}
    )
    line = next(line for line in json_lines() if line["logger"] == "tkdnportal.anything")
    assert line["message"] == "mail to [e-mail] failed"
    assert line["to"] == "[e-mail]"
    # The record itself is untouched: other handlers (and tests) see what the code logged.
    assert caplog.records[-1].getMessage() == "mail to budi@contoh.id failed"


def test_log_format_is_checked():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import tkdnportal.settings"],
        env={"SECRET_KEY": "x" * 50, "LOG_FORMAT": "xml", "PATH": ""},
        capture_output=True,
        text=True,
        cwd=str(settings.BASE_DIR),
    )
    assert result.returncode != 0 and "LOG_FORMAT must be json or text" in result.stderr
