"""Load Indonesia's 38 provinces and 514 regencies/cities (source: applications/data/SOURCE.md)."""

import csv
from pathlib import Path

from django.db import migrations

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def _rows(name):
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def load_regions(apps, schema_editor):
    Province = apps.get_model("applications", "Province")
    Regency = apps.get_model("applications", "Regency")
    provinces = [Province(code=r["code"], name=r["name"]) for r in _rows("provinces.csv")]
    Province.objects.bulk_create(provinces, ignore_conflicts=True)
    regencies = [
        Regency(code=r["code"], province_id=r["province_code"], name=r["name"])
        for r in _rows("regencies.csv")
    ]
    Regency.objects.bulk_create(regencies, ignore_conflicts=True, batch_size=200)


def unload_regions(apps, schema_editor):
    apps.get_model("applications", "Regency").objects.all().delete()
    apps.get_model("applications", "Province").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("applications", "0001_initial")]

    operations = [migrations.RunPython(load_regions, unload_regions)]
