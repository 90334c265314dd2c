"""The certificate PDF: HTML template + print CSS rendered by WeasyPrint, QR code by segno.

WeasyPrint is imported inside the render function (slow import, large memory; the ruff config bans
module-level imports) and only reads local files: fonts come from the Debian font packages via
fontconfig, the stylesheet from ``static/css``, the QR code is an inline data URI, and the URL
fetcher refuses anything that is not ``file:`` or ``data:`` so rendering never touches the network.
The layout uses blocks and tables (WeasyPrint is slow with flexbox).
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

import segno

TEMPLATE = "registry/certificate_pdf.html"
STYLESHEET = settings.BASE_DIR / "static" / "css" / "certificate_print.css"


def format_id_number(value, places: int = 2) -> str:
    """Indonesian number format: thousands with dots, decimals with a comma (1.234,50)."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    text = f"{number:,.{places}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def breakdown_rows(breakdown: dict) -> list[dict]:
    """The factor table of the certificate (and of the admin detail page)."""
    factors = (breakdown or {}).get("factors") or {}
    labels = {
        "materials": _("Bahan/material langsung"),
        "labour": _("Tenaga kerja langsung"),
        "overhead": _("Biaya tidak langsung pabrik"),
        "development": _("Biaya pengembangan"),
    }
    rows = []
    for key, label in labels.items():
        factor = factors.get(key)
        if not factor:
            continue
        share = Decimal(str(factor.get("share", "0"))) * 100
        rows.append(
            {
                "key": key,
                "label": label,
                "weight": format_id_number(factor.get("weight", "0"), 0),
                # Development counts by evidence (HKI, SNI, halal...), not by cost.
                "domestic_rp": "—"
                if key == "development"
                else format_id_number(factor["domestic_rp"]),
                "total_rp": "—" if key == "development" else format_id_number(factor["total_rp"]),
                "share": format_id_number(share),
                "points": format_id_number(factor.get("points", "0")),
            }
        )
    return rows


def qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(border=0, dark="#111111")


def _local_only_fetcher(url: str, *args, **kwargs):
    """WeasyPrint URL fetcher that refuses the network (files and data URIs only)."""
    from weasyprint.urls import default_url_fetcher

    if not url.startswith(("file:", "data:")):
        raise ValueError(f"Refusing to fetch {url!r} while rendering a certificate")
    return default_url_fetcher(url, *args, **kwargs)


def certificate_context(certificate, *, draft: bool = False, url: str | None = None) -> dict:
    from .services import verification_url

    if url is None and not draft:
        url = verification_url(certificate)
    return {
        "c": certificate,
        "draft": draft,
        "number": certificate.number,
        "tkdn": format_id_number(certificate.tkdn_ik),
        "rows": breakdown_rows(certificate.breakdown),
        "threshold": format_id_number((certificate.breakdown or {}).get("threshold", "25.00")),
        "verification_url": url,
        "qr": qr_data_uri(url) if url else "",
        "disclaimer": settings.TKDN_DISCLAIMER,
        # Long names, specifications or addresses: a tighter layout keeps the page count at one.
        "dense": sum(
            len(str(value or ""))
            for value in (
                certificate.product_name,
                certificate.product_specification,
                certificate.company_name,
                certificate.factory_address,
                settings.TKDN_DISCLAIMER,
            )
        )
        > 320,
        "generated": datetime.date.today(),
    }


def render_certificate_html(certificate, *, draft: bool = False, url: str | None = None) -> str:
    with translation.override("id"):
        return render_to_string(TEMPLATE, certificate_context(certificate, draft=draft, url=url))


def render_certificate_pdf(certificate, *, draft: bool = False) -> bytes:
    """The certificate as PDF bytes (A4, one page). ``draft`` adds a DRAFT watermark."""
    from weasyprint import CSS, HTML

    html = render_certificate_html(certificate, draft=draft)
    document = HTML(
        string=html, base_url=str(settings.BASE_DIR), url_fetcher=_local_only_fetcher
    ).render(stylesheets=[CSS(filename=str(STYLESHEET), url_fetcher=_local_only_fetcher)])
    return document.write_pdf()
