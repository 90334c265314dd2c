"""Certificates that prove themselves (issue 14): PAdES-signed PDF/A, checked three ways on the
verify pages, the API and ``manage.py verify_certificate``; stored PDFs never change."""

import io
import json
import shutil
import subprocess
from pathlib import Path

from django.core.management import call_command
from django.urls import reverse

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from applications.models import Application
from registry import signing
from registry.models import Certificate, SupersededPdf
from registry.services import (
    application_approve,
    certificate_extend,
    certificate_issue,
    certificate_render_pdf,
    certificate_revoke,
)
from tests.factories import OfficialFactory, UserFactory, application_under_review

pytestmark = pytest.mark.django_db


def _issued(**kwargs) -> Certificate:
    application = application_under_review(
        product__name="Kursi Rotan Teras",
        product__company__name="CV Rotan Lestari Cirebon",
        **kwargs,
    )
    application_approve(application=application, actor=kwargs.pop("actor", None))
    certificate = certificate_issue(application_id=application.pk)
    certificate = certificate_render_pdf(certificate_id=certificate.pk)
    Application.objects.filter(pk=application.pk).update(status=Application.Status.ISSUED)
    return certificate


def _pdf(certificate: Certificate) -> bytes:
    certificate.refresh_from_db()
    with certificate.pdf.open("rb") as handle:
        return handle.read()


def _tampered(data: bytes) -> bytes:
    """The PDF with one byte of the page content changed (compressed streams: any byte inside
    the signed range, far from the signature itself)."""
    changed = bytearray(data)
    index = data.index(b"stream", 2000) + 40
    changed[index] ^= 0x01
    return bytes(changed)


def test_the_issued_pdf_is_signed_over_the_whole_file_by_the_portal_key():
    certificate = _issued()
    data = _pdf(certificate)
    embedded = PdfFileReader(io.BytesIO(data)).embedded_signatures
    assert len(embedded) == 1
    context = ValidationContext(
        trust_roots=signing.trust_roots(), allow_fetching=False, revocation_mode="soft-fail"
    )
    status = validate_pdf_signature(embedded[0], context)
    assert status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    check = signing.validate(data)
    assert check.ok and "development" in check.signer
    # What the certificate page shows was recorded with the file.
    assert certificate.pdf_sha256 and certificate.signature_level == "PAdES B-B"
    assert certificate.signature_algorithm.startswith("RSA-3072")
    assert certificate.signature_certificate_sha256 == check.certificate_sha256


@pytest.mark.skipif(not shutil.which("pdfinfo"), reason="poppler-utils (make install-test)")
def test_the_pdf_is_tagged_pdfa_with_metadata_and_reads_in_order(tmp_path):
    certificate = _issued()
    path = tmp_path / "certificate.pdf"
    path.write_bytes(_pdf(certificate))
    info = subprocess.run(["pdfinfo", path], capture_output=True, text=True, check=True).stdout
    assert "Tagged:          yes" in info
    assert "PDF version:     1.7" in info
    meta = subprocess.run(
        ["pdfinfo", "-meta", path], capture_output=True, text=True, check=True
    ).stdout
    assert 'pdfaid:part="3"' in meta and 'pdfaid:conformance="B"' in meta
    for fact in (certificate.number, "CV Rotan Lestari Cirebon", "Kursi Rotan Teras", "IK-2022"):
        assert fact in meta
    text = " ".join(
        subprocess.run(
            ["pdftotext", path, "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    # Reading order: number, legal basis, the product and company, then the value box (its
    # label, the value and the rule set, side by side on the page), then the breakdown.
    order = [
        text.index(certificate.number),
        text.index("Peraturan Menteri Perindustrian Nomor 46 Tahun 2022"),
        text.index("Kursi Rotan Teras"),
        text.index("CV Rotan Lestari Cirebon"),
        text.index("Faktor"),
    ]
    assert order == sorted(order)
    value_box = text[order[3] : order[4]]
    for fact in ("Nilai TKDN-IK", "38,91", "Aturan perhitungan IK-2022"):
        assert fact in value_box
    # The verification address is a link (a URI action), not only printed text.
    from pypdf import PdfReader

    page = PdfReader(path).pages[0]
    uris = [
        annot.get_object().get("/A", {}).get("/URI")
        for annot in page.get("/Annots", [])
        if annot.get_object().get("/Subtype") == "/Link"
    ]
    assert certificate.verification_url() in uris


def test_one_changed_byte_fails_signature_and_register_everywhere(client, tmp_path, capsys):
    certificate = _issued()
    data = _pdf(certificate)
    bad = _tampered(data)
    assert signing.validate(bad).state == "broken"
    # The verify page of the QR code.
    url = reverse("registry:verify", kwargs={"token": certificate.verification_token})
    page = client.post(url, {"pdf": _upload(bad)}).content.decode()
    assert "TIDAK ASLI" in page and 'data-state="broken"' in page and 'data-state="unknown"' in page
    assert "bukan berkas yang diterbitkan" in page
    good = client.post(url, {"pdf": _upload(data)}).content.decode()
    assert "ASLI" in good and 'data-state="valid"' in good and 'data-state="current"' in good
    # The API, multipart and as the body.
    api = reverse("api:verify_file")
    answer = client.post(api, {"pdf": _upload(bad)}).json()
    assert (answer["authentic"], answer["signature"]["state"], answer["register"]["match"]) == (
        False,
        "broken",
        "unknown",
    )
    assert answer["register"]["number"] == certificate.number  # named by the file's metadata
    answer = client.post(api, data=data, content_type="application/pdf").json()
    assert answer["authentic"] is True and answer["status"]["code"] == "VALID"
    assert answer["register"]["number"] == certificate.number
    # The command.
    path = tmp_path / "bad.pdf"
    path.write_bytes(bad)
    with pytest.raises(SystemExit) as exited:
        call_command("verify_certificate", str(path))
    assert exited.value.code == 1
    assert "TIDAK SAH" in capsys.readouterr().out
    path.write_bytes(data)
    call_command("verify_certificate", str(path), "--json")
    assert json.loads(capsys.readouterr().out)["authentic"] is True


def _upload(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("sertifikat.pdf", data, content_type="application/pdf")


def test_status_today_is_part_of_the_answer(client):
    certificate = _issued()
    certificate_revoke(certificate=certificate, actor=UserFactory(), reason="Data palsu.")
    answer = client.post(reverse("api:verify_file"), {"pdf": _upload(_pdf(certificate))}).json()
    # The file is still the one issued, and the register says it is revoked today.
    assert answer["authentic"] is True
    assert answer["status"]["code"] == "REVOKED" and "DICABUT" in answer["status"]["message"]


def test_a_pdf_signed_by_another_key_is_not_the_portal_s(tmp_path, settings):
    certificate = _issued()
    settings.TKDN_SIGNING_PKCS12_FILE = ""
    other_p12, _ = signing.create_key_pair(tmp_path, organisation="Pemalsu", passphrase=b"rahasia")
    settings.TKDN_SIGNING_PKCS12_FILE = str(other_p12)
    settings.TKDN_SIGNING_PKCS12_PASSPHRASE = "rahasia"
    from registry.pdf import render_certificate_pdf

    forged, _info = signing.sign_pdf(render_certificate_pdf(certificate), reason="x", location="y")
    settings.TKDN_SIGNING_PKCS12_FILE = ""
    assert signing.validate(forged).state == "untrusted"
    assert signing.validate(b"%PDF-1.7\n%%EOF").state in ("unreadable", "unsigned")
    assert signing.validate(b"not a pdf").state == "unreadable"


def test_rendering_again_never_changes_the_stored_pdf():
    certificate = _issued()
    first = _pdf(certificate)
    again = certificate_render_pdf(certificate_id=certificate.pk, force=True)
    assert _pdf(again) == first and again.pdf_sha256 == certificate.pdf_sha256


def test_an_extension_stores_a_new_pdf_and_keeps_the_old_one_verifiable(
    client, django_capture_on_commit_callbacks
):
    certificate = _issued()
    old = _pdf(certificate)
    old_name = certificate.pdf.name
    with django_capture_on_commit_callbacks(execute=True):
        certificate = certificate_extend(certificate=certificate, actor=UserFactory())
    # The worker's re-render (queued on commit; eager in tests) stored a new file.
    certificate.refresh_from_db()
    assert (
        certificate.pdf.name != old_name and certificate.pdf_valid_until == certificate.expires_on
    )
    superseded = SupersededPdf.objects.get(certificate=certificate)
    assert superseded.pdf.name == old_name and superseded.pdf.read() == old
    answer = client.post(reverse("api:verify_file"), {"pdf": _upload(old)}).json()
    assert answer["authentic"] is True and answer["register"]["match"] == "superseded"
    assert "versi lama" in answer["register"]["message"]
    # Running the render again (a duplicate message) changes nothing.
    before = SupersededPdf.objects.count()
    certificate_render_pdf(certificate_id=certificate.pk, force=True)
    assert SupersededPdf.objects.count() == before


def test_the_approving_official_signs_with_name_position_and_nip():
    official = OfficialFactory(
        full_name="Dr. Siti Rahayu, M.T.",
        position="Kepala Dinas Perindustrian Provinsi Jawa Barat",
        nip="197608152003122004",
    )
    application = application_under_review()
    application_approve(application=application, actor=official.user)
    certificate = certificate_issue(application_id=application.pk)
    assert (certificate.signatory_name, certificate.signatory_nip) == (
        "Dr. Siti Rahayu, M.T.",
        "197608152003122004",
    )
    from registry.pdf import render_certificate_html

    html = render_certificate_html(certificate)
    assert "Dr. Siti Rahayu, M.T." in html and "NIP 197608152003122004" in html


def test_pages_show_the_signature_and_offer_the_signing_certificate(client):
    certificate = _issued()
    page = client.get(
        reverse("registry:certificate_detail", kwargs={"number": certificate.number})
    ).content.decode()
    assert "Tanda tangan digital" in page and "PAdES B-B" in page and "RSA-3072" in page
    pem = client.get(reverse("registry:signing_cert"))
    assert pem.status_code == 200 and pem.content.startswith(b"-----BEGIN CERTIFICATE-----")
    assert pem.content.count(b"BEGIN CERTIFICATE") == 2  # signing certificate and its CA
    page = client.get(reverse("registry:verify_file")).content.decode()
    assert 'name="pdf"' in page and reverse("registry:signing_cert") in page


def test_a_production_key_from_pkcs12_signs_and_the_deploy_check_knows(tmp_path, settings):
    p12, ca = signing.create_key_pair(
        tmp_path, organisation="Kementerian Perindustrian", passphrase=b"kunci-produksi"
    )
    assert [m.id for m in signing.check_signing_key()] == ["registry.W001"]  # development key
    settings.TKDN_SIGNING_PKCS12_FILE = str(p12)
    settings.TKDN_SIGNING_PKCS12_PASSPHRASE = "kunci-produksi"
    assert signing.check_signing_key() == []
    certificate = _issued()
    check = signing.validate(_pdf(certificate))
    assert check.ok and "Kementerian Perindustrian" in check.signer
    settings.TKDN_SIGNING_PKCS12_FILE = str(Path(tmp_path) / "missing.p12")
    assert [m.id for m in signing.check_signing_key()] == ["registry.E001"]


def test_the_verify_api_takes_a_pdf_larger_than_an_ordinary_request(client, settings):
    # Uploads go through the upload limit (tkdnportal.middleware), not the 1 MB of other API
    # requests: a 3 MB file is judged by the view (here: not a PDF), never refused unread.
    body = b"x" * (3 * 1024 * 1024)
    response = client.post(reverse("api:verify_file"), data=body, content_type="application/pdf")
    assert response.status_code == 400 and "bukan PDF" in str(response.json())
