"""The reason codes stored with a decision (``Application.reason_code``, ``StatusChange``).

One enumeration for every code the services and the seed command write, so a code is never a
bare string typed twice. The fields stay free ``CharField``s (max 40) without ``choices``: rows
written before a code existed keep their value, and the public statistics show an unknown code
as it is.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReasonCode(models.TextChoices):
    # Written by the workflow services.
    BELOW_THRESHOLD = "BELOW_THRESHOLD", _("Nilai TKDN-IK di bawah ambang batas")
    INVALID_INPUT = "INVALID_INPUT", _("Data biaya tidak valid")
    OFFICIAL_DECISION = "OFFICIAL_DECISION", _("Keputusan")
    REVISION = "REVISION", _("Perlu perbaikan")
    ISSUE_FAILED = "ISSUE_FAILED", _("Pemrosesan gagal")
    REVOKED = "REVOKED", _("Dicabut")
    # The ministry's usual rejection reasons (synthetic data of ``seed_registry``, statistics).
    NO_PURCHASE_PROOF = "NO_PURCHASE_PROOF", _("Tidak ada bukti pembelian bahan dalam negeri")
    NOT_SMALL_INDUSTRY = "NOT_SMALL_INDUSTRY", _("Bukan industri kecil")
    PACKING_ONLY = "PACKING_ONLY", _("Hanya pengepakan/pengemasan")
    KBLI_MISMATCH = "KBLI_MISMATCH", _("KBLI produk tidak sesuai NIB")
    INCOMPLETE_DOCUMENTS = "INCOMPLETE_DOCUMENTS", _("Dokumen tidak lengkap")
