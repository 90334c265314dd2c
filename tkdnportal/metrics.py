"""Prometheus metrics: ``/metrics`` for the web processes, Celery task counts and durations.

django-prometheus measures requests and latency (its two middlewares), database queries (its
database backends) and cache reads (the two cache classes below, on its counters). The Celery
signals below count tasks by name and outcome and time them, in whichever process runs them.

Several processes per container (gunicorn workers, Celery prefork children) each keep their own
counters; with ``PROMETHEUS_MULTIPROC_DIR`` set (an empty folder per container, cleared at start:
``deploy/gunicorn.conf.py``, ``tkdnportal/celery.py``) prometheus_client writes them to files there
and ``/metrics`` adds them up, so one scrape sees the whole container whichever worker answers.

``/metrics`` answers only clients in ``METRICS_ALLOWED_NETWORKS`` (403 otherwise): the counters
name every view and task, which is nobody's business outside operations.
"""

from __future__ import annotations

import ipaddress
import logging
import time
from functools import cache

from django.conf import settings
from django.core.cache.backends.filebased import FileBasedCache as DjangoFileBasedCache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from celery import signals
from django_prometheus.cache.metrics import (
    django_cache_get_fail_total,
    django_cache_get_total,
    django_cache_hits_total,
    django_cache_misses_total,
)
from django_prometheus.exports import ExportToDjangoView
from prometheus_client import Counter, Histogram

from .throttling import client_address

logger = logging.getLogger(__name__)

# --- /metrics ----------------------------------------------------------------------


@cache
def _networks(spec: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in spec if item.strip())


def address_allowed(address: str) -> bool:
    """Whether ``address`` lies in one of ``METRICS_ALLOWED_NETWORKS``."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in network for network in _networks(tuple(settings.METRICS_ALLOWED_NETWORKS)))


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """``/metrics`` in Prometheus' text format, for the allowed networks only."""
    if not address_allowed(client_address(request)):
        return HttpResponseForbidden(
            "403: /metrics is open to the monitoring network only (METRICS_ALLOWED_NETWORKS).\n",
            content_type="text/plain; charset=utf-8",
        )
    return ExportToDjangoView(request)


# --- Cache reads (django-prometheus' counters) -------------------------------------------

_MISSING = object()


class _MeasuredGet:
    """A cache whose ``get`` counts reads, hits, misses and failures (labelled by backend)."""

    metrics_label = "cache"

    def get(self, key, default=None, version=None):
        django_cache_get_total.labels(backend=self.metrics_label).inc()
        try:
            value = super().get(key, _MISSING, version=version)
        except Exception:
            django_cache_get_fail_total.labels(backend=self.metrics_label).inc()
            raise
        if value is _MISSING:
            django_cache_misses_total.labels(backend=self.metrics_label).inc()
            return default
        django_cache_hits_total.labels(backend=self.metrics_label).inc()
        return value


class RedisCache(_MeasuredGet, DjangoRedisCache):
    metrics_label = "redis"


class FileBasedCache(_MeasuredGet, DjangoFileBasedCache):
    metrics_label = "filebased"


# --- Celery tasks ----------------------------------------------------------------------

TASKS = Counter(
    "tkdn_celery_tasks_total",
    "Celery tasks finished, by task name and outcome (success, failure, retry).",
    ["task", "outcome"],
)
TASK_SECONDS = Histogram(
    "tkdn_celery_task_duration_seconds",
    "Time a Celery task ran (start to finish, in the worker).",
    ["task"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
)
_started: dict[str, float] = {}


@signals.task_prerun.connect
def _task_started(task_id=None, **kwargs) -> None:
    if task_id:
        _started[task_id] = time.perf_counter()


@signals.task_postrun.connect
def _task_finished(task_id=None, task=None, state=None, **kwargs) -> None:
    started = _started.pop(task_id, None) if task_id else None
    name = getattr(task, "name", "unknown")
    if started is not None:
        TASK_SECONDS.labels(task=name).observe(time.perf_counter() - started)
    outcome = {"SUCCESS": "success", "RETRY": "retry"}.get(state or "", "failure")
    TASKS.labels(task=name, outcome=outcome).inc()
