"""The open JSON API: list with the lookup filters, detail, verify, change feed, CSV, schema,
rate limit with 429 + Retry-After, ETag/304 and Cache-Control, constant query counts."""

import csv
import datetime
import io
import re
from decimal import Decimal

from django.utils import timezone

import pytest
import yaml
from drf_spectacular.validation import validate_schema

from registry.models import Certificate
from tests.factories import CertificateFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/certificates/"


def result_numbers(response) -> list[str]:
    return [row["number"] for row in response.json()["results"]]


def test_list_is_paginated_and_shows_the_snapshot_without_personal_data(client):
    certificates = [CertificateFactory() for _ in range(3)]
    response = client.get(LIST, {"page_size": 2})
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 3 and len(data["results"]) == 2 and data["next"]
    row = data["results"][0]
    assert row["status"] == "VALID"
    assert row["tkdn_ik"] == "32.50"
    assert row["verify_url"].endswith(f"/verify/{certificates[-1].verification_token}/")
    company = certificates[0].application.product.company
    body = response.content.decode()
    assert company.npwp not in body and company.phone not in body
    assert company.person_in_charge not in body
    for key in ("npwp", "phone", "person_in_charge", "revocation_reason", "breakdown"):
        assert key not in row


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "batik"}, ["b"]),
        ({"province": "34"}, ["b"]),
        ({"kbli": "31001"}, ["a"]),
        ({"tkdn_min": "30"}, ["b"]),
        ({"status": "REVOKED"}, ["c"]),
        ({"status": "VALID", "tkdn_max": "30"}, ["a"]),
        ({"nib": "9000000000003"}, ["c"]),
    ],
)
def test_list_filters(client, params, expected):
    certificates = {
        "a": CertificateFactory(tkdn_ik=Decimal("26.00"), company_nib="9000000000001"),
        "b": CertificateFactory(
            product_name="Kain Batik",
            kbli="13134",
            tkdn_ik=Decimal("35.00"),
            province_id="34",
            regency_id="34.71",
            company_nib="9000000000002",
        ),
        "c": CertificateFactory(
            kbli="10761", tkdn_ik=Decimal("28.00"), company_nib="9000000000003"
        ),
    }
    Certificate.objects.filter(pk=certificates["c"].pk).update(
        status="REVOKED", revoked_at=timezone.now()
    )
    response = client.get(LIST, params)
    assert response.status_code == 200
    assert sorted(result_numbers(response)) == sorted(certificates[k].number for k in expected)


def test_invalid_filter_is_a_400_with_the_field(client):
    response = client.get(LIST, {"tkdn_min": "banyak"})
    assert response.status_code == 400
    assert "tkdn_min" in response.json()


def test_detail_by_number_and_404(client):
    certificate = CertificateFactory()
    response = client.get(f"/api/v1/certificates/{certificate.number}/")
    assert response.status_code == 200
    assert response.json()["number"] == certificate.number
    assert client.get("/api/v1/certificates/TKDNIK/00/2026/000000/").status_code == 404


def test_verify_by_token(client):
    certificate = CertificateFactory(
        issue_date=datetime.date(2020, 1, 1), valid_until=datetime.date(2022, 12, 31)
    )
    response = client.get(f"/api/v1/verify/{certificate.verification_token}/")
    assert response.json()["status"] == "EXPIRED"
    assert response.json()["expires_on"] == "2022-12-31"
    missing = client.get("/api/v1/verify/unknown-token/")
    assert missing.status_code == 404
    assert "unknown-token" not in missing.content.decode()


def test_change_feed_includes_revocations_and_expiries(client):
    today = timezone.localdate()
    since = timezone.now() - datetime.timedelta(days=3)
    old = timezone.now() - datetime.timedelta(days=400)
    unchanged = CertificateFactory(issue_date=today - datetime.timedelta(days=300))
    revoked = CertificateFactory(issue_date=today - datetime.timedelta(days=300))
    expired = CertificateFactory(
        issue_date=today - datetime.timedelta(days=1200),
        valid_until=today - datetime.timedelta(days=2),
    )
    long_expired = CertificateFactory(
        issue_date=today - datetime.timedelta(days=1200),
        valid_until=today - datetime.timedelta(days=30),
    )
    Certificate.objects.filter(
        pk__in=[unchanged.pk, revoked.pk, expired.pk, long_expired.pk]
    ).update(updated_at=old)
    Certificate.objects.filter(pk=revoked.pk).update(
        status="REVOKED", revoked_at=timezone.now(), updated_at=timezone.now()
    )
    fresh = CertificateFactory(issue_date=today)
    response = client.get("/api/v1/certificates/changes/", {"changed_since": since.isoformat()})
    assert response.status_code == 200
    data = response.json()
    by_number = {row["number"]: row["status"] for row in data["results"]}
    assert by_number == {
        revoked.number: "REVOKED",
        expired.number: "EXPIRED",
        fresh.number: "VALID",
    }
    assert data["server_time"]
    # A plain date works too; a missing or bad value is a 400 naming the parameter.
    assert (
        client.get("/api/v1/certificates/changes/", {"changed_since": "2020-01-01"}).json()["count"]
        == 5
    )
    assert client.get("/api/v1/certificates/changes/").status_code == 400
    bad = client.get("/api/v1/certificates/changes/", {"changed_since": "kemarin"})
    assert bad.status_code == 400 and "changed_since" in bad.json()


def test_csv_export_is_streamed_with_the_filters(client):
    CertificateFactory(tkdn_ik=Decimal("26.00"))
    high = CertificateFactory(tkdn_ik=Decimal("38.00"), company_name='CV "Kutip", Koma')
    response = client.get("/api/v1/certificates/export.csv", {"tkdn_min": "30"})
    assert response.status_code == 200
    assert response.streaming
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 2
    assert rows[1][0] == high.number and rows[1][1] == 'CV "Kutip", Koma'


def test_schema_generates_and_validates(client):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    validate_schema(schema)
    paths = schema["paths"]
    assert "/api/v1/certificates/" in paths
    assert "/api/v1/certificates/changes/" in paths
    assert "/api/v1/verify/{token}/" in paths
    # The calculator of the applicant issue (a plain Django view) is documented too.
    calculator = paths["/api/v1/calculator/"]["post"]
    assert "CalculatorInput" in str(calculator["requestBody"])
    parameters = {p["name"] for p in paths["/api/v1/certificates/"]["get"]["parameters"]}
    assert {"q", "province", "regency", "tkdn_min", "tkdn_max", "status", "page"} <= parameters
    assert client.get("/api/v1/docs/").status_code == 200
    docs = client.get("/api/v1/redoc/").content.decode()
    # No asset from a CDN or any other host (a random CSRF token may contain the letters "cdn").
    assert not re.search(r"<(?:script|link)[^>]+(?:src|href)=[\"']?(?:https?:)?//", docs)


def test_rate_limit_gives_429_with_retry_after(client, settings):
    settings.REGISTRY_API_RATE = "2/min"
    assert client.get(LIST).status_code == 200
    assert client.get(LIST).status_code == 200
    response = client.get(LIST)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Cache-Control" not in response or "public" not in response["Cache-Control"]
    # Per client address: another address is not affected.
    assert client.get(LIST, REMOTE_ADDR="192.0.2.7").status_code == 200
    # Without a trusted proxy, a forged X-Forwarded-For does not give a fresh budget.
    assert client.get(LIST, HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 429


def test_verify_page_is_rate_limited_too(client, settings):
    settings.REGISTRY_API_RATE = "1/min"
    assert client.get("/verify/tidak-ada/").status_code == 404
    response = client.get("/verify/tidak-ada-juga/")
    assert response.status_code == 429 and response["Retry-After"]


def test_etag_and_304_and_cache_control(client, settings):
    settings.REGISTRY_CACHE_SECONDS = 120
    certificate = CertificateFactory()
    url = f"/api/v1/certificates/{certificate.number}/"
    first = client.get(url)
    assert "public" in first["Cache-Control"] and "max-age=120" in first["Cache-Control"]
    etag = first["ETag"]
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    Certificate.objects.filter(pk=certificate.pk).update(
        status="REVOKED", revoked_at=timezone.now()
    )
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed.json()["status"] == "REVOKED"
    listed = client.get(LIST)
    assert client.get(LIST, HTTP_IF_NONE_MATCH=listed["ETag"]).status_code == 304


@pytest.mark.parametrize("page_size", [5, 50])
def test_api_query_count_is_constant(client, django_assert_num_queries, page_size):
    for _ in range(12):
        CertificateFactory()
    client.get(LIST)  # the region choices of the filters are read once, then cached
    with django_assert_num_queries(2):  # count + page
        response = client.get(LIST, {"page_size": page_size})
    assert len(response.json()["results"]) == min(page_size, 12)


# --- issue 16: the schema is what the API does ---------------------------------------------


def _schema(client) -> dict:
    return yaml.safe_load(client.get("/api/v1/schema/").content)


def test_csv_export_documents_the_list_filters(client):
    paths = _schema(client)["paths"]
    listed = {p["name"]: p["schema"] for p in paths["/api/v1/certificates/"]["get"]["parameters"]}
    export = paths["/api/v1/certificates/export.csv"]["get"]
    exported = {p["name"]: p["schema"] for p in export.get("parameters", [])}
    filters = {"q", "number", "nib", "kbli", "province", "regency", "tkdn_min", "tkdn_max"}
    assert filters | {"status", "sort"} <= set(exported)
    assert all(exported[name] == listed[name] for name in filters)
    assert "text/csv" in export["responses"]["200"]["content"]


def test_filter_bounds_are_documented(client):
    listed = {
        p["name"]: p["schema"]
        for p in _schema(client)["paths"]["/api/v1/certificates/"]["get"]["parameters"]
    }
    assert listed["q"]["minLength"] == 3 and listed["q"]["maxLength"] == 100
    assert listed["tkdn_min"]["minimum"] == 0 and listed["tkdn_max"]["maximum"] == 100
    assert "32" in listed["province"]["enum"] and len(listed["province"]["enum"]) == 38
    assert "32.73" in listed["regency"]["enum"]
    assert listed["page"]["minimum"] == 1
    assert listed["page_size"] == {"type": "integer", "minimum": 1, "maximum": 500}


@pytest.mark.parametrize(
    "path, codes",
    [
        ("/api/v1/certificates/", {"200", "400", "404", "429"}),
        ("/api/v1/certificates/{number}/", {"200", "400", "404", "429"}),
        ("/api/v1/verify/{token}/", {"200", "400", "404", "429"}),
        ("/api/v1/certificates/changes/", {"200", "400", "404", "429"}),
        ("/api/v1/certificates/export.csv", {"200", "400", "429"}),
    ],
)
def test_error_answers_are_documented(client, path, codes):
    responses = _schema(client)["paths"][path]["get"]["responses"]
    assert codes <= set(responses)
    error = responses["400"]["content"]["application/json"]["schema"]
    assert error == {"$ref": "#/components/schemas/ApiError"}


@pytest.mark.parametrize(
    "url, query", [(LIST, {}), ("/api/v1/certificates/changes/", {"changed_since": "2020-01-01"})]
)
@pytest.mark.parametrize("page_size", ["null", "", "0", "-1", "501", "1.5", "abc", "99999999"])
def test_page_size_outside_1_to_500_is_refused(client, url, query, page_size):
    CertificateFactory()
    response = client.get(url, {**query, "page_size": page_size})
    assert response.status_code == 400
    assert "1–500" in str(response.json()["page_size"])


@pytest.mark.parametrize("page", ["0", "-1", "abc", "last", "1.0", "null"])
def test_page_that_is_not_a_positive_integer_is_refused(client, page):
    CertificateFactory()
    response = client.get(LIST, {"page": page})
    assert response.status_code == 400 and "page" in response.json()


@pytest.mark.parametrize("page", ["2", "99999999999999999999999999"])
def test_page_past_the_end_is_a_404(client, page):
    CertificateFactory()
    assert client.get(LIST, {"page": page}).status_code == 404


@pytest.mark.parametrize("q", [None, "Rotan"])
@pytest.mark.parametrize("page", ["999999999999999999", "9" * 23, "400000000000000"])
def test_page_far_past_a_capped_count_is_a_404(client, monkeypatch, q, page):
    """Past the capped count pages are open-ended, but one beyond any register is a 404 without
    reading (it overflowed PostgreSQL's bigint offset: a 500)."""
    from registry import api

    monkeypatch.setattr(api, "LOOKUP_COUNT_LIMIT", 3)
    for n in range(7):
        CertificateFactory(product_name=f"Kursi Rotan {n}")
    text = {"q": q} if q else {}
    assert client.get(LIST, {"page_size": 500, "page": page, **text}).status_code == 404
    assert client.get(LIST, {"page_size": 2, "page": 3, **text}).status_code == 200


def test_api_filters_take_each_parameter_on_its_own(client):
    """A regency outside the province, or a minimum above the maximum, matches nothing (the
    schema cannot state combinations); more decimals than the page's text box are fine."""
    CertificateFactory(tkdn_ik=Decimal("32.50"))
    for query in (
        {"province": "11", "regency": "32.73"},
        {"tkdn_min": "35", "tkdn_max": "30"},
    ):
        response = client.get(LIST, query)
        assert response.status_code == 200 and response.json()["count"] == 0, query
    assert client.get(LIST, {"tkdn_min": "32.4999"}).json()["count"] == 1
    assert client.get(LIST, {"q": "  CV"}).status_code == 200  # 4 characters as sent


@pytest.mark.parametrize(
    "url", ["/api/v1/tidak-ada/", "/api/v1/certificates/TKDNIK%0A32/", "/api/v2/certificates/"]
)
def test_an_api_url_that_matches_nothing_is_a_json_404(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]


def test_a_page_url_that_matches_nothing_is_still_the_404_page(client):
    response = client.get("/tidak-ada/")
    assert response.status_code == 404 and b"<html" in response.content


def test_documented_region_codes_are_the_loaded_regions(client):
    from applications.models import Province, Regency

    listed = {
        p["name"]: p["schema"]
        for p in _schema(client)["paths"]["/api/v1/certificates/"]["get"]["parameters"]
    }
    assert set(listed["province"]["enum"]) == set(Province.objects.values_list("pk", flat=True))
    assert set(listed["regency"]["enum"]) == set(Regency.objects.values_list("pk", flat=True))


def test_pdf_check_documents_what_answers_before_the_view(client):
    """A body over the limit (413, tkdnportal.middleware) and a body DRF cannot parse (415: a
    broken multipart body, found by schemathesis with 400 examples) are documented."""
    responses = _schema(client)["paths"]["/api/v1/verify-file/"]["post"]["responses"]
    assert {"200", "400", "413", "415", "429"} <= set(responses)
