"""A finer histogram of the searched text, so PostgreSQL estimates a word's matches (issue 17).

The trigram index's expression (company, product and brand names, normalised: migration 0002) had
the default statistics target, 100: a histogram of 101 names, in which a word found in 3 % of
the register is usually absent, so every text search was estimated at the 0.01 % floor (100 rows
at 1,000,000, for 27,740 real ones). With that estimate the planner never combined the text's
index with a filter's (a regional official's search read 26,000 heap pages where the two indexes
together leave 863). With 1,000 the estimate is within 10 % for any word above 0.1 % of the
register (26,026 for 27,740), at the cost of a longer ANALYZE of the table (1.3 s -> 15 s at
1,000,000, in the background as autovacuum runs it) and a planning step that matches the word
against 1,001 names (a fraction of a millisecond). PostgreSQL only.
"""

from django.db import migrations

INDEX = "registry_cert_search_trgm"
TARGET = 1000


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER INDEX {INDEX} ALTER COLUMN 1 SET STATISTICS {TARGET}")
        schema_editor.execute("ANALYZE registry_certificate")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER INDEX {INDEX} ALTER COLUMN 1 SET STATISTICS -1")


class Migration(migrations.Migration):
    atomic = False  # the ANALYZE (15 s at 1,000,000) need not hold a transaction open

    dependencies = [("registry", "0008_certificate_holder_region")]

    operations = [migrations.RunPython(forward, backward)]
