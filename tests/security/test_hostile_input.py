"""Odd input never makes a 500 (issue 16): every URL pattern of the project, admin and API
included, is requested with hostile values in each path segment and in its query parameters,
as an anonymous visitor and as a superuser; every answer is below 500.

Hostile values: a NUL byte (PostgreSQL refuses it in a string, so before the guard it reached
the database and failed there), a 5,000-character string, unicode with a right-to-left mark,
an SQL fragment, an HTML fragment and a path climbing up. Query parameters: the names the
pages and the API read, plus, for each admin change list, the parameters of its own filters,
search and date hierarchy, found by asking the change list itself.

The NUL cases are the findings; run this module on PostgreSQL too
(``DATABASE_URL=postgres://...``): on SQLite a NUL is just a character.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode

from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver

import pytest

from tests.factories import CertificateFactory, UserFactory, application_under_review

NUL = "\x00"
HOSTILE = {
    "nul": NUL,
    "nul-inside": f"TKDNIK/32/2026/{NUL}000001",
    "long": "A" * 5000,
    "unicode": "Ünïcødé ✓ 漢字 🙂 \u202etxt.exe",
    "sql": "' OR 1=1 --",
    "html": '<script>alert("x")</script>',
    "climb": "../../../etc/passwd",
    "year-1": "0001-01-01T00:00:00+01:00",
    "offset": "2026-01-01T00:00:00+16:00",
}
# The query parameters the portal's pages and the API read (lookup filters, pagination, the
# change feed, login redirects, the admin's own), each given the hostile value at once.
QUERY_KEYS = (
    "q",
    "page",
    "page_size",
    "per_page",
    "changed_since",
    "number",
    "nib",
    "kbli",
    "province",
    "regency",
    "tkdn_min",
    "tkdn_max",
    "status",
    "sort",
    "next",
    "format",
    "language",
    "o",
    "p",
    "e",
    "all",
    "_popup",
    "_to_field",
    "_changelist_filters",
    "term",
    "app_label",
    "model_name",
    "field_name",
)
_PARAMETER = re.compile(r"<(?:\w+:)?\w+>|\(\?P<\w+>[^)]*\)")


def walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


def all_routes() -> list[str]:
    return list(dict.fromkeys(walk(get_resolver().url_patterns)))


def hostile_path(route: str, value: str) -> str:
    """``route`` with every parameter (converter or regex group) replaced by ``value``."""
    path = _PARAMETER.sub(lambda _m: quote(value, safe="/"), route)
    return "/" + path.replace("^", "").replace("$", "")


def admin_changelist_keys(client) -> dict[str, list[str]]:
    """Per admin change list URL: the query parameters of its filters and date hierarchy."""
    keys = {}
    for route in all_routes():
        if not re.fullmatch(r"admin/\w+/\w+/", route):
            continue
        response = client.get("/" + route)
        cl = response.context and response.context.get("cl")
        if response.status_code != 200 or cl is None:
            continue
        names = [name for spec in cl.filter_specs for name in spec.expected_parameters()]
        if cl.date_hierarchy:
            names += [f"{cl.date_hierarchy}__{part}" for part in ("year", "month", "day")]
        names += [f"{field}__exact" for field in ("id", "pk")]
        keys["/" + route] = names
    return keys


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    """Thousands of requests from one address: the registry's rate limit is not under test."""
    from django.core.cache import cache

    settings.REGISTRY_API_RATE = "1000000/min"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db):
    application_under_review()
    CertificateFactory()
    return {"su": UserFactory(username="root", is_staff=True, is_superuser=True)}


def _request(client, method: str, url: str):
    """One request in its own savepoint: a database error must not poison the next one."""
    try:
        with transaction.atomic():
            return getattr(client, method)(url), None
    except Exception as error:  # noqa: BLE001 - any exception is the finding
        return None, error


def _failures(client, requests: list[tuple[str, str]]) -> list[str]:
    failures = []
    for method, url in requests:
        response, error = _request(client, method, url)
        if error is not None:
            failures.append(f"{method.upper()} {url[:160]!r}: {type(error).__name__}: {error}")
        elif response.status_code >= 500:
            failures.append(f"{method.upper()} {url[:160]!r}: HTTP {response.status_code}")
    return failures


ADMIN_KEYS = ("q", "o", "p", "e", "all", "_popup", "_to_field", "_changelist_filters")


def _hostile_requests(
    path_values: list[str], query_values: list[str], admin_keys: dict[str, list[str]]
) -> list[tuple[str, str]]:
    """Each path value in each path parameter (GET and POST); each query value in each query
    parameter alone (a form refuses the whole query at its first bad field, so together they
    would hide each other) and, for the NUL, all together."""
    requests = []
    for route in all_routes():
        if _PARAMETER.search(route):
            for value in path_values:
                requests.append(("get", hostile_path(route, value)))
                requests.append(("post", hostile_path(route, value)))
            continue
        path = "/" + route.replace("^", "").replace("$", "")
        if route.startswith("admin/"):
            keys = [*ADMIN_KEYS, *admin_keys.get(path, [])]
        else:
            keys = [key for key in QUERY_KEYS if key not in ADMIN_KEYS]
        for value in query_values:
            if value == NUL:
                requests.append(("get", f"{path}?{urlencode(dict.fromkeys(keys, value))}"))
            requests += [("get", f"{path}?{urlencode({key: value})}") for key in keys]
    return requests


@pytest.mark.parametrize("role", ["anon", "su"])
def test_no_url_pattern_answers_5xx_to_a_nul_byte(world, client, role):
    """NUL in every path segment and every query parameter: 400 or 404, never 500."""
    if role == "su":
        client.force_login(world["su"])
    admin_keys = admin_changelist_keys(client) if role == "su" else {}
    requests = _hostile_requests([NUL, HOSTILE["nul-inside"]], [NUL], admin_keys)
    failures = _failures(client, requests)
    assert not failures, f"{len(failures)} of {len(requests)} requests failed:\n" + "\n".join(
        failures
    )


@pytest.mark.slow
@pytest.mark.parametrize("role", ["anon", "su"])
def test_no_url_pattern_answers_5xx_to_hostile_values(world, client, role):
    """Long, unicode, SQL, HTML and date values: each alone in the path; in the query (about
    1,000 parameters per role), the text fragments as one value (slow: 10 to 35 s a role)."""
    if role == "su":
        client.force_login(world["su"])
    admin_keys = admin_changelist_keys(client) if role == "su" else {}
    path_values = [value for value in HOSTILE.values() if NUL not in value]
    text = " ".join(HOSTILE[name] for name in ("unicode", "sql", "html", "climb"))
    query_values = [HOSTILE["long"], text, HOSTILE["year-1"], HOSTILE["offset"]]
    requests = _hostile_requests(path_values, query_values, admin_keys)
    failures = _failures(client, requests)
    assert not failures, f"{len(failures)} of {len(requests)} requests failed:\n" + "\n".join(
        failures
    )


def test_every_route_gets_a_hostile_request():
    """The walk reaches the admin, the API and the catch-all patterns."""
    routes = all_routes()
    assert len(routes) > 100
    assert any(r.startswith("admin/") for r in routes)
    assert "api/v1/certificates/<path:number>/" in routes
    assert hostile_path("sertifikat/<path:number>/", NUL) == "/sertifikat/%00/"
    assert hostile_path("admin/(?P<url>.*)$", "x") == "/admin/x"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/sertifikat/%00/",
        "/sertifikat/TKDNIK/32/2026/%00000001/unduh/",
        "/verify/abc%00/",
        "/registri/?q=%00",
        "/admin/applications/application/?status__exact=%00",
    ],
)
def test_a_nul_in_a_page_url_is_a_400_page_saying_why(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "karakter NUL" in response.content.decode()
    assert response["Content-Security-Policy"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/certificates/%00/",
        "/api/v1/verify/%00/",
        "/api/v1/certificates/?number=%00",
        "/api/v1/certificates/changes/?changed_since=2026-01-01%00",
        "/api/v1/certificates/export.csv?q=abc%00",
    ],
)
def test_a_nul_in_an_api_url_is_a_400_json_answer(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]


CHANGES = "/api/v1/certificates/changes/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "since",
    [
        "2026-01-01T00:00:00+16:00",
        "2026-01-01T00:00:00-16:00",
        "2026-01-01T00:00:00+23:59",
        "2026-01-01T00:00:00+99:00",
        "2026-01-01T00:00:00-24:00",
        "0001-01-01",
        "0001-01-01T00:00:00",
        "0001-01-01T00:00:00+01:00",
        "0001-01-01T00:00:00Z",
        "9999-12-31",
        "9999-12-31T23:59:59-01:00",
        "9999-12-31T23:59:59Z",
        "1969-12-31T23:59:59Z",
        "2026-02-30",
        "2026-13-01T00:00:00",
        "2026-01-01T25:00:00Z",
    ],
)
def test_change_feed_refuses_an_out_of_range_moment_with_a_message(client, since):
    response = client.get(CHANGES, {"changed_since": since})
    assert response.status_code == 400, (since, response.status_code)
    assert response.json()["changed_since"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "since", ["2026-01-01T00:00:00+15:59", "2026-01-01T00:00:00-15:59", "1970-01-01T00:00Z"]
)
def test_change_feed_accepts_the_edges_of_the_range(client, since):
    assert client.get(CHANGES, {"changed_since": since}).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/admin/applications/application/?submitted_at__gte=2026-01-01T00:00:00%2B16:00",
        "/admin/applications/application/?submitted_at__lt=2026-01-01T00:00-2359",
        "/admin/axes/accessattempt/?attempt_time__gte=2026-01-01T00:00:00.5%2B99",
        "/admin/applications/application/?submitted_at__gte=0001-01-01T00:00:00%2B01:00",
        "/admin/applications/application/?submitted_at__lt=0001-01-01",
        "/admin/otp_totp/totpdevice/?created_at__lt=9999-12-31T23:59:59-05:00",
    ],
)
def test_a_moment_no_database_can_store_is_a_400_in_the_admin_filters(client, url):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(url)
    assert response.status_code == 400
    text = response.content.decode()
    assert "±15:59" in text or "di luar rentang" in text


@pytest.mark.django_db
def test_the_api_names_the_parameter_of_a_refused_value(client):
    response = client.get(CHANGES, {"changed_since": "2026-01-01T00:00+16:00"})
    assert response.status_code == 400
    assert "±15:59" in response.json()["changed_since"][0]


@pytest.mark.parametrize(
    "value, refused",
    [
        ("2026-01-01T00:00:00+15:59", False),
        ("2026-01-01T00:00:00-1559", False),
        ("2026-01-01T00:00:00+07", False),
        ("2026-01-01T00:00:00Z", False),
        ("2026-01-01", False),
        ("TKDNIK/32/2026/000001", False),
        ("12:30-16:00 rapat", False),
        ("2026-01-01T00:00:00+16:00", True),
        ("2026-01-01T00:00:00.123-16", True),
        ("2026-01-01 00:00+2400", True),
    ],
)
def test_offset_check(value, refused):
    from tkdnportal.middleware import _offset_out_of_range

    assert _offset_out_of_range(value) is refused


@pytest.mark.parametrize(
    "value, refused",
    [
        ("2026-01-31", False),
        ("2026-01-31T00:00:00+07:00", False),
        ("0002-01-01", False),
        ("9999-12-31", False),
        ("2026-02-30", False),  # not a date: the form that reads it says so
        ("20260131", False),
        ("Kursi Rotan 2026", False),
        ("0001-01-01", True),  # midnight in Jakarta is still year 0 in UTC
        ("0001-01-01T00:00:00+01:00", True),
        ("9999-12-31T23:59:59-01:00", True),
        ("2026-01-01T00:00+16:00", True),
    ],
)
def test_date_check(value, refused):
    from tkdnportal.middleware import _date_problem

    assert (_date_problem(value) is not None) is refused
