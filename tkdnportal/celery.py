"""The Celery app of the portal (CELERY_ settings namespace, tasks autodiscovered).

Logging: the worker keeps the portal's own configuration (settings.LOGGING: JSON lines with the
request id, tkdnportal/logs.py) instead of Celery's. Metrics: with ``CELERY_METRICS_PORT`` the
worker serves its task counts and durations on that port (tkdnportal/metrics.py), summed over its
prefork children through prometheus_client's multiprocess files (``PROMETHEUS_MULTIPROC_DIR``).
"""

import os
import shutil

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tkdnportal.settings")
# prometheus_client writes a process's values there from the first metric on: it must exist.
if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)

app = Celery("tkdnportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.setup_logging.connect
def _portal_logging(**kwargs) -> None:
    """Connected, so Celery does not replace the root logger's handlers with its own."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)


@signals.worker_init.connect
def _serve_worker_metrics(**kwargs) -> None:
    """Main worker process: clear what an earlier run left, then serve /metrics on the port."""
    from django.conf import settings

    port = settings.CELERY_METRICS_PORT
    if not port:
        return
    from prometheus_client import CollectorRegistry, multiprocess, start_http_server

    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    registry = None
    if folder:
        for entry in os.listdir(folder):
            path = os.path.join(folder, entry)
            shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    start_http_server(port, registry=registry) if registry else start_http_server(port)


@signals.worker_process_shutdown.connect
def _child_gone(pid=None, **kwargs) -> None:
    """A prefork child ended (max tasks per child): its live gauges go, its counters stay."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid or os.getpid())
