"""The company's region on each application, in the admin's order, for a regional official's
list (issue 17).

A dinas official's application list is one region's part of every application, three tables
away from its region (application → product → company). A common word in one province
(``koperasi``: 42,388 applications) was collected whole and sorted for one page (1.1 s at
1,250,000 applications); a walk of the whole table's order in search of the region's matches
gives up when they are sparse there (``kulit``: 0.46 s). ``company_province`` and
``company_regency`` on the application, copied from its product's (migration 0012), with an
index per level in the admin's order, let the page be walked within the region
(``ApplicationAdmin.region_rows``, ``tkdnportal.pagination.PlannedPaginator.walk_within``).

PostgreSQL only, and outside Django's model like 0012's: read through raw SQL conditions
(``applications.admin.applications.held_in_region``), written by triggers only: an
application's insert or change of product (from the product's row) and a product's change of
region, itself kept from its company's (0012), so a company's move reaches its applications.
The backfill writes every application once.
"""

from django.db import migrations

PG_FORWARD = [
    "ALTER TABLE applications_application ADD COLUMN IF NOT EXISTS company_province varchar(2)",
    "ALTER TABLE applications_application ADD COLUMN IF NOT EXISTS company_regency varchar(5)",
    """
    CREATE OR REPLACE FUNCTION applications_application_region() RETURNS trigger AS $$
    BEGIN
        -- FOR SHARE: see 0012 (a move reaches the product, then its applications).
        SELECT p.company_province, p.company_regency
        INTO NEW.company_province, NEW.company_regency
        FROM applications_product p WHERE p.id = NEW.product_id FOR SHARE;
        RETURN NEW;
    END $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS applications_application_region ON applications_application",
    """
    CREATE TRIGGER applications_application_region
    BEFORE INSERT OR UPDATE OF product_id, company_province, company_regency
    ON applications_application FOR EACH ROW EXECUTE FUNCTION applications_application_region()
    """,
    """
    CREATE OR REPLACE FUNCTION applications_product_region_moved() RETURNS trigger AS $$
    BEGIN
        UPDATE applications_application
        SET company_province = NEW.company_province, company_regency = NEW.company_regency
        WHERE product_id = NEW.id;
        RETURN NULL;
    END $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS applications_product_region_moved ON applications_product",
    """
    CREATE TRIGGER applications_product_region_moved
    AFTER UPDATE OF company_id, company_province, company_regency ON applications_product
    FOR EACH ROW
    WHEN ((NEW.company_province, NEW.company_regency)
          IS DISTINCT FROM (OLD.company_province, OLD.company_regency))
    EXECUTE FUNCTION applications_product_region_moved()
    """,
    """
    UPDATE applications_application a
    SET company_province = p.company_province, company_regency = p.company_regency
    FROM applications_product p
    WHERE p.id = a.product_id
      AND (a.company_province, a.company_regency)
          IS DISTINCT FROM (p.company_province, p.company_regency)
    """,
    "CREATE INDEX IF NOT EXISTS applications_application_province_order"
    " ON applications_application (company_province, submitted_at DESC, id DESC)",
    "CREATE INDEX IF NOT EXISTS applications_application_regency_order"
    " ON applications_application (company_regency, submitted_at DESC, id DESC)",
]
PG_BACKWARD = [
    "DROP TRIGGER IF EXISTS applications_product_region_moved ON applications_product",
    "DROP FUNCTION IF EXISTS applications_product_region_moved()",
    "DROP TRIGGER IF EXISTS applications_application_region ON applications_application",
    "DROP FUNCTION IF EXISTS applications_application_region()",
    "ALTER TABLE applications_application DROP COLUMN IF EXISTS company_province",
    "ALTER TABLE applications_application DROP COLUMN IF EXISTS company_regency",
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
    dependencies = [("applications", "0012_product_company_region")]

    operations = [migrations.RunPython(forward, backward)]
