"""Pagination of large tables: a count that stops at a limit ("more than 1,000"), and a first page
planned from that count (issue 17).

Why the plan is chosen here and not by PostgreSQL: a text search ("the names contain ``rotan``")
is served by a trigram index whose row estimates are 100-360x off, so the planner cannot tell a
word found in 12 certificates from one found in 80,000. The capped count already knows:

- at most ``limit`` matches: their ids were just read, so the page is read by those ids (a
  primary-key lookup and a sort of at most ``limit`` rows);
- more: the matches are common, so the page is read by walking the sort order's index and
  stopping after a page, with the text conditions hidden from the trigram index
  (``SearchCondition``) and PostgreSQL told not to collect every match first
  (``walking_order_index``). Left to itself it would either collect and sort every match (seconds
  for a common word among a million certificates) or, misled by the hidden condition's guessed
  selectivity, read the whole table (3.7 s for a two-word phrase at 1,000,000).
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db import connections, transaction
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.lookups import Exact
from django.utils.functional import cached_property

# Set on a query (``Query.clone`` copies it to every derived query) to compile its
# ``SearchCondition``s in their form hidden from the text index.
_HIDDEN_FROM_INDEX = "tkdn_search_hidden_from_index"

# The planner settings under which a page is read by walking its order's index.
_WALK_SETTINGS = ("enable_seqscan", "enable_bitmapscan", "enable_sort")


class SearchCondition(RawSQL):
    """A boolean SQL condition with two spellings of the same test: ``sql``, which a text index
    serves, and ``walked_sql``, the same test checked row by row as a page walks its order's
    index (e.g. ``expr || ''``, hidden from the index, or a correlated subquery), used when the
    query was marked by ``hide_search_from_index``. The user's text is only ever in ``params``
    (``walked_params`` when the walked spelling takes others)."""

    def __init__(self, sql: str, walked_sql: str, params, walked_params=None, parts=()):
        super().__init__(sql, params, output_field=BooleanField())
        self.walked_sql = walked_sql
        self.walked_params = params if walked_params is None else walked_params
        #: Optional conditions whose union is the same test, each a plain join the planner
        #: can stream (``PlannedPaginator.count`` counts them one by one).
        self.parts = tuple(parts)
        #: How many rows of the whole table are known to meet the test (0: unknown): a query
        #: with no other condition is known to be past a count's cap without counting.
        self.at_least = 0

    def as_sql(self, compiler, connection):
        if getattr(compiler.query, _HIDDEN_FROM_INDEX, False):
            return f"({self.walked_sql})", self.walked_params
        return super().as_sql(compiler, connection)


def hide_search_from_index(queryset: QuerySet) -> QuerySet:
    """The same rows, with every ``SearchCondition`` hidden from its text index."""
    queryset = queryset.all()
    setattr(queryset.query, _HIDDEN_FROM_INDEX, True)
    return queryset


@contextmanager
def walking_order_index(using: str) -> Iterator[None]:
    """Read inside this block to make PostgreSQL walk an index (the sort order's, or a filter's)
    instead of scanning the table or collecting every match in a bitmap first. For a page among
    many matches only: the walk stops after a page. Elsewhere a no-op."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(using=using), connection.cursor() as cursor:
        for name in _WALK_SETTINGS:
            cursor.execute(f"SET LOCAL {name} = off")
        try:
            yield
        finally:
            # Back to the session's values at once: an outer transaction (a test, a view under
            # ATOMIC_REQUESTS) must not plan its later queries this way.
            if not connection.needs_rollback:
                for name in _WALK_SETTINGS:
                    cursor.execute(f"SET LOCAL {name} TO DEFAULT")


def _search_conditions(node) -> Iterator[SearchCondition]:
    """The ``SearchCondition``s of a query's WHERE tree (alone or inside a lookup)."""
    if isinstance(node, SearchCondition):
        yield node
        return
    children = getattr(node, "children", None)
    if children is not None:
        for child in children:
            yield from _search_conditions(child)
        return
    for part in (getattr(node, "lhs", None), getattr(node, "rhs", None)):
        if part is not None:
            yield from _search_conditions(part)


# Lookups on the order key that bound its range (``_range_of``).
_RANGE_LOOKUPS = frozenset({"exact", "gt", "gte", "lt", "lte", "range"})


def _range_of(where, field) -> Iterator[tuple[str, object]]:
    """The ``(lookup, value)`` conditions on ``field`` (a column of the query's own table)
    that every row of a query's WHERE tree meets: those ANDed at its top, with a plain value."""
    if where.connector != "AND" or where.negated:
        return
    for child in where.children:
        if hasattr(child, "children"):
            yield from _range_of(child, field)
        elif (
            getattr(child, "lookup_name", None) in _RANGE_LOOKUPS
            and getattr(child.lhs, "target", None) == field
            and getattr(child.lhs, "alias", None) == field.model._meta.db_table
            and not hasattr(child.rhs, "resolve_expression")
        ):
            yield child.lookup_name, child.rhs


def _has_search_condition(node) -> bool:
    """Whether a query's WHERE tree holds a ``SearchCondition``."""
    return next(_search_conditions(node), None) is not None


class CappedCountPaginator(Paginator):
    """A paginator that counts at most ``limit`` rows (``capped`` tells whether there are more).

    One query, ``SELECT COUNT(*) FROM (SELECT ... LIMIT limit + 1)``: it stops after
    ``limit + 1`` matches, where ``COUNT(*)`` reads every match (a common word among a million
    certificates: 0.5 s; the admin's unfiltered list: seconds). Pages past the cap are not
    offered; filters and the search narrow a list instead.
    """

    limit = 1000

    def __init__(self, object_list, per_page, *args, limit: int | None = None, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        if limit is not None:
            self.limit = limit
        self.capped = False

    @cached_property
    def count(self) -> int:
        found = self.object_list.order_by()[: self.limit + 1].count()
        self.capped = found > self.limit
        return min(found, self.limit)


class PlannedPaginator(CappedCountPaginator):
    """The capped count, which also chooses the plan of the page (see the module's docstring).

    The count reads the ids of at most ``limit + 1`` matches (the same index work as counting
    them). All fit: the page is read by those ids. More: the page is read walking the order's
    index (``read``). Either way the search conditions are checked once for the count and once
    for one page, never for every match twice. Used by the register's lookup and API
    (``registry.views``, ``registry.api``) and the admin changelists of large tables
    (``tkdnportal.admin.LargeTableAdminMixin``).
    """

    @cached_property
    def count(self) -> int:
        base = self.object_list
        if self._known_past_the_cap(base):
            self.capped = True
            self.object_list = hide_search_from_index(base)
            return self.limit
        ids = self._ids_by_parts(base)
        if ids is None:
            ids = list(base.order_by().values_list("pk", flat=True)[: self.limit + 1])
        self.capped = len(ids) > self.limit
        if self.capped:
            self.object_list = hide_search_from_index(base)
        else:
            self.object_list = self._by_ids(base, ids)
        return min(len(ids), self.limit)

    def _known_past_the_cap(self, base: QuerySet) -> bool:
        """Whether the query is a search alone (no other condition) whose ``at_least`` is past
        the cap: a common word among a million certificates, known from the count of its word
        (``registry.selectors``) instead of the text index's bitmap of every candidate
        (13-14 ms)."""
        where = base.query.where
        if where.connector != "AND" or where.negated or len(where.children) != 1:
            return False
        condition = where.children[0]
        if isinstance(condition, Exact) and condition.rhs is True:
            condition = condition.lhs  # ``filter(expression)`` wraps it in "= true"
        return isinstance(condition, SearchCondition) and condition.at_least > self.limit

    def _ids_by_parts(self, base: QuerySet) -> list | None:
        """The count's ids, part by part, for a search given as the union of its ``parts``
        (each a join the planner streams, stopping at the cap; the union of the application
        search's products was built whole first: 300,000 products, 0.5 s for a word in a quarter
        of the company names). ``None`` when the query has no such search.

        The search must be ANDed into the query (``queryset.filter(condition)``, as the admins'
        ``get_search_results`` do): inside an OR or an exclusion its parts would not be its rows."""
        condition = next((c for c in _search_conditions(base.query.where) if c.parts), None)
        if condition is None:
            return None
        # The search itself stays, in its walked spelling: a cheap check of each part's rows.
        hidden = hide_search_from_index(base).order_by()
        found: dict = {}
        for part in condition.parts:
            for pk in hidden.filter(part).values_list("pk", flat=True)[: self.limit + 1]:
                found[pk] = None
            if len(found) > self.limit:
                break
        return list(found)[: self.limit + 1]

    @staticmethod
    def _by_ids(base: QuerySet, ids: list) -> QuerySet:
        """The rows ``ids`` in ``base``'s order, with its related and deferred fields, and
        none of its conditions (they were just checked)."""
        if base.query.annotations:
            # An order or a column may use an annotation: keep the query, pinned to the ids.
            return hide_search_from_index(base).filter(pk__in=ids)
        rows = base.model._default_manager.using(base.db).filter(pk__in=ids)
        rows.query.select_related = base.query.select_related
        rows.query.deferred_loading = base.query.deferred_loading
        return rows.order_by(*base.query.order_by)

    #: How far, in rows of the whole table in the page's order, a page's walk goes before it
    #: gives up (``read``): a search that finds a page's rows within them is common enough to
    #: walk for; a rarer one is sorted by the planner. 0: never walk (a list that holds a
    #: small part of the table, such as a regional official's).
    walk_rows = 4000

    #: The rows whose order the walk's bound is counted in: the whole table, or the part of it
    #: a list always holds, when an index serves that part in the page's order (a regional
    #: official's certificates: ``registry.admin.certificates``).
    walk_within: QuerySet | None = None

    def read(self, queryset: QuerySet) -> list:
        """Evaluate a page's rows, walking the order's index when a text search matches many.

        The walk is bounded: it reads at most ``walk_rows`` rows past the page's end (their
        order key bounds the order index's range, so PostgreSQL stops there). Found a page:
        done. Not found: the matches are many but sparse (more than ``limit``, yet fewer than
        a page in those rows: a place name among a million certificates, or a common word in
        one official's province), and an unbounded walk would read per_page / density rows
        (46,045 rows, 0.4-1.6 s), so the page is left to the planner, which collects the
        matches through the text index and sorts them.

        Without a text search the planner is left alone: its estimates of plain filters are
        good, and a filter's own index beats a walk (a regency's 1,354 certificates: 3.8 s
        walking the issue-date index, milliseconds through the regency's)."""
        if (
            not self.capped
            or not isinstance(queryset, QuerySet)
            or not _has_search_condition(queryset.query.where)
        ):
            return list(queryset)
        rows = self._walk_near(queryset)
        if rows is not None:
            return rows
        return self.read_planned(queryset)

    @staticmethod
    def read_planned(queryset: QuerySet) -> list:
        """The page as the planner reads it, the text conditions in their indexed spelling."""
        planned = queryset.all()
        setattr(planned.query, _HIDDEN_FROM_INDEX, False)
        return list(planned)

    def _walk_near(self, queryset: QuerySet) -> list | None:
        """The page's rows from a walk of the first ``walk_rows`` rows past its end, or
        ``None`` when they hold fewer (or the order does not allow the bound)."""
        if not self.walk_rows:
            return None
        query = queryset.query
        low, high = query.low_mark, query.high_mark
        order = list(query.order_by or queryset.model._meta.ordering)
        if high is None or not order or not isinstance(order[0], str):
            return None
        descending = order[0].startswith("-")
        name = order[0].lstrip("-")
        try:
            field = queryset.model._meta.get_field(name)
        except FieldDoesNotExist:
            return None
        if not field.concrete or field.is_relation:
            return None
        table = self.walk_within
        if table is None:
            table = queryset.model._default_manager.all()
        # The list's own range of the order key (an expiry status, a year, a minimum value's
        # date) starts the count there, not at the table's end: expired certificates newest
        # first walked from today and gave up 4,000 rows before the first one.
        for lookup, value in _range_of(query.where, field):
            table = table.filter(**{f"{name}__{lookup}": value})
        table = table.using(queryset.db).order_by(order[0])
        edge = self.walk_rows + high
        bound = next(iter(table.values_list(name, flat=True)[edge - 1 : edge]), None)
        if bound is None:
            # A table (or a column's non-empty part) shorter than the bound: walk it all.
            with walking_order_index(queryset.db):
                return list(queryset)
        unsliced = queryset.all()
        unsliced.query.clear_limits()
        nulls: list = []
        with walking_order_index(queryset.db):
            # NULLs are the largest values for PostgreSQL, the smallest for SQLite: where they
            # come first they precede the range (where last, they follow it).
            postgres = connections[queryset.db].vendor == "postgresql"
            if field.null and descending == postgres:
                nulls = list(unsliced.filter(**{f"{name}__isnull": True})[:high])
            rows = nulls[low:high]
            if len(nulls) < high:
                near = unsliced.filter(**{f"{name}__{'gte' if descending else 'lte'}": bound})
                rows += list(near[max(low - len(nulls), 0) : high - len(nulls)])
        return rows if len(rows) == high - low else None

    def page(self, number):
        page = super().page(number)
        page.object_list = self.read(page.object_list)
        return page
