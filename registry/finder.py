"""The supplier finder for government buyers (``/pemasok/``, ``/api/v1/suppliers/``): which
certified products meet a need, nearest first.

Read-only. It reuses the register lookup's machinery (``selectors.certificate_search`` for words,
``selectors.certificate_filter_status`` for "valid today") and the same indexes: the region index
(province, regency), the KBLI index (``procurement.Need.kbli_q`` is a range on it), the TKDN-IK
index for the order, the expiry expression index and the trigram index for words. Results are
grouped by company; a company's contact is shown only when its owner opted in
(``Company.buyer_contact``), never its NIB, NPWP, person in charge or NIB e-mail and phone.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.validators import validate_regency_in_province
from tkdnportal.pagination import PlannedPaginator

from . import procurement, selectors
from .models import Certificate

#: Products shown per region tier (nearest tiers first), best value first; a buyer can show
#: more of one tier (``MORE_PER_TIER``, the page's "Tampilkan lebih banyak").
PER_TIER = 10
MORE_PER_TIER = 50
TIER_SCOPES = ("regency", "province", "national")
#: The columns a result needs: the certificate's public snapshot and the company's opt-in
#: contact. The company's NIB, NPWP, person in charge, NIB e-mail and phone are never loaded.
RESULT_FIELDS = (
    "number",
    "sequence",
    "issue_date",
    "valid_until",
    "extended_until",
    "status",
    "rule_set",
    "tkdn_ik",
    "company_name",
    "province_name",
    "regency_name",
    "product_name",
    "product_brand",
    "product_specification",
    "product_unit",
    "kbli",
    "application__product__company__public_phone",
    "application__product__company__public_email",
    "application__product__company__marketplace_url",
    "application__product__company__show_contact_to_buyers",
)
#: A tier counts its matches up to this many, then says "more than" (as the lookup does, at
#: 1,000): a buyer needs "many", not the exact number, and a capped count of a common word
#: rechecks every match it counts (EXPLAIN at 150,000 certificates: 0.8 s for 1,001, the
#: lookup's own count is as slow; about a fifth of that for 201).
COUNT_LIMIT = 200
#: Searches with words read every match at once when there are at most this many.
TEXT_POOL = 300
#: Products a buyer can keep on the shortlist (a session holds it; no account needed).
SHORTLIST_MAX = 100
SHORTLIST_SESSION_KEY = "supplier_shortlist"


class SupplierFinderForm(forms.Form):
    """The finder's parameters, shared by the page and the API; each field says what is wrong."""

    q = forms.CharField(
        label=_("Kata kunci"),
        required=False,
        min_length=3,
        max_length=100,
        help_text=_("Nama produk, merek atau perusahaan, minimal 3 huruf."),
    )
    category = forms.ChoiceField(label=_("Kebutuhan"), required=False, choices=())
    province = forms.ChoiceField(label=_("Provinsi"), required=False, choices=())
    regency = forms.ChoiceField(label=_("Kabupaten/kota"), required=False, choices=())
    min_tkdn = forms.DecimalField(
        label=_("Nilai TKDN-IK minimum (%)"),
        required=False,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        decimal_places=2,
        localize=True,
        help_text=_("25 = batas preferensi harga; 40 = tingkat wajib beli produk dalam negeri."),
        error_messages={
            "invalid": _("Isi angka 0–100, misalnya 25 atau 27,5."),
            "min_value": _("Isi angka 0–100, misalnya 25 atau 27,5."),
            "max_value": _("Isi angka 0–100, misalnya 25 atau 27,5."),
            "max_decimal_places": _("Paling banyak 2 angka di belakang koma."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [
            ("", _("Semua kebutuhan")),
            *procurement.need_choices(),
        ]
        self.fields["province"].choices = [
            ("", _("Seluruh Indonesia")),
            *selectors.province_choices(),
        ]
        self.fields["regency"].choices = [
            ("", _("Semua kabupaten/kota")),
            *selectors.regency_choices(),
        ]
        for bound in self.fields.values():
            widget = bound.widget
            widget.attrs["class"] = (
                "form-select" if isinstance(widget, forms.Select) else "form-control"
            )
        # A text box: a number box would blank out "27,5" or a typo, losing what was typed.
        self.fields["min_tkdn"].widget.input_type = "text"
        self.fields["min_tkdn"].widget.attrs.update(
            inputmode="decimal",
            autocomplete="off",
            placeholder=f"{procurement.PREFERENCE_MIN_TKDN:.0f}",
        )
        self.fields["q"].widget.input_type = "search"

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] += " is-invalid"
                widget.attrs["aria-invalid"] = "true"
                widget.attrs["aria-describedby"] = f"id_{name}_error"

    def clean_q(self):
        return " ".join(self.cleaned_data["q"].split())

    def clean(self):
        data = super().clean()
        province, regency = data.get("province"), data.get("regency")
        if regency:
            try:
                validate_regency_in_province(province_id=province, regency_id=regency)
            except ValidationError as exc:
                self.add_error(None, exc)
            else:
                data["province"] = regency.split(".", 1)[0]
        if data.get("min_tkdn") is None and "min_tkdn" not in self.errors:
            data["min_tkdn"] = procurement.PREFERENCE_MIN_TKDN
        return data

    def region_options(self) -> dict:
        """The province and regency ``<option>`` lists, built like the lookup's (fast)."""
        from .filters import options_html

        options = {}
        cleaned = getattr(self, "cleaned_data", None) if self.is_bound and not self.errors else None
        for name in ("province", "regency"):
            # The province a chosen regency lies in is shown as chosen too.
            current = cleaned.get(name) if cleaned else self[name].value()
            options[name] = options_html(
                self.fields[name].choices, "" if current is None else str(current)
            )
        return options


@dataclass
class SupplierGroup:
    """One company in a tier: the products found, best value first, and its contact if any."""

    company_id: int
    name: str
    regency_name: str
    province_name: str
    contact: dict | None
    products: list[Certificate] = field(default_factory=list)


@dataclass
class Tier:
    """Results in one ring around the buyer: the regency, the rest of its province, or the rest
    of the country."""

    scope: str  # "regency", "province" or "national"
    label: str
    count: int
    capped: bool
    groups: list[SupplierGroup]

    @property
    def shown(self) -> int:
        return sum(len(group.products) for group in self.groups)


def supplier_candidates(
    *,
    text: str = "",
    category: str = "",
    min_tkdn: Decimal = procurement.PREFERENCE_MIN_TKDN,
    today: datetime.date | None = None,
) -> QuerySet[Certificate]:
    """Valid certificates (issued, not expired or revoked today) that meet the need, the words
    and the minimum value, anywhere in the country."""
    queryset = selectors.certificate_filter_status(
        selectors.certificates_public(), status=Certificate.EffectiveStatus.VALID, today=today
    ).filter(tkdn_ik__gte=min_tkdn)
    if category:
        queryset = queryset.filter(procurement.NEEDS_BY_SLUG[category].kbli_q())
    if text:
        # The lookup's search: substring, or typo-tolerant similarity when nothing matches.
        queryset = selectors.certificate_search(queryset, text=text)
    return queryset


def _tiers(province: str, regency: str, province_name: str, regency_name: str):
    if regency:
        return [
            ("regency", _("Di %(place)s") % {"place": regency_name}, {"regency_id": regency}, {}),
            (
                "province",
                _("Di kabupaten/kota lain di %(place)s") % {"place": province_name},
                {"province_id": province},
                {"regency_id": regency},
            ),
            ("national", _("Di provinsi lain"), {}, {"province_id": province}),
        ]
    if province:
        return [
            (
                "province",
                _("Di %(place)s") % {"place": province_name},
                {"province_id": province},
                {},
            ),
            ("national", _("Di provinsi lain"), {}, {"province_id": province}),
        ]
    return [("national", _("Seluruh Indonesia"), {}, {})]


def _grouped(certificates: list[Certificate]) -> list[SupplierGroup]:
    groups: dict[int, SupplierGroup] = {}
    for certificate in certificates:
        company = certificate.application.product.company
        group = groups.get(company.pk)
        if group is None:
            group = groups[company.pk] = SupplierGroup(
                company_id=company.pk,
                # The certified name and place (the issued snapshot), as on the certificate.
                name=certificate.company_name,
                regency_name=certificate.regency_name,
                province_name=certificate.province_name,
                contact=company.buyer_contact(),
            )
        group.products.append(certificate)
    return list(groups.values())


def supplier_search(
    *,
    text: str = "",
    category: str = "",
    province: str = "",
    regency: str = "",
    min_tkdn: Decimal = procurement.PREFERENCE_MIN_TKDN,
    today: datetime.date | None = None,
    per_tier: int = PER_TIER,
    more: str = "",
) -> list[Tier]:
    """The finder's answer: one tier per ring (regency, rest of the province, rest of the
    country; only the rings the buyer's region defines), each with up to ``per_tier`` products
    (``MORE_PER_TIER`` for the tier named by ``more``) by value, grouped by company in the
    order of each company's best product.

    Two queries per tier (the ids of at most ``COUNT_LIMIT`` + 1 matches, then the page of
    products with their company, ``PlannedPaginator``), plus the search's one ``EXISTS`` when
    there are words.
    """
    today = today or timezone.localdate()
    candidates = supplier_candidates(text=text, category=category, min_tkdn=min_tkdn, today=today)
    names = dict(selectors.province_choices()) | dict(selectors.regency_choices())
    rings = _tiers(province, regency, names.get(province, province), names.get(regency, regency))
    if text:
        tiers = _tiers_from_pool(candidates, rings, per_tier=per_tier, more=more)
        if tiers is not None:
            return tiers
    tiers = []
    for scope, label, include, exclude in rings:
        queryset = candidates.filter(**include)
        if exclude:
            queryset = queryset.exclude(**exclude)
        # The ring's capped count chooses the plan of its page, as in the lookup: few matches
        # are read by their ids, many by walking the value's index (a word common in the
        # register but rare in a need and a regency: 1.8 s at 1,000,000 left to the planner).
        paginator = PlannedPaginator(
            queryset.select_related("application__product__company")
            .only(*RESULT_FIELDS)
            .order_by("-tkdn_ik", "-issue_date", "-sequence"),
            MORE_PER_TIER if scope == more else per_tier,
            limit=COUNT_LIMIT,
        )
        count = paginator.count
        rows = list(paginator.page(1).object_list)
        tiers.append(Tier(scope, str(label), count, paginator.capped, _grouped(rows)))
    return tiers


def _in_ring(row: dict, include: dict, exclude: dict) -> bool:
    return all(row[k] == v for k, v in include.items()) and not any(
        row[k] == v for k, v in exclude.items()
    )


def _tiers_from_pool(candidates, rings, *, per_tier: int, more: str) -> list[Tier] | None:
    """Words narrow the candidates to a few hundred at most, often to a handful: read them all
    in one unordered query (the planner is then free to use the trigram, KBLI and region
    indexes) and split them into the rings here. Ordering each ring by value in SQL instead
    walks the TKDN-IK index testing every row against the words, which for a rare match is the
    whole register (0.5 s a ring at 175,000 certificates). ``None`` when the words match more
    than ``TEXT_POOL`` certificates: then the rings are queried one by one, which is fast
    because matches are dense."""
    pool = list(
        candidates.order_by().values(
            "id", "tkdn_ik", "issue_date", "sequence", "province_id", "regency_id"
        )[: TEXT_POOL + 1]
    )
    if len(pool) > TEXT_POOL:
        return None
    pool.sort(key=lambda r: (r["tkdn_ik"], r["issue_date"], r["sequence"]), reverse=True)
    chosen = []
    for scope, label, include, exclude in rings:
        ring = [row["id"] for row in pool if _in_ring(row, include, exclude)]
        chosen.append((scope, label, ring, ring[: MORE_PER_TIER if scope == more else per_tier]))
    shown = {pk for *_, ids in chosen for pk in ids}
    by_id = {
        certificate.pk: certificate
        for certificate in Certificate.objects.select_related("application__product__company")
        .only(*RESULT_FIELDS)
        .filter(pk__in=shown)
    }
    return [
        Tier(
            scope,
            str(label),
            min(len(ring), COUNT_LIMIT),
            len(ring) > COUNT_LIMIT,
            _grouped([by_id[pk] for pk in ids if pk in by_id]),
        )
        for scope, label, ring, ids in chosen
    ]


# --- The shortlist (session, no account) ---------------------------------------------------------


def shortlist_numbers(session) -> list[str]:
    numbers = session.get(SHORTLIST_SESSION_KEY, [])
    return [n for n in numbers if isinstance(n, str)][:SHORTLIST_MAX]


def shortlist_certificates(numbers: list[str]) -> list[Certificate]:
    """The shortlisted certificates in the order they were added (any status: one may have
    expired or been revoked since; the page says so)."""
    found = {
        certificate.number: certificate
        for certificate in Certificate.objects.select_related("application__product__company")
        .only(*RESULT_FIELDS)
        .filter(number__in=numbers)
    }
    return [found[number] for number in numbers if number in found]


def shortlist_rows(certificates: list[Certificate], *, today: datetime.date) -> list[list]:
    """The export's rows: the product, its certificate, and the contact only where the owner
    opted in."""
    rows = []
    for certificate in certificates:
        contact = certificate.application.product.company.buyer_contact() or {}
        rows.append(
            [
                certificate.company_name,
                certificate.product_name,
                certificate.product_brand,
                certificate.product_specification,
                certificate.product_unit,
                certificate.kbli,
                certificate.tkdn_ik,
                certificate.rule_set,
                certificate.expires_on,
                str(Certificate.EffectiveStatus(certificate.effective_status(today)).label),
                certificate.number,
                certificate.regency_name,
                certificate.province_name,
                contact.get("phone", ""),
                contact.get("email", ""),
                contact.get("marketplace_url", ""),
            ]
        )
    return rows


def shortlist_header() -> list[str]:
    return [
        str(_("Perusahaan")),
        str(_("Produk")),
        str(_("Merek")),
        str(_("Spesifikasi")),
        str(_("Satuan")),
        "KBLI",
        str(_("TKDN-IK (%)")),
        str(_("Aturan")),
        str(_("Berlaku sampai")),
        str(_("Status")),
        str(_("Nomor sertifikat")),
        str(_("Kabupaten/kota")),
        str(_("Provinsi")),
        str(_("Telepon/WhatsApp")),
        str(_("E-mail")),
        str(_("Toko daring / e-katalog")),
    ]


def shortlist_add(session, *, number: str, today: datetime.date | None = None) -> bool:
    """Add a valid certificate's product to the session's shortlist; ``False`` when the number
    is unknown, no longer valid, or the list is full."""
    numbers = shortlist_numbers(session)
    if number in numbers:
        return True
    if len(numbers) >= SHORTLIST_MAX:
        return False
    valid = selectors.certificate_filter_status(
        Certificate.objects.filter(number=number),
        status=Certificate.EffectiveStatus.VALID,
        today=today,
    )
    if not valid.exists():
        return False
    session[SHORTLIST_SESSION_KEY] = [*numbers, number]
    return True


def shortlist_remove(session, *, number: str) -> None:
    session[SHORTLIST_SESSION_KEY] = [n for n in shortlist_numbers(session) if n != number]


def shortlist_clear(session) -> None:
    session.pop(SHORTLIST_SESSION_KEY, None)
