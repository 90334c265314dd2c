"""Index of the lookup's commonest filter pair (issue 7): province + KBLI, in the default order.

With only the single-column indexes, PostgreSQL either ANDs two large bitmaps (the count: 40 ms
on a million certificates) or walks the (issue_date, sequence) index and discards thousands of
rows of other provinces and KBLI codes (the first page: 70 ms). This index serves both: the
capped count reads one narrow range, the first page reads it in order and stops after 20 rows.
Raw SQL like 0002 (registry/models.py is shared), so makemigrations stays quiet.
"""

from django.db import migrations

FORWARD = (
    "CREATE INDEX IF NOT EXISTS registry_cert_region_kbli_order ON registry_certificate"
    " (province_id, kbli, issue_date DESC, sequence DESC)"
)
BACKWARD = "DROP INDEX IF EXISTS registry_cert_region_kbli_order"


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0002_search_indexes"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
