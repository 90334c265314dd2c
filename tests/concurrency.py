"""Race tests on PostgreSQL: threads with their own connections, released together.

Used by the tests of the row locks (certificate numbers, ``tests/registry/test_concurrency.py``;
event places, ``tests/applications/test_outreach_concurrency.py``). A test module sets
``pytestmark = RACE_MARKS``, runs its calls with ``race`` and stretches the locked section with
``hold`` so that the threads really overlap: without the lock, the second caller reads
what the first has not written yet. SQLite serialises writers, so there is no race there; the
skip reason says how to run them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connections

import pytest

# django-prometheus wraps the engine ("django_prometheus.db.backends.postgresql").
POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")

RACE_MARKS = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
    pytest.mark.skipif(
        not POSTGRES,
        reason="needs PostgreSQL (row locks; SQLite serialises writers so there is no race): "
        "run with DATABASE_URL=postgres://...",
    ),
]


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads released together by a barrier; return their results, or the
    exception each raised, in the order of the calls."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - returned to the test
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def hold(monkeypatch, owner, name: str, seconds: float, *, before: bool = False) -> None:
    """Replace ``owner.name`` by the same callable with a pause of ``seconds`` after it (or
    ``before`` it): the caller keeps its lock, and without the lock its stale read, while the
    other threads arrive."""
    original = getattr(owner, name)

    def slow(*args, **kwargs):
        if before:
            time.sleep(seconds)
        value = original(*args, **kwargs)
        if not before:
            time.sleep(seconds)
        return value

    monkeypatch.setattr(owner, name, slow)
