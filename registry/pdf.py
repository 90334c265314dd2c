"""The certificate PDF: HTML template + print CSS rendered by WeasyPrint, QR code by segno.

WeasyPrint is imported inside the render function (slow import, large memory; the ruff config bans
module-level imports) and only reads local files: fonts come from the Debian font packages via
fontconfig, the stylesheet from ``static/css``, the QR code is an inline data URI, and the URL
fetcher refuses anything that is not ``file:`` or ``data:`` so rendering never touches the network.
The layout uses blocks and tables (WeasyPrint is slow with flexbox).
"""

import datetime

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

import segno

from applications import rules
from applications.formatting import breakdown_rows, format_id_number

TEMPLATE = "registry/certificate_pdf.html"
STYLESHEET = settings.BASE_DIR / "static" / "css" / "certificate_print.css"


def qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(border=0, dark="#111111")


def _local_only_fetcher(url: str, *args, **kwargs):
    """WeasyPrint URL fetcher that refuses the network (files and data URIs only)."""
    from weasyprint.urls import default_url_fetcher

    if not url.startswith(("file:", "data:")):
        raise ValueError(f"Refusing to fetch {url!r} while rendering a certificate")
    return default_url_fetcher(url, *args, **kwargs)


def certificate_context(certificate, *, draft: bool = False, url: str | None = None) -> dict:
    if url is None and not draft:
        url = certificate.verification_url()
    return {
        "c": certificate,
        "draft": draft,
        "number": certificate.number,
        "tkdn": format_id_number(certificate.tkdn_ik),
        "rows": breakdown_rows(certificate.breakdown),
        "threshold": format_id_number(rules.get(certificate.rule_set).threshold),
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
    """The certificate as PDF bytes (A4, one page), unsigned. ``draft`` adds a DRAFT watermark.

    PDF/A-3b (archival: fonts embedded, XMP metadata with number, holder, product, value and
    rule set) and tagged (a screen reader gets headings, tables and reading order); the
    verification address is a real link. ``registry.services.certificate_render_pdf`` signs it.
    """
    from weasyprint import CSS, HTML

    html = render_certificate_html(certificate, draft=draft)
    document = HTML(
        string=html, base_url=str(settings.BASE_DIR), url_fetcher=_local_only_fetcher
    ).render(stylesheets=[CSS(filename=str(STYLESHEET), url_fetcher=_local_only_fetcher)])
    return document.write_pdf(pdf_variant="pdf/a-3b", pdf_tags=True)
