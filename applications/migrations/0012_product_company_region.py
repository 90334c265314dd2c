"""The company's region on each of its products, for a regional official's search (issue 17).

A dinas official's application search for a common word (``anyaman``: 75,880 products
nationwide, 10,182 in one province) read every matching product of the country to keep the
province's (the trigram index cannot be combined with a region kept three tables away): 0.8-0.9 s
per page at 1,000,000 certificates. ``company_province`` and ``company_regency`` on the product
table, indexed, let PostgreSQL combine the product-name index with the region's
(``applications.admin.applications._pg_search_condition``).

PostgreSQL only, and outside Django's model: the search that reads them is raw SQL, nothing in
Python writes them. Triggers keep them on every write: a product's insert or change of company
(from the company's row, read ``FOR SHARE`` so that a concurrent move is either waited for or
waits) and a company's change of region (to all its products). The backfill
writes every product once (20 s at 1,250,000 products).
"""

from django.db import migrations

PG_FORWARD = [
    "ALTER TABLE applications_product ADD COLUMN IF NOT EXISTS company_province varchar(2)",
    "ALTER TABLE applications_product ADD COLUMN IF NOT EXISTS company_regency varchar(5)",
    """
    CREATE OR REPLACE FUNCTION applications_product_region() RETURNS trigger AS $$
    BEGIN
        -- FOR SHARE: a move of that company in progress is waited for and read, and a move
        -- that starts now waits for this product (its trigger then updates it).
        SELECT c.province_id, c.regency_id INTO NEW.company_province, NEW.company_regency
        FROM applications_company c WHERE c.id = NEW.company_id FOR SHARE;
        RETURN NEW;
    END $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS applications_product_region ON applications_product",
    """
    CREATE TRIGGER applications_product_region
    BEFORE INSERT OR UPDATE OF company_id, company_province, company_regency
    ON applications_product FOR EACH ROW EXECUTE FUNCTION applications_product_region()
    """,
    """
    CREATE OR REPLACE FUNCTION applications_company_region() RETURNS trigger AS $$
    BEGIN
        UPDATE applications_product
        SET company_province = NEW.province_id, company_regency = NEW.regency_id
        WHERE company_id = NEW.id;
        RETURN NULL;
    END $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS applications_company_region ON applications_company",
    """
    CREATE TRIGGER applications_company_region
    AFTER UPDATE OF province_id, regency_id ON applications_company FOR EACH ROW
    WHEN ((NEW.province_id, NEW.regency_id) IS DISTINCT FROM (OLD.province_id, OLD.regency_id))
    EXECUTE FUNCTION applications_company_region()
    """,
    """
    UPDATE applications_product p
    SET company_province = c.province_id, company_regency = c.regency_id
    FROM applications_company c
    WHERE c.id = p.company_id
      AND (p.company_province, p.company_regency) IS DISTINCT FROM (c.province_id, c.regency_id)
    """,
    "CREATE INDEX IF NOT EXISTS applications_product_company_province"
    " ON applications_product (company_province)",
    "CREATE INDEX IF NOT EXISTS applications_product_company_regency"
    " ON applications_product (company_regency)",
]
PG_BACKWARD = [
    "DROP TRIGGER IF EXISTS applications_company_region ON applications_company",
    "DROP FUNCTION IF EXISTS applications_company_region()",
    "DROP TRIGGER IF EXISTS applications_product_region ON applications_product",
    "DROP FUNCTION IF EXISTS applications_product_region()",
    "ALTER TABLE applications_product DROP COLUMN IF EXISTS company_province",
    "ALTER TABLE applications_product DROP COLUMN IF EXISTS company_regency",
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
    dependencies = [("applications", "0011_registration_walk_in")]

    operations = [migrations.RunPython(forward, backward)]
