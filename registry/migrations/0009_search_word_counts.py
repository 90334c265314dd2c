"""How many certificates hold each word of the searched text (issue 17).

The lookup's capped count ("more than 1,000") of a common word built the trigram index's bitmap
of every candidate and visited the register until 1,001 matched: 13-14 ms of a lookup's 18 ms of
SQL at 1,000,000 certificates, for every such request. A text of one word inside a word held by
more than 1,000 certificates has more than 1,000 matches, and the table of distinct words
(``registry_search_word``, migration 0006) answers that at once once it counts them:
``certificates`` is the number of certificates whose text holds the word, kept exact by the
trigger on every insert, rename and delete (in word order, so two writers never wait on each
other's words crosswise). A word whose certificates are all gone counts 0 and no longer makes a
text "part of some name" (``registry.selectors._in_some_name``). PostgreSQL only.
"""

from django.db import migrations

SEARCH_TEXT = "company_name || ' ' || product_name || ' ' || product_brand"

# Every word's count, recomputed from the register (also ``seed_registry``'s last step).
RECOUNT = f"""
    INSERT INTO registry_search_word (word, certificates)
    SELECT word, count(*) FROM (
        SELECT registry_search_words({SEARCH_TEXT}) AS word FROM registry_certificate
    ) words GROUP BY word
    ON CONFLICT (word) DO UPDATE SET certificates = EXCLUDED.certificates
"""

PG_FORWARD = [
    "ALTER TABLE registry_search_word"
    " ADD COLUMN IF NOT EXISTS certificates integer NOT NULL DEFAULT 0",
    """
    CREATE OR REPLACE FUNCTION registry_search_word_collect() RETURNS trigger AS $$
    DECLARE
        added text;
        removed text;
    BEGIN
        IF TG_OP <> 'DELETE' THEN
            added := NEW.company_name || ' ' || NEW.product_name || ' ' || NEW.product_brand;
        END IF;
        IF TG_OP <> 'INSERT' THEN
            removed := OLD.company_name || ' ' || OLD.product_name || ' ' || OLD.product_brand;
        END IF;
        INSERT INTO registry_search_word AS w (word, certificates)
        SELECT word, sum(change)::integer FROM (
            SELECT registry_search_words(added) AS word, 1 AS change
            UNION ALL
            SELECT registry_search_words(removed), -1
        ) changes
        GROUP BY word HAVING sum(change) <> 0 ORDER BY word
        ON CONFLICT (word) DO UPDATE SET certificates = w.certificates + EXCLUDED.certificates;
        RETURN NULL;
    END $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS registry_search_word_collect ON registry_certificate",
    """
    CREATE TRIGGER registry_search_word_collect
    AFTER INSERT OR DELETE OR UPDATE OF company_name, product_name, product_brand
    ON registry_certificate FOR EACH ROW EXECUTE FUNCTION registry_search_word_collect()
    """,
    # TRUNCATE fires no row trigger (``manage.py flush``, a test database's teardown): the
    # counts go with the certificates.
    """
    CREATE OR REPLACE FUNCTION registry_search_word_truncate() RETURNS trigger AS $$
    BEGIN
        DELETE FROM registry_search_word;
        RETURN NULL;
    END $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS registry_search_word_truncate ON registry_certificate",
    """
    CREATE TRIGGER registry_search_word_truncate AFTER TRUNCATE ON registry_certificate
    FOR EACH STATEMENT EXECUTE FUNCTION registry_search_word_truncate()
    """,
    RECOUNT,
]
PG_BACKWARD = [
    "DROP TRIGGER IF EXISTS registry_search_word_truncate ON registry_certificate",
    "DROP FUNCTION IF EXISTS registry_search_word_truncate()",
    "DROP TRIGGER IF EXISTS registry_search_word_collect ON registry_certificate",
    # 0006's function: words are added, never counted.
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
    """
    CREATE TRIGGER registry_search_word_collect
    AFTER INSERT OR UPDATE OF company_name, product_name, product_brand ON registry_certificate
    FOR EACH ROW EXECUTE FUNCTION registry_search_word_collect()
    """,
    "ALTER TABLE registry_search_word DROP COLUMN IF EXISTS certificates",
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
    dependencies = [("registry", "0008_certificate_holder_region")]

    operations = [migrations.RunPython(forward, backward)]
