"""Uploads judged by their content (issue 16): each hostile file is built here and refused with
its own message, by the real parser (qpdf through pikepdf, Pillow), or stored under the name of
what it really is. Each of these passed the name/first-bytes checks before issue 16.
"""

import io
import struct
import zlib

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

import pikepdf
import pytest

from applications.models import Company, SupportingDocument
from tests.factories import (
    JPEG_BYTES,
    PDF_BYTES,
    PNG_BYTES,
    CompanyFactory,
    MaterialLineFactory,
    ProductFactory,
    minimal_pdf,
)

BROKEN = "bukan PDF yang utuh"
SCRIPT = "PDF ini berisi JavaScript"
LAUNCH = "PDF ini berisi perintah menjalankan program"
EMBEDDED = "PDF ini berisi berkas lain yang disisipkan"
XFA = "PDF ini berupa formulir dinamis XFA"
ENCRYPTED = "PDF ini dikunci dengan kata sandi atau enkripsi"
TOO_LARGE = "Gambar terlalu besar: 30000 × 30000 piksel; paling banyak 50 juta piksel"
IMAGE_BROKEN = "Gambar ini rusak atau tidak lengkap"


@pytest.fixture
def owner_client(client, db):
    company = CompanyFactory()
    client.force_login(company.owner)
    return client


def upload(client, name, content, kind="NIB"):
    return client.post("/ikm/dokumen/", {"kind": kind, "file": SimpleUploadedFile(name, content)})


def assert_refused(response, message):
    assert response.status_code == 200  # the form again, never a 500
    body = response.content.decode()
    assert message in body, body[body.find("invalid-feedback") :][:400]
    assert "is-invalid" in body
    assert not SupportingDocument.objects.exists()


# --- Files that a browser or Windows runs, beginning with %PDF -------------------------------

POLYGLOTS = {
    "bat": b"%PDF-1.4\r\n@echo off\r\nstart calc.exe\r\n",
    "hta": b"%PDF-1.4\n<HTA:APPLICATION ID=x><script>new ActiveXObject('WScript.Shell')"
    b".Run('calc')</script>",
    "svg": b'%PDF-1.4\n<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.domain)"/>',
    "html": b"%PDF-1.4\n<html><body><script>fetch('/ikm/').then(r=>r.text())</script></html>",
}


@pytest.mark.parametrize("variant", list(POLYGLOTS))
def test_a_script_file_beginning_with_pdf_is_refused(owner_client, variant):
    assert_refused(upload(owner_client, f"faktur.{variant}", POLYGLOTS[variant]), BROKEN)


# --- Active content where a byte scan cannot see it -----------------------------------------


def pdf_with_object_stream(catalog_extra: bytes, hidden: bytes, encoding: str) -> bytes:
    """A PDF 1.5 file whose catalog (object 1) and ``hidden`` (object 4) live in an object
    stream (object 5) encoded as ``encoding``, found through a cross-reference stream."""
    inner = [(1, b"<</Type/Catalog/Pages 2 0 R" + catalog_extra + b">>"), (4, hidden)]
    offsets, bodies, position = [], b"", 0
    for number, body in inner:
        offsets.append(b"%d %d" % (number, position))
        bodies += body + b"\n"
        position += len(body) + 1
    head = b" ".join(offsets) + b"\n"
    raw = head + bodies
    if encoding == "flate-twice":
        data, filters = zlib.compress(zlib.compress(raw)), b"[/FlateDecode/FlateDecode]"
    else:
        data, filters = raw.hex().encode() + b">", b"/ASCIIHexDecode"
    out, where = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), {}

    def add(number, body):
        where[number] = len(out)
        out.extend(b"%d 0 obj\n%s\nendobj\n" % (number, body))

    add(2, b"<</Type/Pages/Kids[3 0 R]/Count 1>>")
    add(3, b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>")
    add(
        5,
        b"<</Type/ObjStm/N 2/First %d/Filter %s/Length %d>>stream\n%s\nendstream"
        % (len(head), filters, len(data), data),
    )
    xref = len(out)
    rows = [(0, 0, 65535), (2, 5, 0), (1, where[2], 0), (1, where[3], 0), (2, 5, 1)]
    rows += [(1, where[5], 0), (1, xref, 0)]
    table = b"".join(struct.pack(">BIH", *row) for row in rows)
    out += b"6 0 obj\n<</Type/XRef/Size 7/W[1 4 2]/Root 1 0 R/Length %d>>stream\n" % len(table)
    out += table + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


HIDDEN = {
    "js-flate-twice": (b"<</S/JavaScript/JS(app.alert(1))>>", "flate-twice", SCRIPT),
    "js-hex": (b"<</S/JavaScript/JS(app.alert(1))>>", "hex", SCRIPT),
    "js-escaped-name-hex": (b"<</S/J#61vaScript/J#53(app.alert(1))>>", "hex", SCRIPT),
    "launch-flate-twice": (b"<</S/Launch/F(cmd.exe)/Win<</F(cmd.exe)>>>>", "flate-twice", LAUNCH),
}


@pytest.mark.parametrize("variant", list(HIDDEN))
def test_active_content_inside_an_object_stream_is_refused(owner_client, variant):
    hidden, encoding, message = HIDDEN[variant]
    data = pdf_with_object_stream(b"/OpenAction 4 0 R", hidden, encoding)
    with pikepdf.open(io.BytesIO(data)) as pdf:  # a real PDF: a reader runs the action
        assert pdf.Root.OpenAction.S in (pikepdf.Name.JavaScript, pikepdf.Name.Launch)
    assert_refused(upload(owner_client, "faktur.pdf", data), message)


def test_embedded_file_is_refused(owner_client):
    data = minimal_pdf(
        b"/Names<</EmbeddedFiles<</Names[(faktur.exe) 4 0 R]>>>>",
        b"<</Type/Filespec/F(faktur.exe)/EF<</F 5 0 R>>>>",
        b"<</Type/EmbeddedFile/Length 4>>stream\nMZ\x90\x00\nendstream",
    )
    assert_refused(upload(owner_client, "faktur.pdf", data), EMBEDDED)


def test_file_attachment_annotation_is_refused(owner_client):
    pdf = pikepdf.new()
    pdf.add_blank_page()
    spec = pikepdf.AttachedFileSpec(pdf, b"@echo off", filename="run.bat")
    pdf.attachments["run.bat"] = spec
    buffer = io.BytesIO()
    pdf.save(buffer, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    assert_refused(upload(owner_client, "faktur.pdf", buffer.getvalue()), EMBEDDED)


def test_xfa_form_is_refused(owner_client):
    data = minimal_pdf(
        b"/AcroForm<</Fields[]/XFA 4 0 R>>",
        b"<</Length 10>>stream\n<xdp:xdp/>\nendstream",
    )
    assert_refused(upload(owner_client, "formulir.pdf", data), XFA)


def _encrypted(user: str) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    buffer = io.BytesIO()
    pdf.save(buffer, encryption=pikepdf.Encryption(owner="pemilik", user=user, R=6))
    return buffer.getvalue()


@pytest.mark.parametrize("user_password", ["", "rahasia"])
def test_encrypted_pdf_is_refused_with_a_clear_message(owner_client, user_password):
    assert_refused(upload(owner_client, "nib.pdf", _encrypted(user_password)), ENCRYPTED)


# --- Images ----------------------------------------------------------------------------------


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def test_png_declaring_30000_by_30000_pixels_is_refused(owner_client):
    ihdr = struct.pack(">IIBBBBB", 30000, 30000, 8, 2, 0, 0, 0)
    bomb = (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + _png_chunk(b"IEND", b"")
    )
    assert len(bomb) < 200
    assert_refused(upload(owner_client, "foto.png", bomb, kind="LICENCE"), TOO_LARGE)


@pytest.mark.parametrize(
    ("name", "content"),
    [("foto.png", PNG_BYTES[: len(PNG_BYTES) // 2]), ("foto.jpg", JPEG_BYTES[:40])],
    ids=["png", "jpeg"],
)
def test_truncated_image_is_refused(owner_client, name, content):
    assert_refused(upload(owner_client, name, content, kind="LICENCE"), IMAGE_BROKEN)


# --- Allow-list per field and the stored name ------------------------------------------------


def test_product_photo_must_be_a_picture(owner_client):
    photo = ProductFactory(company=Company.objects.get())
    response = owner_client.post(
        "/ikm/dokumen/",
        {
            "kind": "PRODUCT_PHOTO",
            "product": photo.pk,
            "file": SimpleUploadedFile("foto.pdf", PDF_BYTES),
        },
    )
    assert_refused(response, "Foto produk harus berupa gambar JPEG atau PNG")
    response = owner_client.post(
        "/ikm/dokumen/",
        {
            "kind": "PRODUCT_PHOTO",
            "product": photo.pk,
            "file": SimpleUploadedFile("foto.jpeg", JPEG_BYTES),
        },
    )
    assert response.status_code == 302
    assert SupportingDocument.objects.get().file.name.endswith(".jpg")


@pytest.mark.parametrize("name", ["laporan.hta", "laporan.svg", "laporan.html", "laporan"])
def test_stored_and_served_under_the_detected_type(owner_client, name):
    """A real PDF named .hta is stored as <random>.pdf and downloaded as a PDF, nosniff."""
    assert upload(owner_client, name, PDF_BYTES).status_code == 302
    document = SupportingDocument.objects.get()
    assert document.file.name.endswith(".pdf")
    assert document.content_type == "application/pdf"
    response = owner_client.get(f"/ikm/berkas/document/{document.pk}/")
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    assert response["Content-Disposition"].endswith('.pdf"')


@pytest.mark.django_db
def test_a_stored_file_whose_content_is_not_its_name_is_served_as_opaque_bytes(client):
    """Files saved before issue 16 kept the uploaded name's extension; one that holds HTML
    under .pdf is downloaded as octet-stream, as an attachment, never rendered."""
    line = MaterialLineFactory(
        purchase_proof=ContentFile(b"<html><script>alert(1)</script>", name="faktur.pdf")
    )
    client.force_login(line.application.product.company.owner)
    response = client.get(f"/ikm/berkas/material/{line.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Disposition"].endswith('.bin"')
    assert response["X-Content-Type-Options"] == "nosniff"


def test_an_ordinary_pdf_jpeg_and_png_are_accepted(owner_client):
    for name, content in [("a.pdf", PDF_BYTES), ("b.jpg", JPEG_BYTES), ("c.png", PNG_BYTES)]:
        assert upload(owner_client, name, content).status_code == 302, name
    assert sorted(d.content_type for d in SupportingDocument.objects.all()) == [
        "application/pdf",
        "image/jpeg",
        "image/png",
    ]
