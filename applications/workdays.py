"""Working-day arithmetic for the service level (spec §5: a decision within 5 working days).

Working days are Monday to Friday minus national holidays and collective leave days, which are
kept as data in ``applications.Holiday``. The arithmetic is pure (dates in, dates out, the holiday
set passed in); ``holiday_dates`` is the one small database read.

Convention: the day of submission is day 0; the clock counts the working days *after* it, up to
and including today. An application submitted on Monday has used 5 working days on the next
Monday, the last day of the limit, and is overdue from Tuesday.
"""

import datetime
from collections.abc import Collection
from dataclasses import dataclass

ONE_DAY = datetime.timedelta(days=1)


def is_working_day(day: datetime.date, holidays: Collection[datetime.date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def working_days_between(
    start: datetime.date, end: datetime.date, holidays: Collection[datetime.date]
) -> int:
    """THE working-day count: the working days in ``(start, end]``; 0 when ``end <= start``.

    Used by the service-level clock, the overdue filter and the public statistics. Whole weeks
    are counted at once (5 working days each) and the holidays falling on a weekday inside the
    range are subtracted, so a year-long range costs the same as a day.
    """
    if end <= start:
        return 0
    weeks, rest = divmod((end - start).days, 7)
    count = weeks * 5
    weekday = start.weekday()
    count += sum(1 for offset in range(1, rest + 1) if (weekday + offset) % 7 < 5)
    count -= sum(1 for day in holidays if start < day <= end and day.weekday() < 5)
    return count


def add_working_days(
    start: datetime.date, days: int, holidays: Collection[datetime.date]
) -> datetime.date:
    """The date on which ``days`` working days after ``start`` have passed (``start`` if 0)."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    remaining = days
    while remaining:
        day += ONE_DAY
        if is_working_day(day, holidays):
            remaining -= 1
    return day


def overdue_cutoff(
    today: datetime.date, limit: int, holidays: Collection[datetime.date]
) -> datetime.date:
    """The latest submission date that is overdue on ``today``.

    An application submitted on day ``d`` is overdue when more than ``limit`` working days have
    passed since ``d``; that count only grows as ``d`` moves back, so every ``d <= cutoff`` is
    overdue and every later day is not. Lets the admin filter overdue rows in SQL.
    """
    day = today
    count = 0
    # Walk back until the working days in (day, today] exceed the limit.
    while True:
        if is_working_day(day, holidays):
            count += 1
        day -= ONE_DAY
        if count > limit:
            return day


@dataclass(frozen=True)
class Clock:
    """Where an application stands against the service-level limit."""

    used: int
    limit: int
    deadline: datetime.date
    running: bool

    @property
    def overdue(self) -> bool:
        return self.used > self.limit

    @property
    def remaining(self) -> int:
        return max(self.limit - self.used, 0)


def service_clock(
    *,
    submitted: datetime.date,
    until: datetime.date,
    limit: int,
    holidays: Collection[datetime.date],
    running: bool = True,
) -> Clock:
    """The clock of a submission on ``submitted``, read on ``until`` (today or decision day)."""
    return Clock(
        used=working_days_between(submitted, until, holidays),
        limit=limit,
        deadline=add_working_days(submitted, limit, holidays),
        running=running,
    )


# --- The one database read ----------------------------------------------------------------


def holiday_dates(*, start: datetime.date, end: datetime.date) -> frozenset[datetime.date]:
    """National holidays between ``start`` and ``end`` (inclusive) from the holiday table."""
    from .models import Holiday

    return frozenset(
        Holiday.objects.filter(date__gte=start, date__lte=end).values_list("date", flat=True)
    )
