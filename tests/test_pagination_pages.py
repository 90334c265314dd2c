"""Every page of ``PlannedPaginator`` is the plain query's slice (up to the cap), whatever road it
takes (the capped count, text first, the walk and its going on, the planner's collected page):
many ties in the order keys, several orders, querysets with exclusions, ORs, joins, aliases,
a filter after the search and related rows (written by a review, issue 17)."""

import datetime
import itertools
import random
from decimal import Decimal

from django.db import connection
from django.db.models import F, Q

import pytest

from registry import selectors
from registry.models import Certificate
from tests.factories import ApplicationFactory, CertificateFactory, CompanyFactory, ProductFactory
from tkdnportal import pagination
from tkdnportal.pagination import PlannedPaginator

pytestmark = pytest.mark.django_db

WORDS = ["rotan", "jati", "batik", "kopi", "tenun"]


@pytest.fixture
def register():
    rnd = random.Random(7)
    for i in range(60):
        company = CompanyFactory(province_id=rnd.choice(["32", "33"]))
        product = ProductFactory(company=company)
        app = ApplicationFactory(product=product, issued=True)
        w1, w2 = rnd.choice(WORDS), rnd.choice(WORDS)
        CertificateFactory(
            application=app,
            company_name=f"CV {w1.title()} {i}",
            product_name=f"Kursi {w2}",
            product_brand=rnd.choice(["Lestari", "Kursi Rotan", "Jaya"]),
            issue_date=datetime.date(2025, 1, 1)
            + datetime.timedelta(days=rnd.choice([0, 1, 2, 3])),
            tkdn_ik=Decimal(rnd.choice(["25.00", "32.50", "40.00"])),
            province_id=rnd.choice(["32", "33"]),
            kbli=rnd.choice(["31001", "16299"]),
        )


ORDERS = [
    ("-issue_date", "-sequence"),
    ("issue_date", "sequence"),
    ("tkdn_ik", "id"),
    ("-tkdn_ik", "-id"),
    ("company_name", "id"),
]


def _querysets():
    base = Certificate.objects.all()
    yield "plain", lambda t: selectors.certificate_search(base, text=t)
    yield "filtered", lambda t: selectors.certificate_search(base.filter(kbli="31001"), text=t)
    yield "exclude", lambda t: selectors.certificate_search(base.exclude(province_id="33"), text=t)
    yield (
        "join",
        lambda t: selectors.certificate_search(
            base.filter(application__product__company__province_id="32"), text=t
        ),
    )
    yield (
        "or",
        lambda t: selectors.certificate_search(
            base.filter(Q(kbli="31001") | Q(tkdn_ik__gte=40)), text=t
        ),
    )
    yield (
        "alias",
        lambda t: selectors.certificate_search(
            base.alias(v=F("tkdn_ik") * 2).filter(v__gte=60), text=t
        ),
    )
    yield "after", lambda t: selectors.certificate_search(base, text=t).filter(kbli="16299")
    yield (
        "related",
        lambda t: selectors.certificate_search(base.filter(kbli="31001"), text=t).select_related(
            "application__product__company"
        ),
    )


@pytest.mark.parametrize("text_first", [False, True])
@pytest.mark.parametrize(
    "limit,walk_rows,per_page", [(5, 3, 4), (40, 2, 7), (1000, 4000, 10), (12, 1, 5)]
)
def test_pages_equal_the_plain_slices(
    register, monkeypatch, text_first, limit, walk_rows, per_page
):
    if text_first:
        if connection.vendor != "postgresql":
            pytest.skip("text first is PostgreSQL's")
        monkeypatch.setattr(pagination, "text_first_cheaper", lambda **kw: True)
    failures = []
    calls = []
    original = PlannedPaginator._walk_on
    monkeypatch.setattr(
        PlannedPaginator, "_walk_on", lambda self, *a: calls.append(1) or original(self, *a)
    )
    for (label, make), order, text in itertools.product(
        _querysets(), ORDERS, ["rotan", "ota", "kursi rotan", "jati", "rotn"]
    ):
        qs = make(text).order_by(*order)
        truth = list(qs.values_list("pk", flat=True))
        p = PlannedPaginator(qs, per_page, limit=limit)
        p.walk_rows = walk_rows
        p.walk_on_rows = 1000
        count = p.count
        if count != min(len(truth), limit) or p.capped != (len(truth) > limit):
            failures.append((label, order, text, "count", count, len(truth)))
            continue
        for number in p.page_range:
            got = [r.pk for r in p.page(number).object_list]
            want = truth[:limit][(number - 1) * per_page : number * per_page]
            if got != want:
                failures.append((label, order, text, number, got, want))
    assert not failures, failures[:5]
    if connection.vendor == "postgresql" and limit < 40:
        assert calls, "the walk never went on: the test no longer covers it"
