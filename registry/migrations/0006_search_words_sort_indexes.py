"""Lookups that stay fast for queries nobody made before (issue 17).

Sort indexes: every order the lookup and the API offer (registry.filters.SORTS) reads its first
page from an index. Issue date and number had one; company name and the TKDN-IK value (with the
id as the tie-breaker the sort uses) get theirs here, and each order also within a province.

PostgreSQL: the distinct words of the searched text (company, product and brand names,
normalised like the trigram index of 0002) in ``registry_search_word``, with a trigram index, as
the pg_trgm documentation suggests for typo tolerance: a misspelt word is matched against the
few thousand distinct words (milliseconds), and the certificates are then found with the fast
substring search of the similar words, instead of rechecking the similarity of every candidate
certificate (``menari`` at a million certificates: 73,603 candidates rechecked, 1.7 s). A trigger
adds the words of every new or renamed certificate (COPY of the seed command included); words
are never removed (a word without certificates only costs a substring search that finds none).

Raw SQL like 0002 and 0003 (the table and the trigger are not Django models), so makemigrations
stays quiet.
"""

from django.db import migrations

SEARCH_TEXT = "company_name || ' ' || product_name || ' ' || product_brand"

COMMON_FORWARD = [
    "CREATE INDEX IF NOT EXISTS registry_cert_company_order"
    " ON registry_certificate (company_name, id)",
    "CREATE INDEX IF NOT EXISTS registry_cert_tkdn_order ON registry_certificate (tkdn_ik, id)",
    # The same orders within a province, the commonest filter: without them a sort whose order
    # puts the province's rows last (the number starts with the region code) walks the whole
    # index before the first match (province 92 sorted by number: 2.2 s at 576,266).
    "CREATE INDEX IF NOT EXISTS registry_cert_province_number"
    " ON registry_certificate (province_id, number)",
    "CREATE INDEX IF NOT EXISTS registry_cert_province_company"
    " ON registry_certificate (province_id, company_name, id)",
    "CREATE INDEX IF NOT EXISTS registry_cert_province_tkdn"
    " ON registry_certificate (province_id, tkdn_ik, id)",
]
COMMON_BACKWARD = [
    "DROP INDEX IF EXISTS registry_cert_province_number",
    "DROP INDEX IF EXISTS registry_cert_province_company",
    "DROP INDEX IF EXISTS registry_cert_province_tkdn",
    "DROP INDEX IF EXISTS registry_cert_company_order",
    "DROP INDEX IF EXISTS registry_cert_tkdn_order",
]
PG_FORWARD = [
    "CREATE TABLE IF NOT EXISTS registry_search_word (word text PRIMARY KEY)",
    "CREATE INDEX IF NOT EXISTS registry_search_word_trgm"
    " ON registry_search_word USING gin (word gin_trgm_ops)",
    # The words of a text as the search sees them: normalised, split on anything that is not a
    # letter or digit, three characters or more (shorter ones have too few trigrams to compare).
    r"""
    CREATE OR REPLACE FUNCTION registry_search_words(text) RETURNS SETOF text
    AS $$ SELECT DISTINCT w FROM regexp_split_to_table(registry_normalise($1), '[^[:alnum:]]+') w
          WHERE length(w) >= 3 $$
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    """,
    """
    CREATE OR REPLACE FUNCTION registry_search_word_collect() RETURNS trigger AS $$
    BEGIN
        INSERT INTO registry_search_word (word)
        SELECT registry_search_words(
            NEW.company_name || ' ' || NEW.product_name || ' ' || NEW.product_brand
        )
        ON CONFLICT DO NOTHING;
        RETURN NULL;
    END $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS registry_search_word_collect ON registry_certificate",
    """
    CREATE TRIGGER registry_search_word_collect
    AFTER INSERT OR UPDATE OF company_name, product_name, product_brand ON registry_certificate
    FOR EACH ROW EXECUTE FUNCTION registry_search_word_collect()
    """,
    f"""
    INSERT INTO registry_search_word (word)
    SELECT DISTINCT registry_search_words({SEARCH_TEXT}) FROM registry_certificate
    ON CONFLICT DO NOTHING
    """,
]
PG_BACKWARD = [
    "DROP TRIGGER IF EXISTS registry_search_word_collect ON registry_certificate",
    "DROP FUNCTION IF EXISTS registry_search_word_collect()",
    "DROP FUNCTION IF EXISTS registry_search_words(text)",
    "DROP TABLE IF EXISTS registry_search_word",
]


def forward(apps, schema_editor):
    statements = list(COMMON_FORWARD)
    if schema_editor.connection.vendor == "postgresql":
        statements += PG_FORWARD
    for sql in statements:
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    statements = list(COMMON_BACKWARD)
    if schema_editor.connection.vendor == "postgresql":
        statements = PG_BACKWARD + statements
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0005_programme_coverage_reminders"),
    ]

    operations = [migrations.RunPython(forward, backward)]
