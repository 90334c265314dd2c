"""bench/diverse.py (issue 17): its statistics and its README table, without a server."""

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _diverse():
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        spec = importlib.util.spec_from_file_location("bench_diverse", ROOT / "bench/diverse.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(ROOT / "bench"))


def test_percentiles_are_nearest_rank():
    diverse = _diverse()
    values = [float(v) for v in range(1, 101)]
    assert diverse.percentile(values, 50) == 50.0
    assert diverse.percentile(values, 99) == 99.0
    assert diverse.percentile([7.0], 99) == 7.0
    assert diverse.summary([1.0, 3.0], errors=1) == {
        "n": 2,
        "p50_ms": 1.0,
        "p99_ms": 3.0,
        "max_ms": 3.0,
        "mean_ms": 2.0,
        "errors": 1,
    }


def test_report_table_has_every_category_and_the_ratios():
    diverse = _diverse()

    def run(n, ms, naive=None):
        phase = {key: {**diverse.summary([ms, 2 * ms]), "errors": 0} for key in diverse.LABELS}
        report = {"database": {"certificates": n}, "warm": phase, "cold": phase}
        if naive:
            report["naive"] = {"name_word": diverse.summary([naive, naive])}
        return report

    table = diverse.markdown(run(10_000, 10.0), run(1_000_000, 12.0, naive=480.0))
    lines = table.splitlines()
    assert lines[0].startswith("| requests (p50 / p99 ms) | 10,000 warm | 1,000,000 warm")
    assert len([line for line in lines if line.startswith("| ")]) == 1 + len(diverse.LABELS)
    word = next(line for line in lines if line.startswith("| name, whole word"))
    # p99 12·2 ÷ 10·2 = 1.2; the naive peer's 480 ÷ 24 = 20 ×.
    assert "| 1.2 |" in word and "20.0 ×" in word
    assert "Naive peer at 1,000,000" in table
