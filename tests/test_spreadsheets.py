"""The formula-injection guard of every spreadsheet export (tkdnportal.spreadsheets)."""

import datetime
from decimal import Decimal

import pytest

from tkdnportal.spreadsheets import FORMULA_PREFIXES, spreadsheet_row, spreadsheet_safe


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_text_beginning_with_a_formula_character_gets_a_quote(prefix):
    text = f'{prefix}HYPERLINK("http://evil.example/","klik")'
    assert spreadsheet_safe(text) == "'" + text


def test_every_documented_prefix_is_guarded():
    assert set(FORMULA_PREFIXES) == {"=", "+", "-", "@", "\t", "\r"}


@pytest.mark.parametrize(
    "text", ["CV Rotan Lestari", "", "'=sudah dikutip", "Batik = Indonesia", " =spasi dulu", "1+1"]
)
def test_other_text_is_left_alone(text):
    assert spreadsheet_safe(text) == text


@pytest.mark.parametrize(
    "value",
    [Decimal("-5.25"), -3, -0.5, Decimal("32.50"), 0, None, datetime.date(2026, 1, 15)],
)
def test_numbers_and_dates_stay_what_they_are(value):
    """A genuine negative number is a value, not a formula: it stays a number."""
    assert spreadsheet_safe(value) is value


def test_a_row_is_guarded_cell_by_cell():
    assert spreadsheet_row(["=1+1", Decimal("-1"), "ok", "@SUM(A1)"]) == [
        "'=1+1",
        Decimal("-1"),
        "ok",
        "'@SUM(A1)",
    ]


def test_table_bytes_csv_guards_cells_and_starts_with_a_bom():
    import csv
    import io

    from tkdnportal.spreadsheets import table_bytes

    data = table_bytes("csv", ["Nama", "Nilai"], [["=cmd()", Decimal("32.50")]])
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["Nama", "Nilai"], ["'=cmd()", "32.50"]]


def test_table_bytes_xlsx_keeps_numbers_and_dates_and_guards_text():
    import io

    from openpyxl import load_workbook

    from tkdnportal.spreadsheets import table_bytes

    data = table_bytes(
        "xlsx",
        ["Nama", "Nilai", "Berlaku"],
        [["@SUM(A1)", Decimal("32.50"), datetime.date(2030, 1, 2)]],
        title="Daftar pendek",
    )
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.title == "Daftar pendek"
    assert [c.value for c in sheet[1]] == ["Nama", "Nilai", "Berlaku"]
    name, value, valid = (c.value for c in sheet[2])
    assert name == "'@SUM(A1)"
    assert value == 32.5
    assert valid.date() == datetime.date(2030, 1, 2)


def test_table_bytes_refuses_an_unknown_format():
    from tkdnportal.spreadsheets import table_bytes

    with pytest.raises(ValueError, match="unknown table format"):
        table_bytes("ods", ["a"], [])
