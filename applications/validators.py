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


def validate_hs_code(value: str) -> None:
    if value and not re.fullmatch(r"\d{4}(\.?\d{2}){0,3}", value):
        raise ValidationError(
            _("Kode HS terdiri dari 4 sampai 10 angka (contoh: 9403.60.90)."), code="invalid_hs"
        )
