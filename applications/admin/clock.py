"""The service-level clock of the review queue: working days from submission to decision."""

import datetime
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils import timezone

from applications import rules, workdays
from applications.models import Application

S = Application.Status

# Statuses in which the service-level clock runs: submitted, waiting for the official's decision.
PENDING_STATUSES = (S.SUBMITTED, S.CALCULATED, S.UNDER_REVIEW)


def service_level_days(rule_set: str) -> int:
    """Working days for a decision under ``rule_set`` (IK-2022: 5, IK-2025: 3; spec §5)."""
    return rules.get(rule_set).decision_working_days


# The holiday dates of the request being rendered: one query per page instead of one per row.
_holidays: ContextVar[frozenset[datetime.date] | None] = ContextVar("holidays", default=None)


def _load_holidays() -> frozenset[datetime.date]:
    today = timezone.localdate()
    return workdays.holiday_dates(
        start=today - datetime.timedelta(days=800), end=today + datetime.timedelta(days=60)
    )


def holidays() -> frozenset[datetime.date]:
    cached = _holidays.get()
    return cached if cached is not None else _load_holidays()


def application_clock(application: Application) -> workdays.Clock | None:
    """The working-day clock of an application (running while it waits for a decision)."""
    if not application.submitted_at:
        return None
    submitted = timezone.localdate(application.submitted_at)
    running = application.status in PENDING_STATUSES
    if running:
        until = timezone.localdate()
    elif application.decided_at and application.decided_at >= application.submitted_at:
        until = timezone.localdate(application.decided_at)
    else:
        return None
    return workdays.service_clock(
        submitted=submitted,
        until=until,
        limit=service_level_days(application.rule_set),
        holidays=holidays(),
        running=running,
    )


@contextmanager
def holidays_loaded():
    """Load the holiday dates once for the page being rendered (see ``holidays``)."""
    token = _holidays.set(_load_holidays())
    try:
        yield
    finally:
        _holidays.reset(token)
