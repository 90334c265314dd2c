"""Certificate dates: each is computed by its rule set (``applications.calculation.RuleSet``).

These names stay for the registry's callers; the arithmetic (whole years, 29 February, the
day-inclusive convention of spec §6) lives once, in the rule set.
"""

import datetime

from applications import rules
from applications.calculation import add_years

__all__ = ["add_years", "validity_dates"]


def validity_dates(issue_date: datetime.date, rule_set: str) -> tuple[datetime.date, datetime.date]:
    """(issue_date, valid_until) of a certificate issued under ``rule_set`` (spec §6)."""
    return issue_date, rules.get(rule_set).valid_until(issue_date)
