"""Each certificate's words, indexed (issue 17).

The lookup's one-word search (most searches: a whole word or part of one) is a substring of the
normalised names, served by the trigram index (migration 0002). PostgreSQL estimates such a
pattern from a histogram of whole names, so its row estimate for a word drifts with each
ANALYZE's sample, from 0.01 % (100 rows for ``fajar``, held by 35,667 certificates) to about
right: with the estimate too low the planner reads every match and filters them (93 ms for
``fajar`` among revoked certificates), with it right it ANDs the text's bitmap with a filter's
(18 ms). A text of letters and digits lies inside one word, so "the names contain it" is "the
names hold one of the register's words that contain it" (those words, of 3 letters or more,
are in ``registry_search_word``, migration 0006). This index holds each certificate's words as
an array (split as that table's words are; the shorter ones too, which no search asks for):
PostgreSQL keeps statistics of the elements of the indexed expression, so its estimates of
"holds one of these words" are close (37,137 for 35,667), and the array's posting lists are
read faster than the trigrams' (3 ms for 5-7). The expression is one inlinable call (3.7 µs a
row when the planner filters rows with it; an array built from 0006's set-returning function
took 27 µs: a regency's 3,917 rows, 113 ms). ``registry.selectors`` uses it for a text that
lies inside few words. Built in 6 s at 1,000,000 certificates. PostgreSQL only.
"""

from django.db import migrations

SEARCH_TEXT = "company_name || ' ' || product_name || ' ' || product_brand"

PG_FORWARD = [
    # ``public.``: pg_restore runs with an empty search_path (tests/test_backup.py), as
    # registry_normalise names ``public.unaccent`` (0002).
    """
    CREATE OR REPLACE FUNCTION registry_search_word_array(text) RETURNS text[]
    AS $$ SELECT regexp_split_to_array(public.registry_normalise($1), '[^[:alnum:]]+') $$
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    """,
    f"""
    CREATE INDEX IF NOT EXISTS registry_cert_search_words ON registry_certificate
    USING gin (registry_search_word_array({SEARCH_TEXT}))
    """,
    "ANALYZE registry_certificate",
]
PG_BACKWARD = [
    "DROP INDEX IF EXISTS registry_cert_search_words",
    "DROP FUNCTION IF EXISTS registry_search_word_array(text)",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in PG_FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in PG_BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("registry", "0009_search_word_counts")]

    operations = [migrations.RunPython(forward, backward)]
