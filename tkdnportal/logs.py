"""Structured logs with a request id that follows the work from the web into Celery.

- ``RequestIdMiddleware`` takes the request id from ``X-Request-ID`` when it is well formed
  (nginx sets one per request: ``deploy/nginx.conf``), else makes one; sends it back in the
  response's ``X-Request-ID``; logs one line per request (method, URL *pattern*, status, time:
  never the query string, the path's values, the client's address or the user).
- ``RequestIdFilter`` puts ``request_id`` on every log record (JSON field or ``[id]`` in text);
  ``JsonFormatter`` (production) blanks e-mail addresses in every line, a safety net under the
  policy in docs/operations.md ("Logs"). The text format is for development (``make run``): it
  shows what the code logs, the demo's addresses included.
- The Celery signals carry the id in a header of every task published while a request is
  handled (``tkdnportal.tasks.enqueue`` runs from ``transaction.on_commit`` inside the request)
  and set it again in the worker around the task, so the worker's lines carry the same id.
"""

from __future__ import annotations

import contextvars
import datetime
import hashlib
import hmac
import logging
import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

import pythonjsonlogger.json
from celery import signals

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)
HEADER = "X-Request-ID"
TASK_HEADER = "tkdn_request_id"
# What a proxy's id looks like (nginx: 32 hex characters; UUIDs; other tracers' ids): letters,
# digits, '-', '_', '.', ':' and 8–128 of them. Anything else is replaced, never logged.
_WELL_FORMED = re.compile(r"[A-Za-z0-9._:-]{8,128}\Z")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")

access_logger = logging.getLogger("tkdnportal.request")
task_logger = logging.getLogger("tkdnportal.task")


def well_formed(value: str | None) -> bool:
    return bool(value) and _WELL_FORMED.match(value) is not None


def new_request_id() -> str:
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    return request_id_var.get()


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to each record (``-`` outside a request or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get() or "-"
        return True


def redact(text: str) -> str:
    """Blank e-mail addresses (the portal's usernames and contact addresses)."""
    return _EMAIL.sub("[e-mail]", text) if "@" in text else text


class JsonFormatter(pythonjsonlogger.json.JsonFormatter):
    """python-json-logger's formatter; the finished line has every e-mail address blanked
    (message, extra fields and tracebacks alike), a safety net under the policy in
    docs/operations.md. The records themselves are left alone for other handlers."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        """ISO 8601 in UTC (``2026-12-03T09:30:46.199Z``): machines and other zones read it."""
        moment = datetime.datetime.fromtimestamp(record.created, datetime.UTC)
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class RequestIdMiddleware:
    """Sets the request id for this request (see the module's docstring) and logs the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get(HEADER)
        request_id = given if well_formed(given) else new_request_id()
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[HEADER] = request_id
            match = getattr(request, "resolver_match", None)
            access_logger.info(
                "%s %s %s",
                request.method,
                f"/{match.route}" if match is not None and match.route else "-",
                response.status_code,
                extra={
                    "method": request.method,
                    # The URL pattern, not the path: no certificate numbers, tokens or ids.
                    "route": f"/{match.route}" if match is not None else None,
                    "view": match.view_name if match is not None else None,
                    "status": response.status_code,
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            return response
        finally:
            request_id_var.reset(token)


def pseudonym(value: str | None) -> str:
    """A short keyed hash of a username or address: the same person gives the same pseudonym
    (repeated failures can be followed in the logs), the log never shows who it is."""
    if not value:
        return "-"
    digest = hmac.new(settings.SECRET_KEY.encode(), value.lower().encode(), hashlib.sha256)
    return digest.hexdigest()[:10]


def axes_client_str(username, ip_address, user_agent, path_info, request) -> str:
    """django-axes' description of a client in its log lines (``AXES_CLIENT_STR_CALLABLE``): by
    default the username (an e-mail address here) and the IP address; pseudonyms instead."""
    return f"{{user: {pseudonym(username)}, address: {pseudonym(ip_address)}, path: {path_info}}}"


# --- Celery ----------------------------------------------------------------------------


@signals.before_task_publish.connect
def _add_request_id_header(headers=None, **kwargs) -> None:
    """Publishing side (web or worker): the current request id travels in the task's headers."""
    request_id = request_id_var.get()
    if request_id and headers is not None and TASK_HEADER not in headers:
        headers[TASK_HEADER] = request_id


_task_tokens: dict[str, tuple[contextvars.Token, float]] = {}


def _header_of(task) -> str | None:
    request = getattr(task, "request", None)
    if request is None:
        return None
    value = getattr(request, TASK_HEADER, None)
    if value is None:
        value = (getattr(request, "headers", None) or {}).get(TASK_HEADER)
    return value if well_formed(value) else None


@signals.task_prerun.connect
def _enter_task(task_id=None, task=None, **kwargs) -> None:
    """Worker side: the task's log lines carry the request id it was queued under. A task run
    eagerly inside the request keeps the request's own id; one queued by beat gets its task id."""
    request_id = _header_of(task) or request_id_var.get() or task_id
    if not task_id:
        return
    _task_tokens[task_id] = (request_id_var.set(request_id), time.perf_counter())
    task_logger.info("%s started", task.name, extra={"task": task.name, "task_id": task_id})


@signals.task_postrun.connect
def _leave_task(task_id=None, task=None, state=None, **kwargs) -> None:
    entry = _task_tokens.pop(task_id, None) if task_id else None
    if entry is None:
        return
    token, started = entry
    name = getattr(task, "name", "unknown")
    task_logger.info(
        "%s %s",
        name,
        state or "-",
        extra={
            "task": name,
            "task_id": task_id,
            "state": state,
            "ms": round((time.perf_counter() - started) * 1000, 1),
        },
    )
    request_id_var.reset(token)
