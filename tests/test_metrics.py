"""/metrics: Prometheus text for the allowed networks only; request, database, cache and Celery
task metrics; the sums over several gunicorn workers (multiprocess mode)."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.core.cache import cache

import pytest
from prometheus_client.parser import text_string_to_metric_families

from registry.tasks import registry_statistics_refresh_task
from tkdnportal.metrics import FileBasedCache, address_allowed

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def _samples(text: str) -> dict[tuple[str, tuple], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _value(samples, name: str, **labels) -> float:
    return sum(
        value
        for (sample_name, sample_labels), value in samples.items()
        if sample_name == name and set(labels.items()) <= set(sample_labels)
    )


def test_scrape_finds_request_database_cache_and_task_metrics(client):
    assert client.get("/").status_code == 200
    client.get("/health/live/")
    cache.get("metrics-test-miss")
    registry_statistics_refresh_task.delay()  # eager in the fast tests: runs here

    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    samples = _samples(response.content.decode())
    assert _value(samples, "django_http_requests_total_by_method_total", method="GET") >= 2
    assert (
        _value(samples, "django_http_requests_latency_seconds_by_view_method_count", view="home")
        >= 1
    )
    assert _value(samples, "django_http_responses_total_by_status_view_method_total") >= 2
    assert _value(samples, "django_db_execute_total", alias="default") >= 1
    assert (
        _value(samples, "django_cache_get_total", backend="filebased")
        + _value(samples, "django_cache_get_total", backend="redis")
        >= 1
    )
    assert _value(samples, "django_cache_get_misses_total") >= 1
    task = "registry.tasks.registry_statistics_refresh_task"
    assert _value(samples, "tkdn_celery_tasks_total", task=task, outcome="success") >= 1
    assert _value(samples, "tkdn_celery_task_duration_seconds_count", task=task) >= 1


def test_failed_tasks_are_counted_as_failures(client, monkeypatch):
    from registry import services

    def broken():
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "certificates_expire", broken)
    from registry.tasks import certificates_expire_task

    task = "registry.tasks.certificates_expire_task"
    before = _value(_samples(client.get("/metrics").content.decode()), "tkdn_celery_tasks_total")
    with pytest.raises(RuntimeError):
        certificates_expire_task.apply(throw=True)
    samples = _samples(client.get("/metrics").content.decode())
    assert _value(samples, "tkdn_celery_tasks_total", task=task, outcome="failure") >= 1
    assert _value(samples, "tkdn_celery_tasks_total") == before + 1


def test_refused_outside_the_allowed_networks(client, settings):
    # The default: this machine only.
    assert settings.METRICS_ALLOWED_NETWORKS == ["127.0.0.0/8", "::1/128"]
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 403
    assert b"django_http" not in response.content


def test_allowed_network_from_the_setting(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8", "fd00::/8"]
    assert client.get("/metrics", REMOTE_ADDR="10.20.30.40").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="fd00::5").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="192.168.1.1").status_code == 403


def test_behind_the_proxy_the_client_is_who_the_proxy_saw(client, settings):
    """nginx is on the private network: its own address must not open /metrics to the world."""
    settings.NUM_PROXIES = 1
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    outside = client.get("/metrics", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert outside.status_code == 403
    # A client cannot claim an inside address either: the proxy appends what it saw.
    claimed = client.get(
        "/metrics", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.7"
    )
    assert claimed.status_code == 403
    # Prometheus scraping the web container directly (no proxy hop).
    assert client.get("/metrics", REMOTE_ADDR="10.0.0.9").status_code == 200


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),
        ("", False),
        ("not-an-address", False),
        ("8.8.8.8", False),
    ],
)
def test_address_allowed_default(address, allowed):
    assert address_allowed(address) is allowed


def test_the_measured_cache_keeps_falsy_values(settings, tmp_path):
    """django-prometheus' own file cache answers ``cached or default``: a stored 0 came back as
    the default. Ours counts the same metrics and returns what was stored."""
    measured = FileBasedCache(str(tmp_path), {})
    measured.set("zero", 0)
    measured.set("none", None)
    assert measured.get("zero", "default") == 0
    assert measured.get("none", "default") is None
    assert measured.get("missing", "default") == "default"


def _get(url: str, timeout: float) -> bytes:
    assert url.startswith("http://127.0.0.1:")
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback http
        return response.read()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_gunicorn_workers_add_up_in_one_scrape(tmp_path, settings):
    """Two gunicorn workers (deploy/gunicorn.conf.py) each count their own requests; one scrape,
    whichever worker answers it, reports the sum (prometheus_client's multiprocess mode)."""
    port = _free_port()
    folder = tmp_path / "prometheus"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tkdnportal.settings",
        "SECRET_KEY": "metrics-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "TKDN_VAR_DIR": str(tmp_path / "var"),
        "PROMETHEUS_MULTIPROC_DIR": str(folder),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
    }
    env.pop("DATABASE_URL", None)
    # A stale file from an earlier run must not count: gunicorn empties the folder first.
    folder.mkdir()
    (folder / "counter_999999.db").write_bytes(b"stale")
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "-c",
            "deploy/gunicorn.conf.py",
            "tkdnportal.wsgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _get(base + "/health/live/", 2)
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail("gunicorn did not start")
                time.sleep(0.2)
        count = 40
        for _ in range(count):
            _get(base + "/ping/", 5)
        pids = set()
        for _ in range(6):
            text = _get(base + "/metrics", 5).decode()
            samples = _samples(text)
            pids.update(re.findall(r"counter_(\d+)\.db", " ".join(os.listdir(folder))))
            # Every /ping/ is in each scrape's sum.
            assert (
                _value(
                    samples,
                    "django_http_requests_latency_seconds_by_view_method_count",
                    view="ping",
                )
                == count
            )
        assert "999999" not in pids
        assert len(pids) == 2, pids  # both workers wrote their own files
    finally:
        process.terminate()
        process.wait(timeout=20)
