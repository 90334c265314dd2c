"""A regional official's application search narrows products by the product's copy of its
company's region (``company_province``/``company_regency``: PostgreSQL triggers, applications
migration 0012). Whatever moves a company or a product, the official's search finds exactly
their region's applications."""

from django.db import connection
from django.urls import reverse

import pytest

from applications.models import Company, Product
from tests.factories import ApplicationFactory, CompanyFactory, official_user
from tkdnportal.pagination import PlannedPaginator

pytestmark = pytest.mark.django_db

APPLICATIONS = reverse("admin:applications_application_changelist")


def _found(client, user, term="anyaman") -> set[int]:
    client.force_login(user)
    return {a.pk for a in client.get(APPLICATIONS, {"q": term}).context["cl"].result_list}


def _product_region(product) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT company_province, company_regency FROM applications_product WHERE id = %s",
            [product.pk],
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
        assert _product_region(product) == ("32", "32.73")
        assert _product_region(moved.product) == ("33", "33.01")
