"""Health of one portal instance: ``/health/`` (readiness) and ``/health/live/`` (liveness).

``/health/`` runs the checks named by ``settings.HEALTH_CHECKS`` with django-health-check's
machinery (each check in parallel, each with its own time budget) and answers in HTML or JSON
(``Accept: application/json`` or ``?format=json``). It answers **503** when a *critical* check
fails (database, cache, broker, migrations applied, default storage): the instance cannot serve,
so a load balancer or compose must not send it users. A failing *non-critical* check (no Celery
worker answering a ping, the disk filling up) is reported, with 200: a web replica that can serve
pages must stay in rotation while the workers are restarted; the periodic sweeps queue again what
waited. ``/health/live/`` touches nothing outside the process: it says the process answers.

Nothing secret or personal is shown (the page is public): each check's name, its state, its time
and, for the checks below, a message written for that purpose; a library check's failure shows
only its kind ("Unavailable"), its details go to the log. Adding a check (a read replica, object
storage) is one entry in ``HEALTH_CHECKS`` (tkdnportal/settings.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime
import os
import shutil
import time
from collections.abc import Iterator

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import FileSystemStorage, storages
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from asgiref.sync import sync_to_async
from health_check.base import HealthCheck, HealthCheckResult
from health_check.exceptions import HealthCheckException, ServiceUnavailable, ServiceWarning
from health_check.views import HealthCheckView


class PublicMessage:
    """Marks an exception whose message was written for the public page (no secret inside)."""

    public = True


class Unavailable(PublicMessage, ServiceUnavailable):
    pass


class Warning_(PublicMessage, ServiceWarning):
    pass


def _celery_app():
    from tkdnportal.celery import app

    return app


@dataclasses.dataclass
class Broker(HealthCheck):
    """The Celery broker takes messages: Redis answers, or the filesystem broker's folders
    (``make run``) exist and are writable. Critical: without it nothing reaches a worker."""

    timeout = datetime.timedelta(seconds=3)

    def run(self) -> None:
        app = _celery_app()
        url = app.conf.broker_url or ""
        if url.startswith("filesystem"):
            options = app.conf.broker_transport_options or {}
            for key in ("data_folder_in", "data_folder_out", "control_folder"):
                folder = options.get(key)
                if folder and not (os.path.isdir(folder) and os.access(folder, os.W_OK)):
                    raise Unavailable("filesystem broker folder missing or read-only")
            return
        _connect(app, url)


def _connect(app, url: str) -> None:
    """Open (and close) one connection to the broker within about two seconds, or raise."""
    try:
        with app.connection_for_write(url, connect_timeout=2) as connection:
            connection.ensure_connection(max_retries=1, timeout=2)
            # Redis: the channel pings the server when it is created.
            connection.default_channel  # noqa: B018
    except Exception as exc:  # noqa: BLE001 - any transport error means "down"
        raise Unavailable("broker cannot be reached") from exc


@dataclasses.dataclass
class Workers(HealthCheck):
    """At least one Celery worker answers, and every queue (``CELERY_TASK_QUEUES``) has a worker
    consuming it. Waits ``HEALTH_WORKER_TIMEOUT`` seconds for the answers (a broadcast has no
    end: the wait is the probe's cost), then keeps the outcome for
    ``HEALTH_WORKER_CACHE_SECONDS``."""

    timeout = datetime.timedelta(seconds=5)

    def run(self) -> None:
        # A broadcast waits its whole timeout whatever the answers: the outcome is shared through
        # the cache for HEALTH_WORKER_CACHE_SECONDS, so many replicas probing often cost one wait.
        seconds = settings.HEALTH_WORKER_CACHE_SECONDS
        problem = _cache_get(WORKERS_CACHE_KEY) if seconds > 0 else None
        if problem is None:
            problem = self.probe() or ""
            if seconds > 0:
                _cache_set(WORKERS_CACHE_KEY, problem, seconds)
        if problem:
            raise Unavailable(problem)

    def probe(self) -> str | None:
        """What is wrong with the workers, or ``None``."""
        app = _celery_app()
        url = app.conf.broker_url or ""
        try:
            if not url.startswith("filesystem"):
                # A broadcast to a broker that is down retries for long: fail fast instead.
                _connect(app, url)
            # One broadcast, like a ping: each live worker answers with the queues it consumes.
            answers = app.control.inspect(timeout=settings.HEALTH_WORKER_TIMEOUT).active_queues()
        except Exception:  # noqa: BLE001
            return "workers cannot be asked (broker down)"
        if not answers:
            return "no worker answered"
        wanted = {queue.name for queue in (app.conf.task_queues or ())} or {
            app.conf.task_default_queue
        }
        consumed = {queue.get("name") for queues in answers.values() for queue in queues}
        missing = sorted(wanted - consumed)
        if missing:
            return f"no worker for queue {', '.join(missing)}"
        return None


WORKERS_CACHE_KEY = "health:workers"


def _cache_get(key: str):
    try:
        return cache.get(key)
    except Exception:  # noqa: BLE001 - the cache check reports a broken cache
        return None


def _cache_set(key: str, value, seconds: int) -> None:
    with contextlib.suppress(Exception):  # the cache check reports a broken cache
        cache.set(key, value, seconds)


# Process-wide: once every migration is applied it stays so until the next deployment (a new
# process). Saves loading the migration graph on each probe.
_MIGRATED: set[str] = set()


@dataclasses.dataclass
class Migrations(HealthCheck):
    """Every migration on disk is applied. Critical: a new image started before ``migrate`` ran
    would fail on the first page that reads a new column."""

    alias: str = DEFAULT_DB_ALIAS

    async def run(self) -> None:
        # In the request's own thread: it uses (and closes) the request's connection.
        await sync_to_async(self._check, thread_sensitive=True)()

    def _check(self) -> None:
        if self.alias in _MIGRATED:
            return
        try:
            executor = MigrationExecutor(connections[self.alias])
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except Exception as exc:  # noqa: BLE001 - the database check says why
            raise Unavailable("migration state cannot be read") from exc
        if plan:
            raise Unavailable(f"{len(plan)} migration(s) not applied")
        _MIGRATED.add(self.alias)


@dataclasses.dataclass
class Disk(HealthCheck):
    """The disk holding local files (``MEDIA_ROOT`` when media are on local disk, ``VAR_DIR``)
    is below ``HEALTH_DISK_MAX_PERCENT`` used. A warning, not an outage: pages still work."""

    def run(self) -> None:
        folders = {str(settings.VAR_DIR)}
        media = storages["default"]
        if isinstance(media, FileSystemStorage):
            folders.add(str(media.location))
        for folder in sorted(folders):
            if not os.path.isdir(folder):
                continue
            usage = shutil.disk_usage(folder)
            percent = 100 * usage.used / usage.total if usage.total else 0
            if percent >= settings.HEALTH_DISK_MAX_PERCENT:
                raise Warning_(f"disk {percent:.0f}% used")


@dataclasses.dataclass(frozen=True)
class Spec:
    name: str
    label: str
    check: HealthCheck
    critical: bool


LABELS = {
    "database": _("Basis data"),
    "replica": _("Basis data replika"),
    "cache": _("Cache"),
    "broker": _("Antrean tugas (broker)"),
    "workers": _("Pekerja latar (Celery)"),
    "migrations": _("Migrasi basis data"),
    "storage": _("Penyimpanan berkas"),
    "disk": _("Ruang disk"),
}


def specs() -> Iterator[Spec]:
    """The configured checks, instantiated (``settings.HEALTH_CHECKS``)."""
    for entry in settings.HEALTH_CHECKS:
        check = entry["check"]
        if isinstance(check, str):
            check = import_string(check)
        yield Spec(
            name=entry["name"],
            label=str(LABELS.get(entry["name"], entry["name"])),
            check=check(**entry.get("options", {})),
            critical=entry.get("critical", True),
        )


@dataclasses.dataclass
class Row:
    spec: Spec
    result: HealthCheckResult

    @property
    def state(self) -> str:
        error = self.result.error
        if error is None:
            return "ok"
        return "warning" if isinstance(error, ServiceWarning) else "down"

    @property
    def detail(self) -> str:
        error: HealthCheckException | None = self.result.error
        if error is None:
            return ""
        return str(error.message) if getattr(error, "public", False) else error.message_type

    def as_json(self) -> dict:
        data = {
            "status": self.state,
            "critical": self.spec.critical,
            "ms": round(self.result.time_taken * 1000, 1),
        }
        if self.detail:
            data["detail"] = self.detail
        return data


async def run_checks() -> list[Row]:
    chosen = list(specs())
    results = await asyncio.gather(*(spec.check.get_result(None) for spec in chosen))
    return [Row(spec, result) for spec, result in zip(chosen, results, strict=True)]


def overall(rows: list[Row]) -> tuple[str, int]:
    """("ok" | "degraded" | "down", HTTP status): 503 only when a critical check is down."""
    if any(row.state == "down" and row.spec.critical for row in rows):
        return "down", 503
    if any(row.state != "ok" for row in rows):
        return "degraded", 200
    return "ok", 200


class PortalHealthView(HealthCheckView):
    """``/health/``: django-health-check's view, with the portal's checks, states and page."""

    template_name = "health.html"

    async def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        started = time.perf_counter()
        rows = await run_checks()
        status, code = overall(rows)
        wants_json = request.GET.get("format") == "json" or (
            request.GET.get("format") is None
            and request.get_preferred_type(["text/html", "application/json"]) == "application/json"
        )
        if wants_json:
            return JsonResponse(
                {
                    "status": status,
                    "checks": {row.spec.name: row.as_json() for row in rows},
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                },
                status=code,
            )
        # A page of its own (no base.html): it must render while the database is down, and
        # base.html reads the signed-in user from it.
        return render(
            request,
            self.template_name,
            {"status": status, "rows": rows},
            status=code,
        )


health = PortalHealthView.as_view()


@never_cache
@require_GET
def live(request: HttpRequest) -> HttpResponse:
    """``/health/live/``: the process answers (no database, cache or broker touched)."""
    response = JsonResponse({"status": "ok"})
    patch_vary_headers(response, ["Accept"])
    add_never_cache_headers(response)
    return response
