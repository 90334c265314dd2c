"""The officials' changelists at national scale (issue 17): no query whose cost grows with the
table, so the certificate and application lists stay fast at a million rows.

What made the certificate search take 21 s at 1,000,000 (seven queries, six full scans): the
unfiltered ``COUNT(*)``, the date hierarchy's DISTINCT queries, filter choices read from the rows
and the region scope as ``application_id IN (SELECT ...)``. Each is checked here on the SQL the
changelist sends, so it cannot come back unnoticed.
"""

import datetime
import re

from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest

from applications.selectors import NATIONAL_ADMIN_GROUP
from registry.models import CertificateSequence
from tests.factories import (
    ApplicationFactory,
    CertificateFactory,
    UserFactory,
)
from tests.factories import (
    official_user as _official,
)
from tkdnportal.pagination import CappedCountPaginator

pytestmark = pytest.mark.django_db

CERTIFICATES = reverse("admin:registry_certificate_changelist")
APPLICATIONS = reverse("admin:applications_application_changelist")


def _national():
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=NATIONAL_ADMIN_GROUP))
    return user


def _certificate(name, province="32", regency="32.73", **kwargs):
    return CertificateFactory(
        application__product__name=name,
        application__product__company__province_id=province,
        application__product__company__regency_id=regency,
        province_id=province,
        regency_id=regency,
        **kwargs,
    )


def _queries_on(table: str, captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if f'FROM "{table}"' in q["sql"]]


def assert_no_table_scans(captured, table: str) -> None:
    """Every query on ``table`` is bounded: counts stop at a LIMIT, nothing DISTINCT over the
    rows, no scope subquery over every application."""
    queries = _queries_on(table, captured)
    assert queries, "the changelist did not query the table"
    for sql in queries:
        if "COUNT(" in sql:
            # The capped count: COUNT(*) over a LIMITed subquery, never over the whole table.
            assert re.search(r"LIMIT \d+\)", sql), sql
        assert "DISTINCT" not in sql, sql
        assert "IN (SELECT" not in sql, sql


@pytest.mark.parametrize("who", ["superuser", "national", "official"])
def test_certificate_changelist_makes_no_unbounded_query(client, who):
    CertificateSequence.objects.create(year=2026, last_value=3)
    for name in ("Kursi Rotan", "Meja Jati", "Batik Tulis"):
        _certificate(name)
    user = {
        "superuser": lambda: UserFactory(is_staff=True, is_superuser=True),
        "national": _national,
        "official": _official,
    }[who]()
    client.force_login(user)
    filtered = {"status__exact": "VALID", "provinsi": "32", "tahun": "2026"}
    for params in ({}, {"q": "rotan"}, filtered):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(CERTIFICATES, params)
        assert response.status_code == 200
        assert_no_table_scans(captured, "registry_certificate")
        # Session, user, groups, sequences, provinces, count, page (+ the official's row, and
        # the header's greeting by name and role; the planner's estimates and the table's
        # rows that choose the count's plan: tkdnportal.pagination.PlannedPaginator.
        # _text_first_pays); a fixed number, whatever the table's size.
        assert len(captured.captured_queries) <= 17, "\n".join(q["sql"][:150] for q in captured)
    assert "Kursi Rotan" in client.get(CERTIFICATES, {"q": "rotan"}).content.decode()


@pytest.mark.parametrize("who", ["superuser", "official"])
def test_application_changelist_makes_no_unbounded_query(client, who):
    for name in ("Kursi Rotan", "Meja Jati"):
        ApplicationFactory(product__name=name, status="SUBMITTED")
    user = UserFactory(is_staff=True, is_superuser=True) if who == "superuser" else _official()
    client.force_login(user)
    for params in ({}, {"status__exact": "SUBMITTED", "provinsi": "32"}):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(APPLICATIONS, params)
        assert response.status_code == 200
        assert_no_table_scans(captured, "applications_application")


def test_certificate_changelist_says_more_than_when_capped(client, monkeypatch):
    monkeypatch.setattr(CappedCountPaginator, "limit", 2)
    for name in ("Kursi Rotan", "Meja Jati", "Batik Tulis"):
        _certificate(name, company_name="CV Sentosa")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    html = client.get(CERTIFICATES).content.decode()
    assert "lebih dari 2 sertifikat TKDN-IK" in html
    html = client.get(CERTIFICATES, {"q": "sentosa"}).content.decode()
    assert "lebih dari 2 hasil" in html
    # Under the cap the count is exact, as before.
    html = client.get(CERTIFICATES, {"q": "rotan"}).content.decode()
    assert re.search(r"\b1 (buah|result)\b", html)
    assert "lebih dari" not in html


def test_certificate_search_by_number_nib_and_partial_name(client):
    rotan = _certificate("Kursi Rotan")
    jati = _certificate("Meja Jati")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    def found(term):
        response = client.get(CERTIFICATES, {"q": term})
        return {c.pk for c in response.context["cl"].result_list}

    assert found(rotan.number.lower()) == {rotan.pk}
    assert found(f"  {jati.company_nib} ") == {jati.pk}
    assert found("meja") == {jati.pk}
    assert found("KURSI   rotan") == {rotan.pk}
    assert found("tidak ada") == set()


def test_official_scope_and_filter_choices_come_from_the_jurisdiction(client):
    jabar = _certificate("Kursi Bandung")
    jateng = _certificate("Batik Solo", province="33", regency="33.72")
    client.force_login(_official("32"))
    response = client.get(CERTIFICATES)
    listed = {c.pk for c in response.context["cl"].result_list}
    assert listed == {jabar.pk}
    html = response.content.decode()
    assert "Jawa Barat" in html and "Jawa Tengah" not in html
    # Outside the jurisdiction: 404, also through a crafted filter.
    change = reverse("admin:registry_certificate_change", args=[jateng.pk])
    assert client.get(change).status_code == 404
    assert not client.get(CERTIFICATES, {"provinsi": "33"}).context["cl"].result_list


def test_regency_official_sees_only_their_regency(client):
    bandung = _certificate("Kursi Bandung")
    _certificate("Rotan Cirebon", regency="32.09")
    client.force_login(_official("32", "32.73"))
    response = client.get(CERTIFICATES)
    assert {c.pk for c in response.context["cl"].result_list} == {bandung.pk}


def test_owner_with_staff_flag_but_no_official_row_sees_only_their_own(client):
    own = _certificate("Kursi Sendiri")
    _certificate("Kursi Lain")
    owner = own.application.product.company.owner
    owner.is_staff = True
    owner.save()
    from django.contrib.auth.models import Permission

    owner.user_permissions.add(Permission.objects.get(codename="view_certificate"))
    client.force_login(owner)
    response = client.get(CERTIFICATES)
    assert {c.pk for c in response.context["cl"].result_list} == {own.pk}


def test_year_filter_offers_the_years_of_the_number_sequences(client):
    CertificateSequence.objects.create(year=2025, last_value=4)
    CertificateSequence.objects.create(year=2026, last_value=1)
    CertificateSequence.objects.create(year=2027, last_value=0)
    # The number's year is the issue date's (registry.services.issue).
    old = _certificate("Kursi Lama", year=2025, issue_date=datetime.date(2025, 6, 2))
    new = _certificate("Kursi Baru")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    html = client.get(CERTIFICATES).content.decode()
    assert "?tahun=2025" in html and "?tahun=2026" in html and "?tahun=2027" not in html
    listed = client.get(CERTIFICATES, {"tahun": "2025"}).context["cl"].result_list
    assert {c.pk for c in listed} == {old.pk}
    assert new.pk not in {c.pk for c in listed}


def test_application_search_by_product_brand_company_and_nib(client):
    chair = ApplicationFactory(
        product__name="Kursi Rotan", product__brand="Anyamanku", status="SUBMITTED"
    )
    table = ApplicationFactory(
        product__name="Meja Jati", product__company__name="CV Kayu Jepara", status="SUBMITTED"
    )
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    def found(term):
        response = client.get(APPLICATIONS, {"q": term})
        assert response.status_code == 200
        return {a.pk for a in response.context["cl"].result_list}

    assert found("rotan") == {chair.pk}
    assert found("ANYAMAN") == {chair.pk}
    assert found("kayu jepara") == {table.pk}
    assert found(table.product.company.nib) == {table.pk}
    assert found("tidak ada") == set()
    assert found("50%") == set() and found("_") == set()  # LIKE wildcards are plain text


@pytest.mark.parametrize("url", [CERTIFICATES, APPLICATIONS])
@pytest.mark.parametrize("term", ["cv", "o x", "50%", "_"])
def test_a_search_too_short_for_the_indexes_lists_nothing_and_says_why(client, url, term):
    """A term without three letters or digits in a row matched nearly every row the way a
    substring is found (``cv`` among 1,250,000 products: 1.6 s): the official is told what to
    type, nothing is listed, and the text stays in the search box; a NIB still finds."""
    certificate = _certificate("Kursi Rotan", company_name="CV Ox")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(url, {"q": term})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []
    warnings = [str(m) for m in response.context["messages"]]
    assert any("tiga huruf atau angka" in m for m in warnings), warnings
    assert f'value="{term}"' in response.content.decode().replace("&#x27;", "'")
    nib = certificate.application.product.company.nib
    found = client.get(url, {"q": nib}).context["cl"].result_list
    assert len(found) == 1


def test_application_search_past_the_cap_walks_with_the_same_answer(client, monkeypatch):
    """Many matches: the page walks the list's order and checks each application's product and
    company (the search's second spelling); it lists the same applications in the same order."""
    from applications.admin.applications import ApplicationAdmin
    from tkdnportal.pagination import PlannedPaginator

    monkeypatch.setattr(PlannedPaginator, "limit", 3)  # 4 matches: "more than 3"
    monkeypatch.setattr(ApplicationAdmin, "list_per_page", 2)
    now = datetime.datetime(2026, 11, 2, 9, tzinfo=datetime.UTC)
    by_product = [
        ApplicationFactory(
            product__name=f"Kursi Rotan {n}",
            status="SUBMITTED",
            submitted_at=now + datetime.timedelta(hours=n),
        )
        for n in range(3)
    ]
    by_company = ApplicationFactory(
        product__name="Meja",
        product__company__name="CV Rotan Jaya",
        status="SUBMITTED",
        submitted_at=now + datetime.timedelta(hours=5),
    )
    ApplicationFactory(product__name="Lemari Jati", status="SUBMITTED", submitted_at=now)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(APPLICATIONS, {"q": "rotan"})
    changelist = response.context["cl"]
    assert changelist.paginator.capped
    assert [a.pk for a in changelist.result_list] == [by_company.pk, by_product[2].pk]
    second = client.get(APPLICATIONS, {"q": "rotan", "p": "2"}).context["cl"]
    # The capped count offers pages up to the cap (3 rows).
    assert [a.pk for a in second.result_list] == [by_product[1].pk]


@pytest.mark.parametrize("official_regency", [None, "32.73"])
def test_official_search_matches_companies_of_their_region_only(
    client, monkeypatch, official_regency
):
    """A regional official's search looks for companies of their region only (the search's
    companies narrowed at once, not 16,247 companies joined and filtered afterwards), past
    the cap too; on PostgreSQL their pages are walked within their region's order index
    (applications migration 0013), on SQLite read as the planner likes (``RegionalPlanMixin``)."""
    from tkdnportal.pagination import PlannedPaginator

    monkeypatch.setattr(PlannedPaginator, "limit", 1)
    ours = [
        ApplicationFactory(
            product__name=f"Meja {n}", product__company__name="CV Rotan Jaya", status="SUBMITTED"
        )
        for n in range(2)
    ]
    ApplicationFactory(
        product__name="Kursi",
        product__company__name="CV Rotan Jaya",
        product__company__province_id="33",
        product__company__regency_id="33.72",
        status="SUBMITTED",
    )
    client.force_login(_official("32", official_regency))
    with CaptureQueriesContext(connection) as captured:
        changelist = client.get(APPLICATIONS, {"q": "rotan"}).context["cl"]
    assert {a.pk for a in changelist.result_list} == {a.pk for a in ours}
    assert changelist.paginator.capped
    if connection.vendor == "postgresql":
        column = "regency_id" if official_regency else "province_id"
        searches = [q["sql"] for q in captured.captured_queries if "UNION" in q["sql"]]
        assert searches and all(f"AND c.{column} = " in sql for sql in searches)
        # Walked within the region's order index (tests/applications/test_product_region.py).
        assert changelist.paginator.walk_within is not None
    else:
        assert changelist.paginator.walk_rows == 0
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    nationwide = client.get(APPLICATIONS, {"q": "rotan"}).context["cl"]
    assert len(nationwide.result_list) == 3 and nationwide.paginator.walk_rows > 0


def test_application_search_counts_its_parts_once_each(client, monkeypatch):
    """The capped count reads the search's parts one by one (products by name or brand, then
    by company name) and counts an application matching both once; past the cap after the first
    part, the second is not read."""
    from tkdnportal.pagination import PlannedPaginator

    if connection.vendor != "postgresql":
        pytest.skip("the search's parts are PostgreSQL's (SQLite: Django's icontains union)")
    both = ApplicationFactory(
        product__name="Kursi Rotan", product__company__name="CV Rotan Jaya", status="SUBMITTED"
    )
    by_company = ApplicationFactory(
        product__name="Meja", product__company__name="UD Rotan Asri", status="SUBMITTED"
    )
    ApplicationFactory(product__name="Lemari Jati", status="SUBMITTED")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    with CaptureQueriesContext(connection) as captured:
        changelist = client.get(APPLICATIONS, {"q": "rotan"}).context["cl"]
    assert changelist.paginator.count == 2 and not changelist.paginator.capped
    assert {a.pk for a in changelist.result_list} == {both.pk, by_company.pk}
    counts = [q["sql"] for q in captured.captured_queries if 'AS "pk"' in q["sql"]]
    assert len(counts) == 2 and "UNION" not in " ".join(counts)
    monkeypatch.setattr(PlannedPaginator, "limit", 0)
    with CaptureQueriesContext(connection) as captured:
        changelist = client.get(APPLICATIONS, {"q": "rotan"}).context["cl"]
    assert changelist.paginator.capped
    assert len([q for q in captured.captured_queries if 'AS "pk"' in q["sql"]]) == 1
