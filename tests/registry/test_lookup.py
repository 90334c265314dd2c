"""The public lookup page: filters alone and combined, status around the expiry date, sort,
pagination, bad input, a constant number of queries whatever the page size, CSV export."""

import csv
import datetime
import io
from decimal import Decimal

from django.utils import timezone

import pytest

from registry.filters import CertificateFilter
from registry.models import Certificate
from tests.factories import CertificateFactory
from tkdnportal import pagination

pytestmark = pytest.mark.django_db

URL = "/registri/"


def numbers(response) -> list[str]:
    return [c.number for c, _ in response.context["rows"]]


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def three(today):
    """Three certificates that differ in every filtered field."""
    bandung = CertificateFactory(
        company_name="CV Rotan Lestari",
        company_nib="9120000000001",
        product_name="Kursi Rotan",
        product_brand="Lestari",
        kbli="31002",
        tkdn_ik=Decimal("27.50"),
        issue_date=today - datetime.timedelta(days=10),
    )
    yogya = CertificateFactory(
        company_name="UD Batik Sekar",
        company_nib="9120000000002",
        product_name="Kain Batik Tulis",
        product_brand="Sekar Jagad",
        kbli="13134",
        tkdn_ik=Decimal("33.00"),
        province_id="34",
        regency_id="34.71",
        province_name="DI Yogyakarta",
        regency_name="Kota Yogyakarta",
        issue_date=today - datetime.timedelta(days=20),
    )
    revoked = CertificateFactory(
        company_name="PT Kopi Gayo Makmur",
        company_nib="9120000000003",
        product_name="Kopi Bubuk Arabika",
        product_brand="Gayo",
        kbli="10761",
        tkdn_ik=Decimal("39.00"),
        province_id="11",
        regency_id="11.17",
        province_name="Aceh",
        regency_name="Kabupaten Bener Meriah",
        issue_date=today - datetime.timedelta(days=30),
    )
    Certificate.objects.filter(pk=revoked.pk).update(status="REVOKED", revoked_at=timezone.now())
    return bandung, yogya, revoked


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "rotan"}, [0]),
        ({"q": "BATIK"}, [1]),
        ({"q": "gayo"}, [2]),  # brand and company name
        ({"q": "Sekar Jag"}, [1]),  # brand, partial
        ({"number": "{1}"}, [1]),
        ({"nib": "9120000000003"}, [2]),
        ({"kbli": "31002"}, [0]),
        ({"province": "34"}, [1]),
        ({"regency": "11.17"}, [2]),
        ({"tkdn_min": "30"}, [1, 2]),
        ({"tkdn_max": "30"}, [0]),
        ({"tkdn_min": "27.50", "tkdn_max": "33.00"}, [0, 1]),
        ({"status": "VALID"}, [0, 1]),
        ({"status": "REVOKED"}, [2]),
        ({"status": "EXPIRED"}, []),
    ],
)
def test_each_filter_alone(client, three, params, expected):
    params = {k: v.replace("{1}", three[1].number) for k, v in params.items()}
    response = client.get(URL, params)
    assert response.status_code == 200
    assert numbers(response) == [three[i].number for i in expected]


def test_filters_combined(client, three):
    response = client.get(URL, {"q": "a", "province": "32"})  # q too short: error, ignored
    assert "minimal 3" in response.content.decode() or "3" in response.content.decode()
    response = client.get(URL, {"province": "32", "tkdn_min": "25", "status": "VALID"})
    assert numbers(response) == [three[0].number]
    response = client.get(URL, {"province": "32", "status": "REVOKED"})
    assert numbers(response) == []
    response = client.get(URL, {"q": "kopi", "tkdn_min": "35", "kbli": "10761", "nib": ""})
    assert numbers(response) == [three[2].number]


def test_value_range_accepts_the_indonesian_decimal_comma(client, three):
    response = client.get(URL, {"tkdn_min": "27,5", "tkdn_max": "33,00"})
    assert not response.context["filter"].form.errors
    assert numbers(response) == [three[0].number, three[1].number]
    assert 'value="27,5"' in response.content.decode()


def test_number_search_forgives_case_and_spaces(client, three):
    response = client.get(URL, {"number": f"  {three[0].number.lower()} "})
    assert numbers(response) == [three[0].number]


def test_result_row_shows_the_issued_data(client, three):
    html = client.get(URL, {"q": "rotan"}).content.decode()
    for text in (
        "CV Rotan Lestari",
        "Kursi Rotan",
        "Lestari",
        "27,50\xa0%",
        "Kota Bandung",
        "Berlaku",
    ):
        assert text in html


def _years_ago(today: datetime.date, years: int) -> datetime.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def test_status_around_the_expiry_date(client, today):
    # Three years' validity, valid until the day before the anniversary (spec §6).
    last_day = CertificateFactory(
        issue_date=_years_ago(today, 3) + datetime.timedelta(days=1), valid_until=today
    )
    day_after = CertificateFactory(
        issue_date=_years_ago(today, 3), valid_until=today - datetime.timedelta(days=1)
    )
    extended = CertificateFactory(
        issue_date=today - datetime.timedelta(days=2000),
        valid_until=today - datetime.timedelta(days=5),
        extended_until=today + datetime.timedelta(days=5),
    )
    assert last_day.effective_status(today) == "VALID"
    assert day_after.effective_status(today) == "EXPIRED"
    assert extended.effective_status(today) == "VALID"
    assert set(numbers(client.get(URL, {"status": "VALID"}))) == {
        last_day.number,
        extended.number,
    }
    assert numbers(client.get(URL, {"status": "EXPIRED"})) == [day_after.number]
    html = client.get(URL, {"status": "EXPIRED"}).content.decode()
    assert "Kedaluwarsa" in html


def test_sorting(client, three):
    assert numbers(client.get(URL, {"sort": "-tkdn_ik"})) == [c.number for c in three[::-1]]
    assert numbers(client.get(URL, {"sort": "tkdn_ik"})) == [c.number for c in three]
    assert numbers(client.get(URL)) == [c.number for c in three]  # newest first
    assert numbers(client.get(URL, {"sort": "issue_date"})) == [c.number for c in three[::-1]]
    assert numbers(client.get(URL, {"sort": "company_name"}))[0] == three[0].number


def test_pagination_keeps_the_filters_in_the_links(client):
    for _ in range(12):
        CertificateFactory(product_name="Meja Jati")
    first = client.get(URL, {"q": "jati", "per_page": "10"})
    assert len(first.context["rows"]) == 10
    html = first.content.decode()
    assert "q=jati&amp;per_page=10&amp;page=2" in html
    second = client.get(URL, {"q": "jati", "per_page": "10", "page": "2"})
    assert len(second.context["rows"]) == 2
    assert not set(numbers(first)) & set(numbers(second))
    # A page past the end or garbage shows the last/first page instead of an error.
    assert client.get(URL, {"page": "999"}).status_code == 200
    assert client.get(URL, {"page": "abc", "per_page": "7"}).status_code == 200


def test_bad_input_is_explained_next_to_the_field_and_kept(client, three):
    response = client.get(URL, {"tkdn_min": "abc", "q": "ro", "tkdn_max": "200"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "is-invalid" in html
    assert 'value="ro"' in html and 'value="abc"' in html
    form = response.context["filter"].form
    assert {"tkdn_min", "q", "tkdn_max"} <= set(form.errors)
    response = client.get(URL, {"tkdn_min": "35", "tkdn_max": "30"})
    assert "tkdn_max" in response.context["filter"].form.errors


def test_unknown_province_is_an_error_not_a_500(client):
    response = client.get(URL, {"province": "99", "regency": "xx"})
    assert response.status_code == 200
    assert "province" in response.context["filter"].form.errors


@pytest.mark.parametrize("per_page", [10, 100])
def test_query_count_is_constant_whatever_the_page_size(
    client, django_assert_num_queries, per_page, connection, monkeypatch
):
    monkeypatch.setattr(pagination, "_TABLE_ROWS", {})  # read afresh: counted below
    for _ in range(25):
        CertificateFactory()
    # The region choices are reference data, read once and then cached.
    with django_assert_num_queries(4):
        client.get(URL)
    # Then: the count and the page of rows, whatever the page size and the filters.
    with django_assert_num_queries(2):
        response = client.get(URL, {"per_page": per_page})
    assert len(response.context["rows"]) == min(per_page, 25)
    # A text search on PostgreSQL first asks whether the text occurs exactly (EXISTS), to choose
    # between the substring and the typo-tolerant match: one more query, whatever the page size.
    # With other conditions the count's plan is chosen from the planner's estimates of the
    # count and of those conditions (two EXPLAINs) and the table's rows (read every 5 minutes).
    searching = 4 if connection.vendor == "postgresql" else 0
    with django_assert_num_queries(2 + searching):
        client.get(
            URL,
            {
                "per_page": per_page,
                "q": "kursi",
                "province": "32",
                "regency": "32.73",
                "tkdn_min": "25",
                "status": "VALID",
                "sort": "-tkdn_ik",
            },
        )


def test_regencies_follow_the_province(client):
    html = client.get(URL, {"province": "34"}).content.decode()
    assert 'value="34.71"' in html and 'value="32.73"' not in html
    assert 'value="32.73"' in client.get(URL).content.decode()


def test_filterset_default_order_and_unbound():
    assert list(CertificateFilter(queryset=Certificate.objects.all()).qs) == []


def test_csv_export_streams_the_search(client, three):
    response = client.get("/registri/ekspor.csv", {"province": "32"})
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][0] == "nomor_sertifikat" and rows[0][-1] == "status"
    assert [r[0] for r in rows[1:]] == [three[0].number]
    assert rows[1][-1] == "VALID"
    all_rows = list(
        csv.reader(
            io.StringIO(
                b"".join(client.get("/registri/ekspor.csv").streaming_content).decode("utf-8-sig")
            )
        )
    )
    assert {r[0]: r[-1] for r in all_rows[1:]}[three[2].number] == "REVOKED"


def test_lookup_is_rate_limited_per_client(client, settings, three):
    settings.REGISTRY_API_RATE = "3/min"
    for _ in range(3):
        assert client.get(URL).status_code == 200
    response = client.get(URL)
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert "Terlalu banyak permintaan" in response.content.decode()
    # Another address has its own budget.
    assert client.get(URL, REMOTE_ADDR="10.0.0.9").status_code == 200


def test_nav_links_to_lookup_and_statistics(client):
    html = client.get("/").content.decode()
    assert 'href="/registri/"' in html and 'href="/statistik/"' in html


@pytest.fixture
def connection():
    from django.db import connection

    return connection


def _needs_postgres(connection):
    if connection.vendor != "postgresql":
        pytest.skip("pg_trgm search runs on PostgreSQL only")


def test_search_is_typo_tolerant_and_accent_insensitive_on_postgres(client, connection):
    _needs_postgres(connection)
    rattan = CertificateFactory(company_name="CV Rotan Lestari", product_name="Kursi Rotan")
    cafe = CertificateFactory(company_name="Café Kopi Gayo", product_name="Kopi Bubuk")
    CertificateFactory(company_name="UD Batik Sekar", product_name="Kain Batik")
    assert numbers(client.get(URL, {"q": "kursi rotn"})) == [rattan.number]
    assert numbers(client.get(URL, {"q": "ROTAN lestar"})) == [rattan.number]
    assert numbers(client.get(URL, {"q": "cafe kopi"})) == [cafe.number]
    assert numbers(client.get(URL, {"q": "50%_"})) == []  # LIKE wildcards are escaped


def test_similar_spellings_only_when_nothing_matches_exactly_on_postgres(client, connection):
    """An exact (substring) match wins; the costly similarity search runs only without one."""
    _needs_postgres(connection)
    exact = CertificateFactory(company_name="CV Rotan Lestari", product_name="Kursi Rotan")
    similar = CertificateFactory(company_name="CV Rotn Jaya", product_name="Meja Rotn")
    assert numbers(client.get(URL, {"q": "rotan"})) == [exact.number]
    assert set(numbers(client.get(URL, {"q": "rotann"}))) == {exact.number}
    assert numbers(client.get(URL, {"q": "rotn jaya"})) == [similar.number]


@pytest.mark.parametrize(
    ("text", "index"),
    [
        ("rotan", "registry_cert_search_words"),  # inside a word: the words' index (0010)
        ("kursi rotan", "registry_cert_search_words"),  # a phrase of words: the same
        ("ursi rot", "registry_cert_search_words"),  # the end of one, the start of the next
        ("kursi rot", "registry_cert_search_words"),
        # Single letters: no three in a row for the trigram index (0002), whose bitmap would
        # hold most certificates (``i r``: 67 ms at 1,000,000, 17 tested row by row): no index.
        ("i r", None),
    ],
)
def test_search_uses_an_index_on_postgres(connection, text, index):
    _needs_postgres(connection)
    from registry.selectors import certificate_search

    CertificateFactory(product_name="Kursi Rotan")
    queryset = certificate_search(Certificate.objects.order_by(), text=text)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = queryset.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    if index is None:
        assert "Index" not in plan, plan
    else:
        assert index in plan


def test_narrowed_regency_choices_do_not_leak_into_the_next_request(client, three):
    client.get(URL, {"province": "34"})
    response = client.get(URL, {"regency": "11.17"})
    assert "regency" not in response.context["filter"].form.errors
    assert numbers(response) == [three[2].number]
