"""Where a certificate's company is now, on the certificate itself (issue 17).

A dinas official sees the certificates of the companies whose factory lies in their jurisdiction
*now* (``applications.selectors.application_scope``): three joins from the certificate. A word
with 30,000 matches nationwide read all of them through those joins to keep one province's 800
(the admin's certificate search at 1,000,000: p99 1.07 s). The certificate's own region columns
(its snapshot) are the same region unless the company moved its factory since; for those few,
``holder_province`` and ``holder_regency`` say where it is now (both NULL otherwise). The list is
then narrowed through the certificate's own columns (``registry.selectors.certificates_held_in``),
whose indexes hold each region's certificates in the admin's order, and the join still decides.

PostgreSQL triggers keep the two columns on every write, whatever writes it (forms, admin,
``QuerySet.update``, SQL): a company's region, a product's company, an application's product,
and a certificate's insert or snapshot. The backfill writes only the certificates of companies
that moved (a join over the register, once). SQLite has no triggers here and reads the join
alone (the columns stay NULL and are not used there).
"""

from django.db import migrations, models

# The company's current region for the certificate ``c`` (joined as ``co``), or NULL when it
# is the snapshot's.
HOLDER = """
    holder_province = CASE WHEN co.province_id = c.province_id AND co.regency_id = c.regency_id
                           THEN NULL ELSE co.province_id END,
    holder_regency = CASE WHEN co.province_id = c.province_id AND co.regency_id = c.regency_id
                          THEN NULL ELSE co.regency_id END
"""
JOINS = """
    FROM applications_application a
    JOIN applications_product p ON p.id = a.product_id
    JOIN applications_company co ON co.id = p.company_id
    WHERE c.application_id = a.id
"""
CHANGED = """
    AND (c.holder_province IS DISTINCT FROM CASE WHEN co.province_id = c.province_id
             AND co.regency_id = c.regency_id THEN NULL ELSE co.province_id END
         OR c.holder_regency IS DISTINCT FROM CASE WHEN co.province_id = c.province_id
             AND co.regency_id = c.regency_id THEN NULL ELSE co.regency_id END)
"""


def _refresh(condition: str) -> str:
    """An UPDATE of the holder columns of the certificates ``condition`` selects."""
    return f"UPDATE registry_certificate c SET {HOLDER} {JOINS} AND {condition} {CHANGED};"


def _row(alias: str, columns: str) -> str:
    """``(NEW.a, NEW.b)`` for ``alias`` NEW and ``columns`` "a, b"."""
    return "(" + ", ".join(f"{alias}.{column.strip()}" for column in columns.split(",")) + ")"


# (trigger, table, columns whose change moves a certificate, condition on the joined rows)
UPSTREAM = [
    ("registry_holder_company", "applications_company", "province_id, regency_id", "co.id = NEW.id"),
    ("registry_holder_product", "applications_product", "company_id", "p.id = NEW.id"),
    ("registry_holder_application", "applications_application", "product_id", "a.id = NEW.id"),
]

PG_FORWARD = [
    f"""
    CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
    BEGIN
        {_refresh(condition)}
        RETURN NULL;
    END $$ LANGUAGE plpgsql
    """
    for name, _table, _columns, condition in UPSTREAM
] + [
    statement
    for name, table, _columns, _condition in UPSTREAM
    for statement in (f"DROP TRIGGER IF EXISTS {name} ON {table}",)
] + [
    f"""
    CREATE TRIGGER {name} AFTER UPDATE OF {columns} ON {table}
    FOR EACH ROW WHEN ({_row("NEW", columns)} IS DISTINCT FROM {_row("OLD", columns)})
    EXECUTE FUNCTION {name}()
    """
    for name, table, columns, _condition in UPSTREAM
] + [
    """
    CREATE OR REPLACE FUNCTION registry_holder_certificate() RETURNS trigger AS $$
    DECLARE
        now_province text;
        now_regency text;
    BEGIN
        SELECT co.province_id, co.regency_id INTO now_province, now_regency
        FROM applications_application a
        JOIN applications_product p ON p.id = a.product_id
        JOIN applications_company co ON co.id = p.company_id
        WHERE a.id = NEW.application_id;
        IF now_province = NEW.province_id AND now_regency = NEW.regency_id THEN
            NEW.holder_province := NULL;
            NEW.holder_regency := NULL;
        ELSE
            NEW.holder_province := now_province;
            NEW.holder_regency := now_regency;
        END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS registry_holder_certificate ON registry_certificate",
    """
    CREATE TRIGGER registry_holder_certificate
    BEFORE INSERT OR UPDATE OF application_id, province_id, regency_id ON registry_certificate
    FOR EACH ROW EXECUTE FUNCTION registry_holder_certificate()
    """,
    # The backfill: only the certificates of companies that moved are written.
    f"UPDATE registry_certificate c SET {HOLDER} {JOINS} {CHANGED}",
] + [
    # A region's certificates in the admin's order (newest first), for a regional official's
    # list: its page is walked within the region and the walk's bound read index-only (the
    # columns of the expression are included for that). 1.1-1.4 s each at 1,000,000.
    f"""
    CREATE INDEX IF NOT EXISTS registry_cert_held_{level}_order ON registry_certificate
    ((COALESCE(holder_{level}, {level}_id)), issue_date DESC, sequence DESC, id DESC)
    INCLUDE (holder_{level}, {level}_id)
    """
    for level in ("province", "regency")
]
PG_BACKWARD = [
    "DROP INDEX IF EXISTS registry_cert_held_province_order",
    "DROP INDEX IF EXISTS registry_cert_held_regency_order",
    "DROP TRIGGER IF EXISTS registry_holder_certificate ON registry_certificate",
    "DROP FUNCTION IF EXISTS registry_holder_certificate()",
] + [
    statement
    for name, table, _columns, _condition in UPSTREAM
    for statement in (
        f"DROP TRIGGER IF EXISTS {name} ON {table}",
        f"DROP FUNCTION IF EXISTS {name}()",
    )
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
    dependencies = [
        ("applications", "0011_registration_walk_in"),
        ("registry", "0007_rule_set_issued_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="certificate",
            name="holder_province",
            field=models.CharField(editable=False, max_length=2, null=True),
        ),
        migrations.AddField(
            model_name="certificate",
            name="holder_regency",
            field=models.CharField(editable=False, max_length=5, null=True),
        ),
        migrations.RunPython(forward, backward),
    ]
