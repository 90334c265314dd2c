"""Issued TKDN-IK certificates: an immutable snapshot of what was certified.

The company and product fields are copied at issue, so later edits to a company profile never
change an issued certificate (domain spec §6). Expiry is derived from the dates, never stored as a
status, so a certificate is never "valid" one day too long because a job did not run.
"""

import datetime
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from applications.validators import validate_regency_in_province


def new_verification_token() -> str:
    # 32 random bytes: unguessable, so a verification URL reveals nothing about other ones.
    return secrets.token_urlsafe(32)


class CertificateSequence(models.Model):
    """The last certificate sequence number used in a year, locked (SELECT ... FOR UPDATE) at issue.

    Numbers are unique and without gaps per year: the row lock serialises concurrent approvals.
    """

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("urutan nomor sertifikat")
        verbose_name_plural = pgettext_lazy("plural", "urutan nomor sertifikat")

    def __str__(self) -> str:
        return f"{self.year}: {self.last_value}"


def set_value() -> Coalesce:
    """A certificate's value as the index of each rule set's values holds it
    (``registry_cert_rule_set_value``): ``COALESCE(tkdn_ik, 0)``, the value itself (never
    NULL), spelled so that only a query asking for this expression reads that index."""
    return Coalesce(F("tkdn_ik"), Value(Decimal("0")))


class Certificate(models.Model):
    class Status(models.TextChoices):
        VALID = "VALID", _("Berlaku")
        REVOKED = "REVOKED", _("Dicabut")

    class EffectiveStatus(models.TextChoices):
        VALID = "VALID", _("Berlaku")
        EXPIRED = "EXPIRED", _("Kedaluwarsa")
        REVOKED = "REVOKED", _("Dicabut")

    application = models.OneToOneField(
        "applications.Application",
        on_delete=models.PROTECT,
        related_name="certificate",
        verbose_name=_("permohonan"),
    )
    # [A] Format TKDNIK/{region_code}/{YYYY}/{seq:06d} (spec §6): assigned once, never reused.
    number = models.CharField(_("nomor sertifikat"), max_length=40, unique=True)
    year = models.PositiveSmallIntegerField(_("tahun"))
    sequence = models.PositiveIntegerField(_("urutan"))
    issue_date = models.DateField(_("tanggal terbit"))
    valid_until = models.DateField(_("berlaku sampai"))
    extended_until = models.DateField(_("diperpanjang sampai"), null=True, blank=True)

    rule_set = models.CharField(_("aturan perhitungan"), max_length=20)
    tkdn_ik = models.DecimalField(_("nilai TKDN-IK (%)"), max_digits=5, decimal_places=2)
    breakdown = models.JSONField(_("rincian perhitungan"))

    # Snapshot of the company and product as issued (never the live profile).
    company_name = models.CharField(_("nama perusahaan"), max_length=200)
    company_nib = models.CharField(_("NIB"), max_length=13, db_index=True)
    factory_address = models.TextField(_("alamat pabrik"))
    province = models.ForeignKey(
        "applications.Province", on_delete=models.PROTECT, related_name="+"
    )
    regency = models.ForeignKey("applications.Regency", on_delete=models.PROTECT, related_name="+")
    province_name = models.CharField(_("provinsi"), max_length=100)
    regency_name = models.CharField(_("kabupaten/kota"), max_length=100)
    # Where the company's factory is now, when it is no longer where this snapshot says (both
    # NULL while it is): kept by PostgreSQL triggers (migration 0008) on every write of the
    # company's region or the certificate, so an official's certificate list is read through the
    # certificate's own indexes (``selectors.certificates_held_in``). Never shown. NULL, not "",
    # is "not moved": ``COALESCE(holder_province, province_id)`` is where the company is now.
    holder_province = models.CharField(max_length=2, null=True, editable=False)  # noqa: DJ001
    holder_regency = models.CharField(max_length=5, null=True, editable=False)  # noqa: DJ001
    product_name = models.CharField(_("nama produk"), max_length=200)
    product_brand = models.CharField(_("merek"), max_length=100)
    product_specification = models.CharField(_("tipe / spesifikasi"), max_length=300)
    product_unit = models.CharField(_("satuan"), max_length=30)
    kbli = models.CharField(_("KBLI"), max_length=5, db_index=True)
    hs_code = models.CharField(_("kode HS"), max_length=13, blank=True)
    issuer_name = models.CharField(_("penerbit"), max_length=200)
    signatory_name = models.CharField(_("penandatangan"), max_length=150)
    signatory_position = models.CharField(_("jabatan penandatangan"), max_length=200)
    legal_basis = models.CharField(_("dasar hukum"), max_length=300)

    verification_token = models.CharField(
        _("token verifikasi"),
        max_length=64,
        unique=True,
        default=new_verification_token,
        editable=False,
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.VALID, editable=False
    )
    revoked_at = models.DateTimeField(_("dicabut pada"), null=True, blank=True, editable=False)
    revocation_reason = models.TextField(_("alasan pencabutan"), blank=True, editable=False)

    signatory_nip = models.CharField(_("NIP penandatangan"), max_length=18, blank=True)

    pdf = models.FileField(_("berkas PDF"), upload_to="certificates/%Y/", blank=True)
    # SHA-256 of the signed file as stored: a stored PDF is never changed afterwards.
    pdf_sha256 = models.CharField(_("SHA-256 PDF"), max_length=64, blank=True, db_index=True)
    # The last valid day printed in the stored PDF: an extension makes it out of date, and the
    # render step then stores a new PDF (the old one is kept as a SupersededPdf).
    pdf_valid_until = models.DateField(_("berlaku sampai (di PDF)"), null=True, blank=True)
    # The PAdES signature of the stored PDF (registry.signing), shown on the certificate page.
    signed_at = models.DateTimeField(_("ditandatangani pada"), null=True, blank=True)
    signature_signer = models.CharField(_("penanda tangan digital"), max_length=300, blank=True)
    signature_algorithm = models.CharField(_("algoritme tanda tangan"), max_length=60, blank=True)
    signature_level = models.CharField(_("tingkat tanda tangan"), max_length=20, blank=True)
    signature_certificate_sha256 = models.CharField(
        _("SHA-256 sertifikat penanda tangan"), max_length=64, blank=True
    )

    created_at = models.DateTimeField(auto_now_add=True)
    # The change feed of the public API reads this: every change (revocation too) bumps it.
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("sertifikat TKDN-IK")
        verbose_name_plural = pgettext_lazy("plural", "sertifikat TKDN-IK")
        ordering = ["-issue_date", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="certificate_year_sequence"),
            models.CheckConstraint(
                condition=Q(tkdn_ik__gte=0) & Q(tkdn_ik__lte=100), name="certificate_tkdn_range"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("issue_date")),
                name="certificate_valid_after_issue",
            ),
            models.CheckConstraint(
                condition=Q(status="VALID", revoked_at__isnull=True)
                | Q(status="REVOKED", revoked_at__isnull=False),
                name="certificate_revocation_consistent",
            ),
        ]
        indexes = [
            models.Index(fields=["province", "regency"]),
            models.Index(fields=["tkdn_ik"]),
            models.Index(fields=["valid_until"]),
            # The earliest issue date of each rule set (``selectors.certificate_filter_minimum``).
            models.Index(fields=["rule_set", "issue_date"], name="registry_cert_rule_set_issued"),
            # The highest value each rule set has reached (the same function's bound). On the
            # value's expression (``set_value``), not the column: on (rule_set, tkdn_ik)
            # PostgreSQL answered "worth 60 % or more" by reading the whole index (50 ms).
            models.Index(F("rule_set"), set_value(), name="registry_cert_rule_set_value"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def expires_on(self) -> datetime.date:
        return self.extended_until or self.valid_until

    def verification_url(self) -> str:
        """The absolute public verification URL (printed as the QR code, sent in the e-mail)."""
        return settings.SITE_URL + reverse(
            "registry:verify", kwargs={"token": self.verification_token}
        )

    def effective_status(self, today: datetime.date | None = None) -> str:
        """VALID, EXPIRED (the day after the last valid day) or REVOKED."""
        if self.status == self.Status.REVOKED:
            return self.EffectiveStatus.REVOKED
        today = today or timezone.localdate()
        if today > self.expires_on:
            return self.EffectiveStatus.EXPIRED
        return self.EffectiveStatus.VALID


class SupersededPdf(models.Model):
    """An earlier PDF of a certificate, kept unchanged when a new one replaced it (extension).

    Stored files are never changed or deleted: a buyer holding the earlier file can still verify
    it, and is told it was replaced and by what.
    """

    certificate = models.ForeignKey(
        Certificate, on_delete=models.CASCADE, related_name="superseded_pdfs"
    )
    pdf = models.FileField(_("berkas PDF"), upload_to="certificates/%Y/")
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    superseded_at = models.DateTimeField(_("diganti pada"), auto_now_add=True)
    reason = models.CharField(_("alasan"), max_length=200)

    class Meta:
        ordering = ["superseded_at", "id"]
        verbose_name = _("berkas PDF yang diganti")
        verbose_name_plural = pgettext_lazy("plural", "berkas PDF yang diganti")

    def __str__(self) -> str:
        return f"{self.certificate_id} {self.sha256[:12]}"


# --- Programme: coverage, targets, expiry reminders (issue 15) ------------------------------


class RegionPopulation(models.Model):
    """The number of IKM (small industries) in a province or regency in a year, with its source.

    The denominator of the coverage figures. History is kept: each entry is a new row, never an
    edit, and the latest entry per region and year is the one used (``registry.selectors``). A
    region without an entry shows "no data", never an invented number.
    """

    province = models.ForeignKey(
        "applications.Province",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("provinsi"),
    )
    regency = models.ForeignKey(
        "applications.Regency",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("kabupaten/kota"),
        help_text=_("Kosongkan untuk angka seluruh provinsi."),
    )
    year = models.PositiveSmallIntegerField(_("tahun data"))
    ikm_count = models.PositiveIntegerField(_("jumlah IKM"))
    source = models.CharField(
        _("sumber data"),
        max_length=300,
        help_text=_("Misalnya: BPS, Sensus Ekonomi 2016; Dinas Perindustrian, pendataan 2025."),
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("dimasukkan oleh"),
    )
    entered_at = models.DateTimeField(_("dimasukkan pada"), auto_now_add=True)

    class Meta:
        verbose_name = _("populasi IKM")
        verbose_name_plural = pgettext_lazy("plural", "populasi IKM")
        ordering = ["province", "regency", "-year", "-entered_at", "-id"]
        indexes = [models.Index(fields=["province", "regency", "year", "entered_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(year__gte=1990), name="population_year_plausible"),
        ]

    def __str__(self) -> str:
        region = self.regency or self.province
        return f"{region} {self.year}: {self.ikm_count}"

    def clean(self) -> None:
        validate_regency_in_province(province_id=self.province_id, regency_id=self.regency_id)
        if not (self.source or "").strip():
            raise ValidationError({"source": _("Sebutkan sumber data.")})


TARGET_EXISTS = _("Target dengan ukuran ini untuk wilayah dan tahun tersebut sudah ada.")


class ProgrammeTarget(models.Model):
    """A yearly target the regional office sets itself (e.g. 150 certificates issued in 2026)."""

    class Metric(models.TextChoices):
        CERTIFICATES_ISSUED = "CERTIFICATES_ISSUED", _("Sertifikat terbit")
        APPLICATIONS_SUBMITTED = "APPLICATIONS_SUBMITTED", _("Permohonan diajukan")
        OWNERS_REGISTERED = "OWNERS_REGISTERED", _("Pemilik IKM terdaftar")
        OWNERS_TRAINED = "OWNERS_TRAINED", _("Pemilik IKM dilatih (sosialisasi/bimtek)")

    province = models.ForeignKey(
        "applications.Province",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("provinsi"),
    )
    regency = models.ForeignKey(
        "applications.Regency",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("kabupaten/kota"),
        help_text=_("Kosongkan untuk target seluruh provinsi."),
    )
    year = models.PositiveSmallIntegerField(_("tahun"))
    metric = models.CharField(_("ukuran"), max_length=30, choices=Metric.choices)
    target = models.PositiveIntegerField(_("target"))
    note = models.CharField(_("catatan"), max_length=300, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("diubah oleh"),
    )
    updated_at = models.DateTimeField(_("diubah pada"), auto_now=True)

    class Meta:
        verbose_name = _("target program")
        verbose_name_plural = pgettext_lazy("plural", "target program")
        ordering = ["-year", "province", "regency", "metric"]
        constraints = [
            # Two constraints, not nulls_distinct=False: SQLite and PostgreSQL < 15 lack it.
            models.UniqueConstraint(
                fields=["regency", "year", "metric"],
                condition=Q(regency__isnull=False),
                name="target_one_per_regency_year_metric",
                violation_error_message=TARGET_EXISTS,
            ),
            models.UniqueConstraint(
                fields=["province", "year", "metric"],
                condition=Q(regency__isnull=True),
                name="target_one_per_province_year_metric",
                violation_error_message=TARGET_EXISTS,
            ),
            models.CheckConstraint(condition=Q(target__gt=0), name="target_positive"),
        ]

    def __str__(self) -> str:
        region = self.regency or self.province
        return f"{region} {self.year}: {self.get_metric_display()} {self.target}"

    def clean(self) -> None:
        validate_regency_in_province(province_id=self.province_id, regency_id=self.regency_id)


class CertificateReminder(models.Model):
    """One expiry reminder e-mail: at most one per certificate and step (90, 30, 7 days).

    The row is written in the same transaction that claims the step, before the e-mail is sent
    (``registry.services.reminders``), so a second sweep never sends it again.
    """

    certificate = models.ForeignKey(
        Certificate,
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("sertifikat"),
    )
    days_before = models.PositiveSmallIntegerField(_("hari sebelum berakhir"))
    expires_on = models.DateField(_("berakhir pada"))
    created_at = models.DateTimeField(_("dibuat pada"), auto_now_add=True)
    sent_at = models.DateTimeField(_("dikirim pada"), null=True, blank=True)
    recipients = models.CharField(_("penerima"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("pengingat masa berlaku")
        verbose_name_plural = pgettext_lazy("plural", "pengingat masa berlaku")
        ordering = ["certificate", "-days_before"]
        constraints = [
            # One per step of a validity period: an extension (new last day) starts new steps.
            models.UniqueConstraint(
                fields=["certificate", "expires_on", "days_before"],
                name="reminder_one_per_certificate_step",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.certificate_id} H-{self.days_before}"
