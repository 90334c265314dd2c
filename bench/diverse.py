#!/usr/bin/env python
# ruff: noqa: E501 - the Django shell programs below are kept readable, not wrapped
"""Uncached speed (issue 17): several hundred distinct, realistic requests per category, each
made once, against one database; warm, then after a cold start; the naive peer on the same rows.

    python bench/diverse.py --database postgres://postgres@127.0.0.1:5432/tkdn_bench_10000
    python bench/diverse.py --database ... --per-category 300 --clients 4 --naive 20

The page cache and repeated words of ``bench/run.py`` measure the cached portal; here no request
is made twice, so every one pays its full cost: whole words, partial words, words with one typo,
two-word phrases, words with filters, filter combinations, API queries, certificate and verify
pages, and the officials' admin searches (certificates and applications, as a superuser and as a
province official). Each simulated client has its own address (``X-Forwarded-For`` behind one
trusted proxy), so the per-address throttle keeps a history of one request, as for real readers,
instead of the load generator's whole history under one address.

Cold start: gunicorn restarted (new processes, no connections or Python caches) and, where the
kernel lets us, the OS page cache dropped (``echo 3 > /proc/sys/vm/drop_caches``); PostgreSQL's
own buffers stay (the server is shared) unless ``--cold-restart COMMAND`` restarts it. The naive peer is the textbook search on the same rows
and words: ``icontains`` on company, product and brand, an exact ``COUNT(*)`` and the first page,
timed in the database client (no HTTP, no template: a floor for it).

Nothing here asserts a time. The result is JSON on stdout; bench/README.md has the run's table.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import math
import shlex
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import base_env, gunicorn, log, manage  # noqa: E402

# Query-level PostgreSQL settings for the benchmark's own database (docs/operations.md): the
# server is shared, so not ALTER SYSTEM; shared_buffers is reported as found.
DATABASE_SETTINGS = {
    "jit": "off",
    "max_parallel_workers_per_gather": "0",
    "random_page_cost": "1.1",
    "work_mem": "16MB",
}
REPORTED_SETTINGS = (
    "shared_buffers",
    "effective_cache_size",
    "work_mem",
    "random_page_cost",
    "jit",
    "max_parallel_workers_per_gather",
    "server_version",
)

REQUESTS_CODE = r"""
import json, random, re, urllib.parse
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from accounts.models import User
from applications.models import Official
from applications.selectors import OFFICIAL_GROUP
from registry.models import Certificate, CertificateSequence

PER = {PER}
rng = random.Random({SEED})
q = urllib.parse.urlencode
top = Certificate.objects.order_by("-id").values_list("id", flat=True).first() or 0
low = Certificate.objects.order_by("id").values_list("id", flat=True).first() or 0
rows = list(Certificate.objects.filter(id__in=[rng.randint(low, top) for _ in range(PER * 12)])
    .values("id", "number", "verification_token", "company_name", "product_name",
            "product_brand", "province_id", "regency_id", "kbli", "company_nib"))
rng.shuffle(rows)
years = [str(y) for y in CertificateSequence.objects.filter(last_value__gt=0)
         .values_list("year", flat=True)]

def words(row):
    text = f"{row['company_name']} {row['product_name']} {row['product_brand']}"
    return [w for w in re.findall(r"[A-Za-z]{3,}", text) if w.lower() not in ("cv", "pt", "ud")]

def typo(word):
    w = word.lower()
    i = rng.randrange(1, len(w) - 1)
    kind = rng.choice(["sub", "del", "swap", "ins"])
    if kind == "sub":
        return w[:i] + rng.choice("aeiouklmnprst".replace(w[i], "")) + w[i + 1:]
    if kind == "del":
        return w[:i] + w[i + 1:]
    if kind == "swap":
        return w[:i] + w[i + 1] + w[i] + w[i + 2:]
    return w[:i] + rng.choice("aeiounr") + w[i:]

def partial(word):
    w = word.lower()
    n = rng.randint(3, max(3, len(w) - 1))
    start = rng.randint(0, len(w) - n)
    return w[start:start + n]

def phrase(row):
    parts = row["company_name"].split() if rng.random() < 0.6 else row["product_name"].split()
    if len(parts) < 2:
        parts = row["product_name"].split() + row["company_name"].split()
    i = rng.randrange(0, len(parts) - 1)
    return f"{parts[i]} {parts[i + 1]}".lower()

from registry import procurement

def need_of(kbli):
    return next((n.slug for n in procurement.NEEDS if any(kbli.startswith(p) for p in n.kbli_prefixes)), "")

def finder_query(row):
    # A buyer's search: a need (the row's own, else any), a place (regency, province or none),
    # sometimes a word, sometimes a minimum value.
    shape = rng.random()
    params = {"category": need_of(row["kbli"]) or rng.choice(procurement.NEEDS).slug}
    if shape < 0.45:
        params.update(province=row["province_id"], regency=row["regency_id"])
    elif shape < 0.85:
        params["province"] = row["province_id"]
    if rng.random() < 0.4:
        params["q"] = rng.choice(words(row)).lower()
    if rng.random() < 0.5:
        params["min_tkdn"] = rng.choice(["25", "30", "35", "40"])
    return params

lookup = reverse("registry:lookup")
finder = reverse("registry:suppliers")
api = reverse("api:certificate_list")
admin_certs = reverse("admin:registry_certificate_changelist")
admin_apps = reverse("admin:applications_application_changelist")
STATUSES = ["VALID", "EXPIRED", "REVOKED"]
SORTS = ["-issue_date", "issue_date", "-tkdn_ik", "tkdn_ik", "company_name", "number"]

def filters(row, k):
    options = {
        "province": row["province_id"],
        "regency": row["regency_id"],
        "kbli": row["kbli"],
        "status": rng.choice(STATUSES),
        "tkdn_min": rng.choice(["25", "30", "35", "40", "60"]),
        "sort": rng.choice(SORTS),
    }
    keys = rng.sample(list(options), k)
    if "regency" in keys and "province" not in keys:
        keys.append("province")
    return {key: options[key] for key in keys}

makers = {
    "name_word": lambda r: f"{lookup}?{q({'q': rng.choice(words(r)).lower()})}",
    "name_partial": lambda r: f"{lookup}?{q({'q': partial(rng.choice(words(r)))})}",
    "name_typo": lambda r: f"{lookup}?{q({'q': typo(rng.choice([w for w in words(r) if len(w) >= 5] or ['sentosa']))})}",
    "name_phrase": lambda r: f"{lookup}?{q({'q': phrase(r)})}",
    "name_filters": lambda r: f"{lookup}?{q({'q': rng.choice(words(r)).lower(), **filters(r, rng.randint(1, 3))})}",
    "filters_only": lambda r: f"{lookup}?{q({**filters(r, rng.randint(1, 4)), **({'page': rng.randint(2, 4)} if rng.random() < 0.2 else {})})}",
    "api_list": lambda r: f"{api}?{q({**({'q': rng.choice(words(r)).lower()} if rng.random() < 0.5 else {}), **filters(r, rng.randint(0, 3)), 'page_size': rng.choice([20, 50, 100])})}",
    "certificate_page": lambda r: reverse("registry:certificate_detail", kwargs={"number": r["number"]}),
    "verify_page": lambda r: reverse("registry:verify", kwargs={"token": r["verification_token"]}),
    "admin_certificate_search": lambda r: f"{admin_certs}?{q({'q': rng.choice([rng.choice(words(r)).lower(), partial(rng.choice(words(r))), r['number'], r['company_nib'], phrase(r)]), **({'status__exact': 'VALID'} if rng.random() < 0.3 else {}), **({'tahun': rng.choice(years)} if years and rng.random() < 0.3 else {})})}",
    "finder": lambda r: f"{finder}?{q(finder_query(r))}",
    "admin_application_search": lambda r: f"{admin_apps}?{q({'q': rng.choice(words(r)).lower(), **({'status__exact': 'ISSUED'} if rng.random() < 0.3 else {})})}",
}
out = {}
for name, make in makers.items():
    seen, paths = set(), []
    for row in rows:
        if len(paths) >= 2 * PER + 8:
            break
        path = make(row)
        if path not in seen:
            seen.add(path)
            paths.append(path)
    out[name] = paths

# Officials: a superuser and an official of one province (their searches alternate).
su, _ = User.objects.get_or_create(username="bench-superuser", defaults={"is_staff": True, "is_superuser": True, "email": "bench-superuser@bench.invalid"})
off_user, created = User.objects.get_or_create(username="bench-official", defaults={"is_staff": True, "email": "bench-official@bench.invalid"})
if created:
    Official.objects.create(user=off_user, province_id=rows[0]["province_id"], office_name="Bench")
    off_user.groups.add(Group.objects.get(name=OFFICIAL_GROUP))
from django.conf import settings
cookies = []
for user in (su, off_user):
    c = Client()
    c.force_login(user)
    cookies.append(f"{settings.SESSION_COOKIE_NAME}={c.cookies[settings.SESSION_COOKIE_NAME].value}")
out["_sessions"] = cookies
print(json.dumps(out))
"""

NAIVE_CODE = r"""
import json, time
from django.db.models import Q
from registry.models import Certificate
texts = json.loads({TEXTS!r})
out = {}
for name, items in texts.items():
    times = []
    for text in items:
        t = time.perf_counter()
        qs = Certificate.objects.filter(Q(company_name__icontains=text) | Q(product_name__icontains=text)
            | Q(product_brand__icontains=text)).order_by("-issue_date", "-sequence")
        qs.count()
        list(qs[:20])
        times.append((time.perf_counter() - t) * 1000)
    out[name] = times
print(json.dumps(out))
"""

SETTINGS_CODE = r"""
import json
from django.db import connection
with connection.cursor() as c:
    out = {}
    for name in {NAMES!r}:
        c.execute(f"SHOW {name}")
        out[name] = c.fetchone()[0]
    c.execute("SELECT count(*) FROM registry_certificate")
    out["certificates"] = c.fetchone()[0]
    c.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
    out["database_size"] = c.fetchone()[0]
print(json.dumps(out))
"""


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    # Nearest rank: the smallest value with at least pct % of the values at or below it.
    index = min(len(ordered) - 1, max(0, math.ceil(pct / 100 * len(ordered)) - 1))
    return round(ordered[index], 1)


def summary(times: list[float], errors: int = 0) -> dict:
    return {
        "n": len(times),
        "p50_ms": percentile(times, 50),
        "p99_ms": percentile(times, 99),
        "max_ms": round(max(times), 1) if times else 0.0,
        "mean_ms": round(statistics.fmean(times), 1) if times else 0.0,
        "errors": errors,
    }


def tune_database(database_url: str) -> None:
    import psycopg2

    name = database_url.rsplit("/", 1)[1]
    conn = psycopg2.connect(database_url.rsplit("/", 1)[0] + "/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        for key, value in DATABASE_SETTINGS.items():
            cur.execute(f'ALTER DATABASE "{name}" SET {key} = %s', [value])
    conn.close()


def prewarm(database_url: str) -> int:
    """Read the database's tables and indexes into PostgreSQL's buffers (``pg_prewarm``), so
    that "warm" means warm whatever ran before (another database, a restart); the blocks read."""
    import psycopg2

    conn = psycopg2.connect(database_url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        cur.execute(
            "SELECT COALESCE(sum(pg_prewarm(c.oid)), 0) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i', 'm')"
        )
        blocks = cur.fetchone()[0]
    conn.close()
    return int(blocks)


def wait_for_database(database_url: str, seconds: float = 60) -> None:
    import psycopg2

    deadline = time.monotonic() + seconds
    while True:
        try:
            psycopg2.connect(database_url).close()
            return
        except psycopg2.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def drop_os_cache() -> bool:
    try:
        subprocess.run(["sync"], check=True, timeout=120)
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    except OSError:
        return False
    return True


def play(port: int, paths: list[str], cookies: list[str], clients: int) -> dict:
    """Each path once, ``clients`` at a time; each request from its own client address."""
    local = threading.local()
    counter = iter(range(10**9))
    lock = threading.Lock()

    def one(path: str) -> tuple[float, int]:
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        with lock:
            n = next(counter)
        headers = {
            "Accept-Language": "id",
            "X-Forwarded-For": f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}",
        }
        if path.startswith("/admin/"):
            headers["Cookie"] = cookies[n % len(cookies)]
        if path.startswith("/api/"):
            headers["Accept"] = "application/json"
        start = time.perf_counter()
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            local.conn = None
            status = 0
        return (time.perf_counter() - start) * 1000, status

    with ThreadPoolExecutor(max_workers=clients) as pool:
        results = list(pool.map(one, paths))
    times = [t for t, _s in results]
    errors = [(p, s) for p, (_t, s) in zip(paths, results, strict=True) if s != 200]
    out = summary(times, len(errors))
    out["error_examples"] = errors[:3]
    return out


LABELS = {
    "name_word": "name, whole word",
    "name_partial": "name, part of a word",
    "name_typo": "name, one typo'd word",
    "name_phrase": "name, two-word phrase",
    "name_filters": "name + filters",
    "filters_only": "filters only",
    "api_list": "API list",
    "certificate_page": "certificate page",
    "verify_page": "verify page",
    "admin_certificate_search": "admin: certificate search",
    "admin_application_search": "admin: application search",
    "finder": "supplier finder (issue 15)",
}


def markdown(small: dict, big: dict) -> str:
    """The README table of two runs (the smaller database first)."""
    n_small, n_big = small["database"]["certificates"], big["database"]["certificates"]
    lines = [
        f"| requests (p50 / p99 ms) | {n_small:,} warm | {n_big:,} warm | {n_big:,} cold "
        f"| p99 {n_big:,} ÷ {n_small:,} (warm) | naive peer p99 ÷ portal p99 at {n_big:,} |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for key, label in LABELS.items():
        a, b, c = small["warm"][key], big["warm"][key], big["cold"][key]
        ratio = round(b["p99_ms"] / a["p99_ms"], 2) if a["p99_ms"] else "–"
        naive = big.get("naive", {}).get(key)
        versus = f"{round(naive['p99_ms'] / b['p99_ms'], 1)} ×" if naive else ""
        errors = sum(r["errors"] for r in (a, b, c))
        lines.append(
            f"| {label} | {a['p50_ms']} / {a['p99_ms']} | {b['p50_ms']} / {b['p99_ms']} | "
            f"{c['p50_ms']} / {c['p99_ms']} | {ratio} | {versus} |"
            + (f" ({errors} non-200)" if errors else "")
        )
    lines.append("")
    for run in (small, big):
        finder, lookup = run["warm"].get("finder"), run["warm"].get("name_filters")
        if finder and lookup and lookup["p50_ms"] and lookup["p99_ms"]:
            lines.append(
                f"Supplier finder ÷ lookup (name + filters) at {run['database']['certificates']:,}"
                f" (warm, same run): p50 {round(finder['p50_ms'] / lookup['p50_ms'], 2)}, "
                f"p99 {round(finder['p99_ms'] / lookup['p99_ms'], 2)}."
            )
    for run in (small, big):
        naive = run.get("naive", {})
        if naive:
            parts = ", ".join(
                f"{LABELS[k]} {v['p50_ms']} / {v['p99_ms']}" for k, v in naive.items()
            )
            lines.append(
                f"Naive peer at {run['database']['certificates']:,} (p50 / p99 ms, "
                f"{next(iter(naive.values()))['n']} searches each): {parts}."
            )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--report", nargs=2, metavar=("SMALL.json", "BIG.json"))
    parser.add_argument("--database")
    parser.add_argument("--per-category", type=int, default=300)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--naive", type=int, default=20, help="naive searches per name category")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--no-tune", action="store_true", help="leave the database settings")
    parser.add_argument(
        "--prewarm",
        action="store_true",
        help="read the database into PostgreSQL's buffers (pg_prewarm) before the warm phase",
    )
    parser.add_argument(
        "--cold-restart",
        metavar="COMMAND",
        help="restart PostgreSQL before the cold phase with this command (its buffers are "
        "emptied too), e.g. 'pg_ctlcluster --skip-systemctl-redirect 15 main restart'",
    )
    args = parser.parse_args(argv)
    if args.report:
        small, big = (json.loads(Path(p).read_text()) for p in args.report)
        print(markdown(small, big))
        return 0
    if not args.database:
        parser.error("--database is required")

    import tempfile

    workdir = Path(tempfile.mkdtemp(prefix="tkdn-diverse-"))
    env = base_env(args.database, workdir, None)
    env.update(
        {
            "NUM_PROXIES": "1",
            "TKDN_ADMIN_2FA": "false",
            "AXES_ENABLED": "false",
        }
    )
    # The per-address rate stays the production default: each request has its own address.
    env.pop("REGISTRY_API_RATE", None)
    if not args.no_tune:
        tune_database(args.database)
    manage(env, "migrate", "--noinput", "-v0")
    code = SETTINGS_CODE.replace("{NAMES!r}", repr(REPORTED_SETTINGS))
    pg = json.loads(manage(env, "shell", "-c", code).strip().splitlines()[-1])
    log(f"database: {pg}")
    code = REQUESTS_CODE.replace("{PER}", str(args.per_category)).replace("{SEED}", str(args.seed))
    requests = json.loads(manage(env, "shell", "-c", code).strip().splitlines()[-1])
    cookies = requests.pop("_sessions")
    report: dict = {"database": pg, "per_category": args.per_category, "clients": args.clients}
    if args.prewarm:
        report["prewarmed_blocks"] = prewarm(args.database)
        log(f"prewarmed {report['prewarmed_blocks']:,} blocks")
    for phase in ("warm", "cold"):
        if phase == "cold":
            if args.cold_restart:
                # PostgreSQL's own buffers too (a shared server: only when asked).
                subprocess.run(shlex.split(args.cold_restart), check=True, timeout=300)
                wait_for_database(args.database)
            report["database_restarted"] = bool(args.cold_restart)
            report["os_cache_dropped"] = drop_os_cache()
        with gunicorn(env, args.workers) as (port, _proc):
            if phase == "warm":
                # Warm the processes and connections on requests that are not measured.
                for paths in requests.values():
                    play(port, paths[2 * args.per_category :], cookies, args.clients)
            report[phase] = {}
            first = 0 if phase == "warm" else args.per_category
            for name, paths in requests.items():
                chosen = paths[first : first + args.per_category]
                log(f"{phase} {name}: {len(chosen)} requests")
                report[phase][name] = play(port, chosen, cookies, args.clients)
    if args.naive:
        from urllib.parse import parse_qs, urlsplit

        texts = {}
        for name in ("name_word", "name_partial", "name_typo", "name_phrase"):
            texts[name] = [
                parse_qs(urlsplit(p).query)["q"][0] for p in requests[name][: args.naive]
            ]
        code = NAIVE_CODE.replace("{TEXTS!r}", repr(json.dumps(texts)))
        log(f"naive peer: {args.naive} searches per name category")
        naive = json.loads(manage(env, "shell", "-c", code).strip().splitlines()[-1])
        report["naive"] = {name: summary(times) for name, times in naive.items()}
    with contextlib.suppress(OSError):
        import shutil

        shutil.rmtree(workdir)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
