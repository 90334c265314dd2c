"""Companies (IKM profiles), products, TKDN-IK applications with their cost lines, and history.

Every amount is in Rupiah per one unit of product (domain spec §3). Status is only ever assigned by
``applications.services.application_transition``.
"""

import uuid
from decimal import Decimal
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
    URLValidator,
)
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import rules
from .validators import (
    validate_hs_code,
    validate_kbli_list,
    validate_manufacturing_kbli,
    validate_nib,
    validate_npwp,
    validate_regency_in_province,
)

#: Extensions a stored upload may have (applications.uploads.EXTENSIONS).
UPLOAD_SUFFIXES = (".pdf", ".jpg", ".png")
MONEY = {"max_digits": 16, "decimal_places": 2}
QUANTITY = {"max_digits": 18, "decimal_places": 4}
NON_NEGATIVE = [MinValueValidator(Decimal("0"))]


def private_upload_to(instance: models.Model, filename: str) -> str:
    """Store uploads under an unguessable name; the original name is never used as a path.

    The extension is the detected type's: ``services.upload_inspect`` has renamed the upload
    to ``<stem>.pdf|jpg|png`` after reading its content. Any other suffix (a file saved without
    that check) becomes ``.bin``, which no program opens by itself. Evidence files are private:
    they are served only through views that check access.
    """
    suffix = PurePosixPath(filename).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        suffix = ".bin"
    return f"private/{instance._meta.model_name}/{uuid.uuid4().hex}{suffix}"


# --- Region reference data ----------------------------------------------------------------


class Province(models.Model):
    """A province with its BPS/Kemendagri code (e.g. ``32`` Jawa Barat)."""

    code = models.CharField(_("kode"), max_length=2, primary_key=True)
    name = models.CharField(_("nama"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("provinsi")
        verbose_name_plural = pgettext_lazy("plural", "provinsi")

    def __str__(self) -> str:
        return self.name


class Regency(models.Model):
    """A regency (kabupaten) or city (kota), code ``PP.RR`` (e.g. ``32.73`` Kota Bandung)."""

    code = models.CharField(_("kode"), max_length=5, primary_key=True)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="regencies", verbose_name=_("provinsi")
    )
    name = models.CharField(_("nama"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("kabupaten/kota")
        verbose_name_plural = pgettext_lazy("plural", "kabupaten/kota")

    def __str__(self) -> str:
        return self.name


# --- Companies and products ----------------------------------------------------------------


class Company(models.Model):
    """The IKM profile of an owner (domain spec §4)."""

    class LegalForm(models.TextChoices):
        PERORANGAN = "PERORANGAN", _("Perorangan / usaha dagang")
        CV = "CV", _("Persekutuan Komanditer (CV)")
        FIRMA = "FIRMA", _("Firma")
        PT = "PT", _("Perseroan Terbatas (PT)")
        PT_PERORANGAN = "PT_PERORANGAN", _("PT Perorangan")
        KOPERASI = "KOPERASI", _("Koperasi")
        LAINNYA = "LAINNYA", _("Lainnya")

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="company",
        verbose_name=_("pemilik akun"),
    )
    name = models.CharField(_("nama perusahaan"), max_length=200)
    legal_form = models.CharField(_("bentuk usaha"), max_length=20, choices=LegalForm.choices)
    nib = models.CharField(_("NIB"), max_length=13, unique=True, validators=[validate_nib])
    npwp = models.CharField(_("NPWP"), max_length=25, validators=[validate_npwp])
    person_in_charge = models.CharField(_("penanggung jawab"), max_length=150)
    email = models.EmailField(_("e-mail (sesuai NIB)"))
    phone = models.CharField(_("telepon"), max_length=20)
    office_address = models.TextField(_("alamat kantor"))
    factory_address = models.TextField(_("alamat pabrik (jalan, kelurahan, kecamatan)"))
    postal_code = models.CharField(_("kode pos"), max_length=5, blank=True)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="+", verbose_name=_("provinsi pabrik")
    )
    regency = models.ForeignKey(
        Regency, on_delete=models.PROTECT, related_name="+", verbose_name=_("kabupaten/kota pabrik")
    )
    kbli_codes = models.JSONField(
        _("kode KBLI pada NIB"), default=list, validators=[validate_kbli_list]
    )
    capital_rp = models.DecimalField(
        _("modal usaha di luar tanah dan bangunan (Rp)"), validators=NON_NEGATIVE, **MONEY
    )
    # [A] Worker count is stored as data only; it is not an eligibility criterion (spec §4).
    workers_wni = models.PositiveIntegerField(_("tenaga kerja WNI"), default=0)
    workers_wna = models.PositiveIntegerField(_("tenaga kerja WNA"), default=0)
    siinas_account = models.CharField(_("akun SIINas"), max_length=50, blank=True)
    # Contact for government buyers (the public supplier finder, /pemasok/). Shown only while
    # ``show_contact_to_buyers`` is set, and only these fields: the NIB e-mail and phone, the
    # person in charge, NIB and NPWP above are never shown to buyers.
    public_phone = models.CharField(
        _("telepon / WhatsApp untuk pembeli"), max_length=20, blank=True
    )
    public_email = models.EmailField(_("e-mail untuk pembeli"), blank=True)
    marketplace_url = models.URLField(
        _("tautan toko daring atau e-katalog"),
        blank=True,
        max_length=300,
        validators=[URLValidator(schemes=["https", "http"])],
    )
    show_contact_to_buyers = models.BooleanField(
        _("tampilkan kontak ini kepada pembeli"), default=False
    )
    # Set by the revocation service: after a revocation the company may not apply for one year
    # (spec §4).
    barred_until = models.DateField(
        _("tidak dapat mengajukan sampai"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("perusahaan (IKM)")
        verbose_name_plural = pgettext_lazy("plural", "perusahaan (IKM)")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(capital_rp__gte=0), name="company_capital_non_negative"
            ),
        ]
        indexes = [
            # A region's companies read index-only (a regional official's search joins its
            # region's companies: 62,570 in one province, 18,311 heap pages without them).
            models.Index(fields=["province", "id"], name="company_province_ids"),
            models.Index(fields=["regency", "id"], name="company_regency_ids"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (NIB {self.nib})"

    def clean(self) -> None:
        validate_regency_in_province(province_id=self.province_id, regency_id=self.regency_id)
        if self.show_contact_to_buyers and not self.has_buyer_contact:
            raise ValidationError(
                {
                    "show_contact_to_buyers": _(
                        "Isi paling sedikit satu kontak untuk pembeli (telepon/WhatsApp, e-mail "
                        "atau tautan toko) sebelum menampilkannya."
                    )
                }
            )

    @property
    def has_buyer_contact(self) -> bool:
        return bool(self.public_phone or self.public_email or self.marketplace_url)

    def buyer_contact(self) -> dict[str, str] | None:
        """The contact a buyer may see, or ``None`` when the owner did not opt in."""
        if not self.show_contact_to_buyers or not self.has_buyer_contact:
            return None
        return {
            "phone": self.public_phone,
            "email": self.public_email,
            "marketplace_url": self.marketplace_url,
        }

    @property
    def is_small_industry(self) -> bool:
        """Industri kecil: capital excluding land and buildings within the limit of the rule set
        in force today."""
        limit = rules.in_force().max_small_industry_capital_rp
        return self.capital_rp is not None and self.capital_rp <= limit


class Product(models.Model):
    """One product variant (type and specification): one calculation per variant (spec §3)."""

    class Category(models.TextChoices):
        GENERAL = "GENERAL", _("Produk umum")
        MEDICAL_DEVICE = "MEDICAL_DEVICE", _("Alat kesehatan")
        PHARMACEUTICAL = "PHARMACEUTICAL", _("Obat / farmasi")

    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="products", verbose_name=_("perusahaan")
    )
    name = models.CharField(_("nama produk"), max_length=200)
    brand = models.CharField(_("merek"), max_length=100)
    specification = models.CharField(_("tipe / spesifikasi"), max_length=300)
    kbli = models.CharField(
        _("KBLI produk"), max_length=5, validators=[validate_manufacturing_kbli]
    )
    hs_code = models.CharField(
        _("kode HS"), max_length=13, blank=True, validators=[validate_hs_code]
    )
    unit = models.CharField(_("satuan"), max_length=30, default="unit")
    category = models.CharField(
        _("jenis produk"), max_length=20, choices=Category.choices, default=Category.GENERAL
    )

    class Facility(models.TextChoices):
        # Spec §8 (IK-2025): where the product is made; IK-2022 does not ask.
        OWN = "own", _("Pabrik/bengkel sendiri di Indonesia")
        OTHER_COMPANY = "other_company", _("Fasilitas produksi milik perusahaan lain")
        OTHER_INDUSTRY = "other_industry", _("Dibuatkan oleh industri lain")
        NONE = "none", _("Tidak ada investasi fasilitas produksi")

    process_description = models.TextField(_("uraian proses produksi"), blank=True)
    # Required under IK-2025 (checked before submitting), blank for IK-2022 applications.
    facility = models.CharField(
        _("fasilitas produksi"), max_length=20, choices=Facility.choices, blank=True
    )
    # A product whose only activity is packing or packaging is not eligible (spec §3).
    packing_only = models.BooleanField(_("kegiatan hanya pengepakan/pengemasan"), default=False)
    nie_number = models.CharField(_("nomor izin edar (NIE)"), max_length=60, blank=True)
    nie_file = models.FileField(_("berkas NIE"), upload_to=private_upload_to, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("produk")
        verbose_name_plural = pgettext_lazy("plural", "produk")
        ordering = ["company", "name"]

    def __str__(self) -> str:
        return f"{self.name} — {self.brand} ({self.specification})"

    @property
    def needs_nie(self) -> bool:
        return self.category != self.Category.GENERAL


# --- Applications ----------------------------------------------------------------


class Application(models.Model):
    """A request for a TKDN-IK certificate for one product, with its per-unit cost lines."""

    class Status(models.TextChoices):
        DRAFT = "DRAFT", _("Draf")
        SUBMITTED = "SUBMITTED", _("Diajukan")
        CALCULATED = "CALCULATED", _("Nilai dihitung")
        UNDER_REVIEW = "UNDER_REVIEW", _("Dalam verifikasi")
        NEEDS_REVISION = "NEEDS_REVISION", _("Perlu perbaikan")
        APPROVED = "APPROVED", _("Disetujui")
        ISSUED = "ISSUED", _("Sertifikat terbit")
        REJECTED = "REJECTED", _("Ditolak")
        WITHDRAWN = "WITHDRAWN", _("Dibatalkan pemohon")
        PROCESSING_FAILED = "PROCESSING_FAILED", _("Pemrosesan gagal")
        EXTENDED = "EXTENDED", _("Diperpanjang")
        EXPIRED = "EXPIRED", _("Kedaluwarsa")
        REVOKED = "REVOKED", _("Dicabut")

    # An application is "open" while it may still lead to a certificate: a product has at most one.
    OPEN_STATUSES = (
        Status.DRAFT,
        Status.SUBMITTED,
        Status.CALCULATED,
        Status.UNDER_REVIEW,
        Status.NEEDS_REVISION,
        Status.APPROVED,
        Status.PROCESSING_FAILED,
    )
    EDITABLE_STATUSES = (Status.DRAFT, Status.NEEDS_REVISION)
    # The owner may withdraw until the worker has computed the value (spec §5), or while it is
    # back with them for revision.
    WITHDRAWABLE_STATUSES = (Status.DRAFT, Status.SUBMITTED, Status.NEEDS_REVISION)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="applications", verbose_name=_("produk")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    rule_set = models.CharField(_("aturan perhitungan"), max_length=20)
    is_renewal = models.BooleanField(_("permohonan pembaruan"), default=False)

    # The result stored by the worker; recomputed from the lines, never typed.
    tkdn_ik = models.DecimalField(
        _("nilai TKDN-IK (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        editable=False,
    )
    eligible = models.BooleanField(_("memenuhi ambang batas"), null=True, editable=False)
    breakdown = models.JSONField(_("rincian perhitungan"), null=True, blank=True, editable=False)
    computed_at = models.DateTimeField(_("dihitung pada"), null=True, blank=True, editable=False)

    # The owner's self-assessment declaration, accepted on the confirmation page at submit.
    declared_at = models.DateTimeField(
        _("pernyataan disetujui pada"), null=True, blank=True, editable=False
    )
    # Where processing failed ("calculate" or "issue") and why, for the retry action.
    failed_step = models.CharField(_("langkah gagal"), max_length=20, blank=True, editable=False)
    processing_error = models.TextField(_("kesalahan pemrosesan"), blank=True, editable=False)
    # The official who checked the application (four-eyes rule: the approver must differ).
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("diperiksa oleh"),
    )

    decision_reason = models.TextField(_("alasan keputusan"), blank=True, editable=False)
    reason_code = models.CharField(_("kode alasan"), max_length=40, blank=True, editable=False)

    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diperbarui"), auto_now=True)
    submitted_at = models.DateTimeField(_("diajukan pada"), null=True, blank=True, editable=False)
    decided_at = models.DateTimeField(_("diputuskan pada"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("permohonan")
        verbose_name_plural = pgettext_lazy("plural", "permohonan")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["product"],
                condition=Q(
                    status__in=[
                        "DRAFT",
                        "SUBMITTED",
                        "CALCULATED",
                        "UNDER_REVIEW",
                        "NEEDS_REVISION",
                        "APPROVED",
                        "PROCESSING_FAILED",
                    ]
                ),
                name="application_one_open_per_product",
                violation_error_message=_("Produk ini sudah memiliki permohonan yang berjalan."),
            ),
            models.CheckConstraint(
                condition=Q(tkdn_ik__isnull=True) | Q(tkdn_ik__gte=0, tkdn_ik__lte=100),
                name="application_tkdn_ik_range",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "submitted_at"]),
            # The admin's default order (newest submission first, then the id Django adds): the
            # first page of a million applications is read from here, not sorted (issue 17).
            models.Index(fields=["-submitted_at", "-id"], name="application_admin_order"),
        ]

    def __str__(self) -> str:
        return f"{self.product.name} [{self.get_status_display()}]"

    def get_status_display(self) -> str:
        """Django's own, without rebuilding a dict of the choices on every call (it hashes each
        choice each time: twice a row, a tenth of the review queue's Python time)."""
        try:
            return str(self.Status(self.status).label)
        except ValueError:
            return str(self.status)

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES

    @property
    def can_withdraw(self) -> bool:
        return self.status in self.WITHDRAWABLE_STATUSES


class MaterialLine(models.Model):
    """Direct material per unit of product; domestic only with a purchase proof (spec §3).

    IK-2022 lines say ``domestic`` (yes/no); IK-2025 lines say ``origin`` (spec §8) and
    ``domestic`` follows it (anything but imported). A certified component also has its TKDN %,
    certificate number and file.
    """

    class Origin(models.TextChoices):
        LOCAL = "local", _("Lokal")
        LOCAL_WITH_IMPORTS = "local_with_imports", _("Lokal, mengandung impor")
        IMPORTED = "imported", _("Impor")
        CERTIFIED = "certified", _("Bersertifikat TKDN")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="materials")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("nama bahan"), max_length=200)
    specification = models.CharField(_("spesifikasi"), max_length=200, blank=True)
    domestic = models.BooleanField(_("buatan Indonesia"), default=True)
    origin = models.CharField(_("asal bahan"), max_length=20, choices=Origin.choices, blank=True)
    qty_per_unit = models.DecimalField(_("jumlah per unit produk"), **QUANTITY)
    unit_price_rp = models.DecimalField(_("harga satuan (Rp)"), **MONEY)
    # Used under IK-2025 for a certified component (band credit, spec §8); not under IK-2022 [A].
    component_tkdn = models.DecimalField(
        _("TKDN komponen (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    component_certificate_number = models.CharField(
        _("nomor sertifikat TKDN komponen"), max_length=60, blank=True
    )
    component_certificate = models.FileField(
        _("berkas sertifikat TKDN komponen"), upload_to=private_upload_to, blank=True
    )
    purchase_proof = models.FileField(
        _("bukti pembelian (faktur/kuitansi)"), upload_to=private_upload_to, blank=True
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("bahan langsung")
        verbose_name_plural = pgettext_lazy("plural", "bahan langsung")
        constraints = [
            models.CheckConstraint(
                condition=Q(qty_per_unit__gt=0) & Q(unit_price_rp__gt=0),
                name="material_positive_amounts",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def counts_as_domestic(self) -> bool:
        # Spec §3: a domestic line without uploaded purchase proof counts as foreign.
        return self.domestic and bool(self.purchase_proof)

    @property
    def counted_origin(self) -> str:
        """The origin the calculation uses (IK-2025): like ``counts_as_domestic``, a line that is
        not imported counts as imported until its purchase proof is uploaded."""
        origin = self.origin or (self.Origin.LOCAL if self.domestic else self.Origin.IMPORTED)
        if origin != self.Origin.IMPORTED and not self.purchase_proof:
            return self.Origin.IMPORTED
        return origin

    @property
    def component_is_evidenced(self) -> bool:
        """A certified component needs its certificate number and file (spec §8)."""
        return bool(self.component_certificate_number.strip()) and bool(self.component_certificate)


class LabourLine(models.Model):
    class Citizenship(models.TextChoices):
        WNI = "WNI", _("WNI (warga negara Indonesia)")
        WNA = "WNA", _("WNA (warga negara asing)")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="labour")
    position = models.PositiveSmallIntegerField(default=0)
    role = models.CharField(_("jabatan / peran"), max_length=200)
    citizenship = models.CharField(
        _("kewarganegaraan"), max_length=3, choices=Citizenship.choices, default=Citizenship.WNI
    )
    cost_per_unit_rp = models.DecimalField(_("biaya per unit produk (Rp)"), **MONEY)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("tenaga kerja langsung")
        verbose_name_plural = pgettext_lazy("plural", "tenaga kerja langsung")
        constraints = [
            models.CheckConstraint(
                condition=Q(cost_per_unit_rp__gt=0), name="labour_cost_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role} ({self.citizenship})"


class OverheadLine(models.Model):
    class Kind(models.TextChoices):
        ALAT_KERJA = "alat_kerja", _("Alat kerja / mesin")
        AIR = "air", _("Air")
        LISTRIK = "listrik", _("Listrik")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="overhead")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices)
    description = models.CharField(_("keterangan"), max_length=200, blank=True)
    # Domestic: the tool is owned by the IK; water/electricity from an Indonesian provider.
    domestic = models.BooleanField(_("dalam negeri"), default=True)
    cost_per_unit_rp = models.DecimalField(
        _("biaya per unit produk (Rp)"), validators=NON_NEGATIVE, **MONEY
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("biaya tidak langsung pabrik")
        verbose_name_plural = pgettext_lazy("plural", "biaya tidak langsung pabrik")
        constraints = [
            models.CheckConstraint(
                condition=Q(cost_per_unit_rp__gte=0), name="overhead_cost_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class DevelopmentItem(models.Model):
    """Development evidence (HKI, SNI, green industry, halal, other); counts with number + file."""

    class Kind(models.TextChoices):
        HKI = "HKI", _("Hak kekayaan intelektual (HKI)")
        SNI = "SNI", _("Sertifikat SNI")
        INDUSTRI_HIJAU = "INDUSTRI_HIJAU", _("Sertifikat industri hijau")
        HALAL = "HALAL", _("Sertifikat halal")
        OTHER = "OTHER", _("Lainnya")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="development"
    )
    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices)
    number = models.CharField(_("nomor sertifikat/pendaftaran"), max_length=100, blank=True)
    description = models.CharField(_("keterangan"), max_length=200, blank=True)
    cost_per_unit_rp = models.DecimalField(
        _("biaya per unit produk (Rp)"), default=Decimal("0"), validators=NON_NEGATIVE, **MONEY
    )
    evidence = models.FileField(_("berkas bukti"), upload_to=private_upload_to, blank=True)

    class Meta:
        ordering = ["kind", "id"]
        verbose_name = _("biaya pengembangan")
        verbose_name_plural = pgettext_lazy("plural", "biaya pengembangan")
        constraints = [
            models.CheckConstraint(
                condition=Q(cost_per_unit_rp__gte=0), name="development_cost_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}".strip()

    @property
    def is_evidenced(self) -> bool:
        return bool(self.number.strip()) and bool(self.evidence)


class StatusChange(models.Model):
    """Audit trail: one row per transition, written by the transition service only."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(_("dari"), max_length=20, choices=Application.Status.choices)
    to_status = models.CharField(_("menjadi"), max_length=20, choices=Application.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("oleh"),
    )
    at = models.DateTimeField(_("waktu"), auto_now_add=True)
    note = models.TextField(_("catatan"), blank=True)
    reason_code = models.CharField(_("kode alasan"), max_length=40, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("riwayat status")
        verbose_name_plural = pgettext_lazy("plural", "riwayat status")

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class Official(models.Model):
    """A dinas official's jurisdiction: a whole province, or one regency/city within it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="official"
    )
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+")
    regency = models.ForeignKey(
        Regency, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    office_name = models.CharField(_("nama dinas"), max_length=200)
    # Printed on the certificates this official approves (name, position, NIP); empty: the
    # portal's signatory from the settings is printed instead.
    full_name = models.CharField(_("nama lengkap (untuk sertifikat)"), max_length=150, blank=True)
    position = models.CharField(_("jabatan (untuk sertifikat)"), max_length=200, blank=True)
    nip = models.CharField(
        _("NIP"),
        max_length=18,
        blank=True,
        validators=[RegexValidator(r"^\d{18}$", _("NIP terdiri dari 18 angka."))],
    )

    class Meta:
        verbose_name = _("petugas dinas")
        verbose_name_plural = pgettext_lazy("plural", "petugas dinas")

    def __str__(self) -> str:
        return f"{self.user} — {self.regency or self.province}"

    def clean(self) -> None:
        validate_regency_in_province(province_id=self.province_id, regency_id=self.regency_id)


class ApplicationSnapshot(models.Model):
    """The application as submitted, one per submission: officials see every earlier version."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="snapshots")
    version = models.PositiveSmallIntegerField(_("versi"))
    submitted_at = models.DateTimeField(_("diajukan pada"), auto_now_add=True)
    # Product data and every cost line as submitted (the JSON input contract plus descriptions).
    data = models.JSONField(_("data"))

    class Meta:
        ordering = ["application", "version"]
        verbose_name = _("versi pengajuan")
        verbose_name_plural = pgettext_lazy("plural", "versi pengajuan")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "version"], name="snapshot_unique_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} v{self.version}"


class SupportingDocument(models.Model):
    """A supporting document: the NIB/licence document of a company or a product photo.

    Type is checked from the content (not the name) on upload; files live under private/ and
    are served only through a permission-checked view.
    """

    class Kind(models.TextChoices):
        NIB = "NIB", _("Dokumen NIB / izin usaha")
        LICENCE = "LICENCE", _("Izin usaha industri / sertifikat standar")
        PRODUCT_PHOTO = "PRODUCT_PHOTO", _("Foto produk")
        OTHER = "OTHER", _("Dokumen lain")

    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="documents", verbose_name=_("perusahaan")
    )
    product = models.ForeignKey(
        Product,
        on_delete=models.CASCADE,
        related_name="documents",
        null=True,
        blank=True,
        verbose_name=_("produk"),
    )
    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices)
    file = models.FileField(_("berkas"), upload_to=private_upload_to)
    original_name = models.CharField(_("nama berkas asli"), max_length=255)
    content_type = models.CharField(_("jenis isi"), max_length=100)
    size = models.PositiveIntegerField(_("ukuran (byte)"))
    uploaded_at = models.DateTimeField(_("diunggah pada"), auto_now_add=True)

    class Meta:
        ordering = ["kind", "uploaded_at"]
        verbose_name = _("dokumen pendukung")
        verbose_name_plural = pgettext_lazy("plural", "dokumen pendukung")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"


class Holiday(models.Model):
    """National holidays and collective leave days, skipped by the working-day clock.

    [A] Kept as data (spec §5): officials add next year's days in the admin when the government
    publishes them (SKB 3 Menteri).
    """

    date = models.DateField(_("tanggal"), unique=True)
    name = models.CharField(_("nama"), max_length=150)

    class Meta:
        ordering = ["date"]
        verbose_name = _("hari libur nasional")
        verbose_name_plural = pgettext_lazy("plural", "hari libur nasional")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


# --- Outreach events (sosialisasi and bimbingan teknis) -------------------------------------


class Event(models.Model):
    """An outreach day of a regional office: sosialisasi or bimbingan teknis (issue 15).

    Officials create and edit events in the admin within their jurisdiction; owners register on
    ``/pelatihan/``. Every write goes through ``applications.services.outreach``. An event is
    never deleted once announced: it is cancelled (``cancelled``), so registrations keep their
    history.
    """

    class Kind(models.TextChoices):
        SOSIALISASI = "sosialisasi", _("Sosialisasi")
        BIMTEK = "bimtek", _("Bimbingan teknis (bimtek)")

    # URLs carry this, never the sequential id (house style §7).
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("jenis acara"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("judul"), max_length=200)
    description = models.TextField(_("uraian"), blank=True)
    starts_at = models.DateTimeField(_("mulai"))
    ends_at = models.DateTimeField(_("selesai"))
    place = models.CharField(
        _("tempat"),
        max_length=300,
        blank=True,
        help_text=_("Alamat lengkap tempat acara. Kosongkan untuk acara daring saja."),
    )
    online_url = models.URLField(
        _("tautan daring"),
        max_length=500,
        blank=True,
        help_text=_("Tautan rapat daring (Zoom, Google Meet, dll.), bila ada."),
    )
    capacity = models.PositiveIntegerField(
        _("kapasitas peserta"), validators=[MinValueValidator(1), MaxValueValidator(100_000)]
    )
    province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("provinsi"),
        help_text=_("Kosongkan hanya untuk acara daring tingkat nasional."),
    )
    regency = models.ForeignKey(
        Regency,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("kabupaten/kota"),
    )
    partner = models.CharField(
        _("mitra penyelenggara"),
        max_length=200,
        blank=True,
        help_text=_("Misalnya perguruan tinggi, asosiasi, atau BUMN yang bekerja sama."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("dibuat oleh"),
    )
    cancelled = models.BooleanField(_("dibatalkan"), default=False, editable=False)
    cancelled_at = models.DateTimeField(_("dibatalkan pada"), null=True, blank=True, editable=False)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("dibatalkan oleh"),
    )
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diperbarui"), auto_now=True)

    #: What the registrants are told about when an official changes it (``EventChange``).
    NOTIFIED_FIELDS = ("starts_at", "ends_at", "place", "online_url")

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("acara pelatihan")
        verbose_name_plural = pgettext_lazy("plural", "acara pelatihan")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="event_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="event_capacity_positive"),
        ]
        indexes = [models.Index(fields=["starts_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("outreach:event_detail", args=[self.public_id])

    def clean(self) -> None:
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("Waktu selesai harus sesudah waktu mulai.")
        if not self.place.strip() and not self.online_url.strip():
            errors["place"] = _("Isi tempat acara, tautan daring, atau keduanya.")
        if self.regency_id and not self.province_id:
            errors["province"] = _("Pilih provinsi dari kabupaten/kota tersebut.")
        try:
            validate_regency_in_province(province_id=self.province_id, regency_id=self.regency_id)
        except ValidationError as exc:
            errors.update(exc.error_dict)
        if not self.province_id and not self.online_url.strip():
            errors["province"] = _("Acara tatap muka harus memiliki provinsi.")
        if errors:
            raise ValidationError(errors)


class Registration(models.Model):
    """An owner's place at an event: registered, on the waiting list, cancelled, or a walk-in
    recorded at the event.

    One row per owner and event (a cancelled owner who registers again reuses it and joins the
    end of the queue). The waiting list is ordered by ``registered_at``; when a registered owner
    cancels, ``services.registration_cancel`` promotes the first waiting owner in the same
    transaction. Attendance is recorded by an official after the event has started.
    """

    class Status(models.TextChoices):
        REGISTERED = "registered", _("Terdaftar")
        WAITING = "waiting", _("Daftar tunggu")
        CANCELLED = "cancelled", _("Dibatalkan")
        # Came without a place (recorded by an official at the event): attended, takes no
        # place of the capacity, counts in the conversion like any attendee.
        WALK_IN = "walk_in", _("Datang tanpa mendaftar")

    event = models.ForeignKey(
        Event, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("acara")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="event_registrations",
        verbose_name=_("peserta"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, editable=False)
    registered_at = models.DateTimeField(_("mendaftar pada"), editable=False)
    cancelled_at = models.DateTimeField(_("dibatalkan pada"), null=True, blank=True, editable=False)
    attended = models.BooleanField(_("hadir"), default=False)
    attendance_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("kehadiran dicatat oleh"),
    )
    attendance_recorded_at = models.DateTimeField(
        _("kehadiran dicatat pada"), null=True, blank=True, editable=False
    )
    # Set by the reminder sweep when the e-mail of the day before went out: sent at most once.
    reminder_sent_at = models.DateTimeField(
        _("pengingat dikirim pada"), null=True, blank=True, editable=False
    )

    class Meta:
        ordering = ["registered_at", "id"]
        verbose_name = _("pendaftaran acara")
        verbose_name_plural = pgettext_lazy("plural", "pendaftaran acara")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "owner"],
                name="registration_one_per_owner_event",
                violation_error_message=_("Anda sudah terdaftar pada acara ini."),
            ),
        ]
        indexes = [models.Index(fields=["event", "status", "registered_at"])]

    def __str__(self) -> str:
        return f"{self.owner} — {self.event} ({self.get_status_display()})"


class EventChange(models.Model):
    """A change the owners of an event are told about: its time, place or online link changed
    (``CHANGED``), or it was cancelled (``CANCELLED``).

    Written by ``services.event_save`` / ``services.event_cancel`` in the transaction of the
    change, with one ``EventChangeNotice`` per owner then holding or awaiting a place; the
    notices are sent after the commit by ``applications.tasks.event_change_notify_task``.
    ``before`` and ``after`` hold ``Event.NOTIFIED_FIELDS`` (date-times in ISO 8601).
    """

    class Kind(models.TextChoices):
        CHANGED = "changed", _("Diubah")
        CANCELLED = "cancelled", _("Dibatalkan")

    event = models.ForeignKey(
        Event, on_delete=models.PROTECT, related_name="changes", verbose_name=_("acara")
    )
    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices)
    before = models.JSONField(_("sebelum"))
    after = models.JSONField(_("sesudah"))
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("oleh"),
    )
    made_at = models.DateTimeField(_("pada"))

    class Meta:
        ordering = ["made_at", "id"]
        verbose_name = _("perubahan acara")
        verbose_name_plural = pgettext_lazy("plural", "perubahan acara")

    def __str__(self) -> str:
        return f"{self.event} — {self.get_kind_display()}"


class EventChangeNotice(models.Model):
    """The e-mail of one ``EventChange`` to one registered or waiting owner: sent at most once
    (``sent_at`` is set in the transaction that sends it)."""

    change = models.ForeignKey(
        EventChange, on_delete=models.CASCADE, related_name="notices", verbose_name=_("perubahan")
    )
    registration = models.ForeignKey(
        Registration,
        on_delete=models.PROTECT,
        related_name="change_notices",
        verbose_name=_("pendaftaran"),
    )
    sent_at = models.DateTimeField(_("dikirim pada"), null=True, blank=True)

    class Meta:
        ordering = ["change", "id"]
        verbose_name = _("pemberitahuan perubahan acara")
        verbose_name_plural = pgettext_lazy("plural", "pemberitahuan perubahan acara")
        constraints = [
            models.UniqueConstraint(
                fields=["change", "registration"], name="change_notice_one_per_registration"
            ),
        ]
        indexes = [models.Index(fields=["sent_at", "change"])]

    def __str__(self) -> str:
        return f"{self.change} → {self.registration.owner}"
