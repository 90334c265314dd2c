"""Faults: a worker killed mid-render, the broker down at submit, the database dropping the
worker's connections, two officials deciding at once. Real worker processes (as in
tests/test_worker.py) on this run's broker (Redis in CI, else the filesystem broker) and test
database (PostgreSQL in CI, else a SQLite file).

Each test prints what it observed (``-s`` shows it); the docstrings record what was seen when
they were written.
"""

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client

import pytest

from applications.models import Application, StatusChange
from applications.selectors import OFFICIAL_GROUP
from applications.services import application_transition
from applications.tasks import application_calculate_task, sweep_stalled_task
from registry.models import Certificate
from registry.services import application_approve
from registry.tasks import certificate_issue_task, sweep_approved_task
from tests.factories import OfficialFactory, UserFactory
from tests.test_worker import _application, _database_url, _status
from tkdnportal.celery import app as celery_app
from tkdnportal.tasks import enqueue

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]
S = Application.Status
ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 90
CLOSED_BROKER = "redis://127.0.0.1:9/0"  # the discard port: nothing listens there


# The workers' PostgreSQL connections carry this name, so a test ends theirs and nothing else
# (not this process's, not the live server's threads, not other test runs on the cluster).
WORKER_APP_NAME = "tkdn-fault-worker"
WORKER_BACKENDS = (
    "FROM pg_stat_activity WHERE datname = current_database() AND application_name = %s"
)


def worker_database_url() -> str:
    url = _database_url()
    if url.startswith("postgres"):
        url += f"?application_name={WORKER_APP_NAME}"
    return url


class Workers:
    """Start and stop real ``celery worker`` processes on this run's broker and database."""

    def __init__(self, settings, tmp_path):
        self.settings, self.tmp_path, self.processes = settings, tmp_path, []

    def start(self, pool="solo"):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tkdnportal.settings",
            "SECRET_KEY": "fault-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
            "DEBUG": "false",
            "DATABASE_URL": worker_database_url(),
            "CELERY_BROKER_URL": celery_app.conf.broker_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "TKDN_VAR_DIR": str(self.settings.VAR_DIR),
            "MEDIA_ROOT": str(self.settings.MEDIA_ROOT),
            "SITE_URL": self.settings.SITE_URL,
            "EMAIL_URL": "consolemail://",
            "PYTHONUNBUFFERED": "1",
        }
        log = (self.tmp_path / f"worker-{len(self.processes)}.log").open("w+")
        args = [str(Path(sys.executable).with_name("celery")), "-A", "tkdnportal", "worker"]
        args += [f"--pool={pool}", "--loglevel=INFO", "--without-gossip", "--without-mingle"]
        args += ["--without-heartbeat", "-n", f"fault-{uuid.uuid4().hex[:8]}@%h"]
        if pool == "prefork":
            args += ["--concurrency=1"]
        process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        process.log = log
        self.processes.append(process)
        return process

    def stop_all(self):
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            process.log.seek(0)
            print(f"---- worker {process.pid} log ----\n" + process.log.read()[-4000:])
            process.log.close()


@pytest.fixture
def workers(settings, tmp_path):
    broker = celery_app.conf.broker_url
    if broker.startswith("redis"):
        import redis

        redis.Redis.from_url(broker).delete(celery_app.conf.task_default_queue or "celery")
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    pool = Workers(settings, tmp_path)
    try:
        yield pool
    finally:
        celery_app.conf.task_always_eager = eager
        pool.stop_all()


def wait_for(predicate, what, timeout=TIMEOUT, interval=0.05):
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if predicate():
            return time.monotonic() - start
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout}s waiting for {what}")


def submit(application):
    application_transition(
        application=application,
        to_status=S.SUBMITTED,
        on_commit=lambda: enqueue(application_calculate_task, application.pk),
    )


def sweep() -> dict[str, int]:
    """Both periodic sweeps, as beat runs them: calculations (SUBMITTED) and issues (APPROVED)."""
    return {**sweep_stalled_task.apply().get(), **sweep_approved_task.apply().get()}


def transitions(application, to_status):
    return StatusChange.objects.filter(application=application, to_status=to_status).count()


def approved_application(workers_pool):
    """An application computed by a real worker and approved by an official."""
    application = _application(1)
    submit(application)
    wait_for(lambda: _status(application) == S.UNDER_REVIEW, "the TKDN-IK value")
    return application


def test_worker_killed_while_rendering_the_certificate(workers, settings):
    """SIGKILL the worker between "number taken" and "PDF stored", start a new worker.

    Observed: the certificate row (number TKDNIK/32/<year>/000001) was committed, the PDF not
    yet; the application stayed APPROVED. The killed worker's message is not redelivered at once
    (Redis: only after the visibility timeout; filesystem broker: taken off the queue when read),
    so the periodic sweep queues the issue again; the new worker finds the certificate, renders
    the PDF and the application ends ISSUED — one certificate, same number, sequence 1. A late
    duplicate message (as Redis delivers after the visibility timeout) changes nothing.
    """
    first = workers.start()
    application = approved_application(workers)
    official = UserFactory(is_staff=True, is_superuser=True)
    application_approve(application=application, actor=official)

    def numbered_without_pdf():
        cert = Certificate.objects.filter(application=application).first()
        return cert is not None and not cert.pdf

    wait_for(numbered_without_pdf, "the certificate number (rendering starts)", interval=0.005)
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    certificate = Certificate.objects.get(application=application)
    number = certificate.number
    observed = [
        f"killed worker {first.pid} (exit {first.returncode}) with {number} taken, "
        f"PDF stored: {bool(certificate.pdf)}, status {_status(application)}"
    ]
    assert not certificate.pdf, "the kill came too late: the PDF was already stored"
    assert _status(application) == S.APPROVED

    workers.start()
    time.sleep(3)  # the message of the killed worker is not redelivered within seconds
    observed.append(f"new worker after 3 s: status {_status(application)}")
    settings.TKDN_SWEEP_AFTER_SECONDS = 0
    counts = sweep()
    observed.append(f"sweep queued {counts}")
    wait_for(lambda: _status(application) == S.ISSUED, "ISSUED after the sweep")

    certificates = Certificate.objects.filter(application=application)
    assert certificates.count() == 1
    certificate = certificates.get()
    assert certificate.number == number and certificate.sequence == 1
    assert certificate.pdf and len(certificate.pdf_sha256) == 64
    # A late duplicate of the lost message: nothing changes.
    enqueue(certificate_issue_task, application.pk)
    time.sleep(2)
    assert Certificate.objects.filter(application=application).count() == 1
    assert transitions(application, S.ISSUED) == 1
    observed.append(
        f"ISSUED with {certificate.number}, one certificate, one ISSUED transition "
        "(a duplicate message later changed nothing)"
    )
    print("\nFAULT worker SIGKILL mid-render: " + "; ".join(observed))


def test_pool_child_killed_while_rendering_is_redelivered(workers):
    """Prefork pool: SIGKILL the child process that renders; the parent stays.

    Observed: with acks_late + reject_on_worker_lost the message went back to the queue at once,
    the replacement child ran it again, found the certificate and finished: ISSUED, one
    certificate with the number taken before the kill, no sweep needed.
    """
    parent = workers.start(pool="prefork")
    application = approved_application(workers)
    application_approve(application=application, actor=UserFactory(is_superuser=True))

    def numbered_without_pdf():
        cert = Certificate.objects.filter(application=application).first()
        return cert is not None and not cert.pdf

    wait_for(numbered_without_pdf, "the certificate number", interval=0.005)
    children = subprocess.run(
        ["pgrep", "-P", str(parent.pid)], capture_output=True, text=True, check=False
    ).stdout.split()
    assert children, "no pool child found"
    for child in children:
        os.kill(int(child), signal.SIGKILL)
    number = Certificate.objects.get(application=application).number
    wait_for(lambda: _status(application) == S.ISSUED, "ISSUED after the child was killed")
    assert Certificate.objects.filter(application=application).count() == 1
    certificate = Certificate.objects.get(application=application)
    assert certificate.number == number and certificate.pdf
    print(
        f"\nFAULT pool child SIGKILL mid-render: killed {children}; redelivered to the new child; "
        f"ISSUED with {number}, one certificate"
    )


def _point_at(url: str) -> None:
    from kombu import pools

    celery_app.conf.broker_url = url
    assert celery_app.conf.broker_url == url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    pools.reset()  # kombu's global connection and producer pools, keyed by broker


@contextlib.contextmanager
def broker_at(url: str):
    """Point this process's Celery app at ``url`` for the block (pools rebuilt both ways).

    Celery reads ``CELERY_BROKER_URL`` from the environment before its configuration (``.ci/run``
    exports it), so the variable is switched too; otherwise the "closed" broker would be Redis.
    """
    broker, variable = celery_app.conf.broker_url, os.environ.get("CELERY_BROKER_URL")
    os.environ["CELERY_BROKER_URL"] = url
    _point_at(url)
    try:
        yield
    finally:
        if variable is None:
            os.environ.pop("CELERY_BROKER_URL")
        else:
            os.environ["CELERY_BROKER_URL"] = variable
        _point_at(broker)


@pytest.mark.usefixtures("ik_2022_in_force")  # the draft below has IK-2022 cost lines
def test_broker_down_at_submit_then_the_sweep_processes_it_once(workers, settings, client):
    """The owner submits while the broker cannot be reached; later the sweep processes it.

    Observed: the submit page answered 302 with "Permohonan diajukan. Nilai TKDN-IK sedang
    dihitung oleh sistem.", the application stayed SUBMITTED and ``enqueue`` logged a warning.
    With the broker back and a worker running, nothing happened until the sweep, which queued
    it once; the worker computed it (UNDER_REVIEW) with exactly one SUBMITTED→CALCULATED
    transition; a second sweep queued nothing.
    """
    application = _application(2)
    owner = application.product.company.owner
    client.force_login(owner)
    with broker_at(CLOSED_BROKER):
        started = time.monotonic()
        response = client.post(
            f"/ikm/permohonan/{application.public_id}/ajukan/", {"declaration": "on"}, follow=True
        )
        took = time.monotonic() - started
    body = response.content.decode()
    assert response.status_code == 200
    assert "Permohonan diajukan. Nilai TKDN-IK sedang dihitung oleh sistem." in body
    assert _status(application) == S.SUBMITTED
    observed = [f"submit with the broker down: 200 after redirect in {took:.1f}s, SUBMITTED"]

    workers.start()
    time.sleep(3)
    assert _status(application) == S.SUBMITTED  # the message was never sent
    observed.append("broker back, worker up, 3 s later still SUBMITTED")
    settings.TKDN_SWEEP_AFTER_SECONDS = 0
    counts = sweep()
    assert counts == {"calculate": 1, "event_changes": 0, "issue": 0}
    wait_for(lambda: _status(application) == S.UNDER_REVIEW, "the sweep's calculation")
    assert transitions(application, S.CALCULATED) == 1
    assert sweep() == {"calculate": 0, "event_changes": 0, "issue": 0}
    time.sleep(1)
    assert transitions(application, S.CALCULATED) == 1
    observed.append(f"sweep queued {counts}; UNDER_REVIEW; one calculation; next sweep: nothing")
    print("\nFAULT broker down at submit: " + "; ".join(observed))


@pytest.mark.skipif(
    not django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="pg_terminate_backend needs PostgreSQL (CI runs it)",
)
def test_database_drops_the_idle_workers_connections(workers):
    """Terminate the worker's PostgreSQL connections (pg_terminate_backend; the cluster keeps
    running for the other tests) while it is idle, then submit.

    Observed: an idle worker holds no connection at all (Celery's Django fix-up closes the
    database connections after every task), so 0 backends were ended and the next submit was
    computed at once (UNDER_REVIEW, one calculation). Terminating the connection while the
    worker is busy: see the next test.
    """
    workers.start()
    warm = _application(3)
    submit(warm)
    wait_for(lambda: _status(warm) == S.UNDER_REVIEW, "the first calculation")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pid, state {WORKER_BACKENDS}", [WORKER_APP_NAME])
        before = cursor.fetchall()
        cursor.execute(f"SELECT pg_terminate_backend(pid) {WORKER_BACKENDS}", [WORKER_APP_NAME])
        killed = sum(1 for (ok,) in cursor.fetchall() if ok)

    application = _application(4)
    submit(application)
    took = wait_for(lambda: _status(application) == S.UNDER_REVIEW, "the calculation after")
    assert transitions(application, S.CALCULATED) == 1
    print(
        f"\nFAULT database connections terminated (worker idle): worker backends before "
        f"{len(before)}, {killed} ended; next submit computed in {took:.1f}s (UNDER_REVIEW, "
        "one calculation)"
    )
    assert killed == len(before)


@pytest.mark.skipif(
    not django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="pg_terminate_backend needs PostgreSQL (CI runs it)",
)
def test_database_drops_the_workers_connection_while_it_renders(workers):
    """Terminate the worker's connection between "number taken" and "PDF stored".

    Observed: saving the PDF raised OperationalError (connection closed); the issue task treats
    it as transient and retried after 2 s on a new connection; ISSUED, one certificate, the
    number taken before.
    """
    workers.start()
    application = approved_application(workers)
    application_approve(application=application, actor=UserFactory(is_superuser=True))

    def numbered_without_pdf():
        cert = Certificate.objects.filter(application=application).first()
        return cert is not None and not cert.pdf

    wait_for(numbered_without_pdf, "the certificate number", interval=0.005)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pg_terminate_backend(pid) {WORKER_BACKENDS}", [WORKER_APP_NAME])
        killed = sum(1 for (ok,) in cursor.fetchall() if ok)
    assert killed >= 1, "the rendering worker held no connection to end"
    number = Certificate.objects.get(application=application).number
    took = wait_for(lambda: _status(application) == S.ISSUED, "ISSUED after the reconnect")
    log = Path(workers.processes[0].log.name).read_text()
    seen = [
        line.split("] ", 1)[-1][:160]
        for line in log.splitlines()
        if "certificate_issue_task" in line
        and ("Retry" in line or "succeeded" in line)
        or "terminating connection" in line
    ]
    assert Certificate.objects.filter(application=application).count() == 1
    assert Certificate.objects.get(application=application).number == number
    print(
        f"\nFAULT database connections terminated (worker rendering): {killed} backend(s) "
        f"ended; ISSUED {took:.1f}s later with {number}, one certificate; worker log: {seen}"
    )


def official_group():
    """The "Petugas Dinas" group as its data migration makes it (a transactional test before
    this one may have flushed it; permissions come back with post_migrate, groups do not)."""
    from importlib import import_module

    from django.contrib.auth.models import Permission

    migration = import_module("accounts.migrations.0002_official_groups")
    group, _ = Group.objects.get_or_create(name=OFFICIAL_GROUP)
    for app_label, codename in migration.OFFICIAL_PERMISSIONS:
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return group


def test_two_officials_decide_the_same_application_at_once(workers):
    """Two officials of the province send opposite decisions at the same moment.

    Observed: on SQLite the first run gave the loser a 500 ("database is locked": a deferred
    transaction could not upgrade its read lock); fixed with ``transaction_mode = IMMEDIATE`` in
    the settings. Now one decision wins (one transition, its status); the other official's page
    comes back (200) with "status ..., keputusan ini tidak berlaku" or the transition service's
    "baru saja diubah oleh pihak lain" — never a 500.
    """
    workers.start()
    application = _application(5)
    submit(application)
    wait_for(lambda: _status(application) == S.UNDER_REVIEW, "the TKDN-IK value")
    group = official_group()
    clients = []
    for name in ("petugas_satu", "petugas_dua"):
        official = OfficialFactory(user__username=name, province_id="32")
        official.user.groups.add(group)
        c = Client()
        c.force_login(official.user)
        clients.append(c)
    base = f"/admin/applications/application/{application.pk}/keputusan"
    posts = [
        (clients[0], f"{base}/setujui/", {"apply": "1", "reason": ""}),
        (clients[1], f"{base}/tolak/", {"apply": "1", "reason": "Bukti pembelian tidak sah."}),
    ]
    barrier = threading.Barrier(2)
    results = [None, None]

    def decide(i):
        from django.db import connections

        c, url, data = posts[i]
        barrier.wait()
        try:
            results[i] = c.post(url, data, follow=True)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    codes = [r.status_code for r in results]
    assert codes == [200, 200], codes
    texts = [r.content.decode() for r in results]
    refused = ("keputusan ini tidak berlaku", "baru saja diubah oleh pihak lain")
    losers = [i for i, text in enumerate(texts) if any(m in text for m in refused)]
    assert len(losers) == 1, "exactly one official is told the decision did not apply"
    final = _status(application)
    decisions = StatusChange.objects.filter(
        application=application, from_status=S.UNDER_REVIEW
    ).count()
    assert decisions == 1, decisions
    winner = 1 - losers[0]
    assert final == (S.REJECTED if winner == 1 else S.APPROVED) or final == S.ISSUED
    loser_message = next(m for m in refused if m in texts[losers[0]])
    print(
        f"\nFAULT two officials at once: HTTP {codes}; official {winner + 1} won, final status "
        f"{final}; {decisions} decision transition; the other was told: ...{loser_message}..."
    )
