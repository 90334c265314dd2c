"""The pre-submission checklist: the reasons the ministry rejects most, checked before submitting.

Each check has a plain Indonesian explanation and says what to do. ``application_submit`` refuses
to submit while one fails; the application page shows the list. The company-level checks are also
used by the profile page (``company_checks``) so an owner learns before starting an application
whether the company can apply at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from . import calculation, rules
from .formatting import format_rupiah
from .models import Application, Company, Product
from .selectors import application_calculation_input


@dataclass(frozen=True)
class Check:
    """One item of the checklist: ``ok`` or not, what it means and what to do when it fails."""

    code: str
    ok: bool
    title: str
    explanation: str
    action: str = ""
    details: list[str] = field(default_factory=list)


def _rupiah(value) -> str:
    return format_rupiah(value, 0)


def company_checks(*, company: Company) -> list[Check]:
    """Whether the company itself may apply: capital limit and the one-year bar (spec §4)."""
    limit = rules.in_force().max_small_industry_capital_rp
    capital_ok = company.capital_rp is not None and company.capital_rp <= limit
    barred = calculation.is_barred(company.barred_until, timezone.localdate())
    return [
        Check(
            code="capital",
            ok=capital_ok,
            title=_("Modal usaha termasuk industri kecil"),
            explanation=(
                _("Modal usaha %(capital)s, di bawah batas industri kecil %(limit)s.")
                if capital_ok
                else _(
                    "Modal usaha %(capital)s melebihi batas industri kecil %(limit)s (di luar "
                    "tanah dan bangunan). TKDN-IK hanya untuk industri kecil."
                )
            )
            % {"capital": _rupiah(company.capital_rp or 0), "limit": _rupiah(limit)},
            action=""
            if capital_ok
            else _(
                "Periksa kembali modal usaha: jangan hitung nilai tanah dan bangunan. Bila memang "
                "lebih besar, ajukan sertifikat TKDN biasa melalui lembaga verifikasi."
            ),
        ),
        Check(
            code="revocation_bar",
            ok=not barred,
            title=_("Tidak dalam masa larangan setelah pencabutan"),
            explanation=(
                _("Perusahaan tidak sedang dalam masa larangan setelah pencabutan sertifikat.")
                if not barred
                else _(
                    "Sertifikat perusahaan ini pernah dicabut; permohonan baru baru dapat diajukan "
                    "setelah %(date)s."
                )
                % {"date": date_format(company.barred_until, "j F Y")}
            ),
            action="" if not barred else _("Tunggu sampai masa larangan berakhir."),
        ),
    ]


def product_checks(*, product: Product) -> list[Check]:
    """Product-level rules: KBLI on the NIB, not packing only, NIE for medical/pharma (spec §3)."""
    company = product.company
    kbli_ok = product.kbli in (company.kbli_codes or [])
    needs_nie = product.needs_nie
    nie_ok = not needs_nie or (bool(product.nie_number.strip()) and bool(product.nie_file))
    return [
        Check(
            code="kbli",
            ok=kbli_ok,
            title=_("KBLI produk tercantum pada NIB"),
            explanation=(
                _("KBLI produk %(kbli)s ada di antara KBLI pada NIB perusahaan.")
                if kbli_ok
                else _(
                    "KBLI produk %(kbli)s tidak ada di antara KBLI pada NIB perusahaan "
                    "(%(codes)s). Produk harus sesuai dengan izin usaha."
                )
            )
            % {"kbli": product.kbli, "codes": ", ".join(company.kbli_codes or []) or "-"},
            action=""
            if kbli_ok
            else _(
                "Perbaiki KBLI produk, atau tambahkan KBLI tersebut di OSS lalu perbarui profil "
                "usaha."
            ),
        ),
        Check(
            code="packing_only",
            ok=not product.packing_only,
            title=_("Produk dibuat sendiri, bukan hanya dikemas"),
            explanation=(
                _("Perusahaan membuat produk ini sendiri.")
                if not product.packing_only
                else _(
                    "Kegiatan yang hanya pengepakan atau pengemasan tidak memenuhi syarat TKDN-IK."
                )
            ),
            action=""
            if not product.packing_only
            else _(
                "Bila Anda juga mengolah bahannya, ubah data produk dan jelaskan proses "
                "produksinya."
            ),
        ),
        Check(
            code="nie",
            ok=nie_ok,
            title=_("Nomor izin edar (NIE) untuk alat kesehatan/obat"),
            explanation=(
                (
                    _("NIE dan berkasnya sudah diisi.")
                    if needs_nie
                    else _("Produk umum tidak memerlukan NIE.")
                )
                if nie_ok
                else _(
                    "Alat kesehatan dan produk farmasi wajib memiliki nomor izin edar (NIE) "
                    "beserta berkasnya."
                )
            ),
            action="" if nie_ok else _("Isi nomor NIE dan unggah berkasnya pada data produk."),
        ),
    ]


def _rule_set_checks(
    *, rule_set: calculation.RuleSet, product: Product, materials: list
) -> list[Check]:
    """What a rule set asks beyond IK-2022 (spec §8): the production facility, each material's
    origin, and the evidence of a certified component."""
    checks: list[Check] = []
    if rule_set.uses_facility:
        facility_ok = bool(product.facility)
        checks.append(
            Check(
                code="facility",
                ok=facility_ok,
                title=_("Fasilitas produksi diisi"),
                explanation=(
                    _("Fasilitas produksi: %(facility)s.")
                    % {"facility": product.get_facility_display()}
                    if facility_ok
                    else _(
                        "Aturan %(code)s menghitung fasilitas produksi (sampai %(points)s poin); "
                        "data produk belum menyebutkannya."
                    )
                    % {"code": rule_set.code, "points": rule_set.weights["facility"]}
                ),
                action="" if facility_ok else _("Pilih fasilitas produksi pada data produk."),
            )
        )
    if rule_set.uses_origin:
        no_origin = [m.name for m in materials if not m.origin]
        checks.append(
            Check(
                code="material_origin",
                ok=not no_origin,
                title=_("Asal setiap bahan dipilih"),
                explanation=(
                    _("Setiap bahan menyebutkan asalnya.")
                    if not no_origin
                    else _(
                        "Aturan %(code)s membedakan bahan lokal, lokal yang mengandung impor, "
                        "impor, dan bersertifikat TKDN."
                    )
                    % {"code": rule_set.code}
                ),
                action="" if not no_origin else _("Pilih asal bahan pada baris berikut."),
                details=no_origin,
            )
        )
        unproven = [
            m.name
            for m in materials
            if m.origin == m.Origin.CERTIFIED
            and (m.component_tkdn is None or not m.component_is_evidenced)
        ]
        checks.append(
            Check(
                code="component_certificate",
                ok=not unproven,
                title=_("Nilai, nomor, dan berkas sertifikat untuk bahan bersertifikat TKDN"),
                explanation=(
                    _("Setiap bahan bersertifikat TKDN memiliki nilai, nomor, dan berkasnya.")
                    if not unproven
                    else _(
                        "Bahan bersertifikat TKDN dihitung menurut nilai TKDN-nya; nilai, nomor "
                        "sertifikat, dan berkasnya wajib ada."
                    )
                ),
                action=""
                if not unproven
                else _(
                    "Isi nilai TKDN komponen, nomor sertifikat, dan unggah berkas sertifikat pada "
                    "baris berikut, atau pilih asal lain."
                ),
                details=unproven,
            )
        )
    return checks


def application_checks(*, application: Application) -> list[Check]:
    """Every check of the issue's list, for one application; all must pass before submitting.

    Checked under the rule set the application will be computed with: a draft the set in force
    today, a revision its own set (``rules.applicable``).
    """
    product = application.product
    rule_set = rules.applicable(application)
    checks = company_checks(company=product.company) + product_checks(product=product)

    materials = list(application.materials.all())
    checks += _rule_set_checks(rule_set=rule_set, product=product, materials=materials)
    missing_proof = [m.name for m in materials if m.domestic and not m.purchase_proof]
    checks.append(
        Check(
            code="purchase_proof",
            ok=not missing_proof,
            title=_("Bukti pembelian untuk setiap bahan dalam negeri"),
            explanation=(
                _("Setiap bahan dalam negeri memiliki faktur atau kuitansi.")
                if not missing_proof
                else _(
                    "Bahan dalam negeri tanpa bukti pembelian dihitung sebagai impor. Ini alasan "
                    "penolakan yang paling sering."
                )
            ),
            action=""
            if not missing_proof
            else _("Unggah faktur atau kuitansi pembelian pada baris bahan berikut."),
            details=missing_proof,
        )
    )

    items = list(application.development.all())
    unevidenced = [item.get_kind_display() for item in items if not item.is_evidenced]
    checks.append(
        Check(
            code="development_evidence",
            ok=not unevidenced,
            title=_("Nomor dan berkas untuk setiap biaya pengembangan"),
            explanation=(
                (
                    _("Setiap sertifikat pengembangan memiliki nomor dan berkas.")
                    if items
                    else _("Tidak ada biaya pengembangan yang diklaim.")
                )
                if not unevidenced
                else _(
                    "Klaim HKI, SNI, industri hijau, atau halal hanya dihitung bila nomor "
                    "sertifikat/pendaftaran dan berkasnya ada."
                )
            ),
            action=""
            if not unevidenced
            else _("Isi nomor dan unggah berkas bukti, atau hapus klaim tersebut."),
            details=unevidenced,
        )
    )

    try:
        calculation.calculate(
            application_calculation_input(application=application, rule_set=rule_set), rule_set
        )
        engine_error = ""
    except calculation.CalculationError as error:
        engine_error = error.message_id
    checks.append(
        Check(
            code="cost_data",
            ok=not engine_error,
            title=_("Data biaya lengkap"),
            explanation=engine_error
            or _("Bahan langsung dan tenaga kerja langsung sudah diisi dengan benar."),
            action=""
            if not engine_error
            else _(
                "Isi minimal satu baris bahan langsung dan satu baris tenaga kerja, dengan "
                "jumlah dan biaya lebih dari 0, lalu simpan draf."
            ),
        )
    )
    return checks
