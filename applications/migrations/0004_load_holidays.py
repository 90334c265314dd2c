"""National holidays for the working-day clock (spec §5 [A]: a holiday table kept as data).

2026: the national holidays of the joint decree (SKB 3 Menteri) for 2026; dates of lunar-calendar
holidays are as announced ahead of the year and must be checked against the final decree.
2027: only the fixed-date holidays; officials add the rest in the admin once it is published.
"""

import datetime

from django.db import migrations

HOLIDAYS = [
    ("2026-01-01", "Tahun Baru 2026 Masehi"),
    ("2026-01-16", "Isra Mikraj Nabi Muhammad SAW"),
    ("2026-02-17", "Tahun Baru Imlek 2577 Kongzili"),
    ("2026-03-19", "Hari Suci Nyepi Tahun Baru Saka 1948"),
    ("2026-03-20", "Idul Fitri 1447 Hijriah"),
    ("2026-03-21", "Idul Fitri 1447 Hijriah"),
    ("2026-04-03", "Wafat Yesus Kristus"),
    ("2026-05-01", "Hari Buruh Internasional"),
    ("2026-05-14", "Kenaikan Yesus Kristus"),
    ("2026-05-27", "Idul Adha 1447 Hijriah"),
    ("2026-05-31", "Hari Raya Waisak 2570 BE"),
    ("2026-06-01", "Hari Lahir Pancasila"),
    ("2026-06-16", "Tahun Baru Islam 1448 Hijriah"),
    ("2026-08-17", "Hari Kemerdekaan Republik Indonesia"),
    ("2026-08-25", "Maulid Nabi Muhammad SAW"),
    ("2026-12-25", "Hari Raya Natal"),
    ("2027-01-01", "Tahun Baru 2027 Masehi"),
    ("2027-05-01", "Hari Buruh Internasional"),
    ("2027-06-01", "Hari Lahir Pancasila"),
    ("2027-08-17", "Hari Kemerdekaan Republik Indonesia"),
    ("2027-12-25", "Hari Raya Natal"),
]


def load(apps, schema_editor):
    Holiday = apps.get_model("applications", "Holiday")
    Holiday.objects.bulk_create(
        [Holiday(date=datetime.date.fromisoformat(d), name=n) for d, n in HOLIDAYS],
        ignore_conflicts=True,
    )


def unload(apps, schema_editor):
    Holiday = apps.get_model("applications", "Holiday")
    Holiday.objects.filter(date__in=[datetime.date.fromisoformat(d) for d, _ in HOLIDAYS]).delete()


class Migration(migrations.Migration):
    dependencies = [("applications", "0003_workflow_fields_documents_holidays")]

    operations = [migrations.RunPython(load, unload)]
