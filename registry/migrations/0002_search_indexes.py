"""Indexes of the public lookup (issue 6).

PostgreSQL: pg_trgm and unaccent, and one trigram GIN index over the normalised (lower-case,
unaccented) company, product and brand names, so partial and typo-tolerant search is index-backed
(``registry.selectors.certificate_search``). ``unaccent()`` is only STABLE, so an IMMUTABLE wrapper
with a fixed dictionary is needed to use it in an index expression.

Both databases: an expression index on the expiry date (COALESCE(extended_until, valid_until)),
used by the status filter, and one on the default order (issue date, sequence), so the first
page of a million certificates is read from the index. These indexes are created with raw SQL
and are not part of the model state (registry/models.py is shared), so makemigrations stays quiet.
"""

from django.db import migrations

PG_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    """
    CREATE OR REPLACE FUNCTION registry_normalise(text) RETURNS text
    AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    """,
    """
    CREATE INDEX IF NOT EXISTS registry_cert_search_trgm ON registry_certificate
    USING gin (registry_normalise(company_name || ' ' || product_name || ' ' || product_brand)
               gin_trgm_ops)
    """,
]
PG_BACKWARD = [
    "DROP INDEX IF EXISTS registry_cert_search_trgm",
    "DROP FUNCTION IF EXISTS registry_normalise(text)",
]
COMMON_FORWARD = [
    "CREATE INDEX IF NOT EXISTS registry_cert_expires_on"
    " ON registry_certificate ((COALESCE(extended_until, valid_until)))",
    "CREATE INDEX IF NOT EXISTS registry_cert_default_order"
    " ON registry_certificate (issue_date DESC, sequence DESC)",
    "CREATE INDEX IF NOT EXISTS registry_cert_status ON registry_certificate (status)",
]
COMMON_BACKWARD = [
    "DROP INDEX IF EXISTS registry_cert_expires_on",
    "DROP INDEX IF EXISTS registry_cert_default_order",
    "DROP INDEX IF EXISTS registry_cert_status",
]


def forward(apps, schema_editor):
    statements = COMMON_FORWARD
    if schema_editor.connection.vendor == "postgresql":
        statements = PG_FORWARD + statements
    for sql in statements:
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    statements = COMMON_BACKWARD
    if schema_editor.connection.vendor == "postgresql":
        statements = PG_BACKWARD + statements
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0001_initial"),
    ]

    operations = [migrations.RunPython(forward, backward)]
