"""``PlannedPaginator``'s bounded walk (issue 17): whatever plan reads a page past the capped
count, every page holds exactly the rows the plain query gives, in its order: dense matches found
within the bound, sparse ones left to the planner, NULL order keys first in a descending order,
pages past the first."""

import datetime
import random

from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

import pytest

from registry.models import Certificate
from tests.factories import CertificateFactory
from tkdnportal.pagination import PlannedPaginator, SearchCondition

pytestmark = pytest.mark.django_db


def _matching(word: str) -> SearchCondition:
    # Both spellings test the same thing; only the walked one is hidden from any index.
    return SearchCondition("product_name LIKE %s", "(product_name || '') LIKE %s", [f"%{word}%"])


@pytest.fixture
def register():
    rng = random.Random(7)
    start = datetime.date(2025, 1, 1)
    for n in range(60):
        CertificateFactory(
            product_name=("Kursi Rotan" if rng.random() < 0.5 else "Meja Jati") + f" {n}",
            issue_date=start + datetime.timedelta(days=rng.randint(0, 300)),
            extended_until=(
                None if rng.random() < 0.1 else start + datetime.timedelta(days=2000 + n)
            ),
        )


ORDERS = [("-issue_date", "-sequence"), ("issue_date", "sequence"), ("-extended_until", "-id")]


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("walk_rows", [1, 4, 15, 30, 1000])
def test_every_page_holds_the_plain_querys_rows(register, order, walk_rows, monkeypatch):
    monkeypatch.setattr(PlannedPaginator, "walk_rows", walk_rows)
    queryset = Certificate.objects.filter(_matching("Rotan")).order_by(*order)
    expected = list(queryset.values_list("pk", flat=True))
    assert len(expected) > 6
    paginator = PlannedPaginator(queryset, 3, limit=len(expected) - 2)
    assert paginator.count == len(expected) - 2 and paginator.capped
    offered = expected[: paginator.count]  # pages past the cap are not offered
    for number in paginator.page_range:
        got = [c.pk for c in paginator.page(number).object_list]
        assert got == offered[(number - 1) * 3 : number * 3], (order, walk_rows, number)


def _read_page(paginator) -> tuple[list, list[str]]:
    """The first page's rows and the SQL that read them."""
    with CaptureQueriesContext(connection) as captured:
        rows = paginator.page(1).object_list
    return rows, [query["sql"] for query in captured.captured_queries]


def test_dense_matches_are_read_within_the_bound(register, monkeypatch):
    """Found within the bound: one query for the bound, one walk, no planner's fallback."""
    monkeypatch.setattr(PlannedPaginator, "walk_rows", 30)
    everything = Certificate.objects.filter(_matching(" ")).order_by("-issue_date", "-sequence")
    paginator = PlannedPaginator(everything, 3, limit=4)
    assert paginator.count == 4
    rows, seen = _read_page(paginator)
    selects = [sql for sql in seen if sql.startswith("SELECT")]
    assert len(selects) == 2, selects
    assert "OFFSET" in selects[0] and '"issue_date" >=' in selects[1]
    assert [c.pk for c in rows] == list(everything.values_list("pk", flat=True)[:3])


def test_sparse_matches_fall_back_to_the_planner(register, monkeypatch):
    """Fewer than a page within the bound: the page is read once more, as the planner likes
    (the text condition in its indexed spelling), and is still the right one."""
    monkeypatch.setattr(PlannedPaginator, "walk_rows", 1)
    oldest = list(Certificate.objects.order_by("issue_date", "sequence")[:6])
    Certificate.objects.filter(pk__in=[c.pk for c in oldest]).update(product_name="Lampu Bambu")
    queryset = Certificate.objects.filter(_matching("Bambu")).order_by("-issue_date", "-sequence")
    paginator = PlannedPaginator(queryset, 2, limit=4)
    assert paginator.count == 4 and paginator.capped
    rows, seen = _read_page(paginator)
    assert "(product_name || '') LIKE" in [s for s in seen if "LIKE" in s][0]
    assert "(product_name || '')" not in seen[-1] and "product_name LIKE" in seen[-1]
    assert [c.pk for c in rows] == list(queryset.values_list("pk", flat=True)[:2])


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("walk_rows", [1, 4, 15])
def test_a_walk_within_a_part_of_the_table_holds_the_plain_querys_rows(
    register, order, walk_rows, monkeypatch
):
    """A list that always holds one region's rows (a regional official's) bounds its walk
    within that region's rows: every page is still the plain query's."""
    monkeypatch.setattr(PlannedPaginator, "walk_rows", walk_rows)
    ids = list(Certificate.objects.order_by("pk").values_list("pk", flat=True))
    Certificate.objects.filter(pk__in=ids[::3]).update(province_id="33")
    region = Certificate.objects.filter(province_id="33")
    queryset = region.filter(_matching("Rotan")).order_by(*order)
    expected = list(queryset.values_list("pk", flat=True))
    assert len(expected) > 4
    paginator = PlannedPaginator(queryset, 2, limit=len(expected) - 1)
    paginator.walk_within = region
    assert paginator.count == len(expected) - 1 and paginator.capped
    offered = expected[: paginator.count]
    for number in paginator.page_range:
        got = [c.pk for c in paginator.page(number).object_list]
        assert got == offered[(number - 1) * 2 : number * 2], (order, walk_rows, number)


def test_the_bound_is_counted_within_the_part_so_a_regions_page_is_walked(register, monkeypatch):
    """The region's rows are the oldest: counted in the whole table, 4 rows past the page end
    hold none of them (the planner's fallback); counted within the region, the walk finds the
    page."""
    monkeypatch.setattr(PlannedPaginator, "walk_rows", 4)
    oldest = list(Certificate.objects.order_by("issue_date", "sequence")[:20])
    Certificate.objects.filter(pk__in=[c.pk for c in oldest]).update(
        province_id="33", product_name="Kursi Rotan"
    )
    region = Certificate.objects.filter(province_id="33")
    queryset = region.filter(_matching("Rotan")).order_by("-issue_date", "-sequence")
    expected = list(queryset.values_list("pk", flat=True)[:3])
    for walk_within, walked in ((None, False), (region, True)):
        paginator = PlannedPaginator(queryset, 3, limit=5)
        paginator.walk_within = walk_within
        assert paginator.count == 5 and paginator.capped
        rows, seen = _read_page(paginator)
        assert [c.pk for c in rows] == expected
        bound = next(sql for sql in seen if "OFFSET" in sql)
        assert ('"province_id" = ' in bound) is walked, bound
        # Walked: the bound and the walk. Not: the planner's read follows them.
        assert ("product_name LIKE" in seen[-1]) is not walked, seen[-1]


def test_the_lists_own_range_of_the_order_key_starts_the_bound(register, monkeypatch):
    """Matches that are the oldest rows, in a list bounded by the order key (expired
    certificates newest first): the bound is counted from the list's range, so the walk finds
    the page instead of giving up near today's rows."""
    monkeypatch.setattr(PlannedPaginator, "walk_rows", 4)
    oldest = list(Certificate.objects.order_by("issue_date", "sequence")[:20])
    Certificate.objects.filter(pk__in=[c.pk for c in oldest]).update(product_name="Kursi Rotan")
    last = oldest[-1].issue_date
    queryset = Certificate.objects.filter(_matching("Rotan"), issue_date__lte=last).order_by(
        "-issue_date", "-sequence"
    )
    paginator = PlannedPaginator(queryset, 3, limit=5)
    assert paginator.count == 5 and paginator.capped
    rows, seen = _read_page(paginator)
    assert [c.pk for c in rows] == list(queryset.values_list("pk", flat=True)[:3])
    bound = next(sql for sql in seen if "OFFSET" in sql)
    assert '"issue_date" <=' in bound, bound
    assert "product_name LIKE" not in seen[-1], "the planner's fallback read the page"


CONDITIONS = {
    "range": lambda day: Q(issue_date__range=(day, day + datetime.timedelta(days=150))),
    "or": lambda day: Q(issue_date__lte=day) | Q(product_name__contains="1"),
    "excluded": lambda day: ~Q(issue_date__gte=day),
    "greater": lambda day: Q(issue_date__gt=day),
}


@pytest.mark.parametrize("condition", CONDITIONS)
@pytest.mark.parametrize("walk_rows", [1, 4, 30])
def test_every_page_holds_the_plain_querys_rows_with_a_condition_on_the_order_key(
    register, condition, walk_rows, monkeypatch
):
    monkeypatch.setattr(PlannedPaginator, "walk_rows", walk_rows)
    day = datetime.date(2025, 4, 1)
    queryset = Certificate.objects.filter(_matching("a"), CONDITIONS[condition](day)).order_by(
        "-issue_date", "-sequence"
    )
    expected = list(queryset.values_list("pk", flat=True))
    assert len(expected) > 4, condition
    paginator = PlannedPaginator(queryset, 2, limit=len(expected) - 1)
    offered = expected[: paginator.count]
    for number in paginator.page_range:
        got = [c.pk for c in paginator.page(number).object_list]
        assert got == offered[(number - 1) * 2 : number * 2], (condition, walk_rows, number)
