"""The table of distinct words counts the certificates holding each word (registry migration
0009), exactly, whatever writes the register: the lookup trusts a word held by more than
1,000 certificates to mean "more than 1,000 matches" without counting them."""

from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest

from registry.models import Certificate
from tests.factories import CertificateFactory
from tkdnportal.pagination import PlannedPaginator, SearchCondition

pytestmark = pytest.mark.django_db

POSTGRES = connection.vendor == "postgresql"
postgres_only = pytest.mark.skipif(not POSTGRES, reason="the words table is PostgreSQL's")


def stored_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT word, certificates FROM registry_search_word WHERE certificates <> 0"
        )
        return dict(cursor.fetchall())


def recounted() -> dict[str, int]:
    """Each word's certificates, counted from the register itself."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT word, count(*) FROM (SELECT registry_search_words("
            "company_name || ' ' || product_name || ' ' || product_brand) AS word "
            "FROM registry_certificate) words GROUP BY word"
        )
        return dict(cursor.fetchall())


@postgres_only
def test_every_write_keeps_each_words_count_exact():
    first = CertificateFactory(company_name="CV Rotan Lestari", product_name="Kursi Rotan Rotan")
    second = CertificateFactory(company_name="UD Rotan Jaya", product_name="Meja Jati")
    assert stored_counts() == recounted()
    assert stored_counts()["rotan"] == 2  # a word twice in one certificate counts once
    # A rename (bulk update: the trigger, not Python), a save, a delete.
    Certificate.objects.filter(pk=first.pk).update(company_name="CV Bambu Lestari")
    assert stored_counts() == recounted()
    second.product_brand = "Rotan Indah"
    second.save()
    assert stored_counts() == recounted()
    second.delete()
    assert stored_counts() == recounted()
    assert "jaya" not in stored_counts() and stored_counts()["rotan"] == 1


@postgres_only
def test_a_word_whose_certificates_are_gone_is_no_longer_part_of_a_name(client):
    """Typo tolerance comes back for a word only deleted certificates held."""
    gone = CertificateFactory(company_name="CV Gerabah Kasongan", product_name="Guci")
    kept = CertificateFactory(company_name="CV Gerabeh Baru", product_name="Vas")
    gone.delete()
    response = client.get(reverse("registry:lookup"), {"q": "gerabah"})
    assert [c.number for c, _status in response.context["rows"]] == [kept.number]


def _matching(word: str, at_least: int) -> SearchCondition:
    condition = SearchCondition("product_name LIKE %s", "(product_name || '') LIKE %s", [word])
    condition.at_least = at_least
    return condition


@pytest.mark.parametrize(
    ("at_least", "other_filter", "counted"),
    [(5, False, False), (4, False, True), (0, False, True), (5, True, True)],
)
def test_a_search_alone_known_past_the_cap_is_not_counted(at_least, other_filter, counted):
    for n in range(3):
        CertificateFactory(product_name=f"Kursi Rotan {n}")
    queryset = Certificate.objects.filter(_matching("%Rotan%", at_least))
    if other_filter:
        queryset = queryset.filter(province_id="32")
    paginator = PlannedPaginator(queryset.order_by("-issue_date", "-id"), 2, limit=4)
    with CaptureQueriesContext(connection) as captured:
        count = paginator.count
    assert bool(captured.captured_queries) is counted
    # Known: "more than 4" (the word's count says so). Counted: the 3 rows there are.
    assert (count, paginator.capped) == ((3, False) if counted else (4, True))
    rows = list(paginator.page(1).object_list)
    assert [c.product_name for c in rows] == [
        c.product_name for c in queryset.order_by("-issue_date", "-id")[:2]
    ]


@postgres_only
def test_the_lookup_of_a_common_word_is_not_counted(client, monkeypatch):
    from registry import views

    monkeypatch.setattr(views, "LOOKUP_COUNT_LIMIT", 2)
    for n in range(4):
        CertificateFactory(company_name=f"Koperasi Sentosa {n}")
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("registry:lookup"), {"q": "sentos"})
    assert response.context["page"].paginator.capped
    assert len(response.context["rows"]) == 2  # a page never goes past the cap
    assert not any(
        'SELECT "registry_certificate"."id" AS "pk"' in q["sql"] for q in captured.captured_queries
    )


@postgres_only
def test_a_truncated_register_takes_its_counts_along():
    """TRUNCATE fires no row trigger (``manage.py flush``, a test database's teardown): a
    statement trigger empties the words, or a stale count would claim matches (review)."""
    CertificateFactory(company_name="CV Zebra Unik", product_name="Kursi")
    assert stored_counts()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred foreign key checks
        cursor.execute("TRUNCATE registry_certificate CASCADE")
    assert stored_counts() == {} == recounted()


def test_an_excluded_search_is_counted():
    """Only a search ANDed alone into the query is known past the cap, not its negation."""
    condition = _matching("%Rotan%", 5000)
    for queryset in (
        Certificate.objects.exclude(condition),
        Certificate.objects.filter(~Q(condition)),
    ):
        paginator = PlannedPaginator(queryset.order_by("-issue_date", "-id"), 10, limit=1000)
        assert paginator._lone_search(paginator.object_list) is None


def _searched(captured) -> list[str]:
    """The queries that looked for the text in the names."""
    return [q["sql"] for q in captured.captured_queries if "search_text" in q["sql"]]


@postgres_only
@pytest.mark.parametrize(("province", "expected"), [(None, 3), ("32", 2)])
def test_a_phrase_is_looked_for_in_the_names_once_when_alone(client, province, expected):
    """A phrase's matches are read once to learn that it is in some name; searched alone, those
    ids are its count and its page, not looked for a second and third time (ids, then page)."""
    for n, code in enumerate(["32", "32", "33"]):
        CertificateFactory(
            company_name=f"UD Gemilang Jaya {n}", province_id=code, regency_id=f"{code}.01"
        )
    CertificateFactory(company_name="UD Gemilang", product_name="Meja Jaya")  # not the phrase
    params = {"q": "gemilang jaya", **({"province": province} if province else {})}
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("registry:lookup"), params)
    rows = [c.company_name for c, _status in response.context["rows"]]
    assert len(rows) == response.context["page"].paginator.count == expected
    assert all(name.startswith("UD Gemilang Jaya") for name in rows)
    # Alone: read once. With a filter: whether it is in some name, then counted with the
    # filter (its page by ids).
    searched = _searched(captured)
    assert len(searched) == (1 if province is None else 2)
    assert ("LIMIT 1001" in searched[0]) is (province is None)
