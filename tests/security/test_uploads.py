"""Hostile uploads: each refused with a clear message next to the field, or (path tricks in the
name) made harmless; accepted files are never served from a public path.

Uploads go through ``applications.services.upload_sniff`` (type from the content, size limit,
PDF active content) from both the supporting-document page and the cost forms' evidence fields.
"""

import zlib

from django.core.files.uploadedfile import SimpleUploadedFile

import pytest

from applications.forms import UploadField
from applications.models import SupportingDocument
from applications.validators import pdf_has_active_content, safe_original_name
from tests.factories import PDF_BYTES, PNG_BYTES, CompanyFactory

TYPE_MESSAGE = "Jenis berkas harus PDF, JPEG, atau PNG"
SCRIPT_MESSAGE = "PDF ini berisi JavaScript"
LAUNCH_MESSAGE = "PDF ini berisi perintah menjalankan program"


def pdf_with(body: bytes) -> bytes:
    return b"%PDF-1.7\n" + body + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def flate_stream(content: bytes) -> bytes:
    data = zlib.compress(content)
    return b"5 0 obj<</Type/ObjStm/Filter/FlateDecode/Length %d>>stream\n%s\nendstream endobj" % (
        len(data),
        data,
    )


SCRIPTED_PDFS = {
    "openaction-js": pdf_with(
        b"1 0 obj<</Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>>>endobj"
    ),
    "names-javascript": pdf_with(
        b"1 0 obj<</Type/Catalog/Names<</JavaScript 2 0 R>>>>endobj\n"
        b"2 0 obj<</Names[(a) 3 0 R]>>endobj\n3 0 obj<</S/JavaScript/JS 4 0 R>>endobj"
    ),
    "hex-escaped-name": pdf_with(
        b"1 0 obj<</Type/Catalog/OpenAction<</S/J#61vaScript/J#53(x)>>>>endobj"
    ),
    "in-compressed-object-stream": pdf_with(
        b"1 0 obj<</Type/Catalog>>endobj\n"
        + flate_stream(b"<</S/JavaScript/JS(this.exportDataObject())>>")
    ),
    "page-additional-action": pdf_with(
        b"1 0 obj<</Type/Catalog>>endobj\n2 0 obj<</Type/Page/AA<</O<</S/JavaScript"
        b"/JS(x)>>>>>>endobj"
    ),
    "launch": pdf_with(b"1 0 obj<</Type/Catalog/OpenAction<</S/Launch/F(cmd.exe)>>>>endobj"),
}


@pytest.fixture
def owner_client(client, db):
    company = CompanyFactory()
    client.force_login(company.owner)
    client.company = company
    return client


def upload(client, name, content, kind="NIB"):
    return client.post(
        "/ikm/dokumen/",
        {"kind": kind, "file": SimpleUploadedFile(name, content, "application/pdf")},
    )


def assert_refused(response, message):
    assert response.status_code == 200  # the form again, never a 500
    body = response.content.decode()
    assert message in body
    assert "is-invalid" in body  # next to the field
    assert not SupportingDocument.objects.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("faktur.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200),  # a Windows program named .pdf
        ("faktur.pdf", b"<html><script>alert(1)</script></html>"),
        ("foto.png", b"GIF89a" + b"\x00" * 100),
        ("nib.pdf", b"PK\x03\x04" + b"\x00" * 100),  # a ZIP/Office file
        ("nib.pdf", b"%PDX-not really"),
        ("kosong.pdf", b"\x00"),
    ],
)
def test_wrong_type_with_a_right_extension_is_refused(owner_client, name, content):
    assert_refused(upload(owner_client, name, content), TYPE_MESSAGE)


def test_oversize_file_is_refused_with_the_limit(owner_client, settings):
    settings.MAX_UPLOAD_SIZE = 10 * 1024
    big = PDF_BYTES + b"%" + b"x" * (20 * 1024)
    response = upload(owner_client, "besar.pdf", big)
    assert_refused(response, "Berkas terlalu besar")
    assert "10,0" in response.content.decode() or "10.0" in response.content.decode()


@pytest.mark.parametrize("variant", list(SCRIPTED_PDFS))
def test_pdf_with_script_is_refused(owner_client, variant):
    message = LAUNCH_MESSAGE if variant == "launch" else SCRIPT_MESSAGE
    assert_refused(upload(owner_client, "faktur.pdf", SCRIPTED_PDFS[variant]), message)


def test_a_plain_pdf_and_a_png_are_accepted(owner_client):
    assert upload(owner_client, "nib.pdf", PDF_BYTES).status_code == 302
    assert upload(owner_client, "izin.png", PNG_BYTES, kind="LICENCE").status_code == 302
    assert SupportingDocument.objects.count() == 2
    # Text that merely mentions JavaScript (no /JS name) is fine.
    assert not pdf_has_active_content(pdf_with(b"BT (JavaScript /JSON) Tj ET"))


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\system32\\nib.pdf", "nib.pdf"),
        ("nib\x00.exe.pdf", "nib.exe.pdf"),
        ("nib.pdf\x00", "nib.pdf"),
        ("\u202eFDP.exe", "FDP.exe"),  # right-to-left override: a Cf control character
        ("a" * 1000 + ".pdf", "a" * 251 + ".pdf"),
    ],
)
def test_path_tricks_in_names_are_made_harmless(owner_client, settings, name, shown):
    """The name never becomes a path: the file is stored as private/<model>/<random>.<ext>, and
    the name shown to people has no folders, no control characters and at most 255 chars."""
    response = upload(owner_client, name, PDF_BYTES)
    assert response.status_code == 302, response.content[:300]
    document = SupportingDocument.objects.get()
    assert document.original_name == shown
    assert document.file.name.startswith("private/supportingdocument/")
    stored = (settings.MEDIA_ROOT / document.file.name).resolve()
    assert stored.is_relative_to(settings.MEDIA_ROOT.resolve())
    assert "\x00" not in document.file.name and ".." not in document.file.name
    assert [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()] == [stored]
    # And the download keeps working with the cleaned name.
    download = owner_client.get(f"/ikm/berkas/document/{document.pk}/")
    assert download.status_code == 200


def test_safe_original_name_units():
    assert safe_original_name("C:\\Users\\budi\\faktur.PDF") == "faktur.PDF"
    assert safe_original_name("") == "berkas"
    assert safe_original_name("..") == "berkas"
    assert safe_original_name("../..") == "berkas"
    assert len(safe_original_name("x" * 300 + ".jpeg")) == 255


def test_evidence_fields_of_the_cost_forms_use_the_same_checks(settings):
    """Material purchase proofs and development evidence use ``UploadField``."""
    from django.core.exceptions import ValidationError

    field = UploadField()
    for content, message in [
        (b"MZ" + b"\x00" * 100, TYPE_MESSAGE),
        (SCRIPTED_PDFS["openaction-js"], SCRIPT_MESSAGE),
    ]:
        with pytest.raises(ValidationError) as error:
            field.clean(SimpleUploadedFile("faktur.pdf", content, "application/pdf"))
        assert message in str(error.value)
    assert field.clean(SimpleUploadedFile("faktur.pdf", PDF_BYTES, "application/pdf"))


def test_uploaded_files_are_never_served_from_a_public_path(owner_client, settings):
    """MEDIA_URL is not routed (in production too: whitenoise serves static files only); the
    permission-checked view serves the file to its owner and hides it from everyone else."""
    assert upload(owner_client, "nib.pdf", PDF_BYTES).status_code == 302
    document = SupportingDocument.objects.get()
    assert owner_client.get(f"/{settings.MEDIA_URL}{document.file.name}").status_code == 404
    assert owner_client.get(f"/media/{document.file.name}").status_code == 404
    assert owner_client.get(f"/static/../media/{document.file.name}").status_code == 404
    response = owner_client.get(f"/ikm/berkas/document/{document.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert 'filename="nib.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    owner_client.logout()
    assert owner_client.get(f"/ikm/berkas/document/{document.pk}/").status_code == 302
