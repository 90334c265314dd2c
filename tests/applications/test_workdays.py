"""Working-day arithmetic of the service-level clock (weekends and national holidays skipped)."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from applications import workdays

D = datetime.date
# 2026: Idul Fitri 20-21 March (Fri-Sat), Nyepi 19 March (Thu).
EID = frozenset({D(2026, 3, 19), D(2026, 3, 20), D(2026, 3, 21)})


def test_a_plain_week():
    monday = D(2026, 11, 23)
    assert workdays.working_days_between(monday, D(2026, 11, 27), set()) == 4  # Tue-Fri
    assert workdays.working_days_between(monday, D(2026, 11, 30), set()) == 5  # + next Mon
    assert workdays.add_working_days(monday, 5, set()) == D(2026, 11, 30)


def test_weekends_are_skipped():
    friday = D(2026, 11, 27)
    assert workdays.add_working_days(friday, 1, set()) == D(2026, 11, 30)
    assert workdays.working_days_between(friday, D(2026, 11, 29), set()) == 0


def test_holidays_are_skipped():
    wednesday = D(2026, 3, 18)
    # Thu 19 and Fri 20 are holidays, Sat 21/Sun 22 weekend: Mon 23 is the first working day.
    assert workdays.add_working_days(wednesday, 5, EID) == D(2026, 3, 27)
    assert workdays.working_days_between(wednesday, D(2026, 3, 23), EID) == 1


def test_zero_and_backwards():
    day = D(2026, 5, 4)
    assert workdays.add_working_days(day, 0, set()) == day
    assert workdays.working_days_between(day, day, set()) == 0
    assert workdays.working_days_between(day, D(2026, 5, 1), set()) == 0
    with pytest.raises(ValueError):
        workdays.add_working_days(day, -1, set())


def test_clock_is_overdue_after_the_limit():
    monday = D(2026, 11, 23)
    on_time = workdays.service_clock(
        submitted=monday, until=D(2026, 11, 30), limit=5, holidays=set()
    )
    assert (on_time.used, on_time.overdue, on_time.remaining) == (5, False, 0)
    assert on_time.deadline == D(2026, 11, 30)
    late = workdays.service_clock(submitted=monday, until=D(2026, 12, 1), limit=5, holidays=set())
    assert (late.used, late.overdue) == (6, True)


def test_overdue_cutoff_examples():
    # Tuesday 1 Dec 2026: Monday 23 Nov is 6 working days back (overdue), Tuesday 24 is 5.
    assert workdays.overdue_cutoff(D(2026, 12, 1), 5, set()) == D(2026, 11, 23)
    # On a Saturday the count is the same as on Friday.
    assert workdays.overdue_cutoff(D(2026, 11, 28), 5, set()) == D(2026, 11, 19)


@given(
    today=st.dates(min_value=D(2026, 1, 1), max_value=D(2027, 12, 31)),
    back=st.integers(min_value=0, max_value=40),
    limit=st.sampled_from([3, 5]),
)
def test_cutoff_agrees_with_the_clock(today, back, limit):
    submitted = today - datetime.timedelta(days=back)
    cutoff = workdays.overdue_cutoff(today, limit, EID)
    clock = workdays.service_clock(submitted=submitted, until=today, limit=limit, holidays=EID)
    assert clock.overdue == (submitted <= cutoff)


@given(
    start=st.dates(min_value=D(2026, 1, 1), max_value=D(2027, 12, 31)),
    days=st.integers(min_value=0, max_value=30),
)
def test_add_and_count_are_inverse(start, days):
    end = workdays.add_working_days(start, days, EID)
    assert workdays.working_days_between(start, end, EID) == days
    assert days == 0 or workdays.is_working_day(end, EID)


@pytest.mark.django_db
def test_holiday_dates_reads_the_table():
    dates = workdays.holiday_dates(start=D(2026, 3, 1), end=D(2026, 3, 31))
    assert D(2026, 3, 20) in dates  # Idul Fitri, loaded by the data migration
    assert all(d.month == 3 for d in dates)
