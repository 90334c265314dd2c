"""Read replica: the public register's anonymous reads go to ``replica``, everything else to the
primary (docs/operations.md, "Read replica").

Routing is per request, not per model (the models are shared by the public register, the owners'
pages and the admin): :class:`ReplicaReadsMiddleware` marks a request as "may read the replica"
when all of these hold, and :class:`ReplicaRouter` then sends that request's reads there:

* a replica is configured (``DATABASE_REPLICA_URL``; alias in ``DATABASE_REPLICA_ALIAS``);
* the path is one of the public register's (``DATABASE_REPLICA_PATHS``: lookup, certificate
  page and PDF, verify, statistics, the public API, the supplier finder);
* the method is GET or HEAD;
* the request carries no session cookie. Only people with a session can write anything (owners,
  officials; registering or resetting a password starts one too), so a person never reads a
  page from a replica that may not have their own write yet, with no lag to guess and no
  "pinned to primary" timer. The crowd at national scale (buyers, QR scans, API clients) has
  no session and reads the replica.

Writes always go to the primary (``db_for_write``), and so does a read inside a transaction on
the primary (it must see that transaction's own rows). Celery tasks, the admin and every other
page read the primary. Nothing is migrated on the replica: it follows the primary by streaming
replication. ``check_replica`` is the health probe.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import FileResponse, HttpRequest, HttpResponse

_replica_allowed: ContextVar[bool] = ContextVar("tkdn_replica_allowed", default=False)


def replica_alias() -> str:
    """The replica's alias when reads may go there now, else ``""``."""
    alias = settings.DATABASE_REPLICA_ALIAS
    if not alias or not _replica_allowed.get() or alias not in settings.DATABASES:
        return ""
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return ""
    return alias


@contextmanager
def replica_reads() -> Iterator[None]:
    """Let the reads inside this block go to the replica (when one is configured)."""
    token = _replica_allowed.set(True)
    try:
        yield
    finally:
        _replica_allowed.reset(token)


class ReplicaRouter:
    """Django database router: see the module docstring."""

    def db_for_read(self, model, **hints) -> str | None:
        return replica_alias() or None

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        # Primary and replica hold the same rows.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        # Only the primary is migrated; a replica follows it by streaming replication.
        return db == DEFAULT_DB_ALIAS


def may_read_replica(request: HttpRequest) -> bool:
    return (
        bool(settings.DATABASE_REPLICA_ALIAS)
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and request.path.startswith(tuple(settings.DATABASE_REPLICA_PATHS))
    )


class ReplicaReadsMiddleware:
    """Marks the anonymous public-register reads that may use the replica (module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not may_read_replica(request):
            return self.get_response(request)
        with replica_reads():
            response = self.get_response(request)
        if response.streaming and not response.is_async and not isinstance(response, FileResponse):
            # A streamed CSV export reads its rows while the server sends them, after this
            # method returned: those reads go to the replica too.
            response.streaming_content = _reading_replica(response.streaming_content)
        return response


def _reading_replica(chunks: Iterable) -> Iterator:
    """Produce each chunk inside :func:`replica_reads`, set and reset within one ``next()``
    (the flag never stays set between chunks, whatever the server does meanwhile)."""
    iterator = iter(chunks)
    while True:
        with replica_reads():
            try:
                chunk = next(iterator)
            except StopIteration:
                return
        yield chunk


def check_replica() -> None:
    """Run ``SELECT 1`` on the replica when one is configured; raises the database's error.

    For the health endpoint. Without a replica there is nothing to check.
    """
    alias = settings.DATABASE_REPLICA_ALIAS
    if not alias or alias not in settings.DATABASES:
        return
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
