"""The benchmark suite runs end to end at a tiny size, so it cannot rot. No time is asserted."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_bench_smoke_runs_every_step():
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)}
    out = subprocess.run(
        [sys.executable, "bench/run.py", "--smoke"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    report = json.loads(out.stdout)
    (size,) = report["sizes"].values()
    scenarios = ("floor", "lookup_name", "lookup_filters", "certificate", "verify", "api_list")
    # Issue 15: the supplier finder next to the lookup, diverse searches each sent once.
    for scenario in (*scenarios, "lookup_diverse", "finder_diverse"):
        result = size["http"][scenario]
        assert result["requests"] > 0, scenario
        assert result["non_2xx"] == 0 and result["socket_errors"] == 0, (scenario, result)
    assert size["http"]["gunicorn_worker_peak_rss_mb"] > 0
    assert report["pdf"]["count"] == 2 and report["pdf"]["ratio"] > 0
    assert report["pipeline"]["count"] == 2
    assert report["pipeline"]["celery_worker_peak_rss_mb"] > 0
