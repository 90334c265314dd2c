"""The one place for number formatting: Indonesian digits (1.234,50) and the factor table."""

from decimal import Decimal

from applications.formatting import breakdown_rows, format_id_number


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
