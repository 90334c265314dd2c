"""The highest value each rule set's certificates reach, read by an index lookup (issue 17).

``selectors.certificate_filter_minimum`` bounds the issue date, for the oldest-first order, by
the sets whose certificates reach the minimum; without this index the highest value of a set
was a scan of its rows. The index is on ``COALESCE(tkdn_ik, 0)`` (``models.set_value``), not on
the column: PostgreSQL answered "worth 60 % or more" by reading the whole of an index on
(rule_set, tkdn_ik) (50 ms) instead of the value's own (2 ms). A plain index build: a few
seconds at 1,000,000 certificates, writes to the table wait meanwhile.
"""

import django.db.models.functions.comparison
from decimal import Decimal
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('applications', '0014_company_region_ids'),
        ('registry', '0011_search_text_column'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='certificate',
            index=models.Index(models.F('rule_set'), django.db.models.functions.comparison.Coalesce(models.F('tkdn_ik'), models.Value(Decimal('0'))), name='registry_cert_rule_set_value'),
        ),
    ]
