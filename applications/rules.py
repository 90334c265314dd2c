"""Which rule set applies, with the operator's settings applied on top of the rule-set data.

The values of each rule set (weights, years, days, thresholds, legal basis) live in
``applications.calculation`` and nowhere else. This module is the one bridge between them and the
settings: an operator may re-date a set (``TKDN_RULE_SET_IN_FORCE_FROM``, e.g. when the exact
start of Permenperin 35/2025 is confirmed) and confirm a provisional one
(``TKDN_CONFIRMED_RULE_SETS``, when the small-industry annex is known, spec §8). Everything in the
portal that needs a rule set asks here: ``in_force(day)`` for drafts, the calculator and a new
submission; ``of(application)`` (or ``get(code)``) for anything already submitted, which keeps
the set of its submission date for life.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Mapping

from django.conf import settings
from django.core import checks
from django.utils import timezone

from . import calculation

#: Expiry reminder e-mails, days before the last valid day. Portal policy, not regulation; the
#: first step is sent when the renewal window opens (the rule set's ``renewal_window_days``; a test
#: checks that every rule set's window equals the first step).
EXPIRY_REMINDER_DAYS = (90, 30, 7)


def longest_renewal_window() -> int:
    """The widest renewal window of any rule set (a query's first, coarse cut)."""
    return max(rule_set.renewal_window_days for rule_set in registry().values())


def in_renewal_window(
    expires_on: datetime.date, today: datetime.date | None = None, *, window_days: int
) -> bool:
    """Whether a certificate ending on ``expires_on`` may be renewed on ``today``: from
    ``window_days`` (its rule set's ``renewal_window_days``) before its last day, and after it
    has run out."""
    today = today or timezone.localdate()
    return (expires_on - today).days <= window_days


def _date(value: object) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value).strip())


def registry() -> Mapping[str, calculation.RuleSet]:
    """Every rule set by code, with the settings' in-force dates and confirmations applied."""
    dates = getattr(settings, "TKDN_RULE_SET_IN_FORCE_FROM", {}) or {}
    confirmed = set(getattr(settings, "TKDN_CONFIRMED_RULE_SETS", []) or [])
    result: dict[str, calculation.RuleSet] = {}
    for code, rules in calculation.RULE_SETS.items():
        changes: dict[str, object] = {}
        if code in dates:
            changes["in_force_from"] = _date(dates[code])
        if code in confirmed:
            changes["provisional"] = False
        result[code] = dataclasses.replace(rules, **changes) if changes else rules
    return result


def get(code: str) -> calculation.RuleSet:
    """The rule set ``code`` (``CalculationError`` with field ``rule_set`` when unknown)."""
    return calculation.get_rule_set(code, registry())


def in_force(day: datetime.date | None = None) -> calculation.RuleSet:
    """The set in force on ``day`` (default: today in Jakarta): drafts, calculator, submissions."""
    return calculation.rule_set_for(day or timezone.localdate(), registry())


def of(application) -> calculation.RuleSet:
    """The set an application (or certificate) is computed, decided and certified under."""
    return get(application.rule_set)


def applicable(application) -> calculation.RuleSet:
    """The set an application *will* be computed under if submitted now: a draft takes the set
    in force today (its submission date), a revision keeps its own (spec §8)."""
    if application.status == "DRAFT":
        return in_force()
    return of(application)


def check_settings(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """System check: the rule-set settings name known sets and valid dates."""
    errors: list[checks.CheckMessage] = []
    known = set(calculation.RULE_SETS)
    dates = getattr(settings, "TKDN_RULE_SET_IN_FORCE_FROM", {}) or {}
    for code, value in dates.items():
        if code not in known:
            errors.append(
                checks.Error(
                    f"TKDN_RULE_SET_IN_FORCE_FROM names an unknown rule set {code!r}",
                    hint=f"Known rule sets: {', '.join(sorted(known))}.",
                    id="applications.E001",
                )
            )
            continue
        try:
            _date(value)
        except ValueError:
            errors.append(
                checks.Error(
                    f"TKDN_RULE_SET_IN_FORCE_FROM[{code!r}] is not a date: {value!r}",
                    hint="Write it as YYYY-MM-DD, e.g. IK-2025=2025-12-12.",
                    id="applications.E002",
                )
            )
    for code in getattr(settings, "TKDN_CONFIRMED_RULE_SETS", []) or []:
        if code not in known:
            errors.append(
                checks.Error(
                    f"TKDN_CONFIRMED_RULE_SETS names an unknown rule set {code!r}",
                    hint=f"Known rule sets: {', '.join(sorted(known))}.",
                    id="applications.E003",
                )
            )
    return errors
