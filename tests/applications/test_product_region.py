"""A regional official's application search narrows products by the product's copy of its
company's region (``company_province``/``company_regency``: PostgreSQL triggers, applications
migration 0012). Whatever moves a company or a product, the official's search finds exactly
their region's applications."""

from django.db import connection
from django.urls import reverse

import pytest

from applications.models import Application, Company, Product
from tests.factories import ApplicationFactory, CompanyFactory, official_user
from tkdnportal.pagination import PlannedPaginator

pytestmark = pytest.mark.django_db

APPLICATIONS = reverse("admin:applications_application_changelist")


def _found(client, user, term="anyaman") -> set[int]:
    client.force_login(user)
    return {a.pk for a in client.get(APPLICATIONS, {"q": term}).context["cl"].result_list}


def _region(row) -> tuple:
    """The hidden copy of its company's region on a product or an application (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT company_province, company_regency FROM {row._meta.db_table} WHERE id = %s",  # noqa: S608 - a model table name
            [row.pk],
        )
        return cursor.fetchone()


def test_a_regional_officials_search_follows_every_move(client, monkeypatch):
    # Capped after one match: the page is read through the narrowed product search.
    monkeypatch.setattr(PlannedPaginator, "limit", 1)
    bandung = [
        ApplicationFactory(product__name=f"Tas Anyaman {n}", status="SUBMITTED") for n in range(2)
    ]
    cilacap = ApplicationFactory(
        product__name="Keranjang Anyaman",
        product__company__province_id="33",
        product__company__regency_id="33.01",
        status="SUBMITTED",
    )
    west, central = official_user("32"), official_user("33")
    kota_bandung, kab_cilacap = official_user("32", "32.73"), official_user("33", "33.01")
    assert _found(client, west) == _found(client, kota_bandung) == {a.pk for a in bandung}
    assert _found(client, central) == _found(client, kab_cilacap) == {cilacap.pk}

    # The company of one Bandung application moves its factory to Cilacap (a bulk update).
    moved = bandung[0]
    Company.objects.filter(pk=moved.product.company_id).update(province_id="33", regency_id="33.01")
    assert _found(client, west) == _found(client, kota_bandung) == {bandung[1].pk}
    assert _found(client, central) == _found(client, kab_cilacap) == {cilacap.pk, moved.pk}

    # A product handed over to a company in Bandung (a model save).
    product = Product.objects.get(pk=cilacap.product_id)
    product.company = CompanyFactory(province_id="32", regency_id="32.73")
    product.save()
    assert _found(client, west) == {bandung[1].pk, cilacap.pk}
    assert _found(client, central) == {moved.pk}
    if connection.vendor == "postgresql":
        assert _region(product) == ("32", "32.73")
        assert _region(moved.product) == ("33", "33.01")


def test_an_applications_copy_of_its_region_follows_its_company(client):
    """The application's copy (applications 0013) follows a company's move through its
    product, and a product's change of company; a regency official's list stays the rule's."""
    from applications.selectors import application_scope

    application = ApplicationFactory(product__name="Tas Anyaman", status="SUBMITTED")
    other = CompanyFactory(province_id="33", regency_id="33.01")
    Company.objects.filter(pk=application.product.company_id).update(regency_id="32.01")
    moves = [("32", "32.01")]
    Product.objects.filter(pk=application.product_id).update(company=other)
    moves.append(("33", "33.01"))
    Company.objects.filter(pk=other.pk).update(province_id="35", regency_id="35.78")
    moves.append(("35", "35.78"))
    if connection.vendor == "postgresql":
        assert _region(application) == moves[-1]
    for province, regency in [*moves, ("32", "32.73")]:
        user = official_user(province, regency)
        rule = {a.pk for a in Application.objects.filter(application_scope(user))}
        assert _found(client, user) == rule, (province, regency)
        assert (application.pk in rule) is ((province, regency) == moves[-1])


def test_a_regional_officials_page_is_walked_within_their_region(client, monkeypatch):
    """Past the capped count, a province official's page is walked within the province's order
    index (PostgreSQL; SQLite leaves it to the planner) and holds their newest matches."""
    from django.contrib import admin
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(PlannedPaginator, "limit", 2)
    monkeypatch.setattr(PlannedPaginator, "walk_rows", 2)
    monkeypatch.setattr(type(admin.site._registry[Application]), "list_per_page", 1)
    theirs = [
        ApplicationFactory(
            product__name=f"Tas Anyaman {n}",
            product__company__province_id="33",
            product__company__regency_id="33.01",
            status="SUBMITTED",
        )
        for n in range(3)
    ]
    for n in range(5):
        ApplicationFactory(product__name=f"Tas Anyaman Bandung {n}", status="SUBMITTED")
    client.force_login(official_user("33"))
    with CaptureQueriesContext(connection) as captured:
        changelist = client.get(APPLICATIONS, {"q": "anyaman"}).context["cl"]
    newest = max(theirs, key=lambda a: (a.submitted_at, a.pk))
    assert [a.pk for a in changelist.result_list] == [newest.pk]
    bounds = [q["sql"] for q in captured.captured_queries if "LIMIT 1 OFFSET" in q["sql"]]
    walked = len(bounds) == 1 and '"company_province" = ' in bounds[0]
    assert walked is (connection.vendor == "postgresql"), bounds
