"""/health/ (readiness: every dependency, 503 when a critical one is down) and /health/live/."""

import pytest

from tkdnportal import health
from tkdnportal.celery import app as celery_app

pytestmark = pytest.mark.django_db

CRITICAL = {"database", "cache", "broker", "migrations", "storage"}


def _broker(monkeypatch, url: str) -> None:
    """Point Celery at another broker (its conf reads CELERY_BROKER_URL first: CI sets it)."""
    monkeypatch.setitem(celery_app.conf, "broker_url", url)
    monkeypatch.setenv("CELERY_BROKER_URL", url)


def _json(client, **headers):
    response = client.get("/health/?format=json", **headers)
    return response, response.json()


def test_reports_every_component_in_json(client, settings):
    response, data = _json(client)
    assert response.status_code == 200
    # No worker runs in the fast tests: reported, not an outage of the web instance.
    assert data["status"] in ("ok", "degraded")
    assert set(data["checks"]) == CRITICAL | {"workers", "disk"}
    for name in CRITICAL:
        assert data["checks"][name]["status"] == "ok", (name, data["checks"][name])
        assert data["checks"][name]["critical"] is True
    assert data["checks"]["workers"]["critical"] is False
    assert data["checks"]["workers"]["status"] == "down"
    assert data["checks"]["workers"]["detail"] == "no worker answered"
    # Never cached by anyone; the answer depends on the Accept header.
    assert "no-store" in response["Cache-Control"]
    assert "Accept" in response["Vary"]


def test_accept_header_chooses_json_or_html(client):
    response = client.get("/health/", HTTP_ACCEPT="application/json")
    assert response["Content-Type"] == "application/json"
    assert response.json()["checks"]["database"]["status"] == "ok"

    page = client.get("/health/", HTTP_ACCEPT="text/html,application/xhtml+xml")
    html = page.content.decode()
    assert page["Content-Type"].startswith("text/html")
    assert '<html lang="id">' in html
    assert "Status layanan Portal TKDN-IK" in html
    assert 'data-check="database" data-state="ok"' in html
    english = client.get("/health/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "TKDN-IK portal service status" in english


def test_no_secret_or_internal_detail_in_the_public_answer(client, settings):
    _, data = _json(client)
    text = str(data)
    for secret in (settings.SECRET_KEY, str(settings.VAR_DIR), str(settings.MEDIA_ROOT)):
        assert secret not in text
    assert "@" not in text


def test_database_down_is_503(client, monkeypatch):
    from django.db import connection

    # New connections (each check opens its own) go to a database that cannot be opened.
    if connection.vendor == "sqlite":
        monkeypatch.setitem(connection.settings_dict, "NAME", "/nonexistent/folder/db.sqlite3")
    else:
        monkeypatch.setitem(connection.settings_dict, "HOST", "127.0.0.1")
        monkeypatch.setitem(connection.settings_dict, "PORT", "1")
    response, data = _json(client)
    assert response.status_code == 503
    assert data["status"] == "down"
    assert data["checks"]["database"]["status"] == "down"
    # The driver's message (host, port, path) stays in the log.
    assert data["checks"]["database"].get("detail") == "Unavailable"
    assert "nonexistent" not in str(data) and "127.0.0.1" not in str(data)
    # The page for people renders without the database (it is not built on base.html).
    page = client.get("/health/")
    assert page.status_code == 503
    assert 'data-check="database" data-state="down"' in page.content.decode()


def test_html_page_is_503_too_and_says_which(client, monkeypatch):
    _broker(monkeypatch, "redis://127.0.0.1:1/0")
    page = client.get("/health/")
    assert page.status_code == 503
    html = page.content.decode()
    assert 'data-status="down"' in html
    assert 'data-check="broker" data-state="down"' in html
    assert "broker cannot be reached" in html


def test_redis_broker_down_is_503(client, monkeypatch):
    _broker(monkeypatch, "redis://127.0.0.1:1/0")
    response, data = _json(client)
    assert response.status_code == 503
    assert data["checks"]["broker"] == {
        "status": "down",
        "critical": True,
        "ms": data["checks"]["broker"]["ms"],
        "detail": "broker cannot be reached",
    }
    # The worker probe fails fast on the same broker, it does not wait for a broadcast.
    assert data["checks"]["workers"]["status"] == "down"
    assert data["checks"]["workers"]["ms"] < 4000


def test_filesystem_broker_without_its_folders_is_503(client, monkeypatch, tmp_path):
    missing = str(tmp_path / "missing")
    _broker(monkeypatch, "filesystem://")
    monkeypatch.setitem(
        celery_app.conf,
        "broker_transport_options",
        {"data_folder_in": missing, "data_folder_out": missing, "control_folder": missing},
    )
    response, data = _json(client)
    assert response.status_code == 503
    assert data["checks"]["broker"]["detail"] == "filesystem broker folder missing or read-only"


def test_filesystem_broker_with_its_folders_is_ok(client, monkeypatch, tmp_path):
    _broker(monkeypatch, "filesystem://")
    monkeypatch.setitem(
        celery_app.conf,
        "broker_transport_options",
        {"data_folder_in": str(tmp_path), "data_folder_out": str(tmp_path)},
    )
    _, data = _json(client)
    assert data["checks"]["broker"]["status"] == "ok"


def test_unapplied_migrations_are_503(client, monkeypatch):
    from django.db.migrations.executor import MigrationExecutor

    monkeypatch.setattr(health, "_MIGRATED", set())
    monkeypatch.setattr(
        MigrationExecutor, "migration_plan", lambda self, targets: [("registry.9999", False)]
    )
    response, data = _json(client)
    assert response.status_code == 503
    assert data["checks"]["migrations"]["detail"] == "1 migration(s) not applied"


def test_migrations_are_read_once_per_process(client, monkeypatch):
    monkeypatch.setattr(health, "_MIGRATED", set())
    _json(client)
    assert "default" in health._MIGRATED
    from django.db.migrations.executor import MigrationExecutor

    def fail(*args):
        raise AssertionError("the migration graph was loaded again")

    monkeypatch.setattr(MigrationExecutor, "migration_plan", fail)
    assert _json(client)[1]["checks"]["migrations"]["status"] == "ok"


def test_a_full_disk_is_a_warning_not_an_outage(client, settings):
    settings.HEALTH_DISK_MAX_PERCENT = 0
    response, data = _json(client)
    assert response.status_code == 200
    assert data["status"] == "degraded"
    assert data["checks"]["disk"]["status"] == "warning"
    assert data["checks"]["disk"]["detail"].startswith("disk ")


def test_failing_cache_is_503(client, settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "tkdnportal.metrics.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        },
    }
    response, data = _json(client)
    assert response.status_code == 503
    assert data["checks"]["cache"]["status"] == "down"


def test_a_check_is_added_with_one_setting(client, settings):
    settings.HEALTH_CHECKS = [
        *settings.HEALTH_CHECKS,
        {"name": "replica", "check": "health_check.checks.Database", "options": {"alias": "x"}},
    ]
    response, data = _json(client)
    assert response.status_code == 503  # critical by default; alias "x" does not exist
    assert data["checks"]["replica"]["status"] == "down"


def test_liveness_touches_nothing(client, django_assert_num_queries, monkeypatch):
    _broker(monkeypatch, "redis://127.0.0.1:1/0")
    with django_assert_num_queries(0):
        response = client.get("/health/live/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([("ok", True), ("ok", False)], ("ok", 200)),
        ([("ok", True), ("down", False)], ("degraded", 200)),
        ([("warning", True), ("ok", False)], ("degraded", 200)),
        ([("down", True), ("ok", False)], ("down", 503)),
    ],
)
def test_overall_status(rows, expected):
    class FakeRow:
        def __init__(self, state, critical):
            self.state = state
            self.spec = type("S", (), {"critical": critical})

    assert health.overall([FakeRow(*row) for row in rows]) == expected


def test_the_workers_outcome_is_shared_for_a_while(client, settings, monkeypatch):
    """Six replicas probed every 15 s must not each wait a broadcast: one does, the others read
    its outcome from the shared cache until it is HEALTH_WORKER_CACHE_SECONDS old."""
    from django.core.cache import cache

    settings.HEALTH_WORKER_CACHE_SECONDS = 30
    cache.delete(health.WORKERS_CACHE_KEY)
    calls = []

    def probe(self):
        calls.append(1)
        return None if len(calls) > 1 else "no worker answered"

    monkeypatch.setattr(health.Workers, "probe", probe)
    try:
        assert _json(client)[1]["checks"]["workers"]["detail"] == "no worker answered"
        assert _json(client)[1]["checks"]["workers"]["status"] == "down"  # shared outcome
        assert len(calls) == 1
        cache.delete(health.WORKERS_CACHE_KEY)  # what expiry does
        assert _json(client)[1]["checks"]["workers"]["status"] == "ok"
        assert len(calls) == 2
    finally:
        cache.delete(health.WORKERS_CACHE_KEY)
