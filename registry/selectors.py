"""Read-only queries of the public registry: lookup, change feed and statistics.

Every query here is index-backed (registry/migrations/0002_search_indexes.py) and returns the
issued snapshot only, never the company's live profile or personal data.
"""

import datetime
from collections import Counter
from decimal import Decimal
from typing import NamedTuple

from django.core.cache import cache
from django.db import connection, connections
from django.db.models import Count, F, Max, Min, Q, QuerySet
from django.db.models.functions import Coalesce, Floor, Substr, TruncDate
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications import calculation, rules
from applications.models import Application, Holiday, Province, Regency
from applications.reasons import ReasonCode
from applications.workdays import working_days_between
from tkdnportal.pagination import SearchCondition, trigram_searchable

from .models import Certificate, set_value
from .programme import coverage_compute

# Columns the lookup list and the API never show: kept out of the list queries.
LIST_DEFERRED = ("breakdown", "factory_address", "revocation_reason")

# The normalised names (``registry_normalise`` of company, product and brand), stored with each
# certificate (a generated column, migration 0011) and indexed by trigrams.
_PG_SEARCH_TEXT = "search_text"

#: Every word's count of certificates in ``registry_search_word`` (migration 0009), recomputed
#: from the register: for a bulk load that bypassed the trigger (``seed_registry``).
RECOUNT_SEARCH_WORDS_SQL = """
    INSERT INTO registry_search_word (word, certificates)
    SELECT word, count(*) FROM (
        SELECT registry_search_words(company_name || ' ' || product_name || ' ' || product_brand)
            AS word
        FROM registry_certificate
    ) words GROUP BY word
    ON CONFLICT (word) DO UPDATE SET certificates = EXCLUDED.certificates
"""

STATISTICS_CACHE_KEY = "registry:statistics:v2"  # v2: with coverage
# The periodic task refreshes every 15 minutes; a value older than this is recomputed on read.
STATISTICS_CACHE_SECONDS = 60 * 60

# KBLI 2020, kategori C (industri pengolahan): golongan pokok 10-33.
KBLI_DIVISIONS = {
    "10": gettext_lazy("Industri makanan"),
    "11": gettext_lazy("Industri minuman"),
    "12": gettext_lazy("Industri pengolahan tembakau"),
    "13": gettext_lazy("Industri tekstil"),
    "14": gettext_lazy("Industri pakaian jadi"),
    "15": gettext_lazy("Industri kulit, barang dari kulit dan alas kaki"),
    "16": gettext_lazy("Industri kayu, barang dari kayu, gabus, bambu dan rotan"),
    "17": gettext_lazy("Industri kertas dan barang dari kertas"),
    "18": gettext_lazy("Industri pencetakan dan reproduksi media rekaman"),
    "19": gettext_lazy("Industri produk dari batu bara dan pengilangan minyak bumi"),
    "20": gettext_lazy("Industri bahan kimia dan barang dari bahan kimia"),
    "21": gettext_lazy("Industri farmasi, produk obat kimia dan obat tradisional"),
    "22": gettext_lazy("Industri karet, barang dari karet dan plastik"),
    "23": gettext_lazy("Industri barang galian bukan logam"),
    "24": gettext_lazy("Industri logam dasar"),
    "25": gettext_lazy("Industri barang logam, bukan mesin dan peralatannya"),
    "26": gettext_lazy("Industri komputer, barang elektronik dan optik"),
    "27": gettext_lazy("Industri peralatan listrik"),
    "28": gettext_lazy("Industri mesin dan perlengkapan ytdl"),
    "29": gettext_lazy("Industri kendaraan bermotor, trailer dan semi trailer"),
    "30": gettext_lazy("Industri alat angkutan lainnya"),
    "31": gettext_lazy("Industri furnitur"),
    "32": gettext_lazy("Industri pengolahan lainnya"),
    "33": gettext_lazy("Jasa reparasi dan pemasangan mesin dan peralatan"),
}


REGIONS_CACHE_SECONDS = 60 * 60 * 24


def province_choices() -> list[tuple[str, str]]:
    """(code, name) of the 38 provinces by name; reference data, cached (no query per page)."""
    return cache.get_or_set(
        "registry:provinces:v1",
        lambda: list(Province.objects.order_by("name").values_list("code", "name")),
        REGIONS_CACHE_SECONDS,
    )


def regency_choices() -> list[tuple[str, str]]:
    """(code, name) of the 514 regencies/cities by name, cached like the provinces."""
    return cache.get_or_set(
        "registry:regencies:v1",
        lambda: list(Regency.objects.order_by("name").values_list("code", "name")),
        REGIONS_CACHE_SECONDS,
    )


# --- Cached public pages --------------------------------------------------------

PAGES_VERSION_KEY = "registry:pages:version"


def registry_pages_version() -> int:
    """The generation of the cached public pages; a new one after any certificate change."""
    version = cache.get(PAGES_VERSION_KEY)
    if version is None:
        version = int(timezone.now().timestamp() * 1000)
        cache.add(PAGES_VERSION_KEY, version, None)
    return version


def registry_pages_invalidate() -> None:
    """Forget every cached public page (called on each certificate save or delete)."""
    cache.set(PAGES_VERSION_KEY, int(timezone.now().timestamp() * 1000), None)


def certificates_public() -> QuerySet[Certificate]:
    """All certificates, without the columns a list never shows."""
    return Certificate.objects.defer(*LIST_DEFERRED)


def certificate_by_token(*, token: str) -> Certificate | None:
    """The certificate a QR code points at, or ``None`` (the caller answers 404 without a hint)."""
    if not token or len(token) > 64:
        return None
    return Certificate.objects.filter(verification_token=token).first()


def certificate_by_number(*, number: str) -> Certificate | None:
    return Certificate.objects.filter(number=number.strip()).first()


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# Similar words tried per misspelt word (registry_search_word, migration 0006): enough for any
# real vocabulary neighbourhood at word_similarity >= 0.6, and a bounded OR for the planner.
SIMILAR_WORDS_LIMIT = 20


def _pg_substring(text: str, *, indexed: bool = True) -> str:
    """SQL (one ``%s``) for "the normalised names contain ``text``". ``indexed=False`` hides the
    expression from the trigram index (``|| ''``): the spelling a page among many matches is
    read with (``tkdnportal.pagination.PlannedPaginator``)."""
    column = _PG_SEARCH_TEXT if indexed else f"({_PG_SEARCH_TEXT} || '')"
    return f"{column} LIKE '%%' || registry_normalise(%s) || '%%'"


def _pg_contains_any(spellings: list[str]) -> SearchCondition:
    """ "The names contain one of ``spellings``", served by the trigram index, or hidden from it
    when the paginator walks the order's index instead.

    A spelling too short for the trigram index (no three letters or digits in a row) is hidden
    from it either way and tested on the rows the other conditions find: its bitmap held every
    certificate (``angklung cv``, no name's phrase, so each word alone: ``cv`` read 1,000,000
    index entries, 1.5 s at 1,000,000 certificates, where ``angklung``'s words found 30,768)."""
    walked = " OR ".join(_pg_substring(w, indexed=False) for w in spellings)
    indexed = walked
    if all(trigram_searchable(w) for w in spellings):
        indexed = " OR ".join(_pg_substring(w) for w in spellings)
    # The SQL is constant; the user's text is only ever a bound parameter.
    return SearchCondition(indexed, walked, [_escape_like(w) for w in spellings])


def similar_words(word: str) -> list[str]:
    """Words of the register similar to ``word`` (``pg_trgm.word_similarity_threshold``, default
    0.6), most similar first: an index lookup in the table of distinct words, PostgreSQL only."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT word FROM registry_search_word WHERE registry_normalise(%s) <%% word "
            "ORDER BY word_similarity(registry_normalise(%s), word) DESC, word LIMIT %s",
            [word, word, SIMILAR_WORDS_LIMIT],
        )
        return [row[0] for row in cursor.fetchall()]


# The matches of a phrase read to learn that it is in some name: one more than the lookup's
# count limit (``registry.views.LOOKUP_COUNT_LIMIT``), so that a lone phrase's page needs no
# second count (``SearchCondition.known_ids``, ``at_least``).
PHRASE_IDS_READ = 1001

# A one-word text found inside at most this many of the register's words is searched as "the
# names hold one of those words" (the words' index, migration 0010); inside more (a few
# letters: ``ari``), as a substring (the trigram index).
WORD_ARRAY_LIMIT = 64

# Each certificate's words, as the words' index holds them (migrations 0010, 0011).
_PG_WORD_ARRAY = f"regexp_split_to_array({_PG_SEARCH_TEXT}, '[^[:alnum:]]+')"


def _pg_holds_any(text: str, words: list[str]) -> SearchCondition:
    """ "The names hold one of ``words``" (every word of the register that contains ``text``),
    served by the index of each certificate's words (migration 0010); walked, the substring
    test of ``text`` itself, hidden from the trigram index (the same rows)."""
    return SearchCondition(
        f"{_PG_WORD_ARRAY} && %s::text[]",
        _pg_substring(text, indexed=False),
        [words],
        walked_params=[_escape_like(text)],
    )


# The words each word of a phrase may be in a name: the first may end a longer word, the last
# may begin one, the others are whole words. One query splits the text as the words' index
# does (migration 0010) and reads, for each word, up to ``WORD_ARRAY_LIMIT + 1`` of the
# register's words (three letters or more: migration 0006) it can be.
_PHRASE_WORDS_SQL = """
    SELECT t.tok, t.ord = 1, t.ord = t.n, ARRAY(
        SELECT w.word FROM registry_search_word w
        WHERE w.certificates > 0 AND w.word LIKE
            CASE WHEN t.ord = 1 THEN '%%' ELSE '' END || t.tok
            || CASE WHEN t.ord = t.n THEN '%%' ELSE '' END
        ORDER BY w.word LIMIT %s)
    FROM (
        SELECT tok, ord, count(*) OVER () AS n
        FROM regexp_split_to_table(public.registry_normalise(%s), '[^[:alnum:]]+')
            WITH ORDINALITY AS s(tok, ord)
    ) t
    ORDER BY t.ord
"""


def _phrase_word_sets(using: str, text: str) -> list[list[str]] | None:
    """For each word of the phrase ``text`` whose possible spellings in a name are known and
    few (at most ``WORD_ARRAY_LIMIT``), those spellings: a name contains ``text`` only if its
    words include one of each list. ``None`` when some word of the phrase is in no name (no
    name contains ``text``).

    A word's spellings are the register's words it can be: the first word of the phrase may be
    the end of a longer word, the last the start of one, the others whole. Words of fewer than
    three letters are not in the words' table (0006): a whole one is its own spelling, a
    two-letter end or start also is the only short word it can be, a single letter at an end
    could be many (not used). PostgreSQL only."""
    with connections[using].cursor() as cursor:
        cursor.execute(_PHRASE_WORDS_SQL, [WORD_ARRAY_LIMIT + 1, text])
        tokens = cursor.fetchall()
    sets = []
    for token, first, last, words in tokens:
        if not token or (first and last):
            continue  # an empty piece (a separator at an end), or no separator at all
        if len(token) < 3:
            if (first or last) and len(token) < 2:
                continue
            words = sorted({token, *words})
        elif not words:
            return None
        if len(words) <= WORD_ARRAY_LIMIT:
            sets.append(words)
    return sets


def _pg_holds_each(text: str, word_sets: list[list[str]]) -> SearchCondition:
    """ "The names hold one word of each of ``word_sets`` and contain ``text``": the words'
    index (migration 0010) finds the candidates, the substring test (hidden from the trigram
    index) keeps those where the words are next to each other. Walked, the substring test."""
    holds = " AND ".join(f"{_PG_WORD_ARRAY} && %s::text[]" for _ in word_sets)
    return SearchCondition(
        f"{holds} AND {_pg_substring(text, indexed=False)}",
        _pg_substring(text, indexed=False),
        [*word_sets, _escape_like(text)],
        walked_params=[_escape_like(text)],
    )


# The register's words (of three letters or more, migration 0006) that contain one of the
# spellings, when each is three letters or digits or more once normalised (else NULL).
_WORDS_CONTAINING_SQL = """
    SELECT CASE WHEN bool_and(public.registry_normalise(s) ~ '^[[:alnum:]]{3,}$') THEN ARRAY(
        SELECT w.word FROM registry_search_word w
        WHERE w.certificates > 0 AND w.word LIKE ANY (
            SELECT '%%' || public.registry_normalise(x) || '%%' FROM unnest(%s::text[]) x)
        ORDER BY w.word LIMIT %s)
    END
    FROM unnest(%s::text[]) s
"""


def _pg_contains_one_of(using: str, spellings: list[str]) -> SearchCondition:
    """ "The names contain one of ``spellings``" (a word of the text and the register's words
    similar to it: typo tolerance). Each a word of three letters or more, found inside at most
    ``WORD_ARRAY_LIMIT`` of the register's words in all: asked as "the names hold one of
    those words" (the words' index, as ``_in_some_name`` asks one word; the trigram index's
    bitmap of two such words took 30 ms for 1,001 of 7,470 candidates at 1,000,000
    certificates); else the substrings themselves (the trigram index). Walked, the substrings
    hidden from the trigram index either way (the same rows)."""
    with connections[using].cursor() as cursor:
        cursor.execute(_WORDS_CONTAINING_SQL, [spellings, WORD_ARRAY_LIMIT + 1, spellings])
        words = cursor.fetchone()[0]
    condition = _pg_contains_any(spellings)
    if words is None or len(words) > WORD_ARRAY_LIMIT:
        return condition
    return SearchCondition(
        f"{_PG_WORD_ARRAY} && %s::text[]",
        condition.walked_sql,
        [words],
        walked_params=condition.walked_params,
    )


def _in_some_name(queryset: QuerySet[Certificate], text: str) -> SearchCondition | None:
    """The condition "the names contain ``text``" when some name in the register does, else
    ``None`` (PostgreSQL).

    A text of three or more letters and digits only (one word, whole or partial: most
    searches) lies inside one word of a name, so the table of distinct words (of three letters
    or more: migration 0006) answers (its trigram index: a fraction of a millisecond): which
    words contain it, and the least number of certificates it matches, the most held by one of
    those words (``certificates``, counted by a trigger: migration 0009), which ``at_least``
    passes to the paginator's capped count (``at_most``, their sum, to its cost model). Found inside
    at most ``WORD_ARRAY_LIMIT`` words, the condition is that the names hold one of them (the
    words' index: migration 0010, whose row estimates PostgreSQL gets right), else the
    substring itself (the trigram index).

    Anything else (a phrase) is asked of the words' index word by word (``_phrase_word_sets``,
    ``_pg_holds_each``), the substring test keeping the names where the words stand together;
    a phrase with no usable word (a single letter at each end, or words inside too many of the
    register's words) is asked of the trigram index, which builds the bitmap of every
    candidate first (5-40 ms at 1,000,000 certificates), or, without three letters or digits
    in a row for it to look up (``i r``), tested row by row (``_pg_contains_any``). When
    ``queryset`` has no other condition, the ids of up to ``PHRASE_IDS_READ`` matches are
    read at once (``known_ids`` when that is all of them, else ``at_least``), so a phrase
    searched alone is not looked for in the index a second time to be counted; with
    conditions, only whether one exists."""
    substring = _pg_contains_any([text])
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(
            "SELECT CASE WHEN registry_normalise(%s) ~ '^[[:alnum:]]{3,}$' THEN ("
            "SELECT json_build_array(COALESCE(max(certificates), 0), "
            "COALESCE(sum(certificates), 0), "
            "(array_agg(word ORDER BY word) FILTER (WHERE certificates > 0))[1:%s]) "
            "FROM registry_search_word WHERE word LIKE '%%' || registry_normalise(%s) || '%%'"
            ") END",
            [text, WORD_ARRAY_LIMIT + 1, _escape_like(text)],
        )
        found = cursor.fetchone()[0]
    if found is not None:
        most, total, words = found
        if not most:
            return None
        if len(words) <= WORD_ARRAY_LIMIT:
            substring = _pg_holds_any(text, words)
        substring.at_least = most
        substring.at_most = total
        return substring
    word_sets = _phrase_word_sets(queryset.db, text)
    if word_sets is None:
        return None
    if word_sets:
        substring = _pg_holds_each(text, word_sets)
    register = queryset.model._default_manager.using(queryset.db).filter(substring).order_by()
    if queryset.query.where:
        # Other conditions will decide the count: only whether there is a match is asked.
        return substring if register.exists() else None
    ids = list(register.values_list("pk", flat=True)[:PHRASE_IDS_READ])
    substring.at_least = len(ids)
    if len(ids) < PHRASE_IDS_READ:
        substring.known_ids = ids
    return substring if ids else None


def certificate_search(queryset: QuerySet[Certificate], *, text: str) -> QuerySet[Certificate]:
    """Partial match on company, product and brand names.

    PostgreSQL: a case- and accent-insensitive substring match, served by the trigram GIN index
    (migration 0002). When the text is a substring of no name in the register (deciding costs
    one ``EXISTS`` query), typo tolerance the way the pg_trgm documentation suggests: each word of
    the text is looked up among the register's distinct words (``registry_search_word``, kept by
    a trigger; ``word_similarity`` >= ``pg_trgm.word_similarity_threshold``, default 0.6), and
    certificates are matched by the fast substring search of the word itself or any similar one,
    every word of the text having to match. Rechecking the similarity against every candidate
    certificate instead cost 1.7 s for one misspelt common word among a million certificates.

    The conditions are ``SearchCondition``s: a paginator that finds the matches many reads its
    page walking the order's index with them hidden from the trigram index
    (``tkdnportal.pagination.PlannedPaginator``).

    SQLite: a plain case-insensitive substring match (fallback).
    """
    text = " ".join(text.split())
    if not text:
        return queryset
    if connection.vendor == "postgresql":
        # Asked of the whole register, not of ``queryset``: with filters the planner walks a
        # filter's index looking for the text (a need's KBLI range: 60,742 rows passed, 0.4-0.8
        # s at 1,000,000 certificates), where the trigram index alone answers at once. A text
        # found in some name is no typo, even if the filters leave none of its matches.
        substring = _in_some_name(queryset, text)
        if substring is not None:
            return queryset.filter(substring)
        words = text.split()
        if not any(trigram_searchable(word) for word in words):
            # Letters apart (``o x``): no word to be a typo of, and each as a substring of the
            # names would be a scan of the register (0.8 s at 1,000,000 certificates).
            return queryset.none()
        for word in words:
            spellings = [word, *(w for w in similar_words(word) if w != word)]
            queryset = queryset.filter(_pg_contains_one_of(queryset.db, spellings))
        return queryset
    return queryset.filter(
        Q(company_name__icontains=text)
        | Q(product_name__icontains=text)
        | Q(product_brand__icontains=text)
    )


def certificates_held_in(
    queryset: QuerySet[Certificate], *, province: str, regency: str | None = None
) -> QuerySet[Certificate]:
    """``queryset`` narrowed to the certificates whose company's factory is now in ``province``
    (and ``regency``), through the certificate's own columns: the snapshot's region, or where
    the company moved since (``COALESCE(holder_province, province_id)``, kept by triggers and
    indexed in the admin's order: migration 0008). Redundant with ``application_scope``'s join,
    which the caller keeps and which still decides. Without it PostgreSQL followed three joins
    from every match nationwide (a regional official's search for a word with 28,000 matches:
    26,000 heap pages, 0.3-0.7 s); with it a page is walked within the region's index (30 ms).
    SQLite keeps no such columns: ``queryset`` unchanged, the join alone."""
    if connections[queryset.db].vendor != "postgresql":
        return queryset
    held = Exact(Coalesce("holder_province", "province_id"), province)
    if regency:
        held = Exact(Coalesce("holder_regency", "regency_id"), regency)
    return queryset.filter(held)


def _expiry():
    return Coalesce("extended_until", "valid_until")


def certificate_filter_minimum(
    queryset: QuerySet[Certificate], *, minimum: Decimal, oldest_first: bool = False
) -> QuerySet[Certificate]:
    """Certificates worth at least ``minimum`` %; listed ``oldest_first``, with a redundant
    bound on the issue date.

    A value above the highest a rule set's certificates reach rules them out (IK-2022 ends at
    40.00 %, and its certificates rarely get there), and those are the oldest: sorted oldest
    first, PostgreSQL walked 757,632 IK-2022 certificates before the first one worth 60 % (3.4
    s at 1,000,000), and 757,031 for one worth 40 % (0.8 s), none of them being worth that
    much. The bound is the earliest issue date among the certificates of the sets whose
    highest value in the register reaches ``minimum``, both read from the register itself (an
    index lookup per set and question, ``registry_cert_rule_set_value`` and
    ``registry_cert_rule_set_issued``), so it holds whatever dates a set is in force and
    whatever values it was given. A certificate's ``rule_set`` is always a code of
    ``calculation.RULE_SETS`` (the issuing service writes it from the computed application).

    In any other order the bound only costs: the newest, the most valuable, a name or a
    number find such certificates at once, and a count ANDed the bitmap of a quarter of the
    register with the others (``mulia`` worth 40 % or more: 243,291 more entries, 21 ms)."""
    queryset = queryset.filter(tkdn_ik__gte=minimum)
    sets = calculation.RULE_SETS.values()
    possible = [rule_set.code for rule_set in sets if rule_set.maximum >= minimum]
    if not possible:
        return queryset.none()
    if not oldest_first:
        return queryset
    extents = _rule_set_extents(queryset, possible)
    reaching = [code for code in possible if _reaches(extents[code].top, minimum)]
    if not reaching:
        return queryset.none()
    if len(reaching) == len(sets):
        return queryset
    return queryset.filter(issue_date__gte=min(extents[code].first for code in reaching))


def _reaches(top: Decimal | None, minimum: Decimal) -> bool:
    return top is not None and top >= minimum


class _Extent(NamedTuple):
    first: datetime.date | None  # the earliest issue date
    top: Decimal | None  # the highest value


def _rule_set_extents(queryset: QuerySet[Certificate], codes) -> dict[str, _Extent]:
    """The earliest issue date and the highest value of each rule set of ``codes`` in the
    register (``None``: none issued yet): one query a set, two index lookups
    (``registry_cert_rule_set_issued``, ``registry_cert_rule_set_value``: the databases read
    a MIN or MAX from an index's end)."""
    register = queryset.model._default_manager.using(queryset.db)
    extents = {}
    for code in codes:
        found = register.filter(rule_set=code).aggregate(
            first=Min("issue_date"), top=Max(set_value())
        )
        top = found["top"]
        # In cents, as the column holds it (SQLite returns the expression as a plain number).
        top = None if top is None else Decimal(top).quantize(Decimal("0.01"))
        extents[code] = _Extent(found["first"], top)
    return extents


def _issued_by_value_bound(
    queryset: QuerySet[Certificate], issued_before: datetime.date
) -> QuerySet[Certificate]:
    """``queryset`` (certificates issued on or before ``issued_before``) with the redundant
    bound on the value that follows: at most the highest value in the register of the rule
    sets with a certificate issued by then (the earlier sets end lower: IK-2022 at 40.00 %).
    Without it the expired certificates sorted by value, highest first, walked 171,032 newer
    IK-2025 certificates worth more before the first one (0.4 s at 1,000,000)."""
    extents = _rule_set_extents(queryset, calculation.RULE_SETS)
    reached = [top for first, top in extents.values() if first and first <= issued_before]
    highest = max((top for _first, top in extents.values() if top is not None), default=None)
    if reached and max(reached) < highest:
        queryset = queryset.filter(tkdn_ik__lte=max(reached))
    return queryset


def certificate_filter_status(
    queryset: QuerySet[Certificate],
    *,
    status: str,
    today: datetime.date | None = None,
    newest_first: bool = True,
) -> QuerySet[Certificate]:
    """Filter by effective status; must agree with ``Certificate.effective_status``.
    ``newest_first``: the list's order is the newest first (the lookup's default), which the
    expired certificates' redundant bound on the issue date serves."""
    today = today or timezone.localdate()
    valid = Certificate.Status.VALID
    if status == Certificate.EffectiveStatus.REVOKED:
        return queryset.filter(status=Certificate.Status.REVOKED)
    if status == Certificate.EffectiveStatus.EXPIRED:
        # Redundant bound on issue_date: valid_until >= issue_date + the shortest validity of
        # any rule set - 1 day (spec §6), so an expired certificate was issued at least that long
        # ago. Without it PostgreSQL walks the (issue_date DESC) index from the newest rows,
        # which are all still valid: 9 s instead of milliseconds on a million certificates.
        # In another order it only costs: a count ANDed its bitmap, a quarter of the register
        # (251,496 entries, 24 ms), with the expiry's, which holds the same rows.
        shortest = min(rule_set.validity_years for rule_set in calculation.RULE_SETS.values())
        issued_before = today - datetime.timedelta(days=365 * shortest - 3)
        expired = queryset.alias(expiry=_expiry()).filter(status=valid, expiry__lt=today)
        if newest_first:
            expired = expired.filter(issue_date__lte=issued_before)
        return _issued_by_value_bound(expired, issued_before)
    if status == Certificate.EffectiveStatus.VALID:
        return queryset.alias(expiry=_expiry()).filter(status=valid, expiry__gte=today)
    return queryset


def certificates_changed_since(
    *, since: datetime.datetime, today: datetime.date | None = None
) -> QuerySet[Certificate]:
    """The change feed: certificates changed (issued, revoked, extended, corrected) after
    ``since``, plus those that expired since then (expiry is derived from the dates and never
    bumps ``updated_at``). A certificate expires at the start of the day after its last valid
    day, so it expired in (since, now] when ``since``'s date <= last valid day < today.
    """
    today = today or timezone.localdate()
    since_date = timezone.localtime(since).date() if timezone.is_aware(since) else since.date()
    # A UNION of two index-backed queries (updated_at; the expiry expression index), sorted
    # afterwards: with an OR, PostgreSQL walks the whole updated_at index instead (1 s on 1M).
    changed = certificates_public().filter(updated_at__gt=since).order_by()
    expired = (
        certificates_public()
        .alias(expiry=_expiry())
        .filter(status=Certificate.Status.VALID, expiry__gte=since_date, expiry__lt=today)
        .order_by()
    )
    return changed.union(expired).order_by("updated_at", "id")


# --- Statistics ----------------------------------------------------------------


def _weighted_median(counts: Counter) -> str | None:
    """Median of values given as {value: how many}; "2.5" style (one decimal) or None."""
    total = sum(counts.values())
    if not total:
        return None
    ordered = sorted(counts.items())

    def nth(index: int) -> int:  # the index-th value (0-based) in sorted order
        seen = 0
        for value, n in ordered:
            seen += n
            if index < seen:
                return value
        raise IndexError(index)

    middle = (Decimal(nth((total - 1) // 2)) + Decimal(nth(total // 2))) / 2
    return str(middle.quantize(Decimal("0.1")))


def registry_statistics_compute(*, today: datetime.date | None = None) -> dict:
    """Compute the public statistics over the whole register (a handful of GROUP BY queries).

    Called by the periodic task ``registry.tasks.registry_statistics_refresh`` and, when the
    cache is empty, once by the statistics page; never per request.
    """
    # Taken before the queries: a change made while they run makes the result stale, not lost.
    started = timezone.now()
    today = today or timezone.localdate()
    certs = Certificate.objects.all()
    totals = certs.alias(expiry=_expiry()).aggregate(
        total=Count("id"),
        revoked=Count("id", filter=Q(status=Certificate.Status.REVOKED)),
        expired=Count("id", filter=Q(status=Certificate.Status.VALID, expiry__lt=today)),
    )
    totals["valid"] = totals["total"] - totals["revoked"] - totals["expired"]

    per_province = dict(
        certs.values("province_id").annotate(n=Count("id")).values_list("province_id", "n")
    )
    by_province = [
        {"code": p.code, "name": p.name, "count": per_province.get(p.code, 0)}
        for p in Province.objects.order_by("code")
    ]

    per_division = (
        certs.annotate(division=Substr("kbli", 1, 2))
        .values("division")
        .annotate(n=Count("id"))
        .order_by("division")
    )
    by_kbli = [{"division": row["division"], "count": row["n"]} for row in per_division]

    # Values of different rule sets are not comparable (IK-2022 ends at 40, IK-2025 at 100):
    # one set of bands per rule set, from its threshold to its maximum in 15 steps.
    points = (
        certs.annotate(band=Floor(F("tkdn_ik")))
        .values("rule_set", "band")
        .annotate(n=Count("id"))
        .values_list("rule_set", "band", "n")
    )
    per_point: dict[str, Counter[int]] = {}
    for code, band, n in points:
        per_point.setdefault(code, Counter())[int(band)] += n
    registry_rules = rules.registry()
    distribution = []
    by_rule_set = []
    for code, rule_set in registry_rules.items():
        counts = per_point.get(code, Counter())
        by_rule_set.append(
            {
                "code": code,
                "legal_basis": rule_set.legal_basis_short,
                "count": sum(counts.values()),
            }
        )
        top, threshold = int(rule_set.maximum), int(rule_set.threshold)
        width = max(1, (top - threshold) // 15)
        low = min([threshold, *counts]) if counts else threshold
        low -= (low - threshold) % width
        for start in range(low, top, width):
            end = min(start + width, top)
            # The maximum itself is counted in the last band (39–40, 95–100).
            count = sum(counts.get(p, 0) for p in range(start, end)) + (
                counts.get(top, 0) if end == top else 0
            )
            distribution.append(
                {
                    "rule_set": code,
                    "from": start,
                    "to": end,
                    "label": f"{code} · {start}–{end}",
                    "count": count,
                }
            )

    # Codes only: the page translates the labels in the reader's language (the cache is shared).
    by_status = [
        {"status": row["status"], "count": row["n"]}
        for row in Application.objects.values("status").annotate(n=Count("id")).order_by("-n")
    ]
    reasons = [
        {"code": row["reason_code"] or "", "count": row["n"]}
        for row in Application.objects.filter(status=Application.Status.REJECTED)
        .values("reason_code")
        .annotate(n=Count("id"))
        .order_by("-n", "reason_code")[:10]
    ]

    # Working days from submission to decision: grouped by (submitted, decided) local dates in
    # SQL, so a million applications are a few thousand rows here.
    holidays = frozenset(Holiday.objects.values_list("date", flat=True))
    pairs = (
        Application.objects.filter(submitted_at__isnull=False, decided_at__isnull=False)
        .annotate(submitted_on=TruncDate("submitted_at"), decided_on=TruncDate("decided_at"))
        .values("submitted_on", "decided_on")
        .annotate(n=Count("id"))
        .order_by()
    )
    durations: Counter[int] = Counter()
    for row in pairs:
        days = working_days_between(row["submitted_on"], row["decided_on"], holidays)
        durations[days] += row["n"]
    decided_count = sum(durations.values())
    return {
        # Certified IKM per region against the population the offices entered (issue 15).
        "coverage": coverage_compute(today=today),
        "generated_at": started.isoformat(),
        "totals": totals,
        "by_province": by_province,
        "by_kbli": by_kbli,
        "distribution": distribution,
        "by_rule_set": by_rule_set,
        "applications_by_status": by_status,
        "rejection_reasons": reasons,
        "median_working_days": _weighted_median(durations),
        "decided_count": decided_count,
    }


# Labels of the rejection reasons on the statistics page; any other code is shown as it is.
REJECTION_REASONS = {
    code.value: code.label
    for code in (
        ReasonCode.BELOW_THRESHOLD,
        ReasonCode.INVALID_INPUT,
        ReasonCode.NO_PURCHASE_PROOF,
        ReasonCode.NOT_SMALL_INDUSTRY,
        ReasonCode.PACKING_ONLY,
        ReasonCode.KBLI_MISMATCH,
        ReasonCode.INCOMPLETE_DOCUMENTS,
    )
}


def rejection_reason_label(code: str | None) -> str:
    if not code:
        return _("Lainnya / tanpa kode")
    return str(REJECTION_REASONS.get(code, code))


def statistics_labelled(data: dict) -> dict:
    """The cached statistics with labels in the current language (for the page)."""
    status_labels = dict(Application.Status.choices)
    return {
        **data,
        "generated_at": datetime.datetime.fromisoformat(data["generated_at"]),
        "by_kbli": [
            {**row, "name": str(KBLI_DIVISIONS.get(row["division"], _("Lainnya")))}
            for row in data["by_kbli"]
        ],
        "applications_by_status": [
            {**row, "label": str(status_labels.get(row["status"], row["status"]))}
            for row in data["applications_by_status"]
        ],
        "rejection_reasons": [
            {**row, "label": rejection_reason_label(row["code"])}
            for row in data["rejection_reasons"]
        ],
    }


def registry_statistics_refresh() -> dict:
    data = registry_statistics_compute()
    cache.set(STATISTICS_CACHE_KEY, data, STATISTICS_CACHE_SECONDS)
    return data


def registry_statistics() -> dict:
    """The cached statistics; computed once and cached when the cache is empty."""
    data = cache.get(STATISTICS_CACHE_KEY)
    if data is None:
        data = registry_statistics_refresh()
    return data


def registry_statistics_stale(data: dict) -> bool:
    """Whether a certificate changed (issued, revoked, extended) after ``data`` was computed.

    One index-only query (MAX of the indexed ``updated_at``); the caller queues a refresh.
    """
    latest = Certificate.objects.aggregate(latest=Max("updated_at"))["latest"]
    return latest is not None and latest > datetime.datetime.fromisoformat(data["generated_at"])
