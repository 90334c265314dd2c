"""What an uploaded evidence file really is, judged by its content, never by its name.

Called by ``applications.services.upload_inspect`` (the forms' ``UploadField`` and the document
service). Three steps, each refusing with an Indonesian message the owner can act on:

1. the type from the first bytes (``filetype``), against the field's allow-list;
2. a real parse of that type: a PDF is opened with qpdf (``pikepdf``, which reads object
   streams, cross-reference streams and ``#xx`` name escapes as a PDF reader does) and every
   object is walked for JavaScript, launch actions, embedded files and XFA; encrypted PDFs are
   refused because nobody can check them. An image is decoded by Pillow, after checking the
   declared size against ``UPLOAD_IMAGE_MAX_PIXELS`` (a 30000 × 30000 PNG is 900 million pixels
   in a few hundred bytes);
3. the byte scan of ``validators.pdf_has_active_content`` as a second opinion for PDFs, so a
   file that qpdf repairs one way and another reader another way is still refused.

Officials open these files on their office computers: the checks err on the side of refusing.
"""

import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"

#: The extension a stored file gets, from its detected type (``private_upload_to``).
EXTENSIONS: dict[str, str] = {PDF: "pdf", JPEG: "jpg", PNG: "png"}

#: Allow-lists per kind of field. A document (invoice, licence, certificate) may be a PDF or a
#: scan/photo of the paper; a product photo is a picture.
DOCUMENT_TYPES: tuple[str, ...] = (PDF, JPEG, PNG)
PHOTO_TYPES: tuple[str, ...] = (JPEG, PNG)

_REPRINT = _(
    'Cetak ulang dokumen ke PDF biasa (misalnya lewat "Simpan sebagai PDF" atau "Print to '
    'PDF"), lalu unggah lagi.'
)

MESSAGES = {
    "file_type": _("Jenis berkas harus %(types)s (diperiksa dari isi berkas, bukan namanya)."),
    "photo_type": _("Foto produk harus berupa gambar JPEG atau PNG, bukan dokumen PDF."),
    "pdf_broken": _(
        "Berkas ini diawali tanda PDF tetapi bukan PDF yang utuh dan tidak dapat dibaca. "
        "Simpan ulang dokumen sebagai PDF, lalu unggah lagi."
    ),
    "pdf_encrypted": _(
        "PDF ini dikunci dengan kata sandi atau enkripsi sehingga isinya tidak dapat diperiksa. "
        "Buka kuncinya, simpan ulang tanpa kata sandi, lalu unggah lagi."
    ),
    "pdf_script": _("PDF ini berisi JavaScript dan tidak diterima. %(reprint)s"),
    "pdf_launch": _(
        "PDF ini berisi perintah menjalankan program (Launch) dan tidak diterima. %(reprint)s"
    ),
    "pdf_embedded": _(
        "PDF ini berisi berkas lain yang disisipkan (lampiran di dalam PDF) dan tidak diterima. "
        "Unggah setiap dokumen sebagai berkas tersendiri."
    ),
    "pdf_xfa": _("PDF ini berupa formulir dinamis XFA dan tidak diterima. %(reprint)s"),
    "image_too_large": _(
        "Gambar terlalu besar: %(width)s × %(height)s piksel; paling banyak %(limit)s juta "
        "piksel. Perkecil gambar (misalnya lebar 4000 piksel), lalu unggah lagi."
    ),
    "image_broken": _(
        "Gambar ini rusak atau tidak lengkap sehingga tidak dapat dibuka. Simpan ulang sebagai "
        "JPEG atau PNG, lalu unggah lagi."
    ),
}

_TYPE_NAMES = {PDF: "PDF", JPEG: "JPEG", PNG: "PNG"}


class Refusal(Exception):
    """Why an upload is refused: a key of ``MESSAGES`` and its parameters."""

    def __init__(self, code: str, params: dict | None = None):
        super().__init__(code)
        self.code, self.params = code, params

    def error(self) -> ValidationError:
        params = {"reprint": _REPRINT, **(self.params or {})}
        return ValidationError(MESSAGES[self.code] % params, code=self.code)


def type_list(allowed) -> str:
    names = [_TYPE_NAMES[t] for t in allowed]
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + ("," if len(names) > 2 else "") + str(_(" atau ")) + names[-1]


def detect(data: bytes, *, allowed) -> str:
    """The content type of ``data`` if it is one of ``allowed`` and parses as that type.

    Raises ``Refusal`` otherwise. ``data`` is the whole file (at most ``MAX_UPLOAD_SIZE``).
    """
    import filetype

    kind = filetype.guess(data[:8192]) if data else None
    mime = kind.mime if kind is not None else None
    if mime not in allowed:
        raise Refusal("file_type", {"types": type_list(allowed)})
    if mime == PDF:
        pdf_check(data)
    else:
        image_check(data, expected=mime)
    return mime


# --- PDF ------------------------------------------------------------------------------------------

# Dictionary keys and name values that make a PDF run code, start a program, carry other files
# or be an XFA form. qpdf has already decoded "#xx" escapes, so "/J#61vaScript" is "/JavaScript".
_SCRIPT_KEYS = {"/JS", "/JavaScript"}
_EMBEDDED_KEYS = {"/EmbeddedFiles", "/EF", "/RichMedia", "/RichMediaContent"}
_ACTIVE_VALUES = {
    "/JavaScript": "pdf_script",
    "/Launch": "pdf_launch",
    "/FileAttachment": "pdf_embedded",
    "/EmbeddedFile": "pdf_embedded",
    "/GoToE": "pdf_embedded",
    "/RichMedia": "pdf_embedded",
}


# What the byte scan's finding means (validators.pdf_active_name); any other name is script.
_SCAN_CODES = {None: "pdf_broken", "launch": "pdf_launch", "bomb": "pdf_broken"}


def _pdf_object_problem(root) -> str | None:
    """Walk one indirect object and its direct children (indirect ones are walked on their own)."""
    import pikepdf

    stack = [root]
    while stack:
        obj = stack.pop()
        if obj is not root and isinstance(obj, pikepdf.Object) and obj.is_indirect:
            continue  # walked on its own as one of pdf.objects
        if isinstance(obj, pikepdf.Stream):
            obj = obj.stream_dict
        if isinstance(obj, pikepdf.Dictionary):
            for key in obj:
                if key in _SCRIPT_KEYS:
                    return "pdf_script"
                if key == "/Launch":
                    return "pdf_launch"
                if key in _EMBEDDED_KEYS:
                    return "pdf_embedded"
                if key == "/XFA":
                    return "pdf_xfa"
                stack.append(obj.get(key))
        elif isinstance(obj, pikepdf.Array):
            stack.extend(obj)
        elif isinstance(obj, pikepdf.Name) and str(obj) in _ACTIVE_VALUES:
            return _ACTIVE_VALUES[str(obj)]
    return None


def pdf_check(data: bytes) -> None:
    """Raise ``Refusal`` unless ``data`` is a readable, unencrypted PDF without active content."""
    import pikepdf

    from .validators import pdf_active_name

    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        raise Refusal("pdf_encrypted") from None
    except (pikepdf.PdfError, ValueError, RecursionError):
        # Not a PDF for a reader; if it still carries script names, say so (more useful).
        raise Refusal(_SCAN_CODES.get(pdf_active_name(data), "pdf_script")) from None
    with pdf:
        if pdf.is_encrypted:
            raise Refusal("pdf_encrypted")
        try:
            for obj in [pdf.trailer, *pdf.objects]:
                problem = _pdf_object_problem(obj)
                if problem:
                    raise Refusal(problem)
        except (pikepdf.PdfError, RecursionError):
            raise Refusal("pdf_broken") from None
    name = pdf_active_name(data)
    # A scan that ran out of inflate budget proves nothing about a file qpdf read: big
    # Flate-compressed scans are ordinary, and nothing here decodes their streams.
    if name and name != "bomb":
        raise Refusal(_SCAN_CODES.get(name, "pdf_script"))


# --- Images ---------------------------------------------------------------------------------------


def image_check(data: bytes, *, expected: str) -> None:
    """Raise ``Refusal`` unless ``data`` decodes completely as ``expected`` within the pixel limit.

    The declared size is read from the header (the format's own class, which decodes nothing;
    ``Image.open`` would stop a bomb with its own English error) and checked before any pixel is
    decoded; then ``verify`` checks the structure and ``load`` decodes every pixel, so a
    truncated or corrupt picture is refused too.
    """
    from PIL import JpegImagePlugin, PngImagePlugin

    opener = {JPEG: JpegImagePlugin.JpegImageFile, PNG: PngImagePlugin.PngImageFile}[expected]
    limit = settings.UPLOAD_IMAGE_MAX_PIXELS
    try:
        with opener(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > limit:
                raise Refusal(
                    "image_too_large",
                    {"width": width, "height": height, "limit": f"{limit / 1e6:g}"},
                )
            image.verify()  # structure and checksums (PNG chunk CRCs)
        with opener(io.BytesIO(data)) as image:
            image.load()  # every pixel: a truncated file fails here
    except Refusal:
        raise
    except Exception:  # noqa: BLE001 - Pillow raises many types for hostile input
        raise Refusal("image_broken") from None
