"""The project's own files: compose, Dockerfile, lock, CI and settings stay consistent and real."""

import importlib
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from django.core.management import get_commands

import pytest
import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent


def _compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_the_five_services_with_health_checks():
    services = _compose()["services"]
    assert {"db", "redis", "web", "worker", "beat"} <= set(services)
    for name in ("db", "redis", "web", "worker", "beat"):
        assert "healthcheck" in services[name], name
    assert "pgdata:/var/lib/postgresql/data" in services["db"]["volumes"]
    assert "media:/data/media" in services["web"]["volumes"]
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")


def test_compose_portal_services_share_one_image_and_environment():
    services = _compose()["services"]
    portal = [services[n] for n in ("migrate", "web", "worker", "beat")]
    assert len({s["image"] for s in portal}) == 1
    assert all(s["build"] == "." for s in portal)
    envs = [s["environment"] for s in portal]
    assert all(e == envs[0] for e in envs)
    # Every variable the compose file sets is one the settings read.
    settings_src = (ROOT / "tkdnportal" / "settings.py").read_text()
    for key in envs[0]:
        assert f'"{key}"' in settings_src, key


def test_compose_commands_name_real_programs_and_modules():
    services = _compose()["services"]
    web = services["web"]["command"]
    assert web[0] == "gunicorn"
    module, attr = web[1].split(":")
    assert hasattr(importlib.import_module(module), attr)
    assert shutil.which("gunicorn", path=str(Path(sys.executable).parent))
    for name in ("worker", "beat"):
        command = services[name]["command"]
        assert command[:3] == ["celery", "-A", "tkdnportal"]
        assert command[3] in ("worker", "beat")
    assert importlib.import_module("tkdnportal").celery_app.main == "tkdnportal"
    migrate = services["migrate"]["command"]
    assert migrate[:2] == ["python", "manage.py"] and migrate[2] in get_commands()
    assert services["web"]["healthcheck"]["test"][-1].endswith("/health/")
    assert (ROOT / web[web.index("--config") + 1]).is_file()


def test_celery_cli_accepts_the_compose_options():
    celery = Path(sys.executable).parent / "celery"
    for name in ("worker", "beat"):
        command = _compose()["services"][name]["command"]
        out = subprocess.run(
            [str(celery), *command[1:4], "--help"],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "tkdnportal.settings_test"},
        )
        assert out.returncode == 0, out.stderr
        for option in command[4:]:
            flag = option.split("=")[0]
            if flag.startswith("--"):
                assert flag in out.stdout, (name, flag)


def test_dockerfile_installs_the_lock_and_runs_gunicorn():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install --no-cache-dir -r requirements.lock" in dockerfile
    assert "libpq-dev" in dockerfile and "libpango" in dockerfile
    assert "tkdnportal.wsgi:application" in dockerfile


def test_lock_pins_every_declared_dependency_within_its_range():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = project["dependencies"] + project["optional-dependencies"]["test"]
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    for spec in declared:
        req = Requirement(spec)
        key = re.sub(r"[-_.]+", "-", req.name).lower()
        assert key in pins, f"{req.name} is not pinned in requirements.lock"
        assert req.specifier.contains(pins[key], prereleases=True), (req.name, pins[key])


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in readme and "make run" in readme
    assert "\nmake test" in ci or "make test 2>&1" in ci
    assert "DATABASE_URL" in ci and "REDIS_URL" in ci


def test_env_example_lists_every_variable_the_settings_read():
    settings_src = (ROOT / "tkdnportal" / "settings.py").read_text()
    read = set(re.findall(r'env\.\w+\(\s*"([A-Z_]+)"', settings_src))
    read |= set(re.findall(r'_secret\(\s*"([A-Z_]+)"', settings_src))
    read |= set(re.findall(r'os\.environ\.get\("([A-Z_]+)"', settings_src))
    listed = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert read - listed == set()


def _clean_env():
    """The environment without what tkdnportal.settings_test put there for this test process."""
    drop = {
        "SECRET_KEY",
        "DEBUG",
        "ALLOWED_HOSTS",
        "SECURE_SSL_REDIRECT",
        "TKDN_VAR_DIR",
        "DJANGO_SETTINGS_MODULE",
    }
    return {k: v for k, v in os.environ.items() if k not in drop}


def _run_settings(code: str, **env):
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**_clean_env(), "DJANGO_SETTINGS_MODULE": "tkdnportal.settings", **env},
    )


def test_missing_secret_key_stops_startup_when_debug_is_off():
    out = _run_settings("import django; django.setup()")
    assert out.returncode != 0
    assert "SECRET_KEY must be set" in out.stderr


def test_production_settings_pass_check_deploy(tmp_path):
    # A production signing key (PKCS#12): without one, the deploy check warns that certificates
    # would be signed with the development key (tests/registry/test_signing.py).
    from registry.signing import create_key_pair

    p12, _ca = create_key_pair(
        tmp_path / "keys", organisation="Kementerian Perindustrian", passphrase=b"kunci-uji"
    )
    out = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={
            **_clean_env(),
            "DJANGO_SETTINGS_MODULE": "tkdnportal.settings",
            "SECRET_KEY": "x7!kQ9vZ2#pL4mN8rT1wY6uE3oI5aS0dF-gH_jK+lZxCvBnM-9qW3eR5tY7uI",
            "ALLOWED_HOSTS": "tkdn.example.go.id",
            "TKDN_VAR_DIR": str(tmp_path),
            "TKDN_SIGNING_PKCS12_FILE": str(p12),
            "TKDN_SIGNING_PKCS12_PASSPHRASE": "kunci-uji",
        },
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no issues" in out.stdout


@pytest.mark.django_db
def test_no_model_changes_without_migrations():
    from django.core.management import call_command

    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.slow
def test_collectstatic_with_the_production_manifest_storage(tmp_path):
    """The Docker image runs collectstatic with the manifest storage: a vendored file that names
    a missing source map or asset would break the deployment."""
    out = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env={
            **_clean_env(),
            "DJANGO_SETTINGS_MODULE": "tkdnportal.settings",
            "SECRET_KEY": "collectstatic-only-key-0123456789-abcdefghijklmnopqrstuvwxyz",
            "STATIC_ROOT": str(tmp_path / "static"),
            "TKDN_VAR_DIR": str(tmp_path / "var"),
        },
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert (tmp_path / "static" / "staticfiles.json").exists()


def test_every_beat_task_is_a_registered_celery_task():
    from django.conf import settings

    from tkdnportal.celery import app

    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks, entry["task"]


def test_the_cache_is_shared_between_processes(settings):
    """The worker refreshes the statistics and the page generation in the cache; the web server
    must read what it wrote. Redis when REDIS_URL is set, else a file cache under var/ (a
    per-process memory cache would leave /statistik/ at its first numbers under `make run`)."""
    from django.core.cache import cache

    key = f"test:shared:{os.getpid()}"
    cache.delete(key)
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            f"from django.core.cache import cache; cache.set('{key}', 'from another process', 60)",
        ],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tkdnportal.settings_test"},
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert cache.get(key) == "from another process"
    cache.delete(key)


# --- The reverse proxy (issue 16) -----------------------------------------------------------


def _nginx(path=ROOT / "deploy" / "nginx.conf"):
    """deploy/nginx.conf as nested blocks: [(directive, args, children or None)]. Refuses what
    nginx would refuse on syntax: an unclosed or extra brace, a directive without its ';'."""
    text = re.sub(r"#[^\n]*", "", path.read_text())
    tokens = re.findall(r'"[^"]*"|\'[^\']*\'|[{};]|[^\s{};"\']+', text)
    stack, current, words = [], [], []
    for token in tokens:
        if token == "{":
            assert words, "a block without a name"
            block = (words[0], words[1:], [])
            current.append(block)
            stack.append(current)
            current, words = block[2], []
        elif token == "}":
            assert not words, f"missing ';' after {words}"
            assert stack, "an extra '}'"
            current = stack.pop()
        elif token == ";":
            assert words, "an empty directive"
            current.append((words[0], words[1:], None))
            words = []
        else:
            words.append(token.strip("\"'"))
    assert not stack and not words, "unclosed block or directive"
    return current


def _find(blocks, name):
    return [b for b in blocks if b[0] == name]


def _size(value: str) -> int:
    units = {"k": 1024, "m": 1024**2, "g": 1024**3}
    return int(value[:-1]) * units[value[-1].lower()] if value[-1].isalpha() else int(value)


def _seconds(value: str) -> int:
    return int(value.rstrip("s"))


def test_compose_publishes_only_the_nginx_proxy():
    services = _compose()["services"]
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"proxy"}
    proxy = services["proxy"]
    assert proxy["image"].startswith("nginx:")  # the official image
    assert "./deploy/nginx.conf:/etc/nginx/nginx.conf:ro" in proxy["volumes"]
    assert proxy["depends_on"]["web"]["condition"] == "service_healthy"
    assert "healthcheck" in proxy
    assert services["web"]["expose"] == ["8000"]
    health = proxy["healthcheck"]["test"][-1]
    location = _find(_find(_find(_nginx(), "http")[0][2], "server")[0][2], "location")
    assert any(loc[1] == ["=", health.split("127.0.0.1")[1]] for loc in location)


def test_compose_production_defaults_are_secure():
    env = _compose()["services"]["web"]["environment"]

    def default(key):
        value = env[key]
        match = re.fullmatch(r"\$\{\w+:-(.*)\}", value)
        return match.group(1) if match else value

    assert env["NUM_PROXIES"] == "1"
    assert env["DEBUG"] == "false"
    for key in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
        assert default(key) == "true", key
    assert default("SITE_URL").startswith("https://")
    assert "SECURE_HSTS_SECONDS" not in env  # the settings' default: one year


def test_nginx_conf_limits_match_the_settings_and_gunicorn():
    from django.conf import settings

    http = _find(_nginx(), "http")[0][2]
    directives = {b[0]: b[1] for b in http if b[2] is None}
    assert _size(directives["client_max_body_size"][0]) == settings.REQUEST_MAX_SIZE
    for timeout in ("client_header_timeout", "client_body_timeout", "send_timeout"):
        assert 1 <= _seconds(directives[timeout][0]) <= 60, timeout
    web = _compose()["services"]["web"]["command"]
    gunicorn_timeout = int(web[web.index("--timeout") + 1])
    assert _seconds(directives["proxy_read_timeout"][0]) <= gunicorn_timeout
    assert directives["proxy_request_buffering"] == ["on"]  # slow uploads never reach gunicorn
    upstream = _find(http, "upstream")[0][2]
    port = web[web.index("--bind") + 1].split(":")[1]
    assert _find(upstream, "server")[0][1] == ["web:" + port, "resolve"]

    https = next(s[2] for s in _find(http, "server") if "443" in _find(s[2], "listen")[0][1])
    headers = {b[1][0]: b[1][1] for b in _find(https, "proxy_set_header")}
    assert headers["X-Forwarded-Proto"] == "$scheme"
    assert headers["X-Forwarded-For"] == "$proxy_add_x_forwarded_for"
    uploads = [loc for loc in _find(https, "location") if loc[1][0] == "~"]
    assert len(uploads) == 1
    pattern = re.compile(uploads[0][1][1])
    for prefix in settings.UPLOAD_URL_PREFIXES:
        assert pattern.match(prefix), prefix
    assert not pattern.match("/akun/masuk/") and not pattern.match("/api/v1/calculator/")
    inner = {b[0]: b[1] for b in uploads[0][2] if b[2] is None}
    assert _size(inner["client_max_body_size"][0]) == settings.UPLOAD_REQUEST_MAX_SIZE
    for location in _find(https, "location"):
        if location[1] == ["=", "/metrics"]:
            continue  # refused, below
        assert _find(location[2], "proxy_pass")[0][1] == ["http://portal"]


def test_nginx_conf_parser_refuses_broken_syntax(tmp_path):
    for broken in ["http { listen 80 }", "http { listen 80; ", "listen 80; }"]:
        path = tmp_path / "nginx.conf"
        path.write_text(broken)
        with pytest.raises(AssertionError):
            _nginx(path)


@pytest.mark.parametrize(("proxies", "expected"), [("0", "None"), ("1", "HTTP_X_FORWARDED_PROTO")])
def test_the_https_header_is_trusted_only_behind_our_proxy(proxies, expected):
    out = _run_settings(
        "from tkdnportal import settings; print(settings.SECURE_PROXY_SSL_HEADER)",
        SECRET_KEY="only-for-this-check-0123456789-abcdefghijklmnopqrstuvwxyz",
        NUM_PROXIES=proxies,
    )
    assert out.returncode == 0, out.stderr
    assert expected in out.stdout


# --- Compose at scale (issue 17) --------------------------------------------------------------


def _default(value) -> str:
    """``${NAME:-default}`` → default; anything else as it is."""
    match = re.fullmatch(r"\$\{\w+:-(.*)\}", str(value))
    return match.group(1) if match else str(value)


def _portal_services(services) -> dict:
    return {name: s for name, s in services.items() if s.get("image") == "tkdnportal:latest"}


def test_compose_runs_several_web_replicas_behind_the_proxy():
    services = _compose()["services"]
    assert int(_default(services["web"]["deploy"]["replicas"])) >= 2
    assert "container_name" not in services["web"]  # replicas need generated names
    # nginx finds every replica through Docker's DNS, again and again (replaced replicas).
    http = _find(_nginx(), "http")[0][2]
    assert _find(http, "resolver")[0][1][0] == "127.0.0.11"
    upstream = _find(http, "upstream")[0][2]
    assert _find(upstream, "zone") and "resolve" in _find(upstream, "server")[0][1]


def test_compose_has_a_worker_for_every_queue_and_one_beat():
    from django.conf import settings

    from tkdnportal.celery import app

    app.loader.import_default_modules()
    services = _portal_services(_compose()["services"])
    consumed = {}
    beats = []
    for name, service in services.items():
        command = service["command"]
        if command[:4] == ["celery", "-A", "tkdnportal", "worker"]:
            queues = [o.split("=", 1)[1] for o in command if o.startswith("--queues=")]
            assert len(queues) == 1, f"{name}: name its queue (a worker without -Q takes all)"
            for queue in queues[0].split(","):
                consumed.setdefault(queue, []).append(name)
            assert "--max-tasks-per-child" in " ".join(command), name
        elif command[:4] == ["celery", "-A", "tkdnportal", "beat"]:
            beats.append(name)
            assert int(_default(service.get("deploy", {}).get("replicas", 1))) == 1
    defined = {queue.name for queue in settings.CELERY_TASK_QUEUES}
    assert set(consumed) == defined == {"celery", "compute", "render"}
    assert beats == ["beat"]
    # The routes name real tasks, and their queues are the computing and the rendering ones.
    for task, route in settings.CELERY_TASK_ROUTES.items():
        assert task in app.tasks, task
        assert route["queue"] in consumed
    assert settings.CELERY_TASK_ROUTES["applications.tasks.application_calculate_task"] == {
        "queue": "compute"
    }
    assert settings.CELERY_TASK_ROUTES["registry.tasks.certificate_render_pdf_task"] == {
        "queue": "render"
    }


def test_compose_portal_services_all_share_the_image_environment_and_health_checks():
    services = _portal_services(_compose()["services"])
    assert {"web", "worker", "worker-compute", "worker-render", "beat", "migrate"} <= set(services)
    envs = [s["environment"] for s in services.values()]
    assert all(e == envs[0] for e in envs)
    for name, service in services.items():
        if name != "migrate":
            assert "healthcheck" in service, name
    for name, service in services.items():
        test = " ".join(service["healthcheck"]["test"]) if name != "migrate" else ""
        if service["command"][:4] == ["celery", "-A", "tkdnportal", "worker"]:
            # Each worker answers for itself, not "some worker somewhere answered".
            assert "inspect ping --destination celery@$$HOSTNAME" in test, name


def test_compose_web_health_check_is_the_readiness_endpoint():
    from django.urls import resolve

    from tkdnportal import health

    test = _compose()["services"]["web"]["healthcheck"]["test"]
    url = test[-1]
    assert url.startswith("http://127.0.0.1:8000/")
    path = "/" + url.split("/", 3)[3]
    assert resolve(path).func.__name__ == health.health.__name__
    assert "-f" in " ".join(test)  # curl fails on 503
    # Sent as nginx would: a host the settings allow, HTTPS as reported by the proxy.
    assert "Host: localhost" in test and "X-Forwarded-Proto: https" in test


def test_every_celery_command_in_compose_is_accepted_by_the_cli():
    celery = Path(sys.executable).parent / "celery"
    services = _compose()["services"]
    for name, service in _portal_services(services).items():
        command = service["command"]
        if command[0] != "celery":
            continue
        out = subprocess.run(
            [str(celery), *command[1:4], "--help"],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "tkdnportal.settings_test"},
        )
        assert out.returncode == 0, out.stderr
        for option in command[4:]:
            if option.startswith("--"):
                assert option.split("=")[0] in out.stdout, (name, option)


def test_compose_metrics_are_scraped_inside_and_refused_outside():
    from django.conf import settings as django_settings

    services = _compose()["services"]
    env = services["web"]["environment"]
    assert env["PROMETHEUS_MULTIPROC_DIR"].startswith("/tmp/")  # per container, not a volume
    prometheus = yaml.safe_load((ROOT / "deploy" / "prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in prometheus["scrape_configs"]}
    web_port = services["web"]["command"][services["web"]["command"].index("--bind") + 1]
    assert jobs["web"]["dns_sd_configs"][0]["port"] == int(web_port.split(":")[1])
    assert jobs["web"]["metrics_path"] == "/metrics"
    workers = jobs["workers"]["dns_sd_configs"][0]
    assert workers["port"] == int(env["CELERY_METRICS_PORT"])
    worker_services = {
        name
        for name, s in services.items()
        if s.get("command", [])[:4] == ["celery", "-A", "tkdnportal", "worker"]
    }
    assert set(workers["names"]) == worker_services
    # The compose network may scrape; the settings' default is loopback only.
    assert "172.16.0.0/12" in env["METRICS_ALLOWED_NETWORKS"]
    assert django_settings.METRICS_ALLOWED_NETWORKS == ["127.0.0.0/8", "::1/128"]
    https = next(
        s[2]
        for s in _find(_find(_nginx(), "http")[0][2], "server")
        if "443" in _find(s[2], "listen")[0][1]
    )
    metrics = next(loc for loc in _find(https, "location") if loc[1] == ["=", "/metrics"])
    assert _find(metrics[2], "return")[0][1] == ["404"]
    headers = {b[1][0]: b[1][1] for b in _find(https, "proxy_set_header")}
    assert headers["X-Request-ID"] == "$request_id"


def test_gunicorn_config_loads_and_has_the_metrics_hooks(tmp_path, monkeypatch):
    import importlib.util

    spec = importlib.util.spec_from_file_location("gconf", ROOT / "deploy" / "gunicorn.conf.py")
    config = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(config)
    assert config.accesslog is None  # no client addresses or query strings in gunicorn's log
    folder = tmp_path / "prom"
    folder.mkdir()
    (folder / "counter_1.db").write_bytes(b"old")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))
    config.on_starting(None)
    assert folder.is_dir() and list(folder.iterdir()) == []
