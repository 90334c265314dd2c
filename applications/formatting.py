"""Numbers, money, percentages, days and dates as the reader's language writes them: the one
formatting layer of the portal.

Bahasa Indonesia (the default): "Rp 850.000.000", "32,50 %", "5 hari kerja", "3 Desember 2026";
English: "Rp 850,000,000", "32.50 %", "5 working days", "3 December 2026". The language is the
active one (a page, an e-mail rendered under ``translation.override``, the certificate PDF in
Bahasa Indonesia). Used by templates (``{% load tkdn_format %}``: ``rupiah``, ``percent``,
``working_days``, ``long_date``, ``number``), the admin (``admin_column``), the certificate
PDF (``format_id_number``: always Indonesian), the certificate e-mail, the history notes and the
outreach events' e-mails (``format_datetime``, ``format_datetime_range``), so every page and
paper prints the same digits. CSV/XLSX downloads keep plain machine numbers.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

#: A non-breaking space between "Rp" and the amount and before "%": never split over two lines.
NBSP = "\u00a0"


def _decimal(value) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def format_id_number(value, places: int = 2) -> str:
    """Indonesian number format: thousands with dots, decimals with a comma (1.234,50), whatever
    the active language (the certificate, which is printed in Bahasa Indonesia)."""
    number = _decimal(value)
    if number is None:
        return str(value)
    text = f"{number:,.{places}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def format_number(value, places: int | None = 2) -> str:
    """A number in the active language: "1.234,50" (id) / "1,234.50" (en), grouped by thousands.

    ``places=None`` shows no decimals for a whole number and two otherwise (Rupiah amounts).
    Anything that is not a number is shown as it is, never as a crash.
    """
    number = _decimal(value)
    if number is None:
        return "" if value is None else str(value)
    if places is None:
        places = 0 if number == number.to_integral_value() else 2
    return formats.number_format(number, places, use_l10n=True, force_grouping=True)


def format_rupiah(value, places: int | None = None) -> str:
    """ "Rp 850.000.000" (id) / "Rp 850,000,000" (en); cents only when there are any."""
    if _decimal(value) is None:
        return "" if value is None else str(value)
    return f"Rp{NBSP}{format_number(value, places)}"


def format_percent(value, places: int = 2) -> str:
    """ "32,50 %" (id) / "32.50 %" (en): a TKDN-IK value always with its two decimals."""
    if _decimal(value) is None:
        return "" if value is None else str(value)
    return f"{format_number(value, places)}{NBSP}%"


def format_working_days(value) -> str:
    """ "5 hari kerja" / "5 working days" (never "5,0"); a fraction (a median) keeps one decimal."""
    number = _decimal(value)
    if number is None:
        return "" if value is None else str(value)
    whole = number == number.to_integral_value()
    text = format_number(number, 0 if whole else 1)
    count = int(number) if whole else 2  # a fraction reads as plural in English
    return ngettext("%(days)s hari kerja", "%(days)s hari kerja", count) % {"days": text}


def format_date(value) -> str:
    """ "3 Desember 2026" / "3 December 2026"; a date-time is shown as its local date."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        value = value.date()
    if not isinstance(value, datetime.date):
        return str(value)
    return formats.date_format(value, "j F Y")


def format_datetime(value) -> str:
    """ "Kamis, 3 Desember 2026, 09.00 WIB" (id) / "Thursday, 3 December 2026, 09.00 WIB" (en):
    a moment in local time with the zone's name."""
    if not isinstance(value, datetime.datetime):
        return "" if value is None else str(value)
    value = timezone.localtime(value)
    return f"{formats.date_format(value, 'l, j F Y')}, {value:%H.%M} {value.tzname()}"


def format_datetime_range(start, end) -> str:
    """When an event runs: "Kamis, 3 Desember 2026, 09.00–12.00 WIB"; an end on another day
    names its date too ("…, 09.00 – Jumat, 4 Desember 2026, 12.00 WIB"). The outreach events'
    e-mails and pages (a change of time is shown as old → new in these words)."""
    if not isinstance(start, datetime.datetime) or not isinstance(end, datetime.datetime):
        return ""
    start, end = timezone.localtime(start), timezone.localtime(end)
    if end.date() != start.date():
        return f"{format_datetime(start).rsplit(' ', 1)[0]} – {format_datetime(end)}"
    return f"{format_datetime(start).rsplit(' ', 1)[0]}–{end:%H.%M} {end.tzname()}"


#: The name of each factor of any rule set (applications.calculation.FACTORS), shown on the
#: owner's result panel, the official's breakdown table and the certificate.
FACTOR_LABELS = {
    "materials": _("Bahan/material langsung"),
    "labour": _("Tenaga kerja langsung"),
    "overhead": _("Biaya tidak langsung pabrik"),
    "development": _("Biaya pengembangan"),
    "facility": _("Fasilitas produksi"),
}
#: Factors that do not count Rupiah (evidence or a choice), so their Rupiah columns show "—".
NOT_COST_BASED = frozenset({"development", "facility"})


def breakdown_rows(breakdown: dict, number=format_id_number) -> list[dict]:
    """The factor table of the certificate (and of the admin detail page), in the order of the
    breakdown's own rule set. ``number(value, places)`` formats each figure: Indonesian digits
    on the certificate (default), the reader's language in the admin (``format_number``)."""
    factors = (breakdown or {}).get("factors") or {}
    rows = []
    for key, label in FACTOR_LABELS.items():
        factor = factors.get(key)
        if not factor:
            continue
        share = Decimal(str(factor.get("share", "0"))) * 100
        rows.append(
            {
                "key": key,
                "label": label,
                "weight": number(factor.get("weight", "0"), 0),
                # Development counts by evidence (HKI, SNI, halal...) and the facility by the
                # owner's choice, not by cost.
                "domestic_rp": "—" if key in NOT_COST_BASED else number(factor["domestic_rp"]),
                "total_rp": "—" if key in NOT_COST_BASED else number(factor["total_rp"]),
                "share": number(share),
                "share_value": share,
                "points": number(factor.get("points", "0")),
            }
        )
    return rows


def admin_column(field: str, description, kind: str = "rupiah", ordering: str | None = None):
    """A read-only admin column/field showing ``field`` formatted ("Rp 12.000", "32,50 %",
    "3 Desember 2026"), never Django's raw "12000,00". Assign it as a ModelAdmin attribute and
    name that attribute in ``fields``/``readonly_fields``/``list_display``."""
    from django.contrib import admin

    formatter = {
        "rupiah": format_rupiah,
        "percent": format_percent,
        "date": format_date,
        "number": lambda v: format_number(v, None),
    }[kind]

    @admin.display(description=description, ordering=ordering or field)
    def column(self, obj):
        value = getattr(obj, field)
        return "—" if value is None else formatter(value)

    return column
