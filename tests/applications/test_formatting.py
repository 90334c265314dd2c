"""The one place for number formatting: Indonesian digits (1.234,50) and the factor table."""

import datetime
from decimal import Decimal

from django.template import Context, Template
from django.utils import timezone, translation

import pytest

from applications.formatting import (
    breakdown_rows,
    format_date,
    format_id_number,
    format_number,
    format_percent,
    format_rupiah,
    format_working_days,
)


def test_indonesian_number_format():
    assert format_id_number(Decimal("1234.5")) == "1.234,50"
    assert format_id_number("850000000", 0) == "850.000.000"
    assert format_id_number(Decimal("25")) == "25,00"
    assert format_id_number("n/a") == "n/a"  # not a number: shown as it is


def test_breakdown_rows_format_each_factor_and_skip_development_money():
    breakdown = {
        "factors": {
            "materials": {
                "weight": "24",
                "domestic_rp": "11000.00",
                "total_rp": "24000.00",
                "share": "0.4583",
                "points": "11.00",
            },
            "development": {"weight": "2", "share": "0", "points": "0.00"},
        }
    }
    rows = breakdown_rows(breakdown)
    assert [r["key"] for r in rows] == ["materials", "development"]
    assert rows[0]["domestic_rp"] == "11.000,00" and rows[0]["share"] == "45,83"
    assert rows[1]["domestic_rp"] == rows[1]["total_rp"] == "—"
    assert breakdown_rows({}) == []


# --- The one formatting layer, in both languages (issue 13) ------------------------------------

NB = "\xa0"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "id",
            [f"Rp{NB}850.000.000", f"Rp{NB}12.000", f"Rp{NB}1.250,50", f"32,50{NB}%",
             "5 hari kerja", "1 hari kerja", "4,5 hari kerja", "3 Desember 2026", "1.234"],
        ),
        (
            "en",
            [f"Rp{NB}850,000,000", f"Rp{NB}12,000", f"Rp{NB}1,250.50", f"32.50{NB}%",
             "5 working days", "1 working day", "4.5 working days", "3 December 2026", "1,234"],
        ),
    ],
)  # fmt: skip
def test_one_layer_for_money_percentages_days_and_dates(language, expected):
    with translation.override(language):
        got = [
            format_rupiah(Decimal("850000000.00")),
            format_rupiah("12000.00"),  # the admin's "12000,00"
            format_rupiah(Decimal("1250.5")),
            format_percent(Decimal("32.5")),
            format_working_days("5.0"),  # a median read back as "5.0"
            format_working_days(1),
            format_working_days(Decimal("4.5")),
            format_date(datetime.date(2026, 12, 3)),
            format_number(1234, 0),
        ]
    assert got == expected


def test_not_a_number_is_shown_as_it_is_and_none_as_nothing():
    assert format_rupiah("n/a") == "n/a" and format_percent(None) == ""
    assert format_working_days(None) == "" and format_date(None) == ""
    assert format_number(float("nan")) == "nan"


def test_a_datetime_is_shown_as_its_local_date(settings):
    settings.TIME_ZONE = "Asia/Jakarta"
    late = datetime.datetime(2026, 12, 2, 20, 0, tzinfo=datetime.UTC)  # 3 Dec 03:00 WIB
    with timezone.override("Asia/Jakarta"), translation.override("id"):
        assert format_date(late) == "3 Desember 2026"


def test_template_filters():
    template = Template(
        "{% load tkdn_format %}{{ a|rupiah }}|{{ p|percent }}|{{ p|percent:1 }}"
        "|{{ d|working_days }}|{{ t|long_date }}|{{ n|number }}|{{ a|rupiah:2 }}"
    )
    context = Context(
        {"a": Decimal("850000000"), "p": Decimal("32.5"), "d": 3, "t": datetime.date(2026, 1, 5),
         "n": 12345}
    )  # fmt: skip
    with translation.override("id"):
        assert template.render(context) == (
            f"Rp{NB}850.000.000|32,50{NB}%|32,5{NB}%|3 hari kerja|5 Januari 2026|12.345"
            f"|Rp{NB}850.000.000,00"
        )
