"""Tests of ``manage.py tkdn_calculate``: JSON in, JSON out, exit 2 with an error object otherwise.

No database is needed; the command runs no system checks.
"""

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.core.management import call_command

import pytest

from applications import calculation
from applications.management.commands import tkdn_calculate
from tests.applications.test_calculation import EXAMPLES, valid_data

REPO_ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, stdin: Any = None) -> tuple[int, dict[str, Any], str]:
    """Run the command; return (exit status, parsed stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    options: dict[str, Any] = {"stdout": out, "stderr": err}
    if stdin is not None:
        options["stdin"] = stdin
    try:
        call_command("tkdn_calculate", *args, **options)
        status = 0
    except SystemExit as exit_:
        status = exit_.code
    return status, json.loads(out.getvalue()), err.getvalue()


def run_text(text: str | bytes) -> tuple[int, dict[str, Any], str]:
    stream = io.BytesIO(text) if isinstance(text, bytes) else io.StringIO(text)
    return run(stdin=stream)


def assert_error(status: int, output: dict[str, Any], stderr: str, field: str | None) -> None:
    assert status == 2
    assert set(output) == {"error", "error_en", "field"}
    assert output["error"].strip()
    assert output["error_en"].strip()
    assert output["field"] == field
    assert stderr == ""
    assert "Traceback" not in output["error"] + output["error_en"]


# ---------------------------------------------------------------------------------------------
# Worked examples (spec §3) through the JSON interface
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("example", EXAMPLES)
def test_worked_example_from_file(example: str, tmp_path: Path) -> None:
    data, tkdn_ik, eligible, points, _ = EXAMPLES[example]
    path = tmp_path / "input.json"
    path.write_text(json.dumps(data), encoding="utf-8")

    status, output, stderr = run(str(path))

    assert status == 0
    assert stderr == ""
    assert output["tkdn_ik"] == tkdn_ik
    assert output["eligible"] is eligible
    assert {name: factor["points"] for name, factor in output["factors"].items()} == points
    assert output["rule_set"] == "IK-2022"
    assert output["threshold"] == "25.00"
    assert output["maximum"] == "40.00"


@pytest.mark.parametrize("example", EXAMPLES)
def test_worked_example_from_stdin(example: str) -> None:
    data, tkdn_ik, eligible, points, _ = EXAMPLES[example]

    status, output, _ = run_text(json.dumps(data))

    assert status == 0
    assert output["tkdn_ik"] == tkdn_ik
    assert output["eligible"] is eligible
    assert {name: factor["points"] for name, factor in output["factors"].items()} == points


def test_example_5_with_json_numbers_rounds_half_up() -> None:
    text = """{
      "rule_set": "IK-2022",
      "materials": [
        {"name": "Dalam negeri", "qty_per_unit": 1, "unit_price_rp": 514375.00, "domestic": true},
        {"name": "Impor", "qty_per_unit": 1.0, "unit_price_rp": 485625, "domestic": false}
      ],
      "labour": [{"role": "Pengrajin", "cost_per_unit_rp": 100000, "citizenship": "WNI"}],
      "overhead": [{"kind": "listrik", "cost_per_unit_rp": 20000, "domestic": true}]
    }"""
    status, output, _ = run_text(text)
    assert status == 0
    assert output["tkdn_ik"] == "26.35"
    assert output["factors"]["materials"]["share"] == "0.5144"


def test_output_is_the_full_contract() -> None:
    status, output, _ = run_text(json.dumps(EXAMPLES["4"][0]))
    assert status == 0
    assert output == {
        "rule_set": "IK-2022",
        "legal_basis": "Permenperin 46/2022",
        "provisional": False,
        "tkdn_ik": "19.52",
        "eligible": False,
        "threshold": "25.00",
        "maximum": "40.00",
        "factors": {
            "materials": {
                "weight": "24",
                "domestic_rp": "10000.00",
                "total_rp": "35000.00",
                "share": "0.2857",
                "points": "6.86",
            },
            "labour": {
                "weight": "10",
                "domestic_rp": "6000.00",
                "total_rp": "9000.00",
                "share": "0.6667",
                "points": "6.67",
            },
            "overhead": {
                "weight": "4",
                "domestic_rp": "900.00",
                "total_rp": "900.00",
                "share": "1.0000",
                "points": "4.00",
            },
            "development": {
                "weight": "2",
                "domestic_rp": "0.00",
                "total_rp": "0.00",
                "share": "1.0000",
                "points": "2.00",
            },
        },
        "best_improvement": "materials",
    }


def test_output_is_indented_and_keeps_non_ascii() -> None:
    # Non-ASCII only appears in error messages quoting the input, e.g. an unknown key.
    data = valid_data()
    data["materials"][0]["harga‑Rp"] = "1"
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("tkdn_calculate", stdin=io.StringIO(json.dumps(data)), stdout=out)
    text = out.getvalue()
    assert "harga‑Rp" in text
    assert text.startswith("{\n  ")


def test_dash_reads_stdin() -> None:
    status, output, _ = run("-", stdin=io.StringIO(json.dumps(EXAMPLES["2"][0])))
    assert status == 0
    assert output["tkdn_ik"] == "25.00"


def test_stdin_bytes_are_decoded_as_utf8_with_optional_bom() -> None:
    payload = json.dumps(EXAMPLES["3"][0], ensure_ascii=False).encode("utf-8")
    status, output, _ = run_text(b"\xef\xbb\xbf" + payload)
    assert status == 0
    assert output["tkdn_ik"] == "40.00"
    assert output["best_improvement"] is None


# ---------------------------------------------------------------------------------------------
# Rule set selection
# ---------------------------------------------------------------------------------------------


def test_without_rule_set_today_s_set_applies(settings: Any) -> None:
    # Today (after 12 Dec 2025) that is IK-2025, which asks for a facility.
    status, output, stderr = run_text(json.dumps(batik_without_rule_set()))
    assert status == 0, output
    assert (output["rule_set"], output["legal_basis"], output["provisional"]) == (
        "IK-2025",
        "Permenperin 35/2025",
        True,
    )
    assert output["tkdn_ik"] == "69.53"
    assert list(output["factors"]) == ["materials", "labour", "facility"]


def test_settings_re_date_and_confirm_a_rule_set(settings: Any) -> None:
    # IK-2025 re-dated into the future: today falls back to IK-2022.
    settings.TKDN_RULE_SET_IN_FORCE_FROM = {"IK-2025": "2099-01-01"}
    data = dict(EXAMPLES["2"][0])
    del data["rule_set"]
    status, output, _ = run_text(json.dumps(data))
    assert (status, output["rule_set"], output["tkdn_ik"]) == (0, "IK-2022", "25.00")
    settings.TKDN_RULE_SET_IN_FORCE_FROM = {}
    settings.TKDN_CONFIRMED_RULE_SETS = ["IK-2025"]
    status, output, _ = run_text(json.dumps(batik_without_rule_set()))
    assert (status, output["provisional"]) == (0, False)


def test_rule_set_in_input_overrides_today_s_set() -> None:
    status, output, _ = run_text(json.dumps(EXAMPLES["2"][0]))
    assert status == 0
    assert output["rule_set"] == "IK-2022"
    assert output["legal_basis"] == "Permenperin 46/2022"


def test_unknown_rule_set_names_the_field() -> None:
    data = dict(EXAMPLES["2"][0], rule_set="IK-1999")
    status, output, stderr = run_text(json.dumps(data))
    assert_error(status, output, stderr, "rule_set")
    assert "IK-1999" in output["error"] and "IK-2025" in output["error"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d.pop("facility"), "facility"),
        (lambda d: d.update(facility="kontrak"), "facility"),
        (lambda d: d["materials"][0].update(origin="certified"), "materials[0].component_tkdn_pct"),
        (
            lambda d: d["materials"][0].update(origin="certified", component_tkdn_pct="101"),
            "materials[0].component_tkdn_pct",
        ),
        (lambda d: d["materials"][0].update(origin="lokal"), "materials[0].origin"),
    ],
)
def test_bad_ik_2025_input_is_refused_with_the_field(change: Any, field: str) -> None:
    data = batik_without_rule_set()
    change(data)
    status, output, stderr = run_text(json.dumps(data))
    assert_error(status, output, stderr, field)


def batik_without_rule_set() -> dict[str, Any]:
    from tests.applications.test_calculation_ik2025 import batik

    data = batik()
    del data["rule_set"]
    return data


# ---------------------------------------------------------------------------------------------
# Errors: always one JSON object on stdout, exit status 2, never a traceback
# ---------------------------------------------------------------------------------------------


def _with(path: list[Any], value: Any) -> str:
    data = valid_data()
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return json.dumps(data)


def _raw_amount(raw: str) -> str:
    """Input JSON whose first unit price is the literal token ``raw``."""
    return _with(["materials", 0, "unit_price_rp"], "@@").replace('"@@"', raw)


ERRORS = [
    # (test id, stdin text or bytes, expected field). The field is null when the problem is not
    # in one field: undecodable input, or the input as a whole (CalculationError field "").
    ("empty input", "", None),
    ("whitespace only", "  \n ", None),
    ("malformed JSON", '{"materials": [', None),
    ("not JSON at all", "materials: rotan", None),
    ("trailing garbage", json.dumps(valid_data()) + " x", None),
    ("top-level list", "[]", None),
    ("top-level string", '"hello"', None),
    ("top-level number", "42", None),
    ("top-level null", "null", None),
    ("NaN token", _raw_amount("NaN"), None),
    ("Infinity token", _raw_amount("Infinity"), None),
    ("-Infinity token", _raw_amount("-Infinity"), None),
    ("nan string", _with(["materials", 0, "unit_price_rp"], "nan"), "materials[0].unit_price_rp"),
    ("inf string", _with(["materials", 0, "unit_price_rp"], "inf"), "materials[0].unit_price_rp"),
    ("1e999 number", _raw_amount("1e999"), "materials[0].unit_price_rp"),
    (
        "1e999 string",
        _with(["materials", 0, "unit_price_rp"], "1e999"),
        "materials[0].unit_price_rp",
    ),
    ("exponent beyond Decimal", _raw_amount("1e99999999999999999999999"), None),
    ("huge integer", _raw_amount("9" * 5000), "materials[0].unit_price_rp"),
    ("negative price", _raw_amount("-7500"), "materials[0].unit_price_rp"),
    (
        "negative overhead",
        _with(["overhead", 1, "cost_per_unit_rp"], "-1"),
        "overhead[1].cost_per_unit_rp",
    ),
    ("three decimals", _raw_amount("7500.125"), "materials[0].unit_price_rp"),
    ("boolean amount", _raw_amount("true"), "materials[0].unit_price_rp"),
    ("string domestic", _with(["materials", 1, "domestic"], "ya"), "materials[1].domestic"),
    (
        "object amount",
        _with(["labour", 0, "cost_per_unit_rp"], {"rp": 1}),
        "labour[0].cost_per_unit_rp",
    ),
    ("wrong citizenship", _with(["labour", 1, "citizenship"], "Asing"), "labour[1].citizenship"),
    ("materials not a list", _with(["materials"], "rotan"), "materials"),
    ("empty labour", _with(["labour"], []), "labour"),
    ("unknown line key", _with(["materials", 0, "harga"], "1"), "materials[0].harga"),
    ("unknown top key", _with(["produk"], "Kursi"), "produk"),
    ("unknown development", _with(["development"], ["ISO"]), "development[0]"),
    ("unknown rule set", _with(["rule_set"], "IK-2099"), "rule_set"),
    ("duplicate key", '{"materials": [], "materials": []}', None),
    ("deep nesting", "[" * 100_000 + "]" * 100_000, None),
    ("deep unclosed nesting", '{"materials": ' + "[" * 100_000, None),
    ("moderate nesting", "[" * 500 + "]" * 500, None),
    ("nested garbage in a line", _with(["materials", 0], [[[[{}]]]]), "materials[0]"),
    ("non-UTF-8 bytes", b'{"materials": "\xff\xfe"}', None),
    ("UTF-16", json.dumps(valid_data()).encode("utf-16"), None),
    ("NUL bytes", b"\x00\x00\x00", None),
]


@pytest.mark.parametrize(("text", "field"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_invalid_input_gives_error_json_and_exit_2(text: str | bytes, field: str | None) -> None:
    status, output, stderr = run_text(text)
    assert_error(status, output, stderr, field)


def test_error_messages_name_the_field_in_both_languages() -> None:
    status, output, _ = run_text(_raw_amount("-7500"))
    assert status == 2
    assert output["error"] == ("Bahan langsung baris 1, harga satuan (Rp): tidak boleh negatif.")
    assert output["error_en"] == "Direct material line 1, unit price (Rp): must not be negative."


def test_oversized_input_is_refused() -> None:
    text = " " * (tkdn_calculate.MAX_INPUT_BYTES + 1) + json.dumps(valid_data())
    status, output, stderr = run_text(text)
    assert_error(status, output, stderr, None)


def test_missing_file(tmp_path: Path) -> None:
    status, output, stderr = run(str(tmp_path / "tidak-ada.json"))
    assert_error(status, output, stderr, None)
    assert "tidak ditemukan" in output["error"]


def test_directory_instead_of_file(tmp_path: Path) -> None:
    status, output, stderr = run(str(tmp_path))
    assert_error(status, output, stderr, None)


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes(json.dumps(valid_data()).replace("Kain", "Kaïn").encode("latin-1"))
    status, output, stderr = run(str(path))
    assert_error(status, output, stderr, None)
    assert "UTF-8" in output["error"]


def test_unexpected_internal_error_still_gives_error_json(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(calculation, "calculate", broken)
    status, output, stderr = run_text(json.dumps(valid_data()))
    assert_error(status, output, stderr, None)
    assert "RuntimeError" in output["error_en"]


def test_recursion_error_after_decoding_gives_error_json(monkeypatch: pytest.MonkeyPatch) -> None:
    def too_deep(*args: Any, **kwargs: Any) -> None:
        raise RecursionError

    monkeypatch.setattr(calculation, "parse_input", too_deep)
    status, output, stderr = run_text(json.dumps(valid_data()))
    assert_error(status, output, stderr, None)


# ---------------------------------------------------------------------------------------------
# The real process: exit status and no traceback on stderr
# ---------------------------------------------------------------------------------------------


def _manage(stdin: bytes, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "tkdnportal.settings_test")
    return subprocess.run(
        [sys.executable, str(REPO_ROOT / "manage.py"), "tkdn_calculate", *args],
        input=stdin,
        capture_output=True,
        cwd=REPO_ROOT,
        env=env,
        timeout=60,
        check=False,
    )


def test_process_success_exits_0() -> None:
    completed = _manage(json.dumps(EXAMPLES["5"][0]).encode())
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["tkdn_ik"] == "26.35"
    assert completed.stderr == b""


def test_process_deeply_nested_garbage_exits_2_without_traceback() -> None:
    completed = _manage(b"[" * 200_000)
    assert completed.returncode == 2
    assert b"Traceback" not in completed.stderr + completed.stdout
    assert json.loads(completed.stdout)["field"] is None
