"""IK-2025 (Permenperin 35/2025, spec §8) and the effective dating of rule sets; pure, no Django."""

import dataclasses
import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from applications.calculation import (
    FACILITIES,
    MATERIAL_ORIGINS,
    RULE_SETS,
    CalculationError,
    CalculationInput,
    LabourLine,
    MaterialLine,
    OverheadLine,
    add_years,
    calculate,
    get_rule_set,
    is_barred,
    parse_input,
    result_to_dict,
    round_half_up,
    rule_set_for,
)

FAST = settings(max_examples=150, deadline=None)
IK_2022 = get_rule_set("IK-2022")
IK_2025 = get_rule_set("IK-2025")


def batik(rule_set: str = "IK-2025") -> dict[str, Any]:
    """The worked example of spec §8: batik cloth made in the owner's own workshop."""
    return {
        "rule_set": rule_set,
        "facility": "own",
        "materials": [
            {
                "name": "Kain mori",
                "qty_per_unit": "2.5",
                "unit_price_rp": "18000",
                "origin": "local",
            },
            {
                "name": "Malam",
                "qty_per_unit": "0.25",
                "unit_price_rp": "40000",
                "origin": "local_with_imports",
            },
            {
                "name": "Pewarna",
                "qty_per_unit": "0.1",
                "unit_price_rp": "250000",
                "origin": "imported",
            },
        ],
        "labour": [{"role": "Pembatik", "cost_per_unit_rp": "35000", "citizenship": "WNI"}],
    }


# --- Worked examples -------------------------------------------------------------------------


def test_spec_8_worked_example_under_ik_2025() -> None:
    result = calculate(*parse_input(batik()))
    # s_M = (45,000 + 0.25 × 10,000) / 80,000 = 0.59375 → 44.53125; + 10 + 15 = 69.53125.
    assert result.factors["materials"].share == Fraction(59375, 100000)
    assert result.factors["materials"].points == Fraction("44.53125")
    assert result.exact == Fraction("69.53125")
    assert result.tkdn_ik == Decimal("69.53")
    assert result.eligible
    assert list(result.factors) == ["materials", "labour", "facility"]
    assert (result.rule_set, result.legal_basis, result.provisional) == (
        "IK-2025",
        "Permenperin 35/2025",
        True,
    )
    assert result.maximum == Decimal("100.00")


def test_spec_8_same_product_under_ik_2022() -> None:
    # Dye foreign, the others domestic, overhead domestic, HKI: 24 × 55,000/80,000 + 10 + 4 + 2.
    data = batik("IK-2022")
    del data["facility"]
    for line in data["materials"]:
        line["domestic"] = line.pop("origin") != "imported"
    data["overhead"] = [{"kind": "listrik", "cost_per_unit_rp": "1000", "domestic": True}]
    data["development"] = ["HKI"]
    result = calculate(*parse_input(data))
    assert result.tkdn_ik == Decimal("32.50")
    assert result.legal_basis == "Permenperin 46/2022"
    assert not result.provisional


def test_ik_2022_reads_origin_as_country_of_origin() -> None:
    # Under IK-2022 anything made in Indonesia is domestic: the same input as the §8 example
    # with origins gives 24 × 55,000/80,000 + 10 = 26.50 (no overhead, no development).
    data = batik("IK-2022")
    del data["facility"]
    assert calculate(*parse_input(data)).tkdn_ik == Decimal("26.50")


@pytest.mark.parametrize(
    ("facility", "points"),
    [("own", "15.00"), ("other_company", "9.00"), ("other_industry", "4.50"), ("none", "0.00")],
)
def test_facility_credits(facility: str, points: str) -> None:
    data = dict(batik(), facility=facility)
    result = calculate(*parse_input(data))
    assert str(result.factors["facility"].points_display) == points


@pytest.mark.parametrize(
    ("pct", "credit"),
    [
        ("100", "1"),
        ("80.01", "1"),
        ("80", "0.80"),
        ("60.01", "0.80"),
        ("60", "0.60"),
        ("40.01", "0.60"),
        ("40", "0.40"),
        ("25", "0.40"),
        ("24.99", "0.25"),
        ("0", "0.25"),
    ],
)
def test_certified_component_band_edges(pct: str, credit: str) -> None:
    data = batik()
    data["materials"] = [
        {
            "name": "Komponen",
            "qty_per_unit": "1",
            "unit_price_rp": "10000",
            "origin": "certified",
            "component_tkdn_pct": pct,
        }
    ]
    result = calculate(*parse_input(data))
    assert result.factors["materials"].share == Fraction(Decimal(credit))
    assert result.factors["materials"].points == 75 * Fraction(Decimal(credit))


def test_ik_2025_development_is_recorded_but_adds_no_points() -> None:
    with_evidence = calculate(*parse_input(dict(batik(), development=["HKI", "HALAL"])))
    assert with_evidence.exact == calculate(*parse_input(batik())).exact
    assert "development" not in with_evidence.factors


def test_ik_2025_overhead_is_validated_but_does_not_count() -> None:
    data = dict(
        batik(), overhead=[{"kind": "listrik", "cost_per_unit_rp": "5000", "domestic": False}]
    )
    assert calculate(*parse_input(data)).exact == Fraction("69.53125")
    data["overhead"][0]["cost_per_unit_rp"] = "-1"
    with pytest.raises(CalculationError) as raised:
        parse_input(data)
    assert raised.value.field == "overhead[0].cost_per_unit_rp"


def test_result_to_dict_names_the_rule_set() -> None:
    output = result_to_dict(calculate(*parse_input(batik())))
    assert output["rule_set"] == "IK-2025"
    assert output["legal_basis"] == "Permenperin 35/2025"
    assert output["provisional"] is True
    assert output["maximum"] == "100.00"
    assert output["factors"]["facility"] == {
        "weight": "15",
        "domestic_rp": "0.00",
        "total_rp": "0.00",
        "share": "1.0000",
        "points": "15.00",
    }
    # Credited Rupiah: 45,000 + 0.25 × 10,000.
    assert output["factors"]["materials"]["domestic_rp"] == "47500.00"


# --- Validation of IK-2025 input ---------------------------------------------------------------


def _material(data: dict[str, Any], **changes: Any) -> dict[str, Any]:
    data["materials"][0].update(changes)
    return data


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        (_material(batik(), origin="certified"), "materials[0].component_tkdn_pct", "wajib"),
        (
            _material(batik(), origin="certified", component_tkdn_pct="100.01"),
            "materials[0].component_tkdn_pct",
            "100",
        ),
        (
            _material(batik(), origin="certified", component_tkdn_pct="-1"),
            "materials[0].component_tkdn_pct",
            "negatif",
        ),
        (
            _material(batik(), origin="certified", component_tkdn_pct="50.123"),
            "materials[0].component_tkdn_pct",
            "2 angka",
        ),
        (
            _material(batik(), component_tkdn_pct="50"),
            "materials[0].component_tkdn_pct",
            "certified",
        ),
        (_material(batik(), origin="lokal"), "materials[0].origin", "local_with_imports"),
        (_material(batik(), origin=5), "materials[0].origin", "teks"),
        (_material(batik(), domestic=False), "materials[0].origin", "tidak cocok"),
        (dict(batik(), facility="rumah"), "facility", "other_company"),
        ({k: v for k, v in batik().items() if k != "facility"}, "facility", "wajib"),
        (dict(batik(), rule_set="IK-2030"), "rule_set", "IK-2030"),
        (dict(batik(), rule_set=2025), "rule_set", "teks"),
        (dict(batik("IK-2022"), facility="own"), "facility", "IK-2022"),
    ],
)
def test_bad_ik_2025_input_is_refused_naming_the_field(
    data: dict[str, Any], field: str, words: str
) -> None:
    with pytest.raises(CalculationError) as raised:
        parse_input(data)
    assert raised.value.field == field
    assert words in raised.value.message_id
    assert raised.value.message_en


def test_unknown_rule_set_lists_the_known_ones() -> None:
    with pytest.raises(CalculationError) as raised:
        parse_input(dict(batik(), rule_set="IK-2030"))
    assert "IK-2022" in raised.value.message_id and "IK-2025" in raised.value.message_id
    assert "rule_set" in raised.value.message_en


# --- Rule-set data and dates -------------------------------------------------------------------


def test_rule_set_values_as_the_spec_says() -> None:
    assert IK_2025.weights == {
        "materials": Decimal(75),
        "labour": Decimal(10),
        "facility": Decimal(15),
    }
    assert (IK_2025.maximum, IK_2025.threshold) == (Decimal("100.00"), Decimal("25.00"))
    assert (
        IK_2025.validity_years,
        IK_2025.extendable,
        IK_2025.extended_until(IK_2025.valid_until(datetime.date(2026, 1, 5))),
    ) == (5, False, None)
    assert (IK_2022.validity_years, IK_2022.extension_years, IK_2022.max_extensions) == (3, 2, 1)
    assert (IK_2022.decision_working_days, IK_2025.decision_working_days) == (5, 3)
    assert IK_2022.bar_years == IK_2025.bar_years == 1
    assert IK_2025.provisional and not IK_2022.provisional
    assert IK_2022.legal_basis == "Peraturan Menteri Perindustrian Nomor 46 Tahun 2022"
    assert IK_2025.legal_basis == "Peraturan Menteri Perindustrian Nomor 35 Tahun 2025"
    assert IK_2025.in_force_from == datetime.date(2025, 12, 12)
    assert list(RULE_SETS) == ["IK-2022", "IK-2025"]


@pytest.mark.parametrize(
    ("day", "code"),
    [
        (datetime.date(2020, 1, 1), "IK-2022"),  # before every set: the oldest
        (datetime.date(2025, 12, 11), "IK-2022"),
        (datetime.date(2025, 12, 12), "IK-2025"),
        (datetime.date(2026, 12, 3), "IK-2025"),
    ],
)
def test_rule_set_for_a_submission_date(day: datetime.date, code: str) -> None:
    assert rule_set_for(day).code == code


def test_rule_set_for_uses_a_re_dated_registry() -> None:
    registry = {
        "IK-2022": IK_2022,
        "IK-2025": dataclasses.replace(IK_2025, in_force_from=datetime.date(2025, 12, 11)),
    }
    assert rule_set_for(datetime.date(2025, 12, 11), registry).code == "IK-2025"


@pytest.mark.parametrize(
    ("issued", "ik_2022", "ik_2025"),
    [
        (datetime.date(2026, 1, 5), datetime.date(2029, 1, 4), datetime.date(2031, 1, 4)),
        # 29 Feb + N years is 1 Mar in a common year, so valid until 28 Feb [A].
        (datetime.date(2028, 2, 29), datetime.date(2031, 2, 28), datetime.date(2033, 2, 28)),
        (datetime.date(2024, 3, 1), datetime.date(2027, 2, 28), datetime.date(2029, 2, 28)),
    ],
)
def test_valid_until_is_one_function_for_every_set(
    issued: datetime.date, ik_2022: datetime.date, ik_2025: datetime.date
) -> None:
    assert IK_2022.valid_until(issued) == ik_2022
    assert IK_2025.valid_until(issued) == ik_2025


def test_extension_adds_two_years_to_ik_2022_only() -> None:
    assert IK_2022.extended_until(datetime.date(2029, 1, 4)) == datetime.date(2031, 1, 4)
    assert IK_2022.extended_until(datetime.date(2031, 2, 28)) == datetime.date(2033, 2, 28)
    assert IK_2025.extended_until(datetime.date(2031, 1, 4)) is None


def test_bar_after_revocation_ends_on_the_anniversary() -> None:
    revoked = datetime.date(2026, 12, 3)
    until = IK_2025.barred_until(revoked)
    assert until == datetime.date(2027, 12, 3)
    assert is_barred(until, datetime.date(2027, 12, 2))
    assert not is_barred(until, datetime.date(2027, 12, 3))
    assert not is_barred(None, revoked)
    assert (
        IK_2022.barred_until(datetime.date(2028, 2, 29))
        == add_years(datetime.date(2028, 2, 29), 1)
        == datetime.date(2029, 3, 1)
    )


# --- Properties ----------------------------------------------------------------------------------

rupiah = st.integers(1, 10**9).map(lambda cents: Decimal(cents).scaleb(-2))
quantity = st.integers(1, 10**6).map(lambda units: Decimal(units).scaleb(-4))
percent = st.integers(0, 10000).map(lambda hundredths: Decimal(hundredths).scaleb(-2))


@st.composite
def material_line(draw: st.DrawFn) -> MaterialLine:
    origin = draw(st.sampled_from(MATERIAL_ORIGINS))
    return MaterialLine(
        "bahan",
        draw(quantity),
        draw(rupiah),
        origin=origin,
        component_tkdn_pct=draw(percent) if origin == "certified" else None,
    )


ik_2025_inputs = st.builds(
    CalculationInput,
    st.lists(material_line(), min_size=1, max_size=6).map(tuple),
    st.lists(
        st.builds(LabourLine, st.just("pekerja"), rupiah, st.sampled_from(["WNI", "WNA"])),
        min_size=1,
        max_size=5,
    ).map(tuple),
    st.lists(
        st.builds(OverheadLine, st.sampled_from(["air", "listrik"]), rupiah, st.booleans()),
        max_size=3,
    ).map(tuple),
    st.frozensets(st.sampled_from(["HKI", "SNI", "HALAL"])),
    st.sampled_from(FACILITIES),
)


def reference_ik_2025(inp: CalculationInput) -> Fraction:
    """A literal transcription of spec §8, independent of the engine's tables."""

    def credit(m: MaterialLine) -> Fraction:
        if m.origin == "certified":
            v = m.component_tkdn_pct
            assert v is not None
            if v > 80:
                return Fraction(1)
            if v > 60:
                return Fraction(8, 10)
            if v > 40:
                return Fraction(6, 10)
            if v >= 25:
                return Fraction(4, 10)
            return Fraction(1, 4)
        return {
            "local": Fraction(1),
            "local_with_imports": Fraction(1, 4),
            "imported": Fraction(0),
        }[m.origin or ""]

    costs = [Fraction(m.qty_per_unit) * Fraction(m.unit_price_rp) for m in inp.materials]
    s_m = sum(c * credit(m) for c, m in zip(costs, inp.materials, strict=True)) / sum(costs)
    l_all = sum(Fraction(x.cost_per_unit_rp) for x in inp.labour)
    s_l = sum(Fraction(x.cost_per_unit_rp) for x in inp.labour if x.citizenship == "WNI") / l_all
    f = {"own": 1, "other_company": Fraction(6, 10), "other_industry": Fraction(3, 10), "none": 0}
    return 75 * s_m + 10 * s_l + 15 * Fraction(f[inp.facility or ""])


@FAST
@given(ik_2025_inputs)
def test_ik_2025_matches_the_formula_and_stays_within_0_and_100(inp: CalculationInput) -> None:
    result = calculate(inp, IK_2025)
    assert result.exact == reference_ik_2025(inp)
    assert result.tkdn_ik == round_half_up(result.exact)
    assert Decimal("0.00") <= result.tkdn_ik <= Decimal("100.00")
    assert result.eligible == (result.tkdn_ik >= Decimal("25.00"))


# Origins from least to most credit; certified sits between, ordered by its value.
_ORIGIN_RANK = {"imported": 0, "local_with_imports": 1, "certified": 2, "local": 3}


@FAST
@given(ik_2025_inputs, st.data())
def test_raising_any_credit_never_lowers_the_value(
    inp: CalculationInput, data: st.DataObject
) -> None:
    before = calculate(inp, IK_2025)
    # A material moves to an origin with at least its credit (or a certified value rises).
    index = data.draw(st.integers(0, len(inp.materials) - 1))
    line = inp.materials[index]
    current = IK_2025.material_credit(line.origin or "", line.component_tkdn_pct)
    options = [
        (origin, pct)
        for origin in MATERIAL_ORIGINS
        for pct in ([data.draw(percent)] if origin == "certified" else [None])
        if IK_2025.material_credit(origin, pct) >= current
    ]
    origin, pct = data.draw(st.sampled_from(options))
    materials = list(inp.materials)
    materials[index] = dataclasses.replace(line, origin=origin, component_tkdn_pct=pct)
    # A WNA labour line becomes WNI; the facility moves to one with at least its credit.
    labour = list(inp.labour)
    j = data.draw(st.integers(0, len(labour) - 1))
    labour[j] = dataclasses.replace(labour[j], citizenship="WNI")
    facilities = [
        f
        for f in FACILITIES
        if IK_2025.facility_credits[f] >= IK_2025.facility_credits[inp.facility]  # type: ignore[index]
    ]
    better = dataclasses.replace(
        inp,
        materials=tuple(materials),
        labour=tuple(labour),
        facility=data.draw(st.sampled_from(facilities)),
    )
    after = calculate(better, IK_2025)
    assert after.exact >= before.exact
    assert after.tkdn_ik >= before.tkdn_ik


@FAST
@given(percent, percent)
def test_a_higher_component_value_never_gets_less_credit(a: Decimal, b: Decimal) -> None:
    low, high = sorted((a, b))
    assert IK_2025.material_credit("certified", low) <= IK_2025.material_credit("certified", high)
    assert Fraction(1, 4) <= IK_2025.material_credit("certified", low) <= 1


@FAST
@given(ik_2025_inputs)
def test_ik_2022_of_the_same_input_stays_within_0_and_40(inp: CalculationInput) -> None:
    result = calculate(dataclasses.replace(inp, facility=None), IK_2022)
    assert Decimal("0.00") <= result.tkdn_ik <= Decimal("40.00")
