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

import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import EmptyResultSet, FieldDoesNotExist
from django.core.paginator import Paginator
from django.db import connections, transaction
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import Col, RawSQL
from django.db.models.lookups import Exact, Lookup
from django.db.models.sql import Query
from django.db.models.sql.where import AND, WhereNode
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
        #: At most how many rows of the whole table meet the test (0: unknown).
        self.at_most = 0
        #: The primary keys of every row of the whole table that meets the test, when the
        #: caller already read them all (``None``: not known): a query with no other condition
        #: is then counted and paged by them.
        self.known_ids: list | None = None

    def as_sql(self, compiler, connection):
        if getattr(compiler.query, _HIDDEN_FROM_INDEX, False):
            return f"({self.walked_sql})", self.walked_params
        return super().as_sql(compiler, connection)


# Three letters or digits in a row: the least a substring needs for a trigram index to look
# anything up. Without (``cv``, ``o x``) the index's bitmap holds every row.
_TRIGRAM_RUN = re.compile(r"[^\W_]{3}")


def trigram_searchable(text: str) -> bool:
    """Whether a trigram index can find the rows containing ``text``: it holds three letters
    or digits in a row. Without, its bitmap held every row (``cv`` in the names of 1,000,000
    certificates: 1.5 s; in 1,250,000 products' names and brands: 1.6 s)."""
    return _TRIGRAM_RUN.search(text) is not None


def hide_search_from_index(queryset: QuerySet) -> QuerySet:
    """The same rows, with every ``SearchCondition`` hidden from its text index."""
    queryset = queryset.all()
    setattr(queryset.query, _HIDDEN_FROM_INDEX, True)
    return queryset


@contextmanager
def _planner_off(using: str, names: tuple[str, ...]) -> Iterator[None]:
    """Read inside this block with the planner's ``names`` turned off (PostgreSQL; elsewhere a
    no-op), and back to the session's values at once after it."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(using=using), connection.cursor() as cursor:
        for name in names:
            cursor.execute(f"SET LOCAL {name} = off")
        yield
        # Back to the session's values at once: an outer transaction (a test, a view under
        # ATOMIC_REQUESTS) must not plan its later queries this way. After an error the
        # atomic block's rollback undoes the SET LOCAL (a reset in the aborted transaction
        # would replace the error with "current transaction is aborted").
        if not connection.needs_rollback:
            for name in names:
                cursor.execute(f"SET LOCAL {name} TO DEFAULT")


def walking_order_index(using: str):
    """Read inside this block to make PostgreSQL walk an index (the sort order's, or a filter's)
    instead of scanning the table or collecting every match in a bitmap first. For a page among
    many matches only: the walk stops after a page. Elsewhere a no-op."""
    return _planner_off(using, _WALK_SETTINGS)


def collecting_matches(using: str):
    """Read inside this block to make PostgreSQL collect the matches through bitmaps of its
    indexes and sort them, rather than walk an index in the page's order: for a page whose
    matches a walk found sparse near the order's start (they lie further on, where a walk
    reads every row before them). Elsewhere a no-op."""
    return _planner_off(using, ("enable_indexscan",))


def pk_in(queryset: QuerySet, ids: list):
    """The condition "the primary key is one of ``ids``" for a filter of ``queryset``: on
    PostgreSQL ``= ANY(%s)`` with the ids as one array, where Django's ``pk__in`` prepares each
    id as a parameter of its own (1,000 ids, a page read by the ids of its count: 14-15 ms
    against 11-12 at 1,000,000 certificates); elsewhere ``pk__in``."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return Q(pk__in=ids)
    meta, quote = queryset.model._meta, connection.ops.quote_name
    column = f"{quote(meta.db_table)}.{quote(meta.pk.column)}"
    # Quoted names only in the SQL; the ids are one bound parameter.
    return RawSQL(f"{column} = ANY(%s)", [list(ids)], output_field=BooleanField())  # noqa: S611


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


#: What reading one row of a table costs, in entries of an index's bitmap, measured at
#: 1,000,000 certificates once the names' normalised text was stored (registry 0011: a row
#: read through an exact bitmap is not tested again): 1.5-2 µs a row, 0.07-0.18 µs an entry
#: (a KBLI's, a province's, an expiry's, a value's). It was 50 (4.8 µs a row, 0.083 µs an
#: entry) while each row's names were normalised again as it was read.
ROW_COST_IN_INDEX_ENTRIES = 20


def text_first_cheaper(
    *, texts: int, table: float, held: float, others: list, walks: bool, limit: int
) -> bool:
    """The arithmetic of ``PlannedPaginator._text_first_pays``, in entries of an index:
    ``texts`` rows match the text, ``held`` rows meet the other conditions (an estimate) in a
    ``table`` of that many rows; the planner's plan reads bitmaps of ``others`` entries of
    the other conditions' indexes, or ``walks`` another index with the text as a filter."""
    held = max(held, 1)
    cost = ROW_COST_IN_INDEX_ENTRIES
    text_first = cost * min(texts, limit * table / held)
    if others:
        planner = sum(others) + cost * min(texts * held / table, limit)
    elif walks:
        # Until the cap is met, or through the rows its index holds (the conditions' rows).
        planner = cost * min(limit * table / max(texts, 1), held)
    else:
        return False
    return text_first < planner


# PostgreSQL's estimate of a table's rows, per database and table: (rows, when read).
_TABLE_ROWS: dict[tuple[str, str], tuple[float, float]] = {}
TABLE_ROWS_SECONDS = 300


def _table_rows(using: str, table: str) -> float:
    """PostgreSQL's estimate of ``table``'s rows (``pg_class.reltuples``, kept by ANALYZE), read
    at most every ``TABLE_ROWS_SECONDS`` per process: a cost model needs its order only.
    0 when the table was never analysed (-1), and then read again next time."""
    key = (using, table)
    rows, read = _TABLE_ROWS.get(key, (0.0, 0.0))
    if not rows or time.monotonic() - read > TABLE_ROWS_SECONDS:
        with connections[using].cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
            row = cursor.fetchone()
        rows = max(float(row[0]) if row else 0.0, 0.0)
        _TABLE_ROWS[key] = (rows, time.monotonic())
    return rows


def _is_text_test(condition: str) -> bool:
    """Whether a plan's condition tests text: a pattern (``~~``: LIKE, a trigram index's) or
    an array's overlap (``&&``: the words' index of a search)."""
    return "~~" in condition or "&&" in condition


def _on_table_only(node, table: str) -> bool:
    """Whether a WHERE condition reads the columns of ``table`` (its alias in the query) and
    plain values only: no join's column (an official's region through the company), no raw
    SQL (a column the model does not select), no subquery. Such a condition holds the same in
    a subquery of the table alone (``PlannedPaginator._ids_first``)."""
    if isinstance(node, RawSQL | Query | QuerySet):
        return False
    if isinstance(node, Col):
        return node.alias == table
    if isinstance(node, WhereNode):
        return all(_on_table_only(child, table) for child in node.children)
    if isinstance(node, Lookup):
        return _on_table_only(node.lhs, table) and _on_table_only(node.rhs, table)
    if hasattr(node, "get_source_expressions"):
        return all(_on_table_only(part, table) for part in node.get_source_expressions())
    return not hasattr(node, "resolve_expression")  # a plain value (a date, a code, a list)


def _plan_of(queryset: QuerySet) -> dict | None:
    """PostgreSQL's plan of ``queryset`` (``EXPLAIN (FORMAT JSON)``'s "Plan"), or ``None`` when
    there is no query to plan (a condition that holds nothing: Django sends none and explains
    nothing)."""
    try:
        explained = queryset.explain(format="json")
    except EmptyResultSet:
        return None
    return json.loads(explained)[0]["Plan"] if explained else None


def _plan_nodes(plan: dict) -> Iterator[dict]:
    """Every node of a PostgreSQL plan (``EXPLAIN (FORMAT JSON)``'s "Plan")."""
    yield plan
    for child in plan.get("Plans", ()):
        yield from _plan_nodes(child)


def _anded_search(child) -> SearchCondition | None:
    """The ``SearchCondition`` a child of a WHERE node is, if it is one: itself, or wrapped in
    "= true" (how ``filter(expression)`` adds it)."""
    if isinstance(child, Exact) and child.rhs is True:
        child = child.lhs
    return child if isinstance(child, SearchCondition) else None


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
        lone = self._lone_search(base)
        if lone is not None and lone.at_least > self.limit:
            self.capped = True
            self.object_list = hide_search_from_index(base)
            return self.limit
        ids = lone.known_ids if lone is not None else None
        if ids is None:
            ids = self._ids_by_parts(base)
        if ids is None:
            ids = self._ids_text_first(base)
        if ids is None:
            ids = self._ids_rarest_first(base)
        if ids is None:
            ids = list(base.order_by().values_list("pk", flat=True)[: self.limit + 1])
        self.capped = len(ids) > self.limit
        if self.capped:
            self.object_list = hide_search_from_index(base)
        else:
            self.object_list = self._by_ids(base, ids)
        return min(len(ids), self.limit)

    @staticmethod
    def _lone_search(base: QuerySet) -> SearchCondition | None:
        """The query's search when it is alone (no other condition), so that what is known of
        the search's rows in the whole table is known of the query's: its ``at_least`` past the
        cap (a common word among a million certificates, known from the count of its word in
        ``registry.selectors`` instead of the text index's bitmap of every candidate: 13-14 ms),
        or its ``known_ids`` (a phrase's matches, read once to learn that it is in some name)."""
        where = base.query.where
        if where.connector != "AND" or where.negated or len(where.children) != 1:
            return None
        return _anded_search(where.children[0])

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

    def _ids_text_first(self, base: QuerySet) -> list | None:
        """The count's ids read through the text's index first, the other conditions checked on
        its matches, when the search is known to match fewer rows than those conditions
        (PostgreSQL; ``None`` otherwise, and the planner chooses).

        Left to itself PostgreSQL ANDs the text's bitmap with the bitmaps of conditions that
        hold for a quarter of the table or more (an expiry status, a minimum value: 240,000
        index entries each, 20 ms apiece), or walks a condition's index looking for the text
        (48,646 rows for 1,001 matches of ``atsiri`` among valid certificates worth 30 % or
        more: 0.2-1.5 s): it cannot tell how common the text is. The search's ``at_least``
        (its word's count of certificates, ``registry.selectors``) tells; the planner's own
        estimate of the other conditions, which is good for plain columns, tells how many
        rows they hold. When the text is the rarer, its matches are read in a subquery fenced
        off with ``OFFSET 0`` (planned alone: the text's index) and the other conditions
        filter them as they stream, stopping at the cap: 13-17 ms instead of 50-200. When
        the conditions are the rarer (a regency), the planner's choice stands: it combines
        their index with the text's."""
        connection = connections[base.db]
        if connection.vendor != "postgresql":
            return None
        where = base.query.where
        if where.connector != "AND" or where.negated or len(where.children) < 2:
            return None
        searches = [(child, _anded_search(child)) for child in where.children]
        searches = [(child, search) for child, search in searches if search is not None]
        if len(searches) != 1:
            return None
        ((child, search),) = searches
        if not search.at_least:
            return None
        return self._ids_first(base, child, texts=search.at_most or search.at_least)

    #: A count's plan whose bitmaps hold fewer entries than this is left to the planner by
    #: ``_ids_rarest_first``: the bitmaps cost at most a few milliseconds.
    rarest_first_entries = 100_000

    def _ids_rarest_first(self, base: QuerySet) -> list | None:
        """The count's ids read through its rarest condition's index first, the others checked
        on its rows, when the planner's plan reads bitmaps of conditions that hold much of the
        table (PostgreSQL, plain conditions; ``None`` otherwise).

        An expiry status and its redundant bound on the issue date each hold a quarter of the
        register, and the same quarter: PostgreSQL, which multiplies their selectivities,
        expects their bitmaps to narrow a KBLI's 30,437 certificates to 1,476 and ANDs all
        three (520,000 entries, 53 ms), where reading the KBLI's rows until 1,001 are expired
        takes 4,200 rows (10 ms). The rarest condition is the one the planner expects the
        fewest rows of, alone (its estimates of one column are good); ``text_first_cheaper``
        weighs reading it first against the plan's bitmaps, as for a text."""
        connection = connections[base.db]
        where = base.query.where
        if connection.vendor != "postgresql" or where.connector != "AND" or where.negated:
            return None
        if len(where.children) < 2 or _has_search_condition(where):
            return None
        table = base.query.base_table
        if not all(_on_table_only(child, table) for child in where.children):
            return None  # a join's condition or raw SQL: not for a subquery of the table alone
        plan = _plan_of(base.order_by().values_list("pk", flat=True)[: self.limit + 1])
        if plan is None:
            return None
        bitmaps = [
            node["Plan Rows"]
            for node in _plan_nodes(plan)
            if node.get("Node Type") == "Bitmap Index Scan"
        ]
        if not bitmaps or sum(bitmaps) < self.rarest_first_entries:
            return None
        estimates = []
        for child in where.children:
            alone = base.order_by()
            alone.query.where.children = [child]
            plan = _plan_of(alone)
            if plan is None:
                return None
            estimates.append((plan["Plan Rows"], child))
        rows, child = min(estimates, key=lambda estimate: estimate[0])
        return self._ids_first(base, child, texts=rows)

    def _ids_first(self, base: QuerySet, child, *, texts: float) -> list | None:
        """The count's ids read through the condition ``child`` of the query's WHERE first
        (``texts`` rows hold it), fenced off with ``OFFSET 0`` so that it is planned alone,
        the other conditions filtering its rows as they stream, when that costs less than the
        planner's plan (``_text_first_pays``); ``None`` otherwise."""
        connection = connections[base.db]
        rest = base.order_by()
        rest.query.where.children = [c for c in base.query.where.children if c is not child]
        try:
            rest.query.get_compiler(using=base.db).as_sql()
        except EmptyResultSet:
            return None  # a condition that holds nothing (``none()``): no query to plan
        capped = base.order_by().values_list("pk", flat=True)[: self.limit + 1]
        if not self._text_first_pays(base, capped, rest, texts=texts):
            return None
        table = connection.ops.quote_name(base.model._meta.db_table)
        marker = f"FROM {table} "
        # A query of the table alone (no related rows, every column), holding ``child`` only.
        matches = base.model._default_manager.using(base.db).order_by()
        matches.query.where.add(child, AND)
        inner_sql, inner_params = matches.query.sql_with_params()
        # The other conditions only: the subquery's rows are the first condition's.
        outer = rest.values_list("pk", flat=True)[: self.limit + 1]
        outer_sql, outer_params = outer.query.sql_with_params()
        head, found, tail = outer_sql.partition(marker)
        if not found or "%s" in head or marker in tail:
            return None
        sql = f"{head}FROM ({inner_sql} OFFSET 0) {table} {tail}"
        with connection.cursor() as cursor:
            cursor.execute(sql, (*inner_params, *outer_params))
            return [row[0] for row in cursor.fetchall()]

    def _text_first_pays(self, base, capped, rest, *, texts: int) -> bool:
        """Whether reading the text's ``texts`` matches first costs less than the planner's
        plan of the count (``capped``), in entries of an index, from the planner's estimates
        of the other conditions (``rest``) and of each index its plan reads.

        - Text first reads the matches until ``limit + 1`` meet the conditions: all of them,
          or ``limit`` x table / the rows the conditions hold.
        - The planner's bitmaps of the other conditions ANDed with the text's cost their
          entries, then the rows both hold up to the cap; a walk of another index with the
          text as a filter reads ``limit`` x table / ``texts`` rows (the planner, blind to
          how common the text is, expects a few), or every row the conditions hold when
          fewer (a regency's). A scan of the table itself with the text as a filter counts
          as such a walk: the planner takes it when it expects the text's matches to come
          soon, blind to the cost of splitting each row's names into words (about 4 µs a
          row: ``mekar`` among valid certificates, 38,951 rows read, 143 ms; text first 9).
        - Anything else (the text's index alone) is left to the planner.

        The rows the conditions hold are the planner's estimate of them together, which
        multiplies their selectivities: right for independent conditions (a province and an
        expiry status: text first read 28,659 matches of ``baja`` for 1,001, 134 ms, where the
        estimate says the planner's bitmaps cost less: 39 ms), too low for redundant ones (an
        expiry status and its bound on the issue date: 60,805 rows for 241,275), which leaves
        those to the planner (``plastik``, expired: 51 ms where text first took 24). Wrong
        that way costs milliseconds; the other way, every match of the text. A condition as
        rare as the text (a KBLI held by 30,437 certificates, ``ratu`` in 27,886 names, 826 in
        both) also stays with the planner: its bitmaps find those few in milliseconds, where
        text first reads every match (134 ms)."""
        table = _table_rows(base.db, base.model._meta.db_table)
        rest_plan, capped_plan = _plan_of(rest), _plan_of(capped)
        if not table or rest_plan is None or capped_plan is None:
            return False  # never analysed, or nothing to plan: the planner's way
        held = rest_plan["Plan Rows"]
        others, walks = [], False
        for node in _plan_nodes(capped_plan):
            kind = node.get("Node Type")
            if kind == "Bitmap Index Scan" and not _is_text_test(node.get("Index Cond", "")):
                others.append(node["Plan Rows"])
            elif kind in ("Index Scan", "Index Only Scan", "Seq Scan") and _is_text_test(
                node.get("Filter", "")
            ):
                walks = True
        return text_first_cheaper(
            texts=texts, table=table, held=held, others=others, walks=walks, limit=self.limit
        )

    @staticmethod
    def _by_ids(base: QuerySet, ids: list) -> QuerySet:
        """The rows ``ids`` in ``base``'s order, with its related and deferred fields, and
        none of its conditions (they were just checked)."""
        if base.query.annotations:
            # An order or a column may use an annotation: keep the query, pinned to the ids.
            return hide_search_from_index(base).filter(pk_in(base, ids))
        rows = base.model._default_manager.using(base.db).filter(pk_in(base, ids))
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

        Without a text search the walk is tried too (past the cap the matches are many: a
        KBLI's certificates worth 60 % or more, newest first, were found in 850 rows, 5 ms,
        where the planner collected and sorted 4,501 of them, 65 ms), but when it finds too
        few the planner is left alone: its estimates of plain filters are good, and a
        filter's own index beats a walk (a regency's 1,354 certificates: 3.8 s walking the
        issue-date index unbounded, milliseconds through the regency's)."""
        if not self.capped or not isinstance(queryset, QuerySet):
            return list(queryset)
        rows = self._walk_near(queryset)
        if rows is not None:
            return rows
        if not _has_search_condition(queryset.query.where):
            return list(queryset)
        return self.read_planned(queryset)

    @classmethod
    def read_planned(cls, queryset: QuerySet) -> list:
        """The page as the planner reads it, the text conditions in their indexed spelling, from
        the matches its indexes' bitmaps collect (``collecting_matches``): it is read after a
        walk found the matches sparse near the start of the order, and left free to walk, the
        planner took the same road further (``rotan``, valid certificates of one province,
        oldest first: 151,013 rows, 0.25 s, where the valid ones are the newest).

        With related rows (``select_related``), the page's ids first and then its rows with
        theirs: the planner joins before it sorts, so every match was joined to its
        application, product and company for a page of ten (the supplier finder's ring of
        1,384 matches: 11 of its 30 ms)."""
        planned = queryset.all()
        setattr(planned.query, _HIDDEN_FROM_INDEX, False)
        if not planned.query.select_related:
            with collecting_matches(queryset.db):
                return list(planned)
        with collecting_matches(queryset.db):
            ids = list(planned.values_list("pk", flat=True))
        unsliced = queryset.all()
        unsliced.query.clear_limits()
        rows = {row.pk: row for row in cls._by_ids(unsliced, ids)}
        return [rows[pk] for pk in ids if pk in rows]

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
            if 0 < len(rows) < high - low and low == 0 and not nulls:
                rows += self._walk_on(unsliced, table, name, descending, bound, edge, rows, high)
        return rows if len(rows) == high - low else None

    #: How much further than ``walk_rows`` a walk that found part of its page goes on.
    walk_on_rows = 8000

    def _walk_on(self, unsliced, table, name, descending, bound, edge, rows, high) -> list:
        """The rest of a first page whose walk found some of its rows: the density of matches
        the walk met tells how many more rows of the order hold the rest (with half again as
        many to spare). Read when they are at most ``walk_on_rows`` (a few milliseconds):
        a phrase with 3,745 matches among a million certificates found 16 of 20 in its first
        4,019 rows; the planner's read of every match and their sort took 34 ms, the next
        1,515 rows about 4. Past the first bound's value only, so no row is read twice."""
        missing = high - len(rows)
        further = int(missing * edge / len(rows) * 1.5) + 1
        if further > self.walk_on_rows:
            return []
        far = edge + further
        next_bound = next(iter(table.values_list(name, flat=True)[far - 1 : far]), None)
        beyond = {f"{name}__{'lt' if descending else 'gt'}": bound}
        if next_bound is not None:
            beyond[f"{name}__{'gte' if descending else 'lte'}"] = next_bound
        return list(unsliced.filter(**beyond)[:missing])

    def page(self, number):
        page = super().page(number)
        page.object_list = self.read(page.object_list)
        return page
