"""The certificate PDF: one A4 page with the number, company, value and a QR code; DRAFT preview."""

import io
import logging
import shutil
import subprocess
from pathlib import Path

from django.conf import settings
from django.utils.html import escape

import pytest
from pypdf import PdfReader

from registry.pdf import qr_data_uri, render_certificate_html, render_certificate_pdf
from registry.services import application_approve, certificate_issue, certificate_render_pdf
from tests.factories import application_under_review

pytestmark = pytest.mark.django_db

# Page 1 rendered to PNG on every run; look at it after a layout change.
PREVIEW_PNG = Path(settings.VAR_DIR) / "certificate-preview"


def _issued_certificate():
    application = application_under_review(
        product__name="Kursi Rotan Teras",
        product__company__name="CV Rotan Lestari Cirebon",
        product__company__regency_id="32.09",
    )
    application_approve(application=application, actor=None)
    return certificate_issue(application_id=application.pk)


def _text(data: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(data))
    text = " ".join(page.extract_text() for page in reader.pages)
    return len(reader.pages), " ".join(text.split())  # line breaks and wrapping removed


def test_pdf_has_one_page_with_number_company_and_value(caplog):
    certificate = _issued_certificate()
    with caplog.at_level(logging.WARNING):
        certificate = certificate_render_pdf(certificate_id=certificate.pk)
    # WeasyPrint logs problems (missing fonts, refused URLs, unsupported CSS) instead of failing.
    assert [r for r in caplog.records if r.name.startswith("weasyprint")] == []
    data = certificate.pdf.read()
    pages, text = _text(data)
    assert pages == 1
    assert certificate.number in text
    assert "CV Rotan Lestari Cirebon" in text
    assert "38,91" in text  # the value, Indonesian decimal comma
    assert "Kabupaten Cirebon" in text
    assert "SERTIFIKAT" in text
    assert "DRAFT" not in text
    reader = PdfReader(io.BytesIO(data))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points


def test_fonts_are_embedded():
    certificate = certificate_render_pdf(certificate_id=_issued_certificate().pk)
    reader = PdfReader(io.BytesIO(certificate.pdf.read()))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    names = [str(fonts[key].get_object()["/BaseFont"]) for key in fonts]
    assert any("Liberation" in name or "DejaVu" in name for name in names), names
    for key in fonts:
        descriptor = fonts[key].get_object().get("/FontDescriptor")
        if descriptor is None:  # Type0: the descriptor sits on the descendant font
            descendant = fonts[key].get_object()["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"]
        descriptor = descriptor.get_object()
        assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), names


def test_qr_code_points_at_the_public_verification_page():
    certificate = _issued_certificate()
    html = render_certificate_html(certificate)
    url = certificate.verification_url()
    assert url.startswith(settings.SITE_URL + "/")
    assert certificate.verification_token in url
    assert url in html
    assert 'src="data:image/svg+xml' in html
    # The image is the QR code of exactly this URL (segno is deterministic).
    assert f'src="{escape(qr_data_uri(url))}"' in html


def test_draft_preview_is_watermarked_and_has_no_qr():
    certificate = _issued_certificate()
    pages, text = _text(render_certificate_pdf(certificate, draft=True))
    assert pages == 1
    assert "DRAFT" in text
    assert "QR tersedia setelah sertifikat terbit" in text


def test_page_one_renders_to_png(tmp_path):
    """Renders page 1 with pdftoppm (poppler-utils) so a person can look at the layout."""
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "pdftoppm missing: install poppler-utils (Makefile TEST_SYSTEM_PACKAGES)"
    certificate = certificate_render_pdf(certificate_id=_issued_certificate().pk)
    pdf_path = tmp_path / "certificate.pdf"  # through the storage API: disk or a bucket
    with certificate.pdf.open("rb") as handle:
        pdf_path.write_bytes(handle.read())
    subprocess.run(
        [pdftoppm, "-png", "-r", "110", "-f", "1", "-l", "1", "-singlefile", pdf_path, PREVIEW_PNG],
        check=True,
        timeout=60,
    )
    png = PREVIEW_PNG.with_suffix(".png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 20_000  # a blank page compresses to a few kB


def test_long_texts_still_fit_on_one_page(settings):
    settings.TKDN_DISCLAIMER = "Sertifikat ini bukan bukti mutu produk. " * 6
    application = application_under_review(
        product__name="Kursi " + "Rotan Sintetis Anyaman Tangan " * 6,
        product__specification="Rangka besi hollow 20x20, anyaman rotan sintetis PE 5 mm " * 5,
        product__company__name="Koperasi Produsen " + "Pengrajin Rotan Lestari " * 7,
        product__company__factory_address="Jl. Raya Tegalwangi No. 14, Desa Tegalwangi " * 5,
    )
    application_approve(application=application, actor=None)
    certificate = certificate_issue(application_id=application.pk)
    data = render_certificate_pdf(certificate)
    pages, text = _text(data)
    assert pages == 1
    assert certificate.number in text
    long_pdf = PREVIEW_PNG.with_name("certificate-preview-long.pdf")
    long_pdf.write_bytes(data)  # kept for a look: pdftoppm -png -singlefile <file> <out>
