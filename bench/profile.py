#!/usr/bin/env python
# ruff: noqa: E501 - the Django shell program below is kept readable, not wrapped
"""Where a page's time goes: the diverse requests of ``bench/diverse.py``, played in-process, one
at a time, each split into database time and the rest (Python: view, forms, template).

    python bench/profile.py --database postgres://postgres@127.0.0.1:5432/tkdn_bench_10000
    python bench/profile.py --database ... --per-category 40 --only name_word name_phrase
    python bench/profile.py --database ... --only name_word --cprofile 25

No HTTP server and no concurrency: the figures are one request's own cost, the floor the load
test of ``bench/diverse.py`` queues on. Production settings (DEBUG off, the cached template
loader), the same requests as ``diverse.py`` with the same seed. With ``--cprofile N`` the N
functions with the most cumulative time over the chosen categories are printed as well.
``--slowest N`` lists the N slowest requests with their SQL time, to feed ``EXPLAIN``.

Nothing here asserts a time; it prints a table (and JSON with ``--json``).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from diverse import REQUESTS_CODE  # noqa: E402
from run import base_env, log, manage  # noqa: E402

PROFILE_CODE = r"""
import cProfile, io, json, pstats, random, time
from django.db import connection
from django.test import Client

requests = json.loads(open({REQUESTS!r}).read())
cookies = requests.pop("_sessions")
only = {ONLY!r}
per = {PER}
top = {CPROFILE}
sql_ms = [0.0]
sql_count = [0]

def wrapper(execute, sql, params, many, context):
    t = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        sql_ms[0] += (time.perf_counter() - t) * 1000
        sql_count[0] += 1

clients = []
for cookie in cookies:
    c = Client(HTTP_HOST="127.0.0.1")
    name, value = cookie.split("=", 1)
    c.cookies[name] = value
    clients.append(c)
anonymous = Client(HTTP_HOST="127.0.0.1")
rng = random.Random(3)
profiler = cProfile.Profile() if top else None
out = {}
with connection.execute_wrapper(wrapper):
    # Warm: imports, template compilation, connections (requests beyond the measured ones).
    for name, paths in requests.items():
        if only and name not in only:
            continue
        for path in paths[2 * per : 2 * per + 3]:
            (clients[0] if "/admin/" in path else anonymous).get(path, HTTP_X_FORWARDED_FOR="10.9.9.9")
    for name, paths in requests.items():
        if only and name not in only:
            continue
        rows = []
        for i, path in enumerate(paths[:per]):
            client = clients[i % len(clients)] if "/admin/" in path else anonymous
            address = f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
            sql_ms[0] = 0.0
            sql_count[0] = 0
            if profiler:
                profiler.enable()
            t = time.perf_counter()
            response = client.get(path, HTTP_X_FORWARDED_FOR=address)
            total = (time.perf_counter() - t) * 1000
            if profiler:
                profiler.disable()
            rows.append({"path": path, "status": response.status_code, "total_ms": round(total, 2),
                         "sql_ms": round(sql_ms[0], 2), "queries": sql_count[0]})
        out[name] = rows
if profiler:
    stream = io.StringIO()
    pstats.Stats(profiler, stream=stream).sort_stats({SORT!r}).print_stats(top)
    out["_cprofile"] = stream.getvalue()
print("PROFILE-JSON " + json.dumps(out))
"""


def median(values: list[float]) -> float:
    return quantile(values, 0.5)


def quantile(values: list[float], q: float) -> float:
    """The nearest-rank ``q`` quantile (0 for no values)."""
    values = sorted(values)
    return values[min(int(q * len(values)), len(values) - 1)] if values else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--per-category", type=int, default=40)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--only", nargs="*", default=[], help="categories to play (default all)")
    parser.add_argument("--cprofile", type=int, default=0, metavar="N")
    parser.add_argument("--sort", default="cumulative", help="pstats order for --cprofile")
    parser.add_argument("--slowest", type=int, default=0, metavar="N")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="tkdn-profile-"))
    env = base_env(args.database, workdir, None)
    env.update({"NUM_PROXIES": "1", "TKDN_ADMIN_2FA": "false", "AXES_ENABLED": "false"})
    env.pop("REGISTRY_API_RATE", None)
    # Each request is distinct, but the page cache would still serve the warm-up's repeats.
    env["REGISTRY_PAGE_CACHE_SECONDS"] = "0"
    manage(env, "collectstatic", "--noinput", "-v0")
    code = REQUESTS_CODE.replace("{PER}", str(args.per_category)).replace("{SEED}", str(args.seed))
    requests_file = workdir / "requests.json"
    requests_file.write_text(manage(env, "shell", "-c", code).strip().splitlines()[-1])
    log(f"requests written to {requests_file}")
    code = (
        PROFILE_CODE.replace("{REQUESTS!r}", repr(str(requests_file)))
        .replace("{ONLY!r}", repr(args.only))
        .replace("{PER}", str(args.per_category))
        .replace("{CPROFILE}", str(args.cprofile))
        .replace("{SORT!r}", repr(args.sort))
    )
    line = next(
        line
        for line in manage(env, "shell", "-c", code).splitlines()
        if line.startswith("PROFILE-JSON ")
    )
    result = json.loads(line.removeprefix("PROFILE-JSON "))
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    cprofile = result.pop("_cprofile", "")
    print(
        "| category | requests | total p50 ms | SQL p50 ms | rest p50 ms | total p90 ms | max ms "
        "| queries p50 | errors |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, rows in result.items():
        totals = [r["total_ms"] for r in rows]
        sqls = [r["sql_ms"] for r in rows]
        rest = [r["total_ms"] - r["sql_ms"] for r in rows]
        errors = sum(1 for r in rows if r["status"] >= 400)
        print(
            f"| {name} | {len(rows)} | {median(totals):.1f} | {median(sqls):.1f} | "
            f"{median(rest):.1f} | {quantile(totals, 0.9):.1f} | {max(totals, default=0):.1f} | "
            f"{median([r['queries'] for r in rows]):.0f} | {errors} |"
        )
    if args.slowest:
        every = [(r, name) for name, rows in result.items() for r in rows]
        every.sort(key=lambda pair: -pair[0]["total_ms"])
        print()
        for row, name in every[: args.slowest]:
            print(f"{row['total_ms']:8.1f} ms  sql {row['sql_ms']:8.1f}  {name}  {row['path']}")
    if cprofile:
        print(cprofile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
