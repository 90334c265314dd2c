"""The highest value each rule set's certificates reach, read by an index lookup (issue 17).

``selectors.certificate_filter_minimum`` bounds the issue date by the sets whose certificates
reach the minimum; without this index the highest value of a set was a scan of its rows. A plain
index build: a few seconds at 1,000,000 certificates, writes to the table wait meanwhile.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0014_company_region_ids"),
        ("registry", "0011_search_text_column"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="certificate",
            index=models.Index(fields=["rule_set", "tkdn_ik"], name="registry_cert_rule_set_value"),
        ),
    ]
