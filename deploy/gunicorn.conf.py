"""gunicorn settings for the web service: ``gunicorn -c deploy/gunicorn.conf.py``.

Metrics: each gunicorn worker is its own process with its own counters. prometheus_client's
multiprocess mode (``PROMETHEUS_MULTIPROC_DIR``, one empty folder per container) writes them to
files that ``/metrics`` adds up, whichever worker answers the scrape. The folder is emptied when
gunicorn starts (old files would add a dead run's counts) and a worker that exits is marked dead
(its live gauges are dropped; its counters stay in the sums).

Logs: no access log here (it would carry client addresses and full URLs with query strings and
tokens); the portal logs one JSON line per request with its request id instead
(tkdnportal/logs.py), and nginx keeps the access log operations need (deploy/nginx.conf).
"""

import os
import shutil

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
# Matches nginx's proxy_read_timeout (deploy/nginx.conf).
timeout = 60
graceful_timeout = 30
keepalive = 5
accesslog = None
errorlog = "-"
# A worker that served this many requests is replaced (slow leaks never add up).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200


def on_starting(server):
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder, exist_ok=True)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
