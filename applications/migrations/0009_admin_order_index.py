"""The officials' application list at a million rows (issue 17).

The admin's default order (newest submission first, then the id Django adds) from an index,
and, on PostgreSQL, trigram indexes for its search (``ApplicationAdmin.get_search_results``):
product name and brand, company name, on the ``UPPER(...)`` expression Django's ``icontains``
uses, so the search is served by the indexes instead of scanning every product and company.
The trigram indexes are raw SQL (the expression is not a field), so makemigrations stays quiet.
"""

from django.conf import settings
from django.db import migrations, models

TRIGRAM = [
    ("applications_product_name_trgm", "applications_product", "name"),
    ("applications_product_brand_trgm", "applications_product", "brand"),
    ("applications_company_name_trgm", "applications_company", "name"),
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in TRIGRAM:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table}"
            f" USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in TRIGRAM:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0008_outreach_events"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="application",
            index=models.Index(fields=["-submitted_at", "-id"], name="application_admin_order"),
        ),
        migrations.RunPython(forward, backward),
    ]
