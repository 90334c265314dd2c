"""The normalised names stored with each certificate (issue 17).

Every text search tests "the normalised names contain the text", and PostgreSQL computed the
normalised names (``registry_normalise``: ``unaccent`` then ``lower``, migration 0002) again for
each row it tested: 4 µs a row, against 0.4 µs for the same ``LIKE`` on a stored text. A page
walked in its order's index tests every row it passes (a common word's page among a million
certificates: 4,144 rows, 21 ms), and the trigram index's matches are candidates the table
rechecks (a two-word phrase: 9,000 candidates, 46 ms).

``search_text`` is a generated column, so every writer (the issuing service, ``COPY`` in
``seed_registry``, an update in SQL) keeps it right; the model does not know it (no query of
Django's reads it). The two text indexes are built again on it under their names: the trigram
index (0002) on the column, the words' index (0010) on the column split into words. Adding the
column rewrites the table once (about a minute at 1,000,000 certificates, the table locked
meanwhile: ``docs/operations.md``). PostgreSQL only.
"""

from django.db import migrations

NAMES = "company_name || ' ' || product_name || ' ' || product_brand"
WORDS = "regexp_split_to_array(search_text, '[^[:alnum:]]+')"

PG_FORWARD = [
    # ``public.``: pg_restore computes the column with an empty search_path.
    f"""
    ALTER TABLE registry_certificate ADD COLUMN IF NOT EXISTS search_text text
    GENERATED ALWAYS AS (public.registry_normalise({NAMES})) STORED
    """,
    "DROP INDEX IF EXISTS registry_cert_search_trgm",
    """
    CREATE INDEX registry_cert_search_trgm ON registry_certificate
    USING gin (search_text gin_trgm_ops)
    """,
    "DROP INDEX IF EXISTS registry_cert_search_words",
    f"CREATE INDEX registry_cert_search_words ON registry_certificate USING gin ({WORDS})",
    "ANALYZE registry_certificate",
]
PG_BACKWARD = [
    "DROP INDEX IF EXISTS registry_cert_search_trgm",
    "DROP INDEX IF EXISTS registry_cert_search_words",
    "ALTER TABLE registry_certificate DROP COLUMN IF EXISTS search_text",
    f"""
    CREATE INDEX registry_cert_search_trgm ON registry_certificate
    USING gin (registry_normalise({NAMES}) gin_trgm_ops)
    """,
    f"""
    CREATE INDEX registry_cert_search_words ON registry_certificate
    USING gin (registry_search_word_array({NAMES}))
    """,
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
    dependencies = [("registry", "0010_search_word_array")]

    operations = [migrations.RunPython(forward, backward)]
