"""Certificate dates: validity from the rule set, whole-year steps (spec §6)."""

import datetime

from applications import calculation


def add_years(day: datetime.date, years: int) -> datetime.date:
    """``day`` moved by whole years; 29 February becomes 1 March in a non-leap year.

    [A] With the day-inclusive convention (valid until the day before the anniversary) a
    certificate issued on 29 February is then valid until 28 February.
    """
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return datetime.date(day.year + years, 3, 1)


def validity_dates(issue_date: datetime.date, rule_set: str) -> tuple[datetime.date, datetime.date]:
    """(issue_date, valid_until): valid until the day before the anniversary (spec §6)."""
    years = calculation.get_rule_set(rule_set).validity_years
    return issue_date, add_years(issue_date, years) - datetime.timedelta(days=1)
