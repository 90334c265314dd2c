"""The API list at national scale (issue 17): a capped count with ``count_capped``, pages past
the cap still reachable through ``next``, the change feed still counted exactly."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest
import yaml

from registry import api
from tests.factories import CertificateFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/certificates/"


@pytest.fixture
def limit_3(monkeypatch):
    monkeypatch.setattr(api, "LOOKUP_COUNT_LIMIT", 3)


def test_count_is_exact_under_the_cap(client, limit_3):
    for _ in range(3):
        CertificateFactory()
    data = client.get(LIST, {"page_size": 2}).json()
    assert data["count"] == 3 and data["count_capped"] is False
    assert data["next"] and len(data["results"]) == 2


def test_count_is_capped_and_every_page_stays_reachable(client, limit_3):
    created = {CertificateFactory().number for _ in range(7)}
    with CaptureQueriesContext(connection) as captured:
        data = client.get(LIST, {"page_size": 2}).json()
    # No COUNT over every match: the ids of at most limit + 1 rows, then the page.
    sqls = [q["sql"] for q in captured.captured_queries]
    assert not [sql for sql in sqls if "COUNT(" in sql], sqls
    assert [sql for sql in sqls if sql.endswith("LIMIT 4")], sqls
    assert data["count"] == 3 and data["count_capped"] is True
    seen, pages = [], 0
    url = LIST + "?page_size=2"
    while url:
        data = client.get(url).json()
        seen += [row["number"] for row in data["results"]]
        pages += 1
        url = data["next"]
    # Past the cap (3) the pages go on to the last certificate, each row exactly once.
    assert pages == 4 and len(seen) == 7 and set(seen) == created
    assert client.get(LIST, {"page_size": 2, "page": 5}).status_code == 404
    # The previous link of a page past the cap goes back one page.
    data = client.get(LIST, {"page_size": 2, "page": 4}).json()
    assert "page=3" in data["previous"] and data["next"] is None


def test_change_feed_counts_exactly(client, limit_3):
    for _ in range(5):
        CertificateFactory()
    data = client.get("/api/v1/certificates/changes/", {"changed_since": "2020-01-01"}).json()
    assert data["count"] == 5 and data["count_capped"] is False


def test_schema_documents_count_capped(client):
    schema = yaml.safe_load(client.get("/api/v1/schema/").content)
    pages = [
        body
        for name, body in schema["components"]["schemas"].items()
        if name.startswith("Paginated") and "count_capped" in body.get("properties", {})
    ]
    assert pages, "count_capped is not documented"
    assert pages[0]["properties"]["count_capped"]["type"] == "boolean"
