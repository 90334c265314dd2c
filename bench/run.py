#!/usr/bin/env python
"""Benchmark suite of the TKDN-IK portal: every figure next to a floor measured in the same run.

    python bench/run.py                       # full run: 10,000 and 1,000,000 certificates
    python bench/run.py --sizes 10000         # one size
    python bench/run.py --smoke               # CI: tiny N, a few seconds per step, no README update

Steps (issue 7): seed the registry (a PostgreSQL database per size, reused when it already holds
the certificates); serve the portal with gunicorn under production settings and load it with wrk
on loopback (lookup by name, lookup with filters, certificate page, verify page, API list, and
the framework floor ``/ping/``); time the certificate PDF render against a bare WeasyPrint render
of a static page of the same size and fonts; time submit → value computed and approve → PDF ready
with a real Celery worker on Redis; record the peak RSS of a gunicorn worker and of the Celery
worker. Results are printed as JSON and, for full runs, appended to bench/README.md as a table.

Nothing here asserts a time: machines are noisy, so each figure is read as a ratio to its floor.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
WRK_SCRIPT = r"""
local paths = {PATHS}
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1], {["Accept-Language"] = "id"})
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %.3f %.3f %.3f %.3f\n",
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.mean / 1000))
end
"""


# --- helpers ------------------------------------------------------------------------------------


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_url() -> str | None:
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/9"
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:  # noqa: BLE001 - any failure means "no Redis here"
        return None
    return url


def postgres_available() -> bool:
    try:
        import psycopg2

        psycopg2.connect(PG_ADMIN, connect_timeout=2).close()
    except Exception:  # noqa: BLE001
        return False
    return True


def base_env(database_url: str, workdir: Path, broker: str | None) -> dict[str, str]:
    """Production settings (DEBUG off) with what a loopback benchmark needs."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tkdnportal.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "DATABASE_URL": database_url,
        "TKDN_VAR_DIR": str(workdir / "var"),
        "MEDIA_ROOT": str(workdir / "media"),
        "STATIC_ROOT": str(workdir / "static"),
        # The public API is rate-limited per client; the load generator is one client.
        "REGISTRY_API_RATE": "100000000/min",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    if broker:
        env["REDIS_URL"] = broker
        env["CELERY_BROKER_URL"] = broker
    else:
        env.pop("REDIS_URL", None)
        env.pop("CELERY_BROKER_URL", None)
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 7200) -> str:
    out = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{out.stdout}\n{out.stderr}")
    return out.stdout


def peak_rss_mb(pid: int) -> float | None:
    """VmHWM: the peak resident set size of a process, in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


# --- 1. seeding ---------------------------------------------------------------------------------


def database_for(size: int, smoke: bool, workdir: Path, prefix: str = "tkdn_bench") -> str:
    if postgres_available():
        name = f"{prefix}_{'smoke_' if smoke else ''}{size}"
        return f"postgres://postgres@127.0.0.1:5432/{name}"
    return f"sqlite:///{workdir / f'bench_{size}.sqlite3'}"


def ensure_database(url: str) -> None:
    if not url.startswith("postgres"):
        return
    import psycopg2

    name = url.rsplit("/", 1)[1]
    conn = psycopg2.connect(PG_ADMIN)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def certificate_count(env: dict[str, str]) -> int:
    out = manage(
        env,
        "shell",
        "-c",
        "from registry.models import Certificate; print(Certificate.objects.count())",
    )
    return int(out.strip().splitlines()[-1])


def seed(size: int, env: dict[str, str]) -> dict:
    ensure_database(env["DATABASE_URL"])
    manage(env, "migrate", "--noinput", "-v0")
    have = certificate_count(env)
    if have >= size:
        log(f"reusing {env['DATABASE_URL']} with {have:,} certificates")
        return {"certificates": have, "seed_seconds": None, "reused": True}
    log(f"seeding {size - have:,} certificates into {env['DATABASE_URL']}")
    started = time.perf_counter()
    manage(env, "seed_registry", "--certificates", str(size - have))
    seconds = time.perf_counter() - started
    manage(
        env,
        "shell",
        "-c",
        "from django.db import connection; c=connection.cursor(); "
        "c.execute('ANALYZE') if connection.vendor == 'postgresql' else None",
    )
    return {
        "certificates": certificate_count(env),
        "seed_seconds": round(seconds, 1),
        "reused": False,
    }


# --- 2. HTTP load -------------------------------------------------------------------------------


def sample_paths(env: dict[str, str]) -> dict[str, list[str]]:
    """Real URLs of this database: a name that exists, a few numbers and tokens."""
    code = r"""
import json, urllib.parse
from django.urls import reverse
from registry.models import Certificate
certs = list(Certificate.objects.order_by("-id").values(
    "number", "verification_token", "company_name", "province_id", "kbli")[:20])
word = certs[0]["company_name"].split()[-1]
q = urllib.parse.quote
lookup = reverse("registry:lookup")
api = reverse("api:certificate_list")
print(json.dumps({
  "floor": ["/ping/"],
  "lookup_name": [f"{lookup}?q={q(c['company_name'].split()[-1])}" for c in certs[:5]],
  # The same searches with a parameter the filters ignore, different on every request: each one
  # misses the server-side page cache (REGISTRY_PAGE_CACHE_SECONDS), so this is the full cost.
  "lookup_name_uncached": [
      f"{lookup}?q={q(c['company_name'].split()[-1])}&nocache={n}"
      for n in range(2000) for c in certs[:5]],
  "lookup_filters": [
      f"{lookup}?province={c['province_id']}&kbli={c['kbli']}&tkdn_min=30&status=VALID"
      for c in certs[:5]],
  "lookup_filters_uncached": [
      f"{lookup}?province={c['province_id']}&kbli={c['kbli']}&tkdn_min=30&status=VALID&nocache={n}"
      for n in range(2000) for c in certs[:5]],
  "certificate": [reverse("registry:certificate_detail", kwargs={"number": c["number"]})
                  for c in certs[:10]],
  "verify": [reverse("registry:verify", kwargs={"token": c["verification_token"]})
             for c in certs[:10]],
  "api_list": [f"{api}?province={c['province_id']}" for c in certs[:5]],
  **diverse_paths(),
}))
"""
    return json.loads(manage(env, "shell", "-c", DIVERSE_CODE + code).strip().splitlines()[-1])


# Issue 15: the supplier finder against the register lookup, each with several hundred distinct
# realistic searches sent once each (wrk cycles through more paths than it sends requests), so
# neither the page cache nor a repeated plan hides the cost. The same mix of needs, places, words
# and minimum values for both: the finder by need (category), the lookup by the need's KBLI.
DIVERSE_CODE = r"""
import random
from applications.models import Regency
from registry import procurement
from registry.management.commands.seed_registry import PRODUCTS


def diverse_paths(count=1500):
    rng = random.Random(15)
    regencies = list(Regency.objects.values_list("code", flat=True))
    needs = [need.slug for need in procurement.NEEDS]
    kbli_of = {}
    for _name, kbli, _unit, _specs in PRODUCTS:
        for need in procurement.NEEDS:
            if any(kbli.startswith(p) for p in need.kbli_prefixes):
                kbli_of.setdefault(need.slug, []).append(kbli)
    words = sorted({w.lower() for name, *_ in PRODUCTS for w in name.split() if len(w) >= 4})
    minimums = ["", "", "25", "30", "35", "40"]
    finder, lookup, seen = [], [], set()
    while len(finder) < count:
        regency = rng.choice(regencies)
        province = regency.split(".")[0]
        need = rng.choice(needs)
        word = rng.choice(words)
        low = rng.choice(minimums)
        shape = rng.random()
        if shape < 0.40:
            place, text = {"regency": regency}, ""
        elif shape < 0.60:
            place, text = {"province": province}, ""
        elif shape < 0.75:
            place, text, need = {"regency": regency}, word, ""
        elif shape < 0.90:
            place, text = {"province": province}, word
        else:
            place, text = {}, ""
        key = (tuple(place.items()), need, text, low)
        if key in seen:
            continue
        seen.add(key)
        f = {**place, "category": need, "q": text, "min_tkdn": low}
        finder.append("/pemasok/?" + urllib.parse.urlencode({k: v for k, v in f.items() if v}))
        kbli = rng.choice(kbli_of.get(need, [""])) if need else ""
        g = {**place, "kbli": kbli, "q": text, "tkdn_min": low, "status": "VALID"}
        lookup.append("/registri/?" + urllib.parse.urlencode({k: v for k, v in g.items() if v}))
    return {"lookup_diverse": lookup, "finder_diverse": finder}
"""


@contextlib.contextmanager
def gunicorn(env: dict[str, str], workers: int):
    port = free_port()
    manage(env, "collectstatic", "--noinput", "-v0")
    proc = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "tkdnportal.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/ping/", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.3)
        yield port, proc
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def wrk(port: int, paths: list[str], duration: int, connections: int, workdir: Path) -> dict:
    script = workdir / "paths.lua"
    lua_paths = "{" + ", ".join(json.dumps(p) for p in paths) + "}"
    script.write_text(WRK_SCRIPT.replace("{PATHS}", lua_paths))
    # Warm up caches and connections first, then measure.
    for path in paths[:10]:
        urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30).read()
    out = subprocess.run(
        [
            "wrk",
            "-t",
            "1",
            "-c",
            str(connections),
            "-d",
            f"{duration}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}",
        ],
        capture_output=True,
        text=True,
        timeout=duration + 60,
        check=True,
    )
    line = next(ln for ln in out.stdout.splitlines() if ln.startswith("RESULT"))
    reqs, micros, status_err, sock_err, p50, p95, p99, mean = line.split()[1:]
    return {
        "requests": int(reqs),
        "rps": round(int(reqs) / (int(micros) / 1e6), 1),
        "non_2xx": int(status_err),
        "socket_errors": int(sock_err),
        "p50_ms": float(p50),
        "p95_ms": float(p95),
        "p99_ms": float(p99),
        "mean_ms": float(mean),
    }


def http_load(env, duration, connections, workers, workdir, only=()) -> dict:
    paths = sample_paths(env)
    if only:
        paths = {name: urls for name, urls in paths.items() if name in only or name == "floor"}
    results = {}
    with gunicorn(env, workers) as (port, proc):
        for name, urls in paths.items():
            log(f"wrk {name} ({duration}s, {connections} connections)")
            results[name] = wrk(port, urls, duration, connections, workdir)
        # Measure the floor again at the end: the machine may have changed under us.
        results["floor_after"] = wrk(port, paths["floor"], duration, connections, workdir)
        rss = [peak_rss_mb(pid) for pid in children(proc.pid)]
        results["gunicorn_worker_peak_rss_mb"] = round(max(r for r in rss if r), 1)
    floor_p99 = max(results["floor"]["p99_ms"], results["floor_after"]["p99_ms"])
    for res in results.values():
        if isinstance(res, dict):
            res["p99_vs_floor"] = round(res["p99_ms"] / floor_p99, 2) if floor_p99 else None
    return results


# --- 3. PDF render ------------------------------------------------------------------------------


PDF_CODE = r"""
import json, statistics, time
from weasyprint import CSS, HTML
from registry import pdf, signing
from registry.models import Certificate
N = {N}
certs = list(Certificate.objects.order_by("-id")[:N])
# Warm up: fonts, templates, the signing key (read once per process).
signing.sign_pdf(pdf.render_certificate_pdf(certs[0]), reason="bench", location="bench")
rendered, signed, floor = [], [], []
for cert in certs:
    t = time.perf_counter()
    data = pdf.render_certificate_pdf(cert)  # PDF/A-3b, tagged: what the worker renders
    t1 = time.perf_counter()
    signing.sign_pdf(data, reason=f"Sertifikat TKDN-IK {cert.number}", location="bench")
    t2 = time.perf_counter()
    rendered.append(t1 - t)
    signed.append(t2 - t)
# The renderer floor: bare WeasyPrint on a static copy of the same page (same size, fonts, QR),
# without templates, database, PDF/A, tags or signature.
html = pdf.render_certificate_html(certs[0])
css = CSS(filename=str(pdf.STYLESHEET))
for _ in certs:
    t = time.perf_counter()
    HTML(string=html).render(stylesheets=[css]).write_pdf()
    floor.append(time.perf_counter() - t)
print(json.dumps({"count": len(certs),
  "render_ms_median": round(statistics.median(rendered) * 1000, 1),
  "signed_ms_median": round(statistics.median(signed) * 1000, 1),
  "floor_ms_median": round(statistics.median(floor) * 1000, 1)}))
"""


def pdf_render(env: dict[str, str], count: int) -> dict:
    out = manage(env, "shell", "-c", PDF_CODE.replace("{N}", str(count)))
    result = json.loads(out.strip().splitlines()[-1])
    result["ratio"] = round(result["render_ms_median"] / result["floor_ms_median"], 2)
    # Issue 14: what the PAdES signature adds to the render (target: at most 1.25).
    result["signing_ratio"] = round(result["signed_ms_median"] / result["render_ms_median"], 2)
    return result


# --- 4. worker pipeline -------------------------------------------------------------------------


def pipeline(env: dict[str, str], count: int) -> dict:
    """Submit → computed and approve → PDF ready with a real worker on the configured broker."""
    worker = subprocess.Popen(
        [
            str(VENV_BIN / "celery"),
            "-A",
            "tkdnportal",
            "worker",
            "--loglevel=WARNING",
            "--concurrency=1",
            "--max-tasks-per-child=50",
            "-n",
            f"bench-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        # The worker's console e-mail backend prints the issue e-mails (with the PDF attached) to
        # stdout, which is this script's JSON report: keep them out of it.
        stdout=subprocess.DEVNULL,
    )
    try:
        time.sleep(3)  # let the worker connect before the clock starts
        out = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "pipeline.py"), str(count)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=1800,
            check=False,
        )
        if out.returncode != 0:
            raise RuntimeError(out.stdout + out.stderr)
        result = json.loads(out.stdout.strip().splitlines()[-1])
        rss = [peak_rss_mb(worker.pid)] + [peak_rss_mb(p) for p in children(worker.pid)]
        result["celery_worker_peak_rss_mb"] = round(max(r for r in rss if r), 1)
        return result
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)


# --- report -------------------------------------------------------------------------------------


def machine() -> str:
    cpu = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {mem:.0f} GiB, {cpu}, Python {platform.python_version()}"


def markdown(report: dict) -> str:
    lines = [
        f"### Run of {report['date']}",
        "",
        f"Machine: {report['machine']}. Command: `{report['command']}`.",
        "",
    ]
    for size, res in report["sizes"].items():
        seed_info = res["seed"]
        seeded = "reused" if seed_info["reused"] else f"seeded in {seed_info['seed_seconds']} s"
        lines += [
            f"**{int(size):,} certificates** ({seeded}); gunicorn {report['workers']} workers, "
            f"wrk {report['connections']} connections × {report['duration']} s per scenario.",
            "",
            "| scenario | req/s | p50 ms | p95 ms | p99 ms | p99 ÷ floor p99 | non-2xx |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for name, r in res["http"].items():
            if isinstance(r, dict):
                lines.append(
                    f"| {name} | {r['rps']} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | "
                    f"{r['p99_vs_floor']} | {r['non_2xx']} |"
                )
        lines += [
            "",
            f"gunicorn worker peak RSS: {res['http']['gunicorn_worker_peak_rss_mb']} MB",
            "",
        ]
    sizes = sorted(report["sizes"], key=int)
    if len(sizes) > 1:
        small, big = report["sizes"][sizes[0]]["http"], report["sizes"][sizes[-1]]["http"]
        lines += ["| scenario | p99 at largest ÷ p99 at smallest |", "|---|---:|"]
        for name in (
            "lookup_name",
            "lookup_name_uncached",
            "lookup_filters",
            "lookup_filters_uncached",
            "certificate",
            "verify",
            "api_list",
        ):
            if name not in big or name not in small:
                continue
            lines.append(f"| {name} | {round(big[name]['p99_ms'] / small[name]['p99_ms'], 2)} |")
        lines.append("")
    for size, res in report["sizes"].items():
        http = res["http"]
        if "finder_diverse" in http and "lookup_diverse" in http:
            f, lk = http["finder_diverse"], http["lookup_diverse"]
            lines += [
                f"Supplier finder vs register lookup at {int(size):,} (diverse uncached searches, "
                f"same run): p50 {f['p50_ms']} vs {lk['p50_ms']} ms "
                f"(**{round(f['p50_ms'] / lk['p50_ms'], 2)}**), p99 {f['p99_ms']} vs "
                f"{lk['p99_ms']} ms (**{round(f['p99_ms'] / lk['p99_ms'], 2)}**).",
                "",
            ]
    if "pdf" in report:
        p = report["pdf"]
        lines += [
            f"PDF render over {p['count']} certificates: median {p['render_ms_median']} ms; "
            f"bare WeasyPrint floor {p['floor_ms_median']} ms; ratio **{p['ratio']}**.",
            f"Render and PAdES signature: median {p.get('signed_ms_median')} ms; signing ratio "
            f"**{p.get('signing_ratio')}** (signed ÷ unsigned render; target ≤ 1.25).",
            "",
        ]
    if "pipeline" in report:
        p = report["pipeline"]
        lines += [
            f"Worker pipeline over {p['count']} applications (broker: {report['broker']}): "
            f"submit → value computed p50 {p['submit_to_computed_p50_s']} s "
            f"(max {p['submit_to_computed_max_s']} s); approve → PDF ready p50 "
            f"{p['approve_to_pdf_p50_s']} s (max {p['approve_to_pdf_max_s']} s); "
            f"throughput {p['certificates_per_minute']} certificates/min; Celery worker peak RSS "
            f"{p['celery_worker_peak_rss_mb']} MB.",
            "",
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes and durations (CI)")
    parser.add_argument("--duration", type=int, default=15, help="seconds per wrk scenario")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--pdf-count", type=int, default=50)
    parser.add_argument("--pipeline-count", type=int, default=50)
    parser.add_argument("--no-readme", action="store_true")
    parser.add_argument(
        "--database-prefix",
        default="tkdn_bench",
        help="PostgreSQL database names: PREFIX_SIZE (one per branch when several benchmark)",
    )
    parser.add_argument("--http-only", action="store_true", help="skip the PDF and worker steps")
    parser.add_argument(
        "--scenarios", default="", help="comma-separated scenario names to run (default: all)"
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.sizes, args.duration, args.pdf_count, args.pipeline_count = "60", 1, 2, 2
        args.no_readme = True
    if not shutil.which("wrk"):
        parser.error("wrk is not installed: apt-get install wrk (make bench installs it)")

    sys.path.insert(0, str(ROOT))
    broker = redis_url()
    workdir = Path(tempfile.mkdtemp(prefix="tkdn-bench-"))
    failures: list[str] = []
    report: dict = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "command": "python bench/run.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "workers": args.workers,
        "connections": args.connections,
        "duration": args.duration,
        "broker": "Redis" if broker else "filesystem",
        "sizes": {},
    }
    try:
        sizes = [int(s) for s in args.sizes.split(",")]
        for size in sizes:
            env = base_env(
                database_for(size, args.smoke, workdir, args.database_prefix), workdir, broker
            )
            result = {"seed": seed(size, env)}
            only = tuple(name for name in args.scenarios.split(",") if name)
            result["http"] = http_load(
                env, args.duration, args.connections, args.workers, workdir, only
            )
            report["sizes"][str(size)] = result
        env = base_env(
            database_for(sizes[0], args.smoke, workdir, args.database_prefix), workdir, broker
        )
        steps = (
            ("pdf", "PDF render vs bare WeasyPrint", pdf_render, args.pdf_count),
            ("pipeline", "worker pipeline", pipeline, args.pipeline_count),
        )
        for key, label, step, count in steps if not args.http_only else ():
            log(label)
            try:
                report[key] = step(env, count)
            except Exception as exc:  # noqa: BLE001 - reported, and the run exits non-zero
                failures.append(f"{label}: {exc}")
                log(f"FAILED {label}: {exc}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(report, indent=2))
    if not args.no_readme and not failures:
        readme = ROOT / "bench" / "README.md"
        with readme.open("a", encoding="utf-8") as handle:
            handle.write("\n" + markdown(report))
        log(f"appended to {readme}")
    if failures:
        log("some steps failed:\n" + "\n".join(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
