"""The lookup's search at national scale (issue 17): typo tolerance through the table of
distinct words, and the page's plan chosen from the capped count."""

from django.db import connection

import pytest

from registry import selectors, views
from registry.filters import CertificateFilter
from registry.models import Certificate
from tests.factories import CertificateFactory
from tkdnportal.pagination import hide_search_from_index, walking_order_index

pytestmark = pytest.mark.django_db

URL = "/registri/"


def numbers(response) -> list[str]:
    return [certificate.number for certificate, _status in response.context["rows"]]


@pytest.fixture
def postgres():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("pg_trgm search runs on PostgreSQL only")
    return connection


def test_new_certificates_add_their_words(postgres):
    CertificateFactory(company_name="UD Tari Menari", product_name="Sanggul Penari")
    with postgres.cursor() as cursor:
        cursor.execute("SELECT word FROM registry_search_word")
        words = {row[0] for row in cursor.fetchall()}
    # Normalised (lower case, no accents), three letters or more; "ud" is too short.
    assert {"tari", "menari", "sanggul", "penari"} <= words
    assert "ud" not in words
    assert "menari" in selectors.similar_words("menarj")
    assert selectors.similar_words("qwzx") == []


def test_typo_in_each_word_finds_the_certificate(client, postgres):
    dance = CertificateFactory(company_name="Sanggar Menari Nusantara", product_name="Kostum Tari")
    CertificateFactory(company_name="CV Rotan Lestari", product_name="Kursi Rotan")
    assert numbers(client.get(URL, {"q": "menarj"})) == [dance.number]
    assert numbers(client.get(URL, {"q": "kostumm menarj"})) == [dance.number]
    # Every word must match (itself or a similar word): one unknown word, no result.
    assert numbers(client.get(URL, {"q": "menarj qwzxv"})) == []
    # Renamed company (a correction): its new words are found too.
    Certificate.objects.filter(pk=dance.pk).update(company_name="Sanggar Jaipong Priangan")
    assert numbers(client.get(URL, {"q": "jaipongg"})) == [dance.number]


def test_search_without_index_finds_the_same_rows(postgres):
    for name in ("Kursi Rotan", "Meja Rotan", "Batik Tulis"):
        CertificateFactory(product_name=name)
    base = Certificate.objects.order_by("-issue_date", "-sequence")
    for text in ("rotan", "rotn", "batk tulis", "tidak ada"):
        found = selectors.certificate_search(base, text=text)
        walked = hide_search_from_index(found)
        assert "|| '')" not in str(found.query) and "|| '')" in str(walked.query)
        assert list(found) == list(walked), text


def test_page_is_read_by_the_ids_of_the_count(client, django_assert_num_queries):
    matches = [CertificateFactory(product_name=f"Kursi Rotan {n}") for n in range(3)]
    CertificateFactory(product_name="Meja Jati")
    client.get(URL)  # region choices cached
    filterset = CertificateFilter({"q": "rotan"}, queryset=selectors.certificates_public())
    paginator = views.LookupPaginator(filterset.qs, 2)
    assert paginator.count == 3 and not paginator.capped
    # By its ids: one array on PostgreSQL (pk_in), IN (...) elsewhere.
    sql = str(paginator.object_list.query)
    assert ("= ANY(" if connection.vendor == "postgresql" else "IN (") in sql
    page = paginator.page(1)
    assert [c.pk for c in page] == [c.pk for c in reversed(matches)][:2]


def test_capped_count_reads_the_page_from_the_walking_plan(client, monkeypatch):
    monkeypatch.setattr(views, "LOOKUP_COUNT_LIMIT", 2)
    matches = [CertificateFactory(product_name=f"Kursi Rotan {n}") for n in range(4)]
    response = client.get(URL, {"q": "rotan", "per_page": 10})
    paginator = response.context["page"].paginator
    assert paginator.capped and paginator.count == 2
    # Past the cap the page still lists its rows (the first page holds them all here).
    assert numbers(response) == [c.number for c in reversed(matches)][:2]


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_many_matches_walk_the_order_index(postgres):
    """Past the cap the page is read walking the sort's index, the text hidden from the trigram
    index: PostgreSQL neither scans the table nor collects every match in a bitmap (a two-word
    phrase read the whole table at 1,000,000: 3.7 s)."""
    for n in range(6):
        CertificateFactory(company_name=f"UD Angklung Sari {n}", product_name="Angklung")
    filterset = CertificateFilter({"q": "angklung ud"}, queryset=selectors.certificates_public())
    paginator = views.LookupPaginator(filterset.qs, 2, limit=3)
    assert paginator.count == 3 and paginator.capped
    page_rows = paginator.object_list[:2]
    with walking_order_index(page_rows.db):
        plan = _plan(page_rows)
        with connection.cursor() as cursor:
            cursor.execute("SHOW enable_bitmapscan")
            assert cursor.fetchone() == ("off",)
    assert "registry_cert_default_order" in plan, plan
    assert "Seq Scan" not in plan and "Bitmap" not in plan, plan
    # The settings are back for whatever the request reads next.
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_bitmapscan")
        assert cursor.fetchone() == ("on",)
    rows = paginator.page(1).object_list
    assert isinstance(rows, list) and len(rows) == 2


def test_many_matches_in_the_admin_search_read_the_same_rows(admin_client, monkeypatch):
    """The admin's certificate list plans its page the same way (``PlannedPaginator``)."""
    from tkdnportal.pagination import PlannedPaginator

    monkeypatch.setattr(PlannedPaginator, "limit", 3)
    made = [CertificateFactory(product_name=f"Kursi Rotan {n}") for n in range(5)]
    CertificateFactory(product_name="Meja Jati")
    response = admin_client.get("/admin/registry/certificate/", {"q": "rotan", "o": "1"})
    assert response.status_code == 200
    changelist = response.context["cl"]
    assert changelist.paginator.capped
    shown = {certificate.pk for certificate in changelist.result_list}
    assert shown == {certificate.pk for certificate in made}


def test_a_page_past_the_cap_walks_and_only_a_text_search_is_then_collected(postgres):
    """Past the cap a page walks the order's index (bounded); when the walk finds too few rows,
    plain filters keep the planner's own plan (a regency's own index beats the issue date's),
    a text search is read collecting its matches (``collecting_matches``)."""
    import datetime

    from tkdnportal.pagination import _has_search_condition

    for n in range(4):  # the oldest: a walk from the newest meets them last
        CertificateFactory(
            product_name=f"Kursi Rotan {n}",
            province_id="33",
            regency_id="33.01",
            issue_date=datetime.date(2025, 1, n + 1),
        )
    for n in range(6):
        CertificateFactory(product_name=f"Meja Jati {n}", issue_date=datetime.date(2026, 1, n + 1))
    public = selectors.certificates_public()
    with_text = CertificateFilter({"q": "rotan", "province": "33"}, queryset=public).qs
    filters_only = CertificateFilter({"province": "33", "status": "VALID"}, queryset=public).qs
    assert _has_search_condition(with_text.query.where)
    assert not _has_search_condition(filters_only.query.where)

    seen = []

    def record(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    def page(queryset, *, walk_rows):
        paginator = views.LookupPaginator(queryset, 2, limit=3)
        paginator.walk_rows = walk_rows
        seen.clear()
        with connection.execute_wrapper(record):
            rows = paginator.page(1).object_list
        assert paginator.capped
        return [c.product_name for c in rows]

    expected = ["Kursi Rotan 3", "Kursi Rotan 2"]
    # A walk long enough finds the page, with or without a text search.
    for queryset in (filters_only, with_text):
        assert page(queryset, walk_rows=100) == expected
        assert any("SET LOCAL enable_bitmapscan = off" in sql for sql in seen)
    # Too short (the newest rows are another province's): the planner's plan, then.
    assert page(filters_only, walk_rows=1) == expected
    assert not any("enable_indexscan = off" in sql for sql in seen)
    assert page(with_text, walk_rows=1) == expected
    assert any("SET LOCAL enable_indexscan = off" in sql for sql in seen)


def test_minimum_above_a_rule_sets_maximum_bounds_the_issue_date(client):
    """A minimum no IK-2022 certificate can reach (they end at 40.00 %) adds the earliest issue
    date of the sets that can (read from the register: an IK-2025 certificate issued before the
    set's date still counts), so an oldest-first walk starts there; the rows are the same."""
    import datetime
    from decimal import Decimal

    old = [
        CertificateFactory(
            rule_set="IK-2022", tkdn_ik=Decimal("39.50"), issue_date=datetime.date(2024, 3, n + 1)
        )
        for n in range(3)
    ]
    early = CertificateFactory(
        rule_set="IK-2025", tkdn_ik=Decimal("61.00"), issue_date=datetime.date(2025, 6, 1)
    )
    new = CertificateFactory(
        rule_set="IK-2025", tkdn_ik=Decimal("75.00"), issue_date=datetime.date(2026, 2, 1)
    )
    low = CertificateFactory(
        rule_set="IK-2025", tkdn_ik=Decimal("30.00"), issue_date=datetime.date(2026, 3, 1)
    )
    public = selectors.certificates_public()
    sixty = CertificateFilter({"tkdn_min": "60", "sort": "issue_date"}, queryset=public).qs
    assert '"issue_date" >=' in str(sixty.query)
    assert [c.pk for c in sixty] == [early.pk, new.pk]
    thirty = CertificateFilter({"tkdn_min": "30", "sort": "issue_date"}, queryset=public).qs
    assert '"issue_date" >=' not in str(thirty.query)
    assert [c.pk for c in thirty] == [c.pk for c in old] + [early.pk, new.pk, low.pk]
    # No certificate of a set that reaches the minimum: nothing, without reading the table.
    Certificate.objects.filter(rule_set="IK-2025").delete()
    assert not CertificateFilter({"tkdn_min": "60"}, queryset=public).qs.exists()
    response = client.get(URL, {"tkdn_min": "60", "sort": "issue_date"})
    assert response.status_code == 200 and numbers(response) == []


def test_a_minimum_no_certificate_of_a_set_reaches_bounds_the_issue_date(client):
    """IK-2022 ends at 40.00 %, but what its certificates reach decides: a minimum above the
    highest of them (39.50) bounds the issue date as if the set could not reach it (its
    757,031 certificates walked for nothing: 0.8 s at 1,000,000); one IK-2022 certificate
    worth that much lifts the bound. The rows are the same."""
    import datetime
    from decimal import Decimal

    old = [
        CertificateFactory(
            rule_set="IK-2022",
            tkdn_ik=Decimal(f"3{n}.50"),
            issue_date=datetime.date(2024, 3, n + 1),
        )
        for n in range(7, 10)
    ]
    new = CertificateFactory(
        rule_set="IK-2025", tkdn_ik=Decimal("45.00"), issue_date=datetime.date(2026, 2, 1)
    )
    public = selectors.certificates_public()
    query = {"tkdn_min": "39.6", "sort": "issue_date"}
    listed = CertificateFilter(query, queryset=public).qs
    assert '"issue_date" >=' in str(listed.query)
    assert [c.pk for c in listed] == [new.pk]
    assert numbers(client.get(URL, query)) == [new.number]
    top = CertificateFactory(
        rule_set="IK-2022", tkdn_ik=Decimal("40.00"), issue_date=datetime.date(2024, 1, 1)
    )
    listed = CertificateFilter(query, queryset=public).qs
    assert '"issue_date" >=' not in str(listed.query)
    assert [c.pk for c in listed] == [top.pk, new.pk]
    assert [c.pk for c in CertificateFilter({"tkdn_min": "39"}, queryset=public).qs] == [
        new.pk,
        old[-1].pk,
        top.pk,
    ]


def test_a_single_word_is_looked_up_among_the_words_not_the_register(postgres):
    """Whether a one-word text is in some name (else: typo tolerance) is asked of the table of
    distinct words; a phrase, of the register's trigram index. Same answers either way."""
    from django.test.utils import CaptureQueriesContext

    CertificateFactory(company_name="CV Rotan Jaya", product_name="Kursi Santai")
    public = selectors.certificates_public()
    for text, found in [
        ("rotan", 1),
        ("ota", 1),
        ("kursi santai", 1),
        ("jaya kursi", 1),
        ("zzzqqq", 0),
    ]:
        with CaptureQueriesContext(postgres) as captured:
            rows = list(selectors.certificate_search(public, text=text))
        assert len(rows) == found, text
        checks = [q["sql"] for q in captured.captured_queries if "LIMIT 1" in q["sql"]]
        if " " in text:
            assert any("registry_certificate" in sql for sql in checks), text
        else:
            assert not checks, text
            assert any("registry_search_word" in q["sql"] for q in captured.captured_queries)


def test_expired_certificates_are_bounded_by_the_value_their_rule_sets_reach(client):
    """Expired certificates were issued years ago, under rule sets that end lower (IK-2022 at
    40.00 %): the filter adds the highest value in the register of the sets with a certificate
    issued by then,
    so a walk by value, highest first, starts there; the rows are the same. An IK-2025
    certificate issued that early lifts the bound."""
    import datetime
    from decimal import Decimal

    from django.utils import timezone

    today = timezone.localdate()
    long_ago = today - datetime.timedelta(days=5 * 365)
    expired = [
        CertificateFactory(rule_set="IK-2022", tkdn_ik=Decimal(f"3{n}.00"), issue_date=long_ago)
        for n in range(3)
    ]
    CertificateFactory(  # valid, worth more: never in the list
        rule_set="IK-2025", tkdn_ik=Decimal("75.00"), issue_date=today - datetime.timedelta(days=30)
    )
    public = selectors.certificates_public()
    query = {"status": "EXPIRED", "sort": "-tkdn_ik"}
    listed = CertificateFilter(query, queryset=public).qs
    # The highest value the set's certificates reached (32.00), not the set's maximum.
    assert '"tkdn_ik" <= 32.00' in str(listed.query).replace("'", "")
    assert [c.pk for c in listed] == [c.pk for c in reversed(expired)]
    response = client.get(URL, query)
    assert numbers(response) == [c.number for c in reversed(expired)]
    # An IK-2025 certificate issued (and expired) as early: no bound, the same rows and it.
    early = CertificateFactory(
        rule_set="IK-2025",
        tkdn_ik=Decimal("55.00"),
        issue_date=long_ago - datetime.timedelta(days=1),
    )
    listed = CertificateFilter(query, queryset=public).qs
    assert '"tkdn_ik" <=' not in str(listed.query)
    assert [c.pk for c in listed] == [early.pk, *(c.pk for c in reversed(expired))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("angklung cv", ["CV Angklung Jaya"]),  # no name's phrase: each word alone
        ("cv", ["CV Angklung Jaya", "CV Tenun"]),
        ("tenun c", ["CV Tenun"]),
    ],
)
def test_a_word_too_short_for_the_trigram_index_is_tested_on_the_rows(postgres, text, expected):
    """A substring without three letters or digits in a row gives the trigram index nothing to
    look up (its bitmap held all 1,000,000 certificates for ``cv``: 1.5 s): it is tested on
    the rows the other conditions find, never asked of the trigram index."""
    CertificateFactory(company_name="CV Angklung Jaya", product_name="Angklung Bambu")
    CertificateFactory(company_name="UD Angklung Sari", product_name="Angklung")
    CertificateFactory(company_name="CV Tenun", product_name="Kain")
    found = selectors.certificate_search(Certificate.objects.all(), text=text)
    sql = str(found.query)
    assert "search_text LIKE" not in sql  # only "(search_text || '') LIKE": not the index's
    assert sorted(c.company_name for c in found) == expected


def test_letters_apart_that_are_in_no_name_find_nothing_without_a_scan(postgres):
    """``o x`` is in no name; as a typo, its words are no words to be typos of, and each letter
    as a substring would be a scan of the register (0.8 s at 1,000,000): nothing is found,
    without a query beyond the phrase's own."""
    from django.test.utils import CaptureQueriesContext

    CertificateFactory(company_name="CV Ox", product_name="Kotak Xilofon")
    with CaptureQueriesContext(postgres) as captured:
        found = selectors.certificate_search(Certificate.objects.all(), text="o x")
        assert list(found) == []
    assert not any("registry_normalise('o')" in q["sql"] for q in captured.captured_queries)
    found = selectors.certificate_search(Certificate.objects.all(), text="ox k")
    assert [c.company_name for c in found] == ["CV Ox"]


@pytest.mark.parametrize(
    ("sort", "bounded"),
    [("", True), ("-issue_date", True), ("issue_date", False), ("number", False)],
)
def test_the_expired_issue_date_bound_serves_the_newest_first_order_only(sort, bounded):
    """Expired certificates are the oldest: newest first, the bound on the issue date starts
    the walk among them (9 s without it at 1,000,000); in another order it only added a
    quarter of the register's bitmap to the count (24 ms). The rows are the same."""
    import datetime
    from decimal import Decimal

    from django.utils import timezone

    today = timezone.localdate()
    expired = [
        CertificateFactory(
            rule_set="IK-2022",
            tkdn_ik=Decimal("30.00"),
            issue_date=today - datetime.timedelta(days=5 * 365 + n),
        )
        for n in range(3)
    ]
    CertificateFactory(issue_date=today - datetime.timedelta(days=30))  # valid
    query = {"status": "EXPIRED", "sort": sort}
    listed = CertificateFilter(query, queryset=selectors.certificates_public()).qs
    assert ('"issue_date" <=' in str(listed.query)) is bounded
    assert {c.pk for c in listed} == {c.pk for c in expired}
