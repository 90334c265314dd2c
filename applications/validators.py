"""Field validators for Indonesian business identifiers.

Formats follow the domain spec §4; where the spec marks an assumption it is named here.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# [A] NIB (Nomor Induk Berusaha, OSS) is 13 digits (domain spec §4).
NIB_LENGTH = 13
# NPWP: 15 digits (old format) or 16 digits (NIK-based, since 2024); punctuation is ignored.
NPWP_LENGTHS = (15, 16)
# KBLI: 5 digits; an industrial product belongs to section C, manufacturing, divisions 10-33.
MANUFACTURING_DIVISIONS = range(10, 34)

_DIGITS = re.compile(r"\D")


def digits_only(value: str) -> str:
    return _DIGITS.sub("", value or "")


def validate_nib(value: str) -> None:
    if not re.fullmatch(rf"\d{{{NIB_LENGTH}}}", value or ""):
        raise ValidationError(
            _("NIB harus terdiri dari %(n)d angka, tanpa spasi atau tanda baca."),
            code="invalid_nib",
            params={"n": NIB_LENGTH},
        )


def validate_npwp(value: str) -> None:
    if len(digits_only(value)) not in NPWP_LENGTHS or re.search(r"[^\d.\-\s]", value or ""):
        raise ValidationError(_("NPWP harus terdiri dari 15 atau 16 angka."), code="invalid_npwp")


def validate_kbli(value: str) -> None:
    if not re.fullmatch(r"\d{5}", value or ""):
        raise ValidationError(
            _("Kode KBLI harus terdiri dari 5 angka (contoh: 16291)."), code="invalid_kbli"
        )


def validate_manufacturing_kbli(value: str) -> None:
    validate_kbli(value)
    if int(value[:2]) not in MANUFACTURING_DIVISIONS:
        raise ValidationError(
            _(
                "KBLI %(code)s bukan KBLI industri pengolahan (kategori C, golongan pokok 10-33); "
                "produk TKDN-IK harus memakai KBLI industri."
            ),
            code="not_manufacturing",
            params={"code": value},
        )


def validate_kbli_list(value: list) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Isi minimal satu kode KBLI."), code="kbli_required")
    for code in value:
        validate_kbli(code if isinstance(code, str) else "")


def validate_regency_in_province(*, province_id: str | None, regency_id: str | None) -> None:
    """Refuse a regency/city that does not lie in the chosen province, on the ``regency`` field.

    Regency codes are ``PP.RR`` with the province's code ``PP`` in front (``32.73`` Kota Bandung
    in ``32`` Jawa Barat), so the check needs no query. Either side missing is left to the
    field's own rules (required or not). The one check of every model with a province and a
    regency: companies, officials, events, IKM populations, programme targets.
    """
    if regency_id and province_id and not regency_id.startswith(f"{province_id}."):
        raise ValidationError(
            {
                "regency": ValidationError(
                    _("Kabupaten/kota tidak berada di provinsi yang dipilih."),
                    code="regency_outside_province",
                )
            }
        )


def validate_hs_code(value: str) -> None:
    if value and not re.fullmatch(r"\d{4}(\.?\d{2}){0,3}", value):
        raise ValidationError(
            _("Kode HS terdiri dari 4 sampai 10 angka (contoh: 9403.60.90)."), code="invalid_hs"
        )


# --- Uploaded files ----------------------------------------------------------------------------

# PDF names that run code or another program when the file is opened: JavaScript actions
# (/JS, /JavaScript, also behind /OpenAction or /AA) and /Launch. Officials open these files.
_PDF_ACTIVE_NAMES = {b"js", b"javascript", b"launch"}
_PDF_NAME = re.compile(rb"/([^\s/<>\[\]()%{}]+)")
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.DOTALL)
# Compressed object streams are inflated to look inside them, at most this much in total.
_PDF_INFLATE_LIMIT = 20 * 1024 * 1024


def _pdf_names(data: bytes):
    for match in _PDF_NAME.finditer(data):
        # "/J#61vaScript" is "/JavaScript": PDF names may escape any byte as #xx.
        yield _PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), match.group(1))


def pdf_has_active_content(data: bytes) -> bool:
    """Whether a PDF holds JavaScript or a launch action, in plain objects or in FlateDecode
    (object) streams. Not a full PDF parser: it errs on the side of refusing."""
    return pdf_active_name(data) is not None


def pdf_active_name(data: bytes) -> str | None:
    """The first active name (``"js"``, ``"javascript"``, ``"launch"``, or ``"bomb"`` for a
    decompression bomb) found by scanning the bytes and inflated streams, else ``None``.

    The second opinion after the real parse (``applications.uploads.pdf_check``)."""
    import zlib

    chunks, budget = [data], _PDF_INFLATE_LIMIT
    for stream in _PDF_STREAM.finditer(data):
        inflater = zlib.decompressobj()
        try:
            inflated = inflater.decompress(stream.group(1), budget)
        except zlib.error:
            continue
        budget -= len(inflated)
        chunks.append(inflated)
        if budget <= 0:
            return "bomb"  # a decompression bomb is not an acceptable evidence file
    for chunk in chunks:
        for name in _pdf_names(chunk):
            if name.lower() in _PDF_ACTIVE_NAMES:
                return name.lower().decode()
    return None


def safe_original_name(name: str, *, max_length: int = 255) -> str:
    """An uploaded file's name as shown to people: no folders, no control characters (NUL is
    refused by PostgreSQL), at most ``max_length`` characters keeping the extension."""
    import unicodedata

    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    if not name:
        return "berkas"
    if len(name) > max_length:
        stem, dot, ext = name.rpartition(".")
        ext = ext[:10] if dot else ""
        name = (stem if dot else name)[: max_length - len(ext) - 1] + ("." + ext if ext else "")
    return name
