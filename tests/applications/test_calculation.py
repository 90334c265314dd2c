"""Tests of the pure TKDN-IK engine (applications/calculation.py); no database, no Django."""

import copy
import dataclasses
import datetime
import json
import pickle
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from applications.calculation import (
    DEVELOPMENT_KINDS,
    FACTORS,
    MAX_AMOUNT_RP,
    RULE_SETS,
    CalculationError,
    CalculationInput,
    CalculationResult,
    LabourLine,
    MaterialLine,
    OverheadLine,
    calculate,
    get_rule_set,
    parse_input,
    result_to_dict,
    round_half_up,
    rule_set_for,
    validate,
)

FAST = settings(max_examples=150, deadline=None)
IK_2022 = get_rule_set("IK-2022")


# ---------------------------------------------------------------------------------------------
# Worked examples of domain spec §3, in the JSON contract (shared with the command tests)
# ---------------------------------------------------------------------------------------------


def material(name: str, price: str, domestic: bool, qty: str = "1") -> dict[str, Any]:
    return {"name": name, "qty_per_unit": qty, "unit_price_rp": price, "domestic": domestic}


def labour(cost: str, citizenship: str = "WNI", role: str = "Pengrajin") -> dict[str, Any]:
    return {"role": role, "cost_per_unit_rp": cost, "citizenship": citizenship}


def overhead(kind: str, cost: str, domestic: bool = True) -> dict[str, Any]:
    return {"kind": kind, "cost_per_unit_rp": cost, "domestic": domestic}


# Each example: id -> (input, expected tkdn_ik, eligible, points per factor, exact sum).
EXAMPLES: dict[str, tuple[dict[str, Any], str, bool, dict[str, str], Fraction]] = {
    "1": (
        {
            "materials": [
                material("Modul LED", "30000", False),
                material("Rangka rotan", "15000", True),
                material("Kabel", "5000", False),
            ],
            "labour": [labour("8000")],
            "overhead": [
                overhead("listrik", "1000"),
                overhead("air", "200"),
                overhead("alat_kerja", "800"),
            ],
            "development": [],
        },
        "21.20",
        False,
        {"materials": "7.20", "labour": "10.00", "overhead": "4.00", "development": "0.00"},
        Fraction("21.2"),
    ),
    "2": (
        {
            "materials": [material("Kain", "11000", True), material("Pewarna", "13000", False)],
            "labour": [labour("6000")],
            "overhead": [overhead("listrik", "700"), overhead("air", "300")],
        },
        "25.00",
        True,
        {"materials": "11.00", "labour": "10.00", "overhead": "4.00", "development": "0.00"},
        Fraction(25),
    ),
    "2b": (
        {
            "materials": [material("Kain", "10990", True), material("Pewarna", "13010", False)],
            "labour": [labour("6000")],
            "overhead": [overhead("listrik", "700"), overhead("air", "300")],
        },
        "24.99",
        False,
        {"materials": "10.99", "labour": "10.00", "overhead": "4.00", "development": "0.00"},
        Fraction("24.99"),
    ),
    "3": (
        {
            "materials": [
                material("Kayu", "42000", True),
                material("Lem", "6000", True),
                material("Pernis", "2000", True),
            ],
            "labour": [labour("15000")],
            "overhead": [
                overhead("alat_kerja", "1500"),
                overhead("air", "500"),
                overhead("listrik", "1000"),
            ],
            "development": ["HKI"],
        },
        "40.00",
        True,
        {"materials": "24.00", "labour": "10.00", "overhead": "4.00", "development": "2.00"},
        Fraction(40),
    ),
    "4": (
        {
            "materials": [material("Bahan A", "10000", True), material("Bahan B", "25000", False)],
            "labour": [labour("4000"), labour("2000"), labour("3000", "WNA")],
            "overhead": [overhead("listrik", "900")],
            "development": ["HALAL"],
        },
        "19.52",
        False,
        {"materials": "6.86", "labour": "6.67", "overhead": "4.00", "development": "2.00"},
        # 24·2/7 + 10·2/3 + 4 + 2 = 410/21 = 19.5238…
        Fraction(410, 21),
    ),
    "5": (
        {
            "materials": [
                material("Bahan dalam negeri", "514375", True),
                material("Bahan impor", "485625", False),
            ],
            "labour": [labour("100000")],
            "overhead": [overhead("listrik", "20000")],
        },
        "26.35",
        True,
        # 24 × 0.514375 = 12.345 exactly, shown half-up as 12.35.
        {"materials": "12.35", "labour": "10.00", "overhead": "4.00", "development": "0.00"},
        Fraction("26.345"),
    ),
}


# The §3 examples are IK-2022 examples: they name their set (today's set is IK-2025).
for _data, *_rest in EXAMPLES.values():
    _data["rule_set"] = "IK-2022"


@pytest.mark.parametrize("example", EXAMPLES)
def test_worked_example_through_calculate(example: str) -> None:
    data, tkdn_ik, eligible, points, exact = EXAMPLES[example]
    inp, rule_set = parse_input(data)

    result = calculate(inp, rule_set)

    assert result.exact == exact
    assert result.tkdn_ik == Decimal(tkdn_ik)
    assert str(result.tkdn_ik) == tkdn_ik
    assert result.eligible is eligible
    assert {name: str(f.points_display) for name, f in result.factors.items()} == points
    assert list(result.factors) == list(IK_2022.factors) == list(FACTORS[:4])


@pytest.mark.parametrize("example", EXAMPLES)
def test_worked_example_through_result_to_dict(example: str) -> None:
    data, tkdn_ik, eligible, points, _ = EXAMPLES[example]

    output = result_to_dict(calculate(*parse_input(data)))

    assert output["tkdn_ik"] == tkdn_ik
    assert output["eligible"] is eligible
    assert {name: f["points"] for name, f in output["factors"].items()} == points


def test_example_1_shares() -> None:
    result = calculate(*parse_input(EXAMPLES["1"][0]))
    assert result.factors["materials"].share == Fraction(3, 10)
    assert result.factors["labour"].share == 1
    assert result.factors["overhead"].share == 1
    assert result.factors["development"].share == 0
    assert result.factors["materials"].domestic_rp == Decimal("15000.00")
    assert result.factors["materials"].total_rp == Decimal("50000.00")


def test_example_2_is_eligible_exactly_at_the_threshold() -> None:
    result = calculate(*parse_input(EXAMPLES["2"][0]))
    assert result.factors["materials"].share == Fraction(11, 24)
    assert result_to_dict(result)["factors"]["materials"]["share"] == "0.4583"
    assert result.tkdn_ik == result.threshold
    assert result.eligible


def test_example_4_shares_are_exact_rationals() -> None:
    result = calculate(*parse_input(EXAMPLES["4"][0]))
    assert result.factors["materials"].share == Fraction(2, 7)
    assert result.factors["labour"].share == Fraction(2, 3)


def test_example_5_rounds_half_up_not_half_even() -> None:
    result = calculate(*parse_input(EXAMPLES["5"][0]))

    assert result.factors["materials"].points == Fraction("12.345")
    assert result.exact == Fraction("26.345")
    assert result.tkdn_ik == Decimal("26.35")
    # Banker's rounding would have printed 26.34.
    assert Decimal("26.345").quantize(Decimal("0.01")) == Decimal("26.34")


def test_example_3_is_the_maximum_and_has_no_improvement() -> None:
    result = calculate(*parse_input(EXAMPLES["3"][0]))
    assert result.tkdn_ik == result.maximum == Decimal("40.00")
    assert result.best_improvement is None
    assert result_to_dict(result)["best_improvement"] is None


# ---------------------------------------------------------------------------------------------
# Calculation details
# ---------------------------------------------------------------------------------------------


def make_input(
    materials: list[tuple[str, str, bool]] | None = None,
    labour_lines: list[tuple[str, str]] | None = None,
    overhead_lines: list[tuple[str, str, bool]] | None = None,
    development: frozenset[str] = frozenset(),
) -> CalculationInput:
    """Build dataclasses directly: materials as (qty, price, domestic)."""
    materials = materials if materials is not None else [("1", "1000", True)]
    labour_lines = labour_lines if labour_lines is not None else [("1000", "WNI")]
    return CalculationInput(
        materials=tuple(
            MaterialLine(f"m{i}", Decimal(q), Decimal(p), d)
            for i, (q, p, d) in enumerate(materials)
        ),
        labour=tuple(LabourLine(f"r{i}", Decimal(c), z) for i, (c, z) in enumerate(labour_lines)),
        overhead=tuple(OverheadLine(k, Decimal(c), d) for k, c, d in (overhead_lines or [])),
        development=development,
    )


def test_material_cost_is_quantity_times_unit_price() -> None:
    inp = make_input(materials=[("2", "7500", True), ("0.5", "30000", False)])
    assert inp.materials[0].cost_rp == Decimal("15000")
    result = calculate(inp, IK_2022)
    assert result.factors["materials"].share == Fraction(1, 2)
    assert result.factors["materials"].total_rp == Decimal("30000.00")


def test_material_cost_is_exact_beyond_default_decimal_precision() -> None:
    line = MaterialLine("x", Decimal("999999999999.9999"), Decimal("999999999999.99"), True)
    exact = Fraction(line.qty_per_unit) * Fraction(line.unit_price_rp)
    assert Fraction(line.cost_rp) == exact
    # The default 28-digit context would have rounded this product.
    assert line.qty_per_unit * line.unit_price_rp != line.cost_rp


def test_amounts_keep_their_exact_digits_in_sums() -> None:
    result = calculate(make_input(materials=[("0.0001", "0.01", True), ("1", "1", False)]), IK_2022)
    assert result.factors["materials"].domestic_rp == Decimal("0.000001")
    assert str(result_to_dict(result)["factors"]["materials"]["total_rp"]) == "1.000001"


def test_overhead_with_zero_total_gives_no_points() -> None:
    result = calculate(
        make_input(overhead_lines=[("listrik", "0", True), ("air", "0.00", True)]), IK_2022
    )
    overhead_factor = result.factors["overhead"]
    assert overhead_factor.share == 0
    assert overhead_factor.points == 0
    assert overhead_factor.total_rp == Decimal("0.00")


def test_no_overhead_lines_gives_no_overhead_points() -> None:
    result = calculate(make_input(), IK_2022)
    assert result.factors["overhead"].points == 0
    assert result.tkdn_ik == Decimal("34.00")


def test_development_is_all_or_nothing_and_not_cost_based() -> None:
    one = calculate(make_input(development=frozenset({"SNI"})), IK_2022)
    many = calculate(make_input(development=frozenset(DEVELOPMENT_KINDS)), IK_2022)
    assert one.factors["development"].points == many.factors["development"].points == 2
    assert one.factors["development"].domestic_rp == Decimal("0.00")
    assert one.factors["development"].total_rp == Decimal("0.00")


def test_development_duplicates_in_json_are_a_set() -> None:
    data = dict(EXAMPLES["3"][0], development=["HKI", "HKI", "HALAL"])
    inp, _ = parse_input(data)
    assert inp.development == frozenset({"HKI", "HALAL"})


def test_imported_main_material_can_never_qualify() -> None:
    # 10 + 4 + 2 = 16 < 25 (spec §3): the top rejection reason in practice.
    result = calculate(
        make_input(
            materials=[("1", "1000", False)],
            overhead_lines=[("listrik", "100", True)],
            development=frozenset({"HKI"}),
        ),
        IK_2022,
    )
    assert result.tkdn_ik == Decimal("16.00")
    assert not result.eligible
    assert result.best_improvement == "materials"


def test_best_improvement_breaks_ties_in_factor_order() -> None:
    # Materials full (24); labour 6/10 → 4 missing; overhead 0/4 → 4 missing; development 2.
    result = calculate(
        make_input(
            labour_lines=[("600", "WNI"), ("400", "WNA")],
            overhead_lines=[("listrik", "100", False)],
        ),
        IK_2022,
    )
    assert result.factors["labour"].missing_points == result.factors["overhead"].missing_points
    assert result.best_improvement == "labour"


def test_calculate_accepts_code_rule_set_or_default_of_today() -> None:
    inp = parse_input(EXAMPLES["2"][0])[0]
    assert calculate(inp, "IK-2022") == calculate(inp, IK_2022)
    # With no rule set, today's set applies: IK-2025 needs a facility, which this input lacks.
    assert rule_set_for(datetime.date.today()).code == "IK-2025"
    with pytest.raises(CalculationError) as raised:
        calculate(inp)
    assert raised.value.field == "facility"
    assert calculate(dataclasses.replace(inp, facility="own")).rule_set == "IK-2025"


def test_calculate_validates_before_computing() -> None:
    with pytest.raises(CalculationError) as raised:
        calculate(make_input(materials=[]), IK_2022)
    assert raised.value.field == "materials"


def test_result_to_dict_is_json_with_only_string_numbers() -> None:
    output = result_to_dict(calculate(*parse_input(EXAMPLES["4"][0])))

    assert list(output) == [
        "rule_set",
        "legal_basis",
        "provisional",
        "tkdn_ik",
        "eligible",
        "threshold",
        "maximum",
        "factors",
        "best_improvement",
    ]
    assert output["threshold"] == "25.00"
    assert output["maximum"] == "40.00"
    assert list(output["factors"]) == list(IK_2022.factors)
    assert output["factors"]["labour"] == {
        "weight": "10",
        "domestic_rp": "6000.00",
        "total_rp": "9000.00",
        "share": "0.6667",
        "points": "6.67",
    }
    assert output["factors"]["development"]["share"] == "1.0000"
    assert output["best_improvement"] == "materials"
    json.dumps(output)  # nothing that json cannot serialise (Decimal, Fraction)


# ---------------------------------------------------------------------------------------------
# Rounding
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Fraction("26.345"), "26.35"),
        (Decimal("26.345"), "26.35"),
        (Fraction("0.005"), "0.01"),
        (Fraction("0.004999999"), "0.00"),
        (Fraction("24.994999"), "24.99"),
        (Fraction("24.995"), "25.00"),
        (Fraction(2, 3), "0.67"),
        (Fraction(410, 21), "19.52"),
        (Fraction(0), "0.00"),
        (40, "40.00"),
        (Decimal("25"), "25.00"),
        (Fraction("-0.005"), "-0.01"),
        (Fraction("-0.004"), "0.00"),
        (Decimal("123456789012345678901234567890.125"), "123456789012345678901234567890.13"),
    ],
)
def test_round_half_up(value: Fraction | Decimal | int, expected: str) -> None:
    rounded = round_half_up(value)
    assert str(rounded) == expected
    assert rounded.as_tuple().exponent == -2


@FAST
@given(st.integers(-(10**15), 10**15), st.integers(0, 10))
def test_round_half_up_matches_decimal_round_half_up(units: int, places: int) -> None:
    value = Decimal(units).scaleb(-places)
    with localcontext() as context:
        context.prec = 100
        expected = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert round_half_up(value) == expected
    assert round_half_up(Fraction(value)) == expected


def test_round_half_up_rejects_non_finite() -> None:
    with pytest.raises(ValueError):
        round_half_up(Decimal("NaN"))


# ---------------------------------------------------------------------------------------------
# Rule sets
# ---------------------------------------------------------------------------------------------


def test_ik_2022_rule_set_values() -> None:
    rules = get_rule_set("IK-2022")
    assert rules is RULE_SETS["IK-2022"]
    assert dict(rules.weights) == {
        "materials": Decimal(24),
        "labour": Decimal(10),
        "overhead": Decimal(4),
        "development": Decimal(2),
    }
    assert sum(rules.weights.values()) == rules.maximum == Decimal("40.00")
    assert rules.threshold == Decimal("25.00")
    assert (rules.validity_years, rules.extension_years) == (3, 2)
    assert rules.max_small_industry_capital_rp == Decimal(5_000_000_000)
    assert rules.max_amount_rp == MAX_AMOUNT_RP == Decimal(10**12)
    assert rules.development_kinds == {"HKI", "SNI", "INDUSTRI_HIJAU", "HALAL", "OTHER"}


def test_unknown_rule_set_is_a_calculation_error() -> None:
    with pytest.raises(CalculationError) as raised:
        get_rule_set("IK-1999")
    assert raised.value.field == "rule_set"
    assert "IK-1999" in raised.value.message_id
    assert "IK-1999" in raised.value.message_en


def test_rule_set_weights_are_read_only() -> None:
    with pytest.raises(TypeError):
        IK_2022.weights["materials"] = Decimal(100)  # type: ignore[index]


def test_rule_set_survives_pickle_and_deepcopy() -> None:
    assert pickle.loads(pickle.dumps(IK_2022)) == IK_2022  # noqa: S301 - our own data
    assert copy.deepcopy(IK_2022) == IK_2022
    assert hash(IK_2022) == hash(copy.deepcopy(IK_2022))


@pytest.mark.parametrize(
    "changes",
    [
        {"weights": {"materials": Decimal(24)}},  # no labour, and not adding up to the maximum
        {"weights": {"labour": Decimal(10), "materials": Decimal(30)}},  # out of factor order
        {"maximum": Decimal(41)},  # weights no longer add up to it
        {"origin_credits": {"local": Decimal(1)}},
        {"facility_credits": {"own": Decimal(1)}},  # IK-2022 has no facility factor
        {"extension_years": 0},  # but one extension allowed
    ],
)
def test_rule_set_refuses_inconsistent_data(changes: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        dataclasses.replace(IK_2022, **changes)


# ---------------------------------------------------------------------------------------------
# Validation (through the JSON contract)
# ---------------------------------------------------------------------------------------------


def valid_data() -> dict[str, Any]:
    return {
        "rule_set": "IK-2022",
        "materials": [material("Kain", "11000", True), material("Pewarna", "13000", False)],
        "labour": [labour("6000"), labour("2000", "WNA", role="Penjahit")],
        "overhead": [overhead("listrik", "700"), overhead("air", "300", False)],
        "development": ["HKI"],
    }


def test_valid_data_passes() -> None:
    inp, rules = parse_input(valid_data())
    assert rules is IK_2022
    assert inp.materials[0] == MaterialLine("Kain", Decimal("1"), Decimal("11000"), True)
    assert inp.labour[1].citizenship == "WNA"


def _set(path: list[Any], value: Any) -> Any:
    """Return a mutation that sets data[path...] = value."""

    def mutate(data: dict[str, Any]) -> None:
        target: Any = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


def _delete(path: list[Any]) -> Any:
    def mutate(data: dict[str, Any]) -> None:
        target: Any = data
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return mutate


INVALID = [
    # (test id, mutation, expected field)
    ("unknown top-level key", _set(["labor"], []), "labor"),
    ("rule set unknown", _set(["rule_set"], "IK-1999"), "rule_set"),
    ("rule set not text", _set(["rule_set"], 2022), "rule_set"),
    ("materials missing", _delete(["materials"]), "materials"),
    ("materials empty", _set(["materials"], []), "materials"),
    ("materials not a list", _set(["materials"], {"name": "x"}), "materials"),
    ("material line not object", _set(["materials", 1], "Pewarna"), "materials[1]"),
    ("material unknown key", _set(["materials", 0, "price"], "1"), "materials[0].price"),
    ("material name missing", _delete(["materials", 1, "name"]), "materials[1].name"),
    ("material name empty", _set(["materials", 0, "name"], ""), "materials[0].name"),
    ("material name blank", _set(["materials", 0, "name"], "   "), "materials[0].name"),
    ("material name too long", _set(["materials", 0, "name"], "x" * 201), "materials[0].name"),
    ("material name not text", _set(["materials", 0, "name"], 5), "materials[0].name"),
    ("qty zero", _set(["materials", 0, "qty_per_unit"], "0"), "materials[0].qty_per_unit"),
    ("qty negative", _set(["materials", 0, "qty_per_unit"], -1), "materials[0].qty_per_unit"),
    (
        "qty five decimals",
        _set(["materials", 0, "qty_per_unit"], "0.00001"),
        "materials[0].qty_per_unit",
    ),
    ("qty too large", _set(["materials", 0, "qty_per_unit"], "1e13"), "materials[0].qty_per_unit"),
    ("price zero", _set(["materials", 1, "unit_price_rp"], 0), "materials[1].unit_price_rp"),
    ("price negative", _set(["materials", 1, "unit_price_rp"], "-5"), "materials[1].unit_price_rp"),
    (
        "price three decimals",
        _set(["materials", 1, "unit_price_rp"], "1.001"),
        "materials[1].unit_price_rp",
    ),
    (
        "price above 10^12",
        _set(["materials", 1, "unit_price_rp"], "1000000000000.01"),
        "materials[1].unit_price_rp",
    ),
    ("price 1e999", _set(["materials", 1, "unit_price_rp"], "1e999"), "materials[1].unit_price_rp"),
    (
        "price exponent beyond Decimal",
        _set(["materials", 1, "unit_price_rp"], "1e99999999999999999999999"),
        "materials[1].unit_price_rp",
    ),
    (
        "price tiny exponent",
        _set(["materials", 1, "unit_price_rp"], "1e-999999999"),
        "materials[1].unit_price_rp",
    ),
    ("price boolean", _set(["materials", 1, "unit_price_rp"], True), "materials[1].unit_price_rp"),
    ("price null", _set(["materials", 1, "unit_price_rp"], None), "materials[1].unit_price_rp"),
    ("price list", _set(["materials", 1, "unit_price_rp"], ["1"]), "materials[1].unit_price_rp"),
    ("price words", _set(["materials", 1, "unit_price_rp"], "lima"), "materials[1].unit_price_rp"),
    (
        "price thousands separator",
        _set(["materials", 1, "unit_price_rp"], "13.000,00"),
        "materials[1].unit_price_rp",
    ),
    (
        "price underscore",
        _set(["materials", 1, "unit_price_rp"], "13_000"),
        "materials[1].unit_price_rp",
    ),
    ("price 'nan'", _set(["materials", 1, "unit_price_rp"], "nan"), "materials[1].unit_price_rp"),
    ("price 'inf'", _set(["materials", 1, "unit_price_rp"], "inf"), "materials[1].unit_price_rp"),
    (
        "price '-Infinity'",
        _set(["materials", 1, "unit_price_rp"], "-Infinity"),
        "materials[1].unit_price_rp",
    ),
    (
        "price Decimal NaN",
        _set(["materials", 1, "unit_price_rp"], Decimal("NaN")),
        "materials[1].unit_price_rp",
    ),
    (
        "price Decimal sNaN",
        _set(["materials", 1, "unit_price_rp"], Decimal("sNaN")),
        "materials[1].unit_price_rp",
    ),
    (
        "price float nan",
        _set(["materials", 1, "unit_price_rp"], float("nan")),
        "materials[1].unit_price_rp",
    ),
    (
        "price float inf",
        _set(["materials", 1, "unit_price_rp"], float("inf")),
        "materials[1].unit_price_rp",
    ),
    ("domestic string", _set(["materials", 0, "domestic"], "true"), "materials[0].domestic"),
    ("domestic number", _set(["materials", 0, "domestic"], 1), "materials[0].domestic"),
    # With neither domestic nor origin the line does not say where it comes from.
    ("domestic missing", _delete(["materials", 0, "domestic"]), "materials[0].origin"),
    ("labour missing", _delete(["labour"]), "labour"),
    ("labour empty", _set(["labour"], []), "labour"),
    ("labour role empty", _set(["labour", 1, "role"], ""), "labour[1].role"),
    (
        "labour cost zero",
        _set(["labour", 0, "cost_per_unit_rp"], "0"),
        "labour[0].cost_per_unit_rp",
    ),
    (
        "labour cost boolean",
        _set(["labour", 0, "cost_per_unit_rp"], False),
        "labour[0].cost_per_unit_rp",
    ),
    ("citizenship lower case", _set(["labour", 0, "citizenship"], "wni"), "labour[0].citizenship"),
    ("citizenship unknown", _set(["labour", 0, "citizenship"], "ASING"), "labour[0].citizenship"),
    ("citizenship null", _set(["labour", 0, "citizenship"], None), "labour[0].citizenship"),
    ("labour unknown key", _set(["labour", 0, "wni"], True), "labour[0].wni"),
    ("overhead not a list", _set(["overhead"], "listrik"), "overhead"),
    ("overhead kind unknown", _set(["overhead", 1, "kind"], "gas"), "overhead[1].kind"),
    (
        "overhead cost negative",
        _set(["overhead", 1, "cost_per_unit_rp"], "-0.01"),
        "overhead[1].cost_per_unit_rp",
    ),
    ("overhead domestic null", _set(["overhead", 0, "domestic"], None), "overhead[0].domestic"),
    ("development a string", _set(["development"], "HKI"), "development"),
    ("development unknown item", _set(["development"], ["HKI", "ISO"]), "development[1]"),
    ("development item not text", _set(["development"], [1]), "development[0]"),
]


@pytest.mark.parametrize(("mutate", "field"), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID])
def test_invalid_input_names_the_field(mutate: Any, field: str) -> None:
    data = valid_data()
    mutate(data)

    with pytest.raises(CalculationError) as raised:
        parse_input(data)

    error = raised.value
    assert error.field == field
    assert error.message_id.strip()
    assert error.message_en.strip()
    assert error.message_id != error.message_en
    assert str(error) == error.message_id
    assert isinstance(error, ValueError)


def test_line_errors_count_lines_from_one_for_people() -> None:
    data = valid_data()
    data["materials"][1]["unit_price_rp"] = "-5"
    with pytest.raises(CalculationError) as raised:
        parse_input(data)
    assert "baris 2" in raised.value.message_id
    assert "harga satuan" in raised.value.message_id
    assert "line 2" in raised.value.message_en
    assert "negatif" in raised.value.message_id


@pytest.mark.parametrize("data", [[], "x", None, 5, Decimal(1)])
def test_top_level_must_be_an_object(data: object) -> None:
    with pytest.raises(CalculationError) as raised:
        parse_input(data)
    assert raised.value.field == ""


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (["materials", 0, "unit_price_rp"], 7500),
        (["materials", 0, "unit_price_rp"], 7500.5),
        (["materials", 0, "unit_price_rp"], "7500.50"),
        (["materials", 0, "unit_price_rp"], " 7500 "),
        (["materials", 0, "unit_price_rp"], "7.5e3"),
        (["materials", 0, "unit_price_rp"], Decimal("7500.500")),
        (["materials", 0, "unit_price_rp"], "1000000000000"),
        (["materials", 0, "qty_per_unit"], "0.0001"),
        (["materials", 0, "name"], "x" * 200),
        (["overhead", 0, "cost_per_unit_rp"], "0"),
        (["overhead", 0, "cost_per_unit_rp"], "-0"),
        (["overhead"], None),
        (["development"], None),
    ],
)
def test_boundary_values_are_accepted(path: list[Any], value: Any) -> None:
    data = valid_data()
    _set(path, value)(data)
    parse_input(data)


def test_optional_lists_may_be_omitted() -> None:
    data = valid_data()
    del data["overhead"], data["development"]
    inp, rules = parse_input(data)
    assert inp.overhead == ()
    assert inp.development == frozenset()
    assert rules.code == "IK-2022"


def test_float_amounts_keep_the_written_digits() -> None:
    data = valid_data()
    data["materials"][0]["unit_price_rp"] = 7500.1
    inp, _ = parse_input(data)
    assert inp.materials[0].unit_price_rp == Decimal("7500.1")


def test_names_are_stripped() -> None:
    data = valid_data()
    data["materials"][0]["name"] = "  Kain  "
    assert parse_input(data)[0].materials[0].name == "Kain"


def test_default_rule_set_argument_is_used_and_checked() -> None:
    data = valid_data()
    del data["rule_set"]
    with pytest.raises(CalculationError) as raised:
        parse_input(data, default_rule_set="IK-1999")
    assert raised.value.field == "rule_set"


# ---------------------------------------------------------------------------------------------
# Validation (of dataclasses built by other code, e.g. forms)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("inp", "field"),
    [
        (make_input(materials=[]), "materials"),
        (make_input(labour_lines=[]), "labour"),
        (
            CalculationInput(
                materials=(MaterialLine("m", 1.5, Decimal(1), True),),  # type: ignore[arg-type]
                labour=(LabourLine("r", Decimal(1), "WNI"),),
            ),
            "materials[0].qty_per_unit",
        ),
        (
            CalculationInput(
                materials=(MaterialLine("m", Decimal(1), Decimal(1), "yes"),),  # type: ignore[arg-type]
                labour=(LabourLine("r", Decimal(1), "WNI"),),
            ),
            "materials[0].domestic",
        ),
        (
            CalculationInput(
                materials=(LabourLine("r", Decimal(1), "WNI"),),  # type: ignore[arg-type]
                labour=(LabourLine("r", Decimal(1), "WNI"),),
            ),
            "materials[0]",
        ),
        (make_input(development=frozenset({"ISO9001"})), "development"),
        (
            CalculationInput(
                materials=make_input().materials,
                labour=make_input().labour,
                development=["HKI"],  # type: ignore[arg-type]
            ),
            "development",
        ),
        (
            CalculationInput(
                materials=make_input().materials,
                labour=make_input().labour,
                overhead=OverheadLine("air", Decimal(1), True),  # type: ignore[arg-type]
            ),
            "overhead",
        ),
    ],
)
def test_validate_checks_dataclasses_built_elsewhere(inp: CalculationInput, field: str) -> None:
    with pytest.raises(CalculationError) as raised:
        validate(inp, IK_2022)
    assert raised.value.field == field
    assert raised.value.message_id and raised.value.message_en


def test_validate_accepts_integers_as_amounts() -> None:
    inp = CalculationInput(
        materials=(MaterialLine("m", 2, 7500, True),),  # type: ignore[arg-type]
        labour=(LabourLine("r", 8000, "WNI"),),  # type: ignore[arg-type]
    )
    assert calculate(inp, IK_2022).tkdn_ik == Decimal("34.00")


def test_validate_rejects_a_non_input() -> None:
    with pytest.raises(CalculationError) as raised:
        validate({"materials": []}, IK_2022)  # type: ignore[arg-type]
    assert raised.value.field == ""


# ---------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------

# Amounts stay ≤ Rp 10,000,000 and quantities ≤ 100 so that scaling by up to 1000 stays within
# the [A] limit of 10^12.
rupiah = st.integers(1, 10**9).map(lambda cents: Decimal(cents).scaleb(-2))
rupiah_or_zero = st.integers(0, 10**9).map(lambda cents: Decimal(cents).scaleb(-2))
quantity = st.integers(1, 10**6).map(lambda units: Decimal(units).scaleb(-4))

material_lines = st.lists(
    st.builds(MaterialLine, st.just("bahan"), quantity, rupiah, st.booleans()),
    min_size=1,
    max_size=6,
).map(tuple)
labour_lines_st = st.lists(
    st.builds(LabourLine, st.just("pekerja"), rupiah, st.sampled_from(["WNI", "WNA"])),
    min_size=1,
    max_size=6,
).map(tuple)
overhead_lines_st = st.lists(
    st.builds(
        OverheadLine,
        st.sampled_from(["alat_kerja", "air", "listrik"]),
        rupiah_or_zero,
        st.booleans(),
    ),
    max_size=4,
).map(tuple)
inputs = st.builds(
    CalculationInput,
    material_lines,
    labour_lines_st,
    overhead_lines_st,
    st.frozensets(st.sampled_from(sorted(DEVELOPMENT_KINDS))),
)


def reference_tkdn(inp: CalculationInput) -> Fraction:
    """An independent, literal transcription of the spec §3 formula."""
    m_all = sum(Fraction(m.qty_per_unit) * Fraction(m.unit_price_rp) for m in inp.materials)
    m_dom = sum(
        Fraction(m.qty_per_unit) * Fraction(m.unit_price_rp) for m in inp.materials if m.domestic
    )
    l_all = sum(Fraction(x.cost_per_unit_rp) for x in inp.labour)
    l_dom = sum(Fraction(x.cost_per_unit_rp) for x in inp.labour if x.citizenship == "WNI")
    o_all = sum(Fraction(o.cost_per_unit_rp) for o in inp.overhead)
    o_dom = sum(Fraction(o.cost_per_unit_rp) for o in inp.overhead if o.domestic)
    s_o = Fraction(o_dom) / o_all if o_all else Fraction(0)
    s_d = 1 if inp.development else 0
    return 24 * Fraction(m_dom) / m_all + 10 * Fraction(l_dom) / l_all + 4 * s_o + 2 * s_d


@FAST
@given(inputs)
def test_result_matches_the_formula_and_stays_within_bounds(inp: CalculationInput) -> None:
    result = calculate(inp, IK_2022)

    assert result.exact == reference_tkdn(inp)
    assert result.tkdn_ik == round_half_up(reference_tkdn(inp))
    assert 0 <= result.exact <= 40
    assert Decimal("0.00") <= result.tkdn_ik <= Decimal("40.00") == result.maximum
    assert result.eligible == (result.tkdn_ik >= Decimal("25.00"))
    assert sum(f.points for f in result.factors.values()) == result.exact
    json.dumps(result_to_dict(result))


def _replace(lines: tuple[Any, ...], index: int, line: Any) -> tuple[Any, ...]:
    return lines[:index] + (line,) + lines[index + 1 :]


@FAST
@given(inputs, st.data())
def test_making_a_material_domestic_never_lowers_the_result(
    inp: CalculationInput, data: st.DataObject
) -> None:
    index = data.draw(st.integers(0, len(inp.materials) - 1))
    line = inp.materials[index]
    better = CalculationInput(
        _replace(
            inp.materials,
            index,
            MaterialLine(line.name, line.qty_per_unit, line.unit_price_rp, True),
        ),
        inp.labour,
        inp.overhead,
        inp.development,
    )
    before, after = calculate(inp, IK_2022), calculate(better, IK_2022)
    assert after.exact >= before.exact
    assert after.tkdn_ik >= before.tkdn_ik


@FAST
@given(inputs, st.data())
def test_hiring_wni_instead_of_wna_never_lowers_the_result(
    inp: CalculationInput, data: st.DataObject
) -> None:
    index = data.draw(st.integers(0, len(inp.labour) - 1))
    line = inp.labour[index]
    better = CalculationInput(
        inp.materials,
        _replace(inp.labour, index, LabourLine(line.role, line.cost_per_unit_rp, "WNI")),
        inp.overhead,
        inp.development,
    )
    before, after = calculate(inp, IK_2022), calculate(better, IK_2022)
    assert after.exact >= before.exact
    assert after.tkdn_ik >= before.tkdn_ik


@FAST
@given(inputs, st.data())
def test_domestic_overhead_never_lowers_the_result(
    inp: CalculationInput, data: st.DataObject
) -> None:
    if not inp.overhead:
        return
    index = data.draw(st.integers(0, len(inp.overhead) - 1))
    line = inp.overhead[index]
    better = CalculationInput(
        inp.materials,
        inp.labour,
        _replace(inp.overhead, index, OverheadLine(line.kind, line.cost_per_unit_rp, True)),
        inp.development,
    )
    assert calculate(better, IK_2022).exact >= calculate(inp, IK_2022).exact


@FAST
@given(inputs, st.data())
def test_result_does_not_depend_on_line_order(inp: CalculationInput, data: st.DataObject) -> None:
    shuffled = CalculationInput(
        tuple(data.draw(st.permutations(inp.materials))),
        tuple(data.draw(st.permutations(inp.labour))),
        tuple(data.draw(st.permutations(inp.overhead))),
        inp.development,
    )
    assert calculate(shuffled, IK_2022) == calculate(inp, IK_2022)


@FAST
@given(inputs, st.integers(1, 1000), st.integers(1, 1000))
def test_result_is_unchanged_when_all_amounts_scale_together(
    inp: CalculationInput, rupiah_factor: int, quantity_factor: int
) -> None:
    scaled = CalculationInput(
        tuple(
            MaterialLine(
                m.name,
                m.qty_per_unit * quantity_factor,
                m.unit_price_rp * rupiah_factor,
                m.domestic,
            )
            for m in inp.materials
        ),
        tuple(
            LabourLine(x.role, x.cost_per_unit_rp * rupiah_factor, x.citizenship)
            for x in inp.labour
        ),
        tuple(
            OverheadLine(o.kind, o.cost_per_unit_rp * rupiah_factor, o.domestic)
            for o in inp.overhead
        ),
        inp.development,
    )
    before, after = calculate(inp, IK_2022), calculate(scaled, IK_2022)
    assert after.exact == before.exact
    assert after.tkdn_ik == before.tkdn_ik
    assert {n: f.share for n, f in after.factors.items()} == {
        n: f.share for n, f in before.factors.items()
    }


@FAST
@given(inputs)
def test_json_round_trip_gives_the_same_result(inp: CalculationInput) -> None:
    data = {
        "materials": [
            {
                "name": m.name,
                "qty_per_unit": str(m.qty_per_unit),
                "unit_price_rp": str(m.unit_price_rp),
                "domestic": m.domestic,
            }
            for m in inp.materials
        ],
        "labour": [
            {
                "role": x.role,
                "cost_per_unit_rp": str(x.cost_per_unit_rp),
                "citizenship": x.citizenship,
            }
            for x in inp.labour
        ],
        "overhead": [
            {"kind": o.kind, "cost_per_unit_rp": str(o.cost_per_unit_rp), "domestic": o.domestic}
            for o in inp.overhead
        ],
        "development": sorted(inp.development),
    }
    parsed, rules = parse_input(json.loads(json.dumps(data)), "IK-2022")
    assert parsed == inp
    assert isinstance(calculate(parsed, rules), CalculationResult)
