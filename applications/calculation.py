"""The TKDN-IK calculation engine: pure functions over frozen dataclasses.

This module is the single source of the TKDN-IK formula (domain spec §3). It imports nothing from
Django or from our models, so services, forms, the ``tkdn_calculate`` command and tests can all call
it without a database. Guarantees:

* All arithmetic is exact: amounts are ``Decimal`` (or ``int``), every share and point value is a
  ``Fraction``; no ``float`` is ever used.
* Only the final sum is rounded, by :func:`round_half_up` (2 decimals, ROUND_HALF_UP).
* Every invalid input raises :class:`CalculationError`, which names the offending field by a path
  such as ``materials[1].unit_price_rp`` (0-based index) and carries an Indonesian and an English
  message.
* Rule sets are effective-dated data (:data:`RULE_SETS`): ``IK-2022`` (Permenperin 46/2022, spec §3)
  and the provisional ``IK-2025`` (Permenperin 35/2025, spec §8). Every regulatory value — weights,
  maximum, threshold, validity and extension years, decision service level, bar after revocation,
  material and facility credits, legal basis — lives in its :class:`RuleSet` and nowhere else;
  the rest of the portal asks the application's rule set. :func:`rule_set_for` says which set
  applies on a submission date; ``applications.rules`` applies the operator's settings (effective
  dates, confirmation of a provisional set) on top of these defaults.
* Dates that follow from a rule set (valid until, extended until, barred until) are computed here,
  by one function each, so every code path agrees on 29 February and on the anniversary day.

The JSON contract used by the ``tkdn_calculate`` command (and by anything else that exchanges
calculations as JSON) is :func:`parse_input` in and :func:`result_to_dict` out.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from types import MappingProxyType
from typing import Any

__all__ = [
    "CITIZENSHIPS",
    "DEVELOPMENT_KINDS",
    "FACILITIES",
    "FACTORS",
    "MATERIAL_ORIGINS",
    "MAX_AMOUNT_RP",
    "MAX_QUANTITY",
    "MAX_TEXT_LENGTH",
    "OVERHEAD_KINDS",
    "QUANTITY_DECIMAL_PLACES",
    "RULE_SETS",
    "RUPIAH_DECIMAL_PLACES",
    "CalculationError",
    "CalculationInput",
    "CalculationResult",
    "FactorResult",
    "LabourLine",
    "MaterialLine",
    "OverheadLine",
    "RuleSet",
    "add_years",
    "calculate",
    "get_rule_set",
    "is_barred",
    "parse_input",
    "result_to_dict",
    "round_half_up",
    "rule_set_for",
    "validate",
]

# ---------------------------------------------------------------------------------------------
# Vocabulary (spec §3) and input limits.
#
# Every limit marked [A] is an assumption that no published source confirms (spec §3 "Validation").
# They are kept together here so they can be changed in one place; the rule set copies them.
# ---------------------------------------------------------------------------------------------

#: Every factor any rule set uses, in the order they are reported everywhere. A rule set's own
#: factors are the keys of its ``weights`` (IK-2022: the first four; IK-2025: materials, labour,
#: facility).
FACTORS: tuple[str, ...] = ("materials", "labour", "overhead", "development", "facility")
#: Where a material comes from (spec §8). ``local``: made in Indonesia from local inputs or natural
#: resources only; ``local_with_imports``: made in Indonesia with imported inputs; ``imported``;
#: ``certified``: the component has its own TKDN certificate (then its TKDN % is required).
MATERIAL_ORIGINS: tuple[str, ...] = ("local", "local_with_imports", "imported", "certified")
#: The production facility of a product (spec §8, IK-2025 only): own factory in Indonesia,
#: another company's factory, made by another industry, no investment in production facilities.
FACILITIES: tuple[str, ...] = ("own", "other_company", "other_industry", "none")
#: Labour citizenship: only WNI (Indonesian citizen) labour counts as domestic.
CITIZENSHIPS: tuple[str, ...] = ("WNI", "WNA")
#: Factory overhead kinds (biaya tidak langsung pabrik): tools/machines, water, electricity.
OVERHEAD_KINDS: tuple[str, ...] = ("alat_kerja", "air", "listrik")
#: Development evidence (biaya pengembangan) that earns the development points under IK-2022.
DEVELOPMENT_KINDS: frozenset[str] = frozenset({"HKI", "SNI", "INDUSTRI_HIJAU", "HALAL", "OTHER"})

#: [A] Largest accepted Rupiah amount (unit price or cost per unit of product).
MAX_AMOUNT_RP = Decimal(10**12)
#: [A] Largest accepted quantity per unit of product (same bound as Rupiah amounts).
MAX_QUANTITY = Decimal(10**12)
#: Rupiah amounts have at most 2 decimal places (spec §3; sen are the smallest unit shown).
RUPIAH_DECIMAL_PLACES = 2
#: [A] Quantities per unit of product have at most 4 decimal places (e.g. 0.0125 kg).
QUANTITY_DECIMAL_PLACES = 4
#: [A] Material names and labour roles are at most 200 characters.
MAX_TEXT_LENGTH = 200

# Places used when *showing* a share; the total never uses a rounded share.
_SHARE_DISPLAY_PLACES = 4


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------


class CalculationError(ValueError):
    """Invalid calculation input; the only exception this module raises for bad input.

    ``field`` is a path into the input (``"materials[1].unit_price_rp"``, ``"labour"``,
    ``"rule_set"``), using 0-based indexes; ``""`` means the input as a whole. ``message_id``
    (Bahasa Indonesia) and ``message_en`` name the field in words (with 1-based line numbers) and
    say what is wrong. ``str(error)`` is the Indonesian message.
    """

    def __init__(self, field: str, message_id: str, message_en: str) -> None:
        super().__init__(message_id)
        self.field = field
        self.message_id = message_id
        self.message_en = message_en

    def __str__(self) -> str:
        return self.message_id

    def __repr__(self) -> str:
        return f"CalculationError(field={self.field!r}, message_en={self.message_en!r})"


@dataclass(frozen=True)
class _Where:
    """Where a value sits: its path for machines and its description for people (id/en)."""

    path: str
    label_id: str
    label_en: str

    def child(self, key: str, label_id: str, label_en: str) -> _Where:
        return _Where(
            f"{self.path}.{key}", f"{self.label_id}, {label_id}", f"{self.label_en}, {label_en}"
        )

    def error(self, problem_id: str, problem_en: str) -> CalculationError:
        return CalculationError(
            self.path, f"{self.label_id}: {problem_id}.", f"{self.label_en}: {problem_en}."
        )


_TOP = _Where("", "Data perhitungan", "Calculation input")
_LISTS: dict[str, tuple[str, str]] = {
    "materials": ("Bahan langsung", "Direct materials"),
    "labour": ("Tenaga kerja langsung", "Direct labour"),
    "overhead": ("Biaya tidak langsung pabrik", "Factory overhead"),
    "development": ("Biaya pengembangan", "Development"),
}
_LINE_LABELS: dict[str, tuple[str, str]] = {
    "materials": ("Bahan langsung baris {n}", "Direct material line {n}"),
    "labour": ("Tenaga kerja langsung baris {n}", "Direct labour line {n}"),
    "overhead": ("Biaya tidak langsung pabrik baris {n}", "Factory overhead line {n}"),
    "development": ("Biaya pengembangan butir {n}", "Development item {n}"),
}
_FIELD_LABELS: dict[str, tuple[str, str]] = {
    "name": ("nama bahan", "material name"),
    "qty_per_unit": ("jumlah per satuan produk", "quantity per unit of product"),
    "unit_price_rp": ("harga satuan (Rp)", "unit price (Rp)"),
    "domestic": ("asal dalam negeri (domestic)", "domestic origin"),
    "role": ("jabatan/peran", "role"),
    "cost_per_unit_rp": ("biaya per satuan produk (Rp)", "cost per unit of product (Rp)"),
    "citizenship": ("kewarganegaraan", "citizenship"),
    "kind": ("jenis", "kind"),
    "origin": ("asal bahan", "origin"),
    "component_tkdn_pct": ("nilai TKDN komponen (%)", "component TKDN (%)"),
}


def _list_where(factor: str) -> _Where:
    label_id, label_en = _LISTS[factor]
    return _Where(factor, label_id, label_en)


def _line_where(factor: str, index: int) -> _Where:
    label_id, label_en = _LINE_LABELS[factor]
    n = index + 1  # people count lines from 1, paths from 0
    return _Where(f"{factor}[{index}]", label_id.format(n=n), label_en.format(n=n))


def _field_where(factor: str, index: int, key: str) -> _Where:
    return _line_where(factor, index).child(key, *_FIELD_LABELS[key])


def _format_id(value: Decimal) -> str:
    """Format a whole number the Indonesian way: 1.000.000.000.000."""
    return f"{int(value):,}".replace(",", ".")


# ---------------------------------------------------------------------------------------------
# Rule sets
# ---------------------------------------------------------------------------------------------


def add_years(day: datetime.date, years: int) -> datetime.date:
    """``day`` moved by whole years; 29 February becomes 1 March in a common year.

    [A] With the day-inclusive convention (valid until the day before the anniversary, spec §6)
    a certificate issued on 29 February is then valid until 28 February.
    """
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return datetime.date(day.year + years, 3, 1)


_ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class CertifiedBand:
    """Credit of a material with its own TKDN certificate whose value ``v`` is in this band.

    The band holds ``v > above`` (or ``v >= above`` when ``inclusive``); bands are tried from the
    highest down, the first that holds gives ``credit``.
    """

    above: Decimal
    inclusive: bool
    credit: Decimal

    def holds(self, value: Decimal) -> bool:
        return value >= self.above if self.inclusive else value > self.above


@dataclass(frozen=True)
class RuleSet:
    """One effective-dated version of the TKDN-IK rules (spec §3 and §8): data, no behaviour
    beyond the date arithmetic that follows from its values.

    ``weights`` maps each of the set's factors (a sub-sequence of :data:`FACTORS`) to its
    composition, the maximum points that factor can contribute; their sum is ``maximum``.
    ``origin_credits`` says how much of a material line's cost counts as domestic for each origin;
    a ``certified`` line takes its credit from ``certified_bands`` when the set has bands (IK-2025)
    and from ``origin_credits`` otherwise (IK-2022 ignores the component's certificate).
    ``facility_credits`` is ``None`` when the set has no facility factor. ``extension_years`` 0
    means the certificate cannot be extended. ``provisional`` is the default; the operator
    confirms a set in the settings (``applications.rules``).
    """

    code: str
    legal_basis_short: str
    legal_basis: str
    in_force_from: datetime.date
    formula: str
    weights: Mapping[str, Decimal] = field(hash=False)
    threshold: Decimal
    maximum: Decimal
    validity_years: int
    extension_years: int
    max_extensions: int
    decision_working_days: int
    bar_years: int
    provisional: bool
    origin_credits: Mapping[str, Decimal] = field(hash=False)
    certified_bands: tuple[CertifiedBand, ...]
    facility_credits: Mapping[str, Decimal] | None = field(hash=False)
    max_small_industry_capital_rp: Decimal
    development_kinds: frozenset[str]
    max_amount_rp: Decimal = MAX_AMOUNT_RP
    max_quantity: Decimal = MAX_QUANTITY
    rupiah_decimal_places: int = RUPIAH_DECIMAL_PLACES
    quantity_decimal_places: int = QUANTITY_DECIMAL_PLACES
    #: [A] How many days before a certificate ends its holder may apply for its renewal (no
    #: source gives one; before that the product simply holds a valid certificate).
    renewal_window_days: int = 90

    def __post_init__(self) -> None:
        factors = tuple(self.weights)
        if not factors or tuple(f for f in FACTORS if f in factors) != factors:
            raise ValueError(f"RuleSet weights must be factors of {FACTORS}, in that order")
        if not {"materials", "labour"} <= set(factors):
            raise ValueError("RuleSet weights must include materials and labour")
        if sum(self.weights.values()) != self.maximum:
            raise ValueError("RuleSet weights must add up to its maximum")
        if set(self.origin_credits) != set(MATERIAL_ORIGINS):
            raise ValueError(
                f"RuleSet origin_credits must have exactly the keys {MATERIAL_ORIGINS}"
            )
        if ("facility" in factors) != (self.facility_credits is not None):
            raise ValueError("RuleSet facility_credits go with a facility weight, and only then")
        if self.facility_credits is not None and set(self.facility_credits) != set(FACILITIES):
            raise ValueError(f"RuleSet facility_credits must have exactly the keys {FACILITIES}")
        if (self.extension_years == 0) != (self.max_extensions == 0):
            raise ValueError("RuleSet extension_years and max_extensions are both 0 or both > 0")
        # A shared registry entry must not be mutable by whoever happens to hold it.
        for name in ("weights", "origin_credits", "facility_credits"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, MappingProxyType(dict(value)))

    def __reduce__(self) -> tuple[Any, ...]:
        # mappingproxy cannot be pickled or deep-copied; rebuild from plain dicts instead.
        values = {name: getattr(self, name) for name in self.__dataclass_fields__}
        for name in ("weights", "origin_credits", "facility_credits"):
            if values[name] is not None:
                values[name] = dict(values[name])
        return (_rebuild_rule_set, (values,))

    @property
    def identifier(self) -> str:
        """The code (older name, kept for callers that say ``identifier``)."""
        return self.code

    @property
    def factors(self) -> tuple[str, ...]:
        return tuple(self.weights)

    @property
    def uses_facility(self) -> bool:
        return self.facility_credits is not None

    @property
    def uses_origin(self) -> bool:
        """Whether material lines are judged by their four-way origin (IK-2025) rather than by
        the yes/no domestic flag (IK-2022)."""
        return bool(self.certified_bands)

    @property
    def development_counts(self) -> bool:
        return "development" in self.weights

    @property
    def extendable(self) -> bool:
        return self.max_extensions > 0

    def valid_until(self, issue_date: datetime.date) -> datetime.date:
        """The last day a certificate issued on ``issue_date`` is valid (spec §6).

        ``issue_date + validity_years − 1 day`` [A: day-inclusive]; 29 Feb → 28 Feb.
        """
        return add_years(issue_date, self.validity_years) - _ONE_DAY

    def extended_until(self, valid_until: datetime.date) -> datetime.date | None:
        """The last valid day after the extension of a certificate valid until ``valid_until``;
        ``None`` when the set allows no extension."""
        if not self.extendable:
            return None
        return add_years(valid_until + _ONE_DAY, self.extension_years) - _ONE_DAY

    def barred_until(self, revoked_on: datetime.date) -> datetime.date:
        """The first day a company whose certificate was revoked on ``revoked_on`` may apply
        again (spec §4: not for ``bar_years`` years)."""
        return add_years(revoked_on, self.bar_years)

    def material_credit(self, origin: str, component_tkdn_pct: Decimal | None) -> Fraction:
        """The share of a material line's cost that counts as domestic (0 to 1)."""
        if origin == "certified" and self.certified_bands:
            value = Decimal(component_tkdn_pct if component_tkdn_pct is not None else 0)
            for band in self.certified_bands:
                if band.holds(value):
                    return Fraction(band.credit)
            # Below every band: the lowest band's credit is the floor (spec §8: v < 25 → 0.25).
            return Fraction(self.certified_bands[-1].credit)
        return Fraction(self.origin_credits[origin])


def _rebuild_rule_set(values: dict[str, Any]) -> RuleSet:
    return RuleSet(**values)


def is_barred(barred_until: datetime.date | None, today: datetime.date) -> bool:
    """THE comparison of the bar after revocation: barred before ``barred_until``, free on it.

    Every caller (pre-submission checks, the admin, the owner's pages) uses this, so they agree
    on the anniversary day: a company revoked on 3 Dec 2026 may apply again on 3 Dec 2027.
    """
    return barred_until is not None and today < barred_until


#: IK-2022 judges materials by country of origin only: made in Indonesia counts in full
#: (with or without imported inputs, with or without a component certificate) (spec §3).
_IK_2022_ORIGIN_CREDITS = {
    "local": Decimal(1),
    "local_with_imports": Decimal(1),
    "imported": Decimal(0),
    "certified": Decimal(1),
}

IK_2022 = RuleSet(
    code="IK-2022",
    legal_basis_short="Permenperin 46/2022",
    legal_basis="Peraturan Menteri Perindustrian Nomor 46 Tahun 2022",
    # [A] The portal has no earlier rules: any date before 12 Dec 2025 uses IK-2022.
    in_force_from=datetime.date(2022, 12, 1),
    formula="24·s_M + 10·s_L + 4·s_O + 2·s_D",
    # Permenperin 46/2022: compositions are the maximum points per factor (spec §3).
    weights={
        "materials": Decimal(24),
        "labour": Decimal(10),
        "overhead": Decimal(4),
        "development": Decimal(2),
    },
    # Minimum for a certificate, as reported by Bisnis.com quoting the Minister (spec §3).
    threshold=Decimal("25.00"),
    maximum=Decimal("40.00"),
    validity_years=3,
    extension_years=2,
    max_extensions=1,
    decision_working_days=5,
    bar_years=1,
    renewal_window_days=90,  # [A]
    provisional=False,
    origin_credits=_IK_2022_ORIGIN_CREDITS,
    certified_bands=(),
    facility_credits=None,
    # Industri kecil: business capital excluding land and buildings (spec §4).
    max_small_industry_capital_rp=Decimal(5_000_000_000),
    development_kinds=DEVELOPMENT_KINDS,
)

IK_2025 = RuleSet(
    code="IK-2025",
    legal_basis_short="Permenperin 35/2025",
    legal_basis="Peraturan Menteri Perindustrian Nomor 35 Tahun 2025",
    # [A] Sources say 11 or 12 Dec 2025 (spec §8); the operator can re-date it in the settings.
    in_force_from=datetime.date(2025, 12, 12),
    formula="75·s_M + 10·s_L + 15·f",
    # The regulation's general goods formula applied to small industry (spec §8, provisional).
    weights={"materials": Decimal(75), "labour": Decimal(10), "facility": Decimal(15)},
    threshold=Decimal("25.00"),  # [A]
    maximum=Decimal("100.00"),
    validity_years=5,
    extension_years=0,  # no extension; one surveillance visit instead
    max_extensions=0,
    decision_working_days=3,
    bar_years=1,  # [A]
    renewal_window_days=90,  # [A]
    # The small-industry annex could not be read; an operator confirms the set in the settings.
    provisional=True,
    origin_credits={
        "local": Decimal(1),
        "local_with_imports": Decimal("0.25"),
        "imported": Decimal(0),
        "certified": Decimal("0.25"),  # not used: certified lines take their band
    },
    # [A: band edges] v > 80 → 1; 60 < v ≤ 80 → 0.80; 40 < v ≤ 60 → 0.60; 25 ≤ v ≤ 40 → 0.40;
    # v < 25 → 0.25 (spec §8).
    certified_bands=(
        CertifiedBand(Decimal(80), False, Decimal(1)),
        CertifiedBand(Decimal(60), False, Decimal("0.80")),
        CertifiedBand(Decimal(40), False, Decimal("0.60")),
        CertifiedBand(Decimal(25), True, Decimal("0.40")),
        CertifiedBand(Decimal(0), True, Decimal("0.25")),
    ),
    facility_credits={
        "own": Decimal(1),
        "other_company": Decimal("0.60"),
        "other_industry": Decimal("0.30"),
        "none": Decimal(0),
    },
    max_small_industry_capital_rp=Decimal(5_000_000_000),
    # Recorded and shown, but no points [A: the R&D addition needs the annex].
    development_kinds=DEVELOPMENT_KINDS,
)

#: Registry of rule sets by code, oldest first.
RULE_SETS: Mapping[str, RuleSet] = MappingProxyType(
    {rules.code: rules for rules in (IK_2022, IK_2025)}
)


def get_rule_set(code: str, registry: Mapping[str, RuleSet] | None = None) -> RuleSet:
    """Return the rule set ``code`` from ``registry`` (default :data:`RULE_SETS`).

    Raises :class:`CalculationError` with ``field="rule_set"`` for an unknown code.
    """
    registry = RULE_SETS if registry is None else registry
    try:
        return registry[code]
    except (KeyError, TypeError):
        available = ", ".join(sorted(registry))
        raise CalculationError(
            "rule_set",
            f"Aturan perhitungan (rule_set) {code!r} tidak dikenal; yang tersedia: {available}.",
            f"Unknown rule set (rule_set) {code!r}; available: {available}.",
        ) from None


def rule_set_for(day: datetime.date, registry: Mapping[str, RuleSet] | None = None) -> RuleSet:
    """The rule set in force on ``day`` (spec §8): the one with the latest ``in_force_from`` on
    or before ``day``; a day before every set gets the oldest set.

    An application is computed, decided, certified, extended and expires under the set in force
    on its submission date; drafts and the public calculator use today's set.
    """
    ordered = sorted(
        (RULE_SETS if registry is None else registry).values(),
        key=lambda rules: rules.in_force_from,
    )
    chosen = ordered[0]
    for rules in ordered:
        if rules.in_force_from <= day:
            chosen = rules
    return chosen


# ---------------------------------------------------------------------------------------------
# Input and result types
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MaterialLine:
    """A direct-material line: ``qty_per_unit`` × ``unit_price_rp`` Rupiah per unit of product.

    ``domestic`` means made in Indonesia (country of origin); an imported good bought from an
    Indonesian trader is foreign (spec §3). ``origin`` (one of :data:`MATERIAL_ORIGINS`, spec §8)
    says more; a line needs one of the two, and when it has both they must agree. With no
    ``origin`` the line counts as ``local`` when domestic and ``imported`` when not [A].
    ``component_tkdn_pct`` (0–100) goes with ``origin="certified"`` and only with it.
    """

    name: str
    qty_per_unit: Decimal
    unit_price_rp: Decimal
    domestic: bool | None = None
    origin: str | None = None
    component_tkdn_pct: Decimal | None = None

    @property
    def effective_origin(self) -> str:
        """The origin used by the calculation (after :func:`validate`)."""
        if self.origin is not None:
            return self.origin
        return "local" if self.domestic else "imported"

    @property
    def cost_rp(self) -> Decimal:
        """The exact line cost (not rounded to any context precision)."""
        return _exact_decimal(Fraction(self.qty_per_unit) * Fraction(self.unit_price_rp), 0)


@dataclass(frozen=True)
class LabourLine:
    """A direct-labour line; only WNI (Indonesian citizen) labour counts as domestic."""

    role: str
    cost_per_unit_rp: Decimal
    citizenship: str


@dataclass(frozen=True)
class OverheadLine:
    """A factory-overhead line (``kind`` in :data:`OVERHEAD_KINDS`); zero cost is allowed.

    Domestic when the tool is owned by the IK and water/electricity come from an Indonesian
    provider (spec §3).
    """

    kind: str
    cost_per_unit_rp: Decimal
    domestic: bool


@dataclass(frozen=True)
class CalculationInput:
    """Everything one calculation needs, per unit of one product variant (spec §3, §8).

    ``facility`` (one of :data:`FACILITIES`) is required by rule sets with a facility factor
    (IK-2025) and refused by the others; ``overhead`` is validated under every set but counts only
    where the set has an overhead factor; ``development`` is recorded under every set but earns
    points only where the set has a development factor.
    """

    materials: tuple[MaterialLine, ...]
    labour: tuple[LabourLine, ...]
    overhead: tuple[OverheadLine, ...] = ()
    development: frozenset[str] = frozenset()
    facility: str | None = None


@dataclass(frozen=True)
class FactorResult:
    """One factor's contribution.

    ``share`` is domestic/total (exact); ``points = weight × share`` (exact). Under IK-2025 a
    material line's cost counts by its origin credit, so ``domestic_rp`` is the credited Rupiah.
    ``development`` and ``facility`` are not cost-based: ``domestic_rp`` and ``total_rp`` are always
    ``0.00``; the development share is 1 when any evidence is claimed, else 0; the facility share
    is the facility's credit.
    """

    weight: Decimal
    domestic_rp: Decimal
    total_rp: Decimal
    share: Fraction
    points: Fraction

    @property
    def points_display(self) -> Decimal:
        """Points rounded for display (2 decimals, half-up); never summed."""
        return round_half_up(self.points)

    @property
    def missing_points(self) -> Fraction:
        """Points this factor could still gain (weight − points), exact."""
        return Fraction(self.weight) - self.points


@dataclass(frozen=True)
class CalculationResult:
    """The outcome of :func:`calculate`.

    ``exact`` is the unrounded sum of the factor points; ``tkdn_ik`` is it rounded to 2 decimals
    half-up; ``eligible`` compares the *rounded* value with ``threshold`` (spec §3). ``factors`` is
    keyed by the rule set's factors, in :data:`FACTORS` order. ``legal_basis`` is the set's short
    legal basis and ``provisional`` whether the set is still provisional (spec §8).
    """

    rule_set: str
    exact: Fraction
    tkdn_ik: Decimal
    eligible: bool
    threshold: Decimal
    maximum: Decimal
    factors: dict[str, FactorResult]
    legal_basis: str = ""
    provisional: bool = False

    @property
    def best_improvement(self) -> str | None:
        """The factor with the most missing points (first in factor order on a tie).

        ``None`` when nothing is missing, i.e. the result is at the maximum.
        """
        best: str | None = None
        best_missing = Fraction(0)
        for name, factor in self.factors.items():
            if factor.missing_points > best_missing:
                best, best_missing = name, factor.missing_points
        return best


# ---------------------------------------------------------------------------------------------
# Rounding and exact decimal conversion
# ---------------------------------------------------------------------------------------------


def _to_fraction(value: Fraction | Decimal | int) -> Fraction:
    if isinstance(value, Fraction):
        return value
    return Fraction(value)  # exact for Decimal and int; raises ValueError for NaN/Infinity


def _decimal_from_int(units: int, negative: bool, places: int) -> Decimal:
    """Build ``±units × 10^-places`` exactly, whatever the context precision."""
    digits = Decimal(units).as_tuple().digits
    return Decimal((1 if negative and units else 0, digits, -places))


def _round_fraction(value: Fraction, places: int) -> Decimal:
    """Round exactly to ``places`` decimals, ties away from zero (Decimal's ROUND_HALF_UP)."""
    scale = 10**places
    numerator = abs(value.numerator) * scale
    denominator = value.denominator
    # floor(x + 1/2) for x = numerator/denominator ≥ 0, in integers only.
    units = (2 * numerator + denominator) // (2 * denominator)
    return _decimal_from_int(units, value < 0, places)


def round_half_up(value: Fraction | Decimal | int) -> Decimal:
    """THE rounding rule of TKDN-IK: 2 decimals, ROUND_HALF_UP, computed exactly.

    [A] The official rounding is not published; certificates show 2 decimals (spec §3). Ties go
    away from zero, as ``decimal.ROUND_HALF_UP`` does, so 26.345 → 26.35 (banker's rounding would
    give 26.34). The result always has exactly 2 decimal places (``Decimal("25.00")``). Raises
    ``ValueError`` for NaN or Infinity.
    """
    return _round_fraction(_to_fraction(value), 2)


def _exact_decimal(value: Fraction, min_places: int = 2) -> Decimal:
    """Convert a Fraction whose denominator divides a power of ten to a Decimal, exactly.

    The result has the fewest decimal places that show the value exactly, but at least
    ``min_places`` (so Rupiah sums read ``15000.00``, and ``15000.1234`` keeps its digits).
    """
    denominator = value.denominator
    twos = fives = 0
    while denominator % 2 == 0:
        denominator //= 2
        twos += 1
    while denominator % 5 == 0:
        denominator //= 5
        fives += 1
    if denominator != 1:
        raise ValueError(f"{value} has no finite decimal representation")
    places = max(twos, fives, min_places)
    units = abs(value.numerator) * 10**places // value.denominator
    return _decimal_from_int(units, value < 0, places)


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------


def _decimal_places(value: Decimal) -> int:
    """Decimal places needed to write a finite ``value`` exactly (trailing zeros ignored).

    Works on the digit tuple, never through a context, so ``1E-999999999`` costs nothing and
    a 40-digit value is not silently rounded.
    """
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite
    if exponent >= 0:
        return 0
    trailing_zeros = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return max(0, -(exponent + min(trailing_zeros, -exponent)))


def _check_amount(
    value: object,
    where: _Where,
    *,
    allow_zero: bool,
    maximum: Decimal,
    places: int,
) -> None:
    """Check one amount: a finite, non-negative Decimal/int, > 0 unless allowed, ≤ maximum,
    with at most ``places`` decimals."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise where.error("harus berupa angka", "must be a number")
    number = Decimal(value)
    if not number.is_finite():
        raise where.error(
            "harus berupa angka terhingga (NaN atau Infinity tidak diperbolehkan)",
            "must be a finite number (NaN or Infinity is not allowed)",
        )
    if number < 0:
        raise where.error("tidak boleh negatif", "must not be negative")
    if number == 0 and not allow_zero:
        raise where.error("harus lebih besar dari 0", "must be greater than 0")
    if number > maximum:
        raise where.error(
            f"tidak boleh lebih dari {_format_id(maximum)}",
            f"must not be more than {int(maximum):,}",
        )
    if _decimal_places(number) > places:
        raise where.error(
            f"paling banyak {places} angka di belakang koma",
            f"must have at most {places} decimal places",
        )


def _check_text(value: object, where: _Where) -> None:
    if not isinstance(value, str):
        raise where.error("harus berupa teks", "must be text")
    if not value.strip():
        raise where.error("wajib diisi", "is required")
    if len(value) > MAX_TEXT_LENGTH:
        raise where.error(
            f"paling banyak {MAX_TEXT_LENGTH} karakter",
            f"must be at most {MAX_TEXT_LENGTH} characters",
        )


def _check_bool(value: object, where: _Where) -> None:
    if not isinstance(value, bool):
        raise where.error("harus bernilai true atau false", "must be true or false")


def _check_choice(value: object, choices: Iterable[str], where: _Where) -> None:
    allowed = tuple(choices)
    if not isinstance(value, str) or value not in allowed:
        listed = ", ".join(allowed)
        raise where.error(f"harus salah satu dari: {listed}", f"must be one of: {listed}")


def _check_lines(lines: object, factor: str, line_type: type, *, required: bool) -> None:
    where = _list_where(factor)
    if not isinstance(lines, (tuple, list)):
        raise where.error("harus berupa daftar", "must be a list")
    if required and not lines:
        # Spec §3: M and L must each have at least one line (their totals are divisors).
        raise where.error("isi minimal 1 baris", "must have at least 1 line")
    for index, line in enumerate(lines):
        if not isinstance(line, line_type):
            raise _line_where(factor, index).error(
                f"harus berupa {line_type.__name__}", f"must be a {line_type.__name__}"
            )


def validate(inp: CalculationInput, rule_set: RuleSet) -> None:
    """Check ``inp`` against the rules of spec §3 and the limits of ``rule_set``.

    Returns ``None`` when the input can be calculated; otherwise raises :class:`CalculationError`
    for the first problem found (in the order materials, labour, overhead, development). After
    this passes, material and labour totals are > 0, so no share divides by zero.
    """
    if not isinstance(inp, CalculationInput):
        raise _TOP.error("harus berupa CalculationInput", "must be a CalculationInput")
    money = {"maximum": rule_set.max_amount_rp, "places": rule_set.rupiah_decimal_places}

    _check_lines(inp.materials, "materials", MaterialLine, required=True)
    for i, material in enumerate(inp.materials):
        _check_text(material.name, _field_where("materials", i, "name"))
        _check_amount(
            material.qty_per_unit,
            _field_where("materials", i, "qty_per_unit"),
            allow_zero=False,
            maximum=rule_set.max_quantity,
            places=rule_set.quantity_decimal_places,
        )
        _check_amount(
            material.unit_price_rp,
            _field_where("materials", i, "unit_price_rp"),
            allow_zero=False,
            **money,
        )
        _check_material_origin(material, i)

    _check_lines(inp.labour, "labour", LabourLine, required=True)
    for i, labour in enumerate(inp.labour):
        _check_text(labour.role, _field_where("labour", i, "role"))
        _check_amount(
            labour.cost_per_unit_rp,
            _field_where("labour", i, "cost_per_unit_rp"),
            allow_zero=False,
            **money,
        )
        _check_choice(labour.citizenship, CITIZENSHIPS, _field_where("labour", i, "citizenship"))

    _check_lines(inp.overhead, "overhead", OverheadLine, required=False)
    for i, overhead in enumerate(inp.overhead):
        _check_choice(overhead.kind, OVERHEAD_KINDS, _field_where("overhead", i, "kind"))
        # Overhead may be zero (e.g. no electricity used); the factor then gives no points.
        _check_amount(
            overhead.cost_per_unit_rp,
            _field_where("overhead", i, "cost_per_unit_rp"),
            allow_zero=True,
            **money,
        )
        _check_bool(overhead.domestic, _field_where("overhead", i, "domestic"))

    where = _list_where("development")
    if not isinstance(inp.development, (frozenset, set)):
        raise where.error("harus berupa himpunan", "must be a set")
    kinds = sorted(rule_set.development_kinds)
    for item in sorted(inp.development, key=repr):
        _check_choice(item, kinds, where)

    _check_facility(inp.facility, rule_set)


_FACILITY_WHERE = _Where(
    "facility", "Fasilitas produksi (facility)", "Production facility (facility)"
)
#: Largest component TKDN value, in percent.
_MAX_PERCENT = Decimal(100)


def _check_material_origin(material: MaterialLine, index: int) -> None:
    """A material line says where it comes from by ``origin`` or ``domestic`` (spec §8)."""
    origin_where = _field_where("materials", index, "origin")
    if material.origin is None:
        _check_bool(material.domestic, _field_where("materials", index, "domestic"))
    else:
        _check_choice(material.origin, MATERIAL_ORIGINS, origin_where)
        if material.domestic is not None:
            _check_bool(material.domestic, _field_where("materials", index, "domestic"))
            if material.domestic != (material.origin != "imported"):
                raise origin_where.error(
                    "tidak cocok dengan domestic (imported berarti domestic false, "
                    "asal lain berarti domestic true)",
                    "does not agree with domestic (imported means domestic false, "
                    "any other origin means domestic true)",
                )
    pct_where = _field_where("materials", index, "component_tkdn_pct")
    if material.effective_origin == "certified":
        if material.component_tkdn_pct is None:
            raise pct_where.error(
                "wajib diisi untuk bahan yang memiliki sertifikat TKDN (certified)",
                "is required for a material with its own TKDN certificate (certified)",
            )
        _check_amount(
            material.component_tkdn_pct, pct_where, allow_zero=True, maximum=_MAX_PERCENT, places=2
        )
    elif material.component_tkdn_pct is not None:
        raise pct_where.error(
            "hanya diisi untuk bahan yang memiliki sertifikat TKDN (origin certified)",
            "is only given for a material with its own TKDN certificate (origin certified)",
        )


def _check_facility(facility: object, rule_set: RuleSet) -> None:
    if rule_set.uses_facility:
        if facility is None:
            raise _FACILITY_WHERE.error(
                f"wajib diisi pada aturan {rule_set.code}", f"is required under {rule_set.code}"
            )
        _check_choice(facility, FACILITIES, _FACILITY_WHERE)
    elif facility is not None:
        raise _FACILITY_WHERE.error(
            f"tidak dipakai pada aturan {rule_set.code}; kosongkan",
            f"is not used under {rule_set.code}; leave it out",
        )


# ---------------------------------------------------------------------------------------------
# Calculation
# ---------------------------------------------------------------------------------------------


def _factor(weight: Decimal, domestic: Fraction, total: Fraction) -> FactorResult:
    # Spec §3: a factor whose total is 0 (only possible for overhead) has share 0.
    share = domestic / total if total else Fraction(0)
    return FactorResult(
        weight=weight,
        domestic_rp=_exact_decimal(domestic),
        total_rp=_exact_decimal(total),
        share=share,
        points=Fraction(weight) * share,
    )


def _not_cost_based(weight: Decimal, share: Fraction) -> FactorResult:
    zero = _exact_decimal(Fraction(0))
    return FactorResult(
        weight=weight, domestic_rp=zero, total_rp=zero, share=share, points=Fraction(weight) * share
    )


def _resolve(
    rule_set: str | RuleSet | None, registry: Mapping[str, RuleSet] | None = None
) -> RuleSet:
    """A rule set object, its code, or ``None`` for the set in force today."""
    if isinstance(rule_set, RuleSet):
        return rule_set
    if rule_set is None:
        return rule_set_for(datetime.date.today(), registry)
    return get_rule_set(rule_set, registry)


def calculate(inp: CalculationInput, rule_set: str | RuleSet | None = None) -> CalculationResult:
    """Validate ``inp`` and compute its TKDN-IK under ``rule_set`` (default: the set in force
    today, :func:`rule_set_for`).

    The value is Σ weight × share over the set's factors: IK-2022 24·s_M + 10·s_L + 4·s_O + 2·s_D
    (spec §3), IK-2025 75·s_M + 10·s_L + 15·f (spec §8), with exact rational shares; only the
    final sum is rounded (:func:`round_half_up`). Shares are cost-weighted [A]: the published
    summaries describe each factor as all-or-nothing, which cost weighting reproduces for pure
    cases. A material line's cost counts by its origin's credit (IK-2022: made in Indonesia 1,
    imported 0; IK-2025: credits and certified bands of §8). Raises :class:`CalculationError` for
    invalid input or an unknown rule set.
    """
    rules = _resolve(rule_set)
    validate(inp, rules)
    weights = rules.weights

    def split(costs: list[tuple[Fraction, Fraction]]) -> tuple[Fraction, Fraction]:
        domestic = sum((cost * credit for cost, credit in costs), Fraction(0))
        total = sum((cost for cost, _ in costs), Fraction(0))
        return domestic, total

    one, zero = Fraction(1), Fraction(0)
    costs = {
        "materials": [
            (
                Fraction(m.qty_per_unit) * Fraction(m.unit_price_rp),
                rules.material_credit(m.effective_origin, m.component_tkdn_pct),
            )
            for m in inp.materials
        ],
        "labour": [
            (Fraction(x.cost_per_unit_rp), one if x.citizenship == "WNI" else zero)
            for x in inp.labour
        ],
        "overhead": [
            (Fraction(o.cost_per_unit_rp), one if o.domestic else zero) for o in inp.overhead
        ],
    }
    factors: dict[str, FactorResult] = {}
    for name, weight in weights.items():
        if name == "development":
            # Development is evidence-based, not cost-based: all or nothing (spec §3).
            factors[name] = _not_cost_based(weight, Fraction(int(bool(inp.development))))
        elif name == "facility":
            assert rules.facility_credits is not None and inp.facility is not None  # validated
            factors[name] = _not_cost_based(weight, Fraction(rules.facility_credits[inp.facility]))
        else:
            factors[name] = _factor(weight, *split(costs[name]))
    exact = sum((factor.points for factor in factors.values()), Fraction(0))
    tkdn_ik = round_half_up(exact)
    return CalculationResult(
        rule_set=rules.code,
        exact=exact,
        tkdn_ik=tkdn_ik,
        # Spec §3: the threshold applies to the rounded value, as printed on the certificate.
        eligible=tkdn_ik >= rules.threshold,
        threshold=rules.threshold,
        maximum=rules.maximum,
        factors=factors,
        legal_basis=rules.legal_basis_short,
        provisional=rules.provisional,
    )


# ---------------------------------------------------------------------------------------------
# JSON contract
# ---------------------------------------------------------------------------------------------

# A plain decimal number: ASCII digits only (Decimal() would also accept "1_000" and Arabic-Indic
# digits, which are not part of the contract).
_NUMBER_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
# Spelled non-finite values are parsed so that validate() can reject them with a clear message.
_NON_FINITE_RE = re.compile(r"[+-]?(?:nan|snan|inf|infinity)", re.IGNORECASE)

_LINE_KEYS: dict[str, tuple[str, ...]] = {
    "materials": (
        "name",
        "qty_per_unit",
        "unit_price_rp",
        "domestic",
        "origin",
        "component_tkdn_pct",
    ),
    "labour": ("role", "cost_per_unit_rp", "citizenship"),
    "overhead": ("kind", "cost_per_unit_rp", "domestic"),
}
#: Keys a line may leave out (a material line needs ``domestic`` or ``origin``: checked later).
_OPTIONAL_LINE_KEYS = frozenset({"domestic", "origin", "component_tkdn_pct"})
_TOP_KEYS = ("rule_set", "materials", "labour", "overhead", "development", "facility")


def _parse_number(value: object, where: _Where) -> Decimal:
    """Turn a JSON number or numeric string into a Decimal; range checks are left to validate()."""
    if isinstance(value, bool):
        # bool is an int subclass in Python; true/false are never amounts.
        raise where.error(
            "harus berupa angka, bukan true/false", "must be a number, not true/false"
        )
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # Only reached when the caller decoded JSON without parse_float=Decimal; repr() is the
        # shortest string that round-trips, i.e. the number as it was written.
        return Decimal(repr(value))
    if isinstance(value, str):
        text = value.strip()
        if _NUMBER_RE.fullmatch(text) or _NON_FINITE_RE.fullmatch(text):
            try:
                return Decimal(text)
            except InvalidOperation:
                # An exponent beyond what Decimal can hold, e.g. "1e99999999999999999999".
                raise where.error("angka di luar jangkauan", "number is out of range") from None
    raise where.error("harus berupa angka", "must be a number")


def _parse_text(value: object, where: _Where) -> str:
    if not isinstance(value, str):
        raise where.error("harus berupa teks", "must be text")
    return value.strip()


def _parse_bool(value: object, where: _Where) -> bool:
    _check_bool(value, where)
    return bool(value)


def _parse_choice(value: object, where: _Where) -> str:
    if not isinstance(value, str):
        raise where.error("harus berupa teks", "must be text")
    return value.strip()


def _parse_optional(line: Mapping[str, object], key: str, parse: Any, where: _Where) -> Any:
    """Parse ``line[key]`` with ``parse``; a missing key or JSON null gives ``None``."""
    value = line.get(key)
    return None if value is None else parse(value, where)


def _check_keys(obj: Mapping[str, object], allowed: tuple[str, ...], where: _Where) -> None:
    for key in obj:
        if key not in allowed:
            path = f"{where.path}.{key}" if where.path else str(key)
            listed = ", ".join(allowed)
            raise CalculationError(
                path,
                f"{where.label_id}: kolom {key!r} tidak dikenal (yang diizinkan: {listed}).",
                f"{where.label_en}: unknown field {key!r} (allowed: {listed}).",
            )


def _parse_lines(data: Mapping[str, object], factor: str, *, required: bool) -> list[dict]:
    """Return the raw line objects of one list, checking their shape and keys."""
    where = _list_where(factor)
    if factor not in data or data[factor] is None:
        if required:
            raise where.error("wajib diisi", "is required")
        return []
    lines = data[factor]
    if not isinstance(lines, list):
        raise where.error("harus berupa daftar (array)", "must be a list (array)")
    keys = _LINE_KEYS[factor]
    for index, line in enumerate(lines):
        line_where = _line_where(factor, index)
        if not isinstance(line, dict):
            raise line_where.error("harus berupa objek", "must be an object")
        _check_keys(line, keys, line_where)
        for key in keys:
            if key not in line and not (factor == "materials" and key in _OPTIONAL_LINE_KEYS):
                raise _field_where(factor, index, key).error("wajib diisi", "is required")
        if factor == "materials" and line.get("domestic") is None and line.get("origin") is None:
            raise _field_where(factor, index, "origin").error(
                "wajib diisi (origin: local, local_with_imports, imported, certified; "
                "atau domestic: true/false)",
                "is required (origin: local, local_with_imports, imported, certified; "
                "or domestic: true/false)",
            )
    return lines


def parse_input(
    data: object,
    default_rule_set: str | RuleSet | None = None,
    registry: Mapping[str, RuleSet] | None = None,
) -> tuple[CalculationInput, RuleSet]:
    """Turn decoded JSON (the contract in the module docs) into a validated input and rule set.

    Amounts may be JSON numbers or numeric strings (decode with ``parse_float=Decimal`` to keep
    them exact); booleans are never amounts; ``domestic`` must be a JSON boolean; unknown keys are
    rejected. ``rule_set`` in the data (a code looked up in ``registry``, default
    :data:`RULE_SETS`) overrides ``default_rule_set`` (default: the set in force today). The result
    has passed :func:`validate`; any problem raises :class:`CalculationError` with a field path.
    """
    if not isinstance(data, dict):
        raise _TOP.error("harus berupa objek JSON", "must be a JSON object")
    _check_keys(data, _TOP_KEYS, _TOP)

    identifier = data.get("rule_set")
    if identifier is None:
        rule_set = _resolve(default_rule_set, registry)
    elif not isinstance(identifier, str):
        raise CalculationError(
            "rule_set",
            "Aturan perhitungan (rule_set) harus berupa teks.",
            "Rule set (rule_set) must be text.",
        )
    else:
        rule_set = get_rule_set(identifier.strip(), registry)

    materials = tuple(
        MaterialLine(
            name=_parse_text(line["name"], _field_where("materials", i, "name")),
            qty_per_unit=_parse_number(
                line["qty_per_unit"], _field_where("materials", i, "qty_per_unit")
            ),
            unit_price_rp=_parse_number(
                line["unit_price_rp"], _field_where("materials", i, "unit_price_rp")
            ),
            domestic=_parse_optional(
                line, "domestic", _parse_bool, _field_where("materials", i, "domestic")
            ),
            origin=_parse_optional(
                line, "origin", _parse_choice, _field_where("materials", i, "origin")
            ),
            component_tkdn_pct=_parse_optional(
                line,
                "component_tkdn_pct",
                _parse_number,
                _field_where("materials", i, "component_tkdn_pct"),
            ),
        )
        for i, line in enumerate(_parse_lines(data, "materials", required=True))
    )
    labour = tuple(
        LabourLine(
            role=_parse_text(line["role"], _field_where("labour", i, "role")),
            cost_per_unit_rp=_parse_number(
                line["cost_per_unit_rp"], _field_where("labour", i, "cost_per_unit_rp")
            ),
            citizenship=_parse_choice(
                line["citizenship"], _field_where("labour", i, "citizenship")
            ),
        )
        for i, line in enumerate(_parse_lines(data, "labour", required=True))
    )
    overhead = tuple(
        OverheadLine(
            kind=_parse_choice(line["kind"], _field_where("overhead", i, "kind")),
            cost_per_unit_rp=_parse_number(
                line["cost_per_unit_rp"], _field_where("overhead", i, "cost_per_unit_rp")
            ),
            domestic=_parse_bool(line["domestic"], _field_where("overhead", i, "domestic")),
        )
        for i, line in enumerate(_parse_lines(data, "overhead", required=False))
    )

    development_data = data.get("development")
    if development_data is None:
        development_data = []
    if not isinstance(development_data, list):
        raise _list_where("development").error(
            "harus berupa daftar (array)", "must be a list (array)"
        )
    kinds = sorted(rule_set.development_kinds)
    for i, item in enumerate(development_data):
        _check_choice(item, kinds, _line_where("development", i))
    facility = data.get("facility")
    if facility is not None:
        facility = _parse_choice(facility, _FACILITY_WHERE)
    # Claiming the same evidence twice is harmless: it is a set.
    inp = CalculationInput(
        materials, labour, overhead, frozenset(development_data), facility=facility
    )

    validate(inp, rule_set)
    return inp, rule_set


def result_to_dict(result: CalculationResult) -> dict[str, Any]:
    """Render a result as the JSON contract; every number is a string, so nothing turns into float.

    ``tkdn_ik``, ``threshold``, ``maximum`` and each factor's ``points`` have 2 decimals (points
    are display values; the total was computed from exact values). ``share`` has 4 decimals, also
    half-up. ``domestic_rp``/``total_rp`` are exact with at least 2 decimals; for ``development``
    and ``facility`` they are ``"0.00"`` because those factors are not cost-based. The output
    names the rule set used, its short legal basis and whether it is provisional.
    """
    return {
        "rule_set": result.rule_set,
        "legal_basis": result.legal_basis,
        "provisional": result.provisional,
        "tkdn_ik": str(result.tkdn_ik),
        "eligible": result.eligible,
        "threshold": str(round_half_up(result.threshold)),
        "maximum": str(round_half_up(result.maximum)),
        "factors": {
            name: {
                "weight": str(factor.weight),
                "domestic_rp": str(factor.domestic_rp),
                "total_rp": str(factor.total_rp),
                "share": str(_round_fraction(factor.share, _SHARE_DISPLAY_PLACES)),
                "points": str(factor.points_display),
            }
            for name, factor in result.factors.items()
        },
        "best_improvement": result.best_improvement,
    }
