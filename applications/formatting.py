"""Numbers as Indonesian readers write them: the one place for number formatting.

Used by the admin (cost lines, the breakdown table) and by the certificate PDF
(``registry.pdf``), so the page an official checks and the certificate print the same digits.
"""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _


def format_id_number(value, places: int = 2) -> str:
    """Indonesian number format: thousands with dots, decimals with a comma (1.234,50)."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    text = f"{number:,.{places}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


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


def breakdown_rows(breakdown: dict) -> list[dict]:
    """The factor table of the certificate (and of the admin detail page), in the order of the
    breakdown's own rule set."""
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
                "weight": format_id_number(factor.get("weight", "0"), 0),
                # Development counts by evidence (HKI, SNI, halal...) and the facility by the
                # owner's choice, not by cost.
                "domestic_rp": "—"
                if key in NOT_COST_BASED
                else format_id_number(factor["domestic_rp"]),
                "total_rp": "—" if key in NOT_COST_BASED else format_id_number(factor["total_rp"]),
                "share": format_id_number(share),
                "points": format_id_number(factor.get("points", "0")),
            }
        )
    return rows
