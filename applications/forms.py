"""Forms of the applicant portal: validate and normalise input, nothing else.

Rupiah amounts accept the Indonesian way of writing them (``15.000`` is fifteen thousand,
``1.250,50`` has a decimal comma) as well as plain ``15000``; every error message is in Bahasa
Indonesia next to its field. The live preview builds the engine's input from these forms' cleaned
data (:func:`preview_input`) and calls the same engine as the worker.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseInlineFormSet, formset_factory, inlineformset_factory
from django.utils.translation import gettext_lazy as _

from . import calculation, rules, uploads
from .formatting import format_id_number
from .models import (
    Application,
    Company,
    DevelopmentItem,
    LabourLine,
    MaterialLine,
    OverheadLine,
    Product,
    Province,
    Regency,
    SupportingDocument,
)
from .services import upload_inspect
from .validators import validate_kbli, validate_kbli_list

MAX_RP = calculation.MAX_AMOUNT_RP

_THOUSANDS = re.compile(r"\d{1,3}(\.\d{3})+(,\d+)?")


def parse_amount(text: str, *, thousands: bool) -> Decimal:
    """Parse a number as Indonesians write it; raise ``ValueError`` when it is not one.

    With ``thousands`` (Rupiah) a dot followed by groups of three digits is a thousands separator
    (``15.000`` → 15000); a comma is always the decimal separator (``2,5`` → 2.5).
    """
    value = re.sub(r"^rp\.?\s*", "", (text or "").strip(), flags=re.I).replace(" ", "")
    if thousands and _THOUSANDS.fullmatch(value):
        value = value.replace(".", "").replace(",", ".")
    elif "," in value and "." not in value:
        value = value.replace(",", ".")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", value):
        raise ValueError(text)
    try:
        return Decimal(value)
    except InvalidOperation:  # pragma: no cover - the pattern already excludes this
        raise ValueError(text) from None


class AmountField(forms.DecimalField):
    """A Decimal typed as text (``inputmode=decimal``), Indonesian separators accepted."""

    def __init__(self, *, thousands: bool = True, positive: bool = False, **kwargs):
        self.thousands = thousands
        # The database refuses 0 in these columns (CheckConstraint): the form says so first,
        # in words, instead of a constraint name (issue 13).
        self.positive = positive
        kwargs.setdefault("min_value", Decimal("0"))
        kwargs.setdefault("max_value", MAX_RP)
        super().__init__(**kwargs)
        self.widget = forms.TextInput(
            attrs={"inputmode": "decimal", "autocomplete": "off", "class": "text-end"}
        )
        self.error_messages["invalid"] = _(
            "Masukkan angka, misalnya 15000 atau 15.000 (tanpa huruf)."
        )

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        try:
            number = parse_amount(str(value), thousands=self.thousands)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        return number

    def validate(self, value):
        super().validate(value)
        if self.positive and value is not None and value <= 0:
            raise ValidationError(
                _("Isi angka lebih dari 0. Baris yang tidak dipakai dapat dihapus."),
                code="min_value",
            )

    def widget_attrs(self, widget):
        # No min/max/step attributes: the field is a text input that accepts 15.000.
        return {}

    def prepare_value(self, value):
        # A stored amount is shown without the column's trailing zeros ("850000000", not
        # "850000000.00"); a fraction of a Rupiah with the Indonesian decimal comma, which
        # parse_amount never takes for a thousands separator ("0,025", not "0.025" = 25).
        # What the owner typed is shown as typed.
        if isinstance(value, Decimal) and value.is_finite():
            if not self.thousands:
                if value == value.to_integral_value():
                    return str(value.quantize(Decimal(1)))
                return format(value.normalize(), "f")
            # Rupiah as an owner writes it, thousands grouped ("850.000.000", "11.000,5"): the
            # form reads it back the same (parse_amount), in either language of the page.
            whole = value == value.to_integral_value()
            places = 0 if whole else max(0, -value.normalize().as_tuple().exponent)
            return format_id_number(value, places)
        return super().prepare_value(value)


class UploadField(forms.FileField):
    """An upload of at most ``settings.MAX_UPLOAD_SIZE`` whose content is one of ``allowed``
    (default: PDF, JPEG, PNG) and parses as such (``applications.uploads``); the cleaned file is
    named with the detected type's extension."""

    widget = forms.ClearableFileInput

    def __init__(self, *, allowed=uploads.DOCUMENT_TYPES, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.allowed = tuple(allowed)
        accept = [f".{uploads.EXTENSIONS[t]}" for t in self.allowed]
        if uploads.JPEG in self.allowed:
            accept.append(".jpeg")
        self.widget = forms.FileInput(attrs={"accept": ",".join(accept + list(self.allowed))})

    def clean(self, data, initial=None):
        value = super().clean(data, initial)
        if value and hasattr(value, "content_type"):  # a new upload, not the stored file
            upload_inspect(value, allowed=self.allowed)
        return value


# --- Company profile ----------------------------------------------------------------------


class KbliListField(forms.CharField):
    """KBLI codes separated by commas or spaces → a list of 5-digit strings."""

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        codes = [code for code in re.split(r"[\s,;]+", text or "") if code]
        return list(dict.fromkeys(codes))

    def validate(self, value):
        validate_kbli_list(value)


class CompanyForm(forms.ModelForm):
    kbli_codes = KbliListField(
        label=_("Kode KBLI pada NIB"),
        help_text=_("Lima angka per kode, pisahkan dengan koma. Contoh: 31001, 16291"),
    )
    capital_rp = AmountField(
        label=_("Modal usaha di luar tanah dan bangunan (Rp)"),
        help_text=_("Industri kecil: paling banyak Rp 5.000.000.000. Contoh: 850.000.000"),
    )
    marketplace_url = forms.URLField(
        label=_("Tautan toko daring atau e-katalog"),
        required=False,
        max_length=300,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
        help_text=_("Toko daring, katalog elektronik (e-katalog) atau situs usaha."),
    )
    province = forms.ModelChoiceField(
        queryset=Province.objects.all(), label=_("Provinsi pabrik"), empty_label=_("— pilih —")
    )
    regency = forms.ModelChoiceField(
        queryset=Regency.objects.none(),
        label=_("Kabupaten/kota pabrik"),
        empty_label=_("— pilih provinsi dahulu —"),
    )

    class Meta:
        model = Company
        fields = [
            "name",
            "legal_form",
            "nib",
            "npwp",
            "person_in_charge",
            "email",
            "phone",
            "office_address",
            "factory_address",
            "postal_code",
            "province",
            "regency",
            "kbli_codes",
            "capital_rp",
            "workers_wni",
            "workers_wna",
            "siinas_account",
            "public_phone",
            "public_email",
            "marketplace_url",
            "show_contact_to_buyers",
        ]
        widgets = {
            "office_address": forms.Textarea(attrs={"rows": 2}),
            "factory_address": forms.Textarea(attrs={"rows": 2}),
            "nib": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 13}),
            "postal_code": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 5}),
            "phone": forms.TextInput(attrs={"inputmode": "tel"}),
            "public_phone": forms.TextInput(attrs={"inputmode": "tel"}),
        }
        help_texts = {
            "nib": _("13 angka dari OSS, tanpa spasi."),
            "npwp": _("15 atau 16 angka; titik dan strip boleh."),
            "email": _("Sesuai data NIB."),
            "public_phone": _("Boleh nomor lain dari telepon NIB. Contoh: 0812 3456 7890."),
            "show_contact_to_buyers": _(
                "Bila dicentang, kontak di atas tampil di Cari Pemasok untuk pembeli pemerintah. "
                "Nama penanggung jawab, NIB, NPWP, serta e-mail dan telepon NIB tidak pernah "
                "ditampilkan."
            ),
        }

    def __init__(self, *args, regency_url: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        province_id = self.data.get(self.add_prefix("province")) or self.initial.get("province")
        if not province_id and self.instance.pk:
            province_id = self.instance.province_id
        if province_id:
            self.fields["regency"].queryset = Regency.objects.filter(province_id=province_id)
            self.fields["regency"].empty_label = _("— pilih —")
        self.fields["nib"].error_messages["unique"] = _(
            "NIB ini sudah terdaftar pada akun lain. Hubungi dinas bila ini NIB Anda."
        )
        # Whole region names on a phone (portal.css, "select-wrap"): no name is cut off.
        for name in ("province", "regency"):
            self.fields[name].widget.attrs["class"] = "select-wrap"
        if regency_url:
            # htmx: the regency list follows the province without a page reload.
            self.fields["province"].widget.attrs.update(
                {
                    "data-hx-get": regency_url,
                    "data-hx-target": "#id_regency",
                    "data-hx-trigger": "change",
                    "data-hx-swap": "innerHTML",
                }
            )

    def clean_nib(self):
        return re.sub(r"\s", "", self.cleaned_data["nib"])

    def clean_phone(self):
        return self._phone(self.cleaned_data["phone"])

    def clean_public_phone(self):
        phone = self.cleaned_data["public_phone"]
        return self._phone(phone) if phone.strip() else ""

    @staticmethod
    def _phone(value: str) -> str:
        phone = " ".join(value.split())
        digits = re.sub(r"[\s().-]", "", phone)
        if not re.fullmatch(r"\+?\d{8,15}", digits):
            raise ValidationError(
                _("Nomor telepon 8–15 angka, boleh diawali +62. Contoh: 0812 3456 7890."),
                code="invalid",
            )
        return phone

    def clean_postal_code(self):
        code = self.cleaned_data["postal_code"].strip()
        if code and not re.fullmatch(r"\d{5}", code):
            raise ValidationError(_("Kode pos terdiri dari 5 angka."), code="invalid")
        return code


# --- Plain-language help for the IK-2025 questions (spec §8) -------------------------------

FACILITY_HELP = _(
    "Pabrik sendiri: Anda memproduksi di tempat usaha sendiri di Indonesia. Perusahaan lain: "
    "Anda memakai mesin/tempat milik perusahaan lain. Industri lain: produk dibuatkan oleh "
    "industri lain. Tidak ada: tidak ada investasi fasilitas produksi."
)
MATERIAL_ORIGIN_HELP = _(
    "Lokal: dibuat di Indonesia dari bahan lokal atau alam Indonesia. Mengandung impor: dibuat "
    "di Indonesia tetapi memakai bahan impor. Impor: buatan luar negeri, walaupun dibeli di toko "
    "Indonesia. Bersertifikat TKDN: komponen ini punya sertifikat TKDN sendiri; isi nilainya, "
    "nomornya, dan unggah sertifikatnya."
)


# --- Products ----------------------------------------------------------------------


class ProductForm(forms.ModelForm):
    nie_file = UploadField(label=_("Berkas NIE (PDF/JPEG/PNG)"))

    class Meta:
        model = Product
        fields = [
            "name",
            "brand",
            "specification",
            "unit",
            "kbli",
            "hs_code",
            "category",
            "process_description",
            "packing_only",
            "nie_number",
            "nie_file",
            "facility",
        ]
        widgets = {
            "facility": forms.RadioSelect,
            "process_description": forms.Textarea(attrs={"rows": 3}),
            "kbli": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 5}),
        }
        help_texts = {
            "kbli": _("KBLI industri (5 angka) yang tercantum pada NIB perusahaan."),
            "specification": _(
                "Satu produk = satu tipe/spesifikasi; varian lain didaftarkan terpisah."
            ),
            "unit": _("Semua biaya diisi per satu satuan ini, misalnya per buah atau per kg."),
            "packing_only": _("Centang bila perusahaan hanya mengemas produk buatan pihak lain."),
            "nie_number": _("Wajib untuk alat kesehatan dan obat."),
            "facility": FACILITY_HELP,
        }

    def __init__(self, *args, company: Company | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.company = company
        # Asked from IK-2025 on (spec §8); an older product may leave it empty until it applies.
        rules_today = rules.in_force()
        facility = self.fields["facility"]
        facility.required = rules_today.uses_facility
        facility.choices = [c for c in facility.choices if c[0]]  # no "---------" radio
        if not rules_today.uses_facility:
            facility.help_text = _("Tidak dipakai pada aturan %(code)s.") % {
                "code": rules_today.code
            }
        facility.error_messages["required"] = _(
            "Pilih di mana produk ini dibuat (dipakai dalam perhitungan %(code)s)."
        ) % {"code": rules_today.code}

    def clean_kbli(self):
        kbli = self.cleaned_data["kbli"].strip()
        validate_kbli(kbli)
        return kbli


# --- Cost lines ----------------------------------------------------------------------


ORIGIN_CHOICES = [
    ("True", _("Dalam negeri (buatan Indonesia)")),
    ("False", _("Impor / buatan luar negeri")),
]


def _bool_choice(label, help_text="", choices=ORIGIN_CHOICES):
    return forms.TypedChoiceField(
        label=label,
        choices=choices,
        coerce=lambda value: value in (True, "True"),
        empty_value=True,
        help_text=help_text,
    )


class MaterialLineForm(forms.ModelForm):
    qty_per_unit = AmountField(
        label=_("Jumlah per satuan produk"),
        thousands=False,
        positive=True,
        max_value=calculation.MAX_QUANTITY,
        decimal_places=4,
    )
    unit_price_rp = AmountField(label=_("Harga satuan (Rp)"), decimal_places=2, positive=True)
    domestic = _bool_choice(
        _("Asal bahan"),
        _("Barang impor yang dibeli dari toko di Indonesia tetap dihitung impor."),
    )
    purchase_proof = UploadField(label=_("Bukti pembelian (faktur/kuitansi)"))

    class Meta:
        model = MaterialLine
        fields = ["name", "specification", "domestic", "qty_per_unit", "unit_price_rp",
                  "purchase_proof"]  # fmt: skip


class MaterialOriginLineForm(MaterialLineForm):
    """A material line under a rule set that judges origin four ways (IK-2025, spec §8).

    ``domestic`` is not asked: it follows the origin (anything but imported), so the line still
    reads right wherever a yes/no is shown.
    """

    origin = forms.ChoiceField(
        label=_("Asal bahan"),
        # No preselected origin: the owner states it for every line (the credit differs a lot).
        choices=[("", _("— pilih asal bahan —")), *MaterialLine.Origin.choices],
        error_messages={"required": _("Pilih asal bahan.")},
    )
    component_tkdn = AmountField(
        label=_("Nilai TKDN komponen (%)"),
        thousands=False,
        required=False,
        max_value=Decimal(100),
        decimal_places=2,
        help_text=_("Hanya untuk bahan bersertifikat TKDN, 0–100, misalnya 45,5."),
    )
    component_certificate = UploadField(label=_("Sertifikat TKDN komponen (PDF/JPEG/PNG)"))

    class Meta(MaterialLineForm.Meta):
        fields = ["name", "specification", "origin", "qty_per_unit", "unit_price_rp",
                  "component_tkdn", "component_certificate_number", "component_certificate",
                  "purchase_proof"]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("domestic", None)
        self.fields["component_tkdn"].error_messages["max_value"] = _(
            "Nilai TKDN komponen paling besar 100."
        )

    def clean(self):
        cleaned = super().clean()
        origin = cleaned.get("origin")
        if origin == MaterialLine.Origin.CERTIFIED:
            if cleaned.get("component_tkdn") is None and "component_tkdn" not in self.errors:
                self.add_error(
                    "component_tkdn",
                    _("Isi nilai TKDN komponen (0–100) untuk bahan bersertifikat TKDN."),
                )
        elif origin:
            # Only a certified component has a TKDN value; a value left from an earlier choice
            # would be misleading.
            cleaned["component_tkdn"] = None
        if origin:
            self.instance.domestic = origin != MaterialLine.Origin.IMPORTED
        return cleaned


class FacilityForm(forms.Form):
    """The production facility in the public calculator (on the product form for owners)."""

    facility = forms.ChoiceField(
        label=_("Fasilitas produksi"),
        choices=Product.Facility.choices,
        initial=Product.Facility.OWN,
        widget=forms.RadioSelect,
        help_text=FACILITY_HELP,
    )


class LabourLineForm(forms.ModelForm):
    cost_per_unit_rp = AmountField(
        label=_("Biaya per satuan produk (Rp)"), decimal_places=2, positive=True
    )

    class Meta:
        model = LabourLine
        fields = ["role", "citizenship", "cost_per_unit_rp"]


class OverheadLineForm(forms.ModelForm):
    cost_per_unit_rp = AmountField(label=_("Biaya per satuan produk (Rp)"), decimal_places=2)
    domestic = _bool_choice(
        _("Asal"),
        _("Dalam negeri: alat milik sendiri; air/listrik dari penyedia di Indonesia."),
        choices=[("True", _("Dalam negeri")), ("False", _("Luar negeri / sewa asing"))],
    )

    class Meta:
        model = OverheadLine
        fields = ["kind", "description", "domestic", "cost_per_unit_rp"]


class DevelopmentItemForm(forms.ModelForm):
    evidence = UploadField(label=_("Berkas sertifikat/bukti"))

    class Meta:
        model = DevelopmentItem
        fields = ["kind", "number", "description", "evidence"]


class LineFormSet(BaseInlineFormSet):
    """Inline formset whose rows the browser adds and removes (empty_form is the template)."""


# [A] At most 100 rows per list: plenty for one product's bill of materials, and a forged
# TOTAL_FORMS cannot make the server build and render thousands of forms.
MAX_ROWS = 100
ROW_LIMITS = {"max_num": MAX_ROWS, "absolute_max": MAX_ROWS, "validate_max": True}

FORMSET_SPECS = {
    "materials": (MaterialLine, MaterialLineForm),
    "labour": (LabourLine, LabourLineForm),
    "overhead": (OverheadLine, OverheadLineForm),
    "development": (DevelopmentItem, DevelopmentItemForm),
}


ROW_LABELS = {
    "materials": _("Bahan"),
    "labour": _("Tenaga kerja"),
    "overhead": _("Biaya pabrik"),
    "development": _("Pengembangan"),
}


def formset_specs(rule_set: calculation.RuleSet) -> dict[str, tuple[type, type]]:
    """The cost-line lists a rule set asks for: IK-2025 asks each material's origin and has no
    overhead factor (spec §8); IK-2022 keeps its yes/no origin and its overhead list."""
    specs = dict(FORMSET_SPECS)
    if rule_set.uses_origin:
        specs["materials"] = (MaterialLine, MaterialOriginLineForm)
    if "overhead" not in rule_set.weights:
        del specs["overhead"]
    return specs


def line_formsets(
    application: Application, data=None, files=None, *, rule_set: calculation.RuleSet | None = None
) -> dict[str, LineFormSet]:
    """The formsets of the application page for its rule set, keyed by factor (also their
    prefixes).

    A list with no saved rows starts with one empty row, so the owner sees where to type.
    """
    formsets = {}
    for prefix, (model, form) in formset_specs(rule_set or rules.of(application)).items():
        has_rows = model.objects.filter(application=application).exists()
        factory = inlineformset_factory(
            Application,
            model,
            form=form,
            formset=LineFormSet,
            extra=0 if has_rows or prefix == "development" else 1,
            can_delete=True,
            **ROW_LIMITS,
        )
        formsets[prefix] = factory(data, files, instance=application, prefix=prefix)
        # How the error summary names a row ("Bahan 2"), as the page's row headings do.
        formsets[prefix].row_label = ROW_LABELS[prefix]
    return formsets


def _chosen(data, form, name: str) -> bool:
    """Whether a file was chosen for ``name`` in the posted (not uploaded) preview data.

    The live preview never uploads files; the browser script sends a marker instead.
    """
    return bool(data is not None and data.get(form.add_prefix(name)))


class LeftOut(str):
    """A row the live value left out ("Bahan baris 2"), with why (``reasons``: "Harga satuan
    (Rp): Isi angka lebih dari 0. …"); reads as its row label where a plain string is wanted."""

    reasons: tuple[str, ...]

    def __new__(cls, row: str, reasons=()):
        obj = super().__new__(cls, row)
        obj.reasons = tuple(reasons)
        return obj

    @property
    def row(self) -> str:
        return str(self)

    @property
    def explained(self) -> str:
        """ "Bahan baris 2: Harga satuan (Rp): Isi angka lebih dari 0." (one line per row)."""
        return f"{self}: {'; '.join(self.reasons)}" if self.reasons else str(self)


def _row_reasons(form) -> list[str]:
    """Each error of a row as "<field label>: <message>", in the order of the row's fields."""
    reasons = []
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for message in errors:
            reasons.append(f"{label}: {message}" if label else str(message))
    return reasons


def preview_input(
    formsets: dict[str, forms.BaseFormSet],
    data=None,
    *,
    rule_set: calculation.RuleSet | None = None,
    facility: str | None = None,
) -> tuple[calculation.CalculationInput, list[str]]:
    """The engine's input from the posted, unsaved forms, and the rows left out as incomplete.

    Mirrors ``selectors.application_calculation_input``'s evidence rules: a domestic material
    counts as domestic only with a purchase proof (stored, uploaded, or chosen in the browser;
    under IK-2025 a line without one counts as imported); a development item counts only with
    its number and file. Rows with errors are left out and named in the second value
    (:class:`LeftOut`, with the reasons), so the value keeps updating while a row is being typed
    and the page can say which rows it does not count yet, and why. ``facility`` goes in when
    ``rule_set`` has a facility factor.
    """
    rule_set = rule_set or rules.in_force()
    incomplete: list[str] = []
    rows: dict[str, list[dict]] = {name: [] for name in FORMSET_SPECS}
    for name, formset in formsets.items():
        for index, form in enumerate(formset.forms, start=1):
            saved = getattr(getattr(form, "instance", None), "pk", None) is not None
            if not form.has_changed() and not saved and not form.initial:
                continue
            valid = form.is_valid()
            if getattr(form, "cleaned_data", {}).get("DELETE"):
                continue
            if valid:
                rows[name].append({"form": form, **form.cleaned_data})
            elif form.has_changed() or saved:
                incomplete.append(LeftOut(f"{LINE_LABELS[name]} {index}", _row_reasons(form)))

    def has_file(row, field):
        form = row["form"]
        stored = getattr(getattr(form, "instance", None), field, None)
        return bool(row.get(field)) or bool(stored) or _chosen(data, form, field)

    def proven(row) -> bool:
        return "purchase_proof" not in row or has_file(row, "purchase_proof")

    materials = []
    for row in rows["materials"]:
        if rule_set.uses_origin:
            origin = row.get("origin") or (
                MaterialLine.Origin.LOCAL if row.get("domestic") else MaterialLine.Origin.IMPORTED
            )
            if origin != MaterialLine.Origin.IMPORTED and not proven(row):
                origin = MaterialLine.Origin.IMPORTED
            materials.append(
                calculation.MaterialLine(
                    name=row["name"],
                    qty_per_unit=row["qty_per_unit"],
                    unit_price_rp=row["unit_price_rp"],
                    origin=str(origin),
                    component_tkdn_pct=row.get("component_tkdn")
                    if origin == MaterialLine.Origin.CERTIFIED
                    else None,
                )
            )
        else:
            materials.append(
                calculation.MaterialLine(
                    name=row["name"],
                    qty_per_unit=row["qty_per_unit"],
                    unit_price_rp=row["unit_price_rp"],
                    domestic=bool(row["domestic"]) and proven(row),
                )
            )
    labour = tuple(
        calculation.LabourLine(
            role=row["role"],
            cost_per_unit_rp=row["cost_per_unit_rp"],
            citizenship=row["citizenship"],
        )
        for row in rows["labour"]
    )
    overhead = tuple(
        calculation.OverheadLine(
            kind=row["kind"],
            cost_per_unit_rp=row["cost_per_unit_rp"],
            domestic=bool(row["domestic"]),
        )
        for row in rows["overhead"]
    )
    development = frozenset(
        row["kind"]
        for row in rows["development"]
        if "evidence" not in row
        or ((row.get("number") or "").strip() and has_file(row, "evidence"))
    )
    return (
        calculation.CalculationInput(
            materials=tuple(materials),
            labour=labour,
            overhead=overhead if "overhead" in rule_set.weights else (),
            development=development,
            facility=(facility or None) if rule_set.uses_facility else None,
        ),
        incomplete,
    )


LINE_LABELS = {
    "materials": _("Bahan baris"),
    "labour": _("Tenaga kerja baris"),
    "overhead": _("Biaya pabrik baris"),
    "development": _("Pengembangan butir"),
}


# --- Public calculator (no files, nothing saved) ------------------------------------------


def _without(form_class, *excluded):
    """``form_class`` minus some fields: the calculator has no files and no descriptions."""

    class Reduced(form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            for name in excluded:
                self.fields.pop(name, None)

    Reduced.__name__ = f"Calculator{form_class.__name__}"
    return Reduced


class DevelopmentClaimForm(forms.Form):
    kind = forms.ChoiceField(label=_("Jenis"), choices=DevelopmentItem.Kind.choices)


def calculator_formsets(
    data=None, *, rule_set: calculation.RuleSet | None = None
) -> dict[str, forms.BaseFormSet]:
    """The public calculator's formsets for ``rule_set`` (default: today's): the same line
    forms, without files and without saving."""
    rule_set = rule_set or rules.in_force()
    material_form = MaterialOriginLineForm if rule_set.uses_origin else MaterialLineForm
    specs = {
        "materials": _without(
            material_form,
            "purchase_proof",
            "specification",
            "application",
            "component_certificate_number",
            "component_certificate",
        ),
        "labour": _without(LabourLineForm, "application"),
        "overhead": _without(OverheadLineForm, "description", "application"),
        "development": DevelopmentClaimForm,
    }
    if "overhead" not in rule_set.weights:
        del specs["overhead"]
    return {
        prefix: formset_factory(
            form, extra=0 if prefix == "development" else 1, can_delete=True, **ROW_LIMITS
        )(data, prefix=prefix)
        for prefix, form in specs.items()
    }


# --- Supporting documents ----------------------------------------------------------------------


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Jenis dokumen"), choices=SupportingDocument.Kind.choices)
    product = forms.ModelChoiceField(
        queryset=Product.objects.none(),
        required=False,
        label=_("Produk (untuk foto produk)"),
        empty_label=_("— dokumen perusahaan —"),
    )
    file = UploadField(label=_("Berkas (PDF, JPEG, atau PNG; paling besar 5 MB)"), required=True)

    def __init__(self, *args, company: Company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.filter(company=company)

    def clean(self):
        cleaned = super().clean()
        photo = cleaned.get("kind") == SupportingDocument.Kind.PRODUCT_PHOTO
        if photo and not cleaned.get("product"):
            self.add_error("product", _("Pilih produk untuk foto produk."))
        upload = cleaned.get("file")
        if photo and upload and getattr(upload, "detected_type", None) not in uploads.PHOTO_TYPES:
            self.add_error("file", uploads.Refusal("photo_type").error())
        return cleaned


class SubmitForm(forms.Form):
    declaration = forms.BooleanField(
        label=_(
            "Saya menyatakan bahwa data dan dokumen yang saya isi benar dan dapat "
            "dipertanggungjawabkan (penilaian mandiri)."
        ),
        error_messages={"required": _("Centang pernyataan ini untuk mengajukan.")},
    )
