# Rule sets are effective-dated (spec §8): IK-2025 material origin and certified-component
# evidence, the product's production facility; every existing application keeps IK-2022.

import applications.models
from django.db import migrations, models


def existing_data_keeps_ik_2022(apps, schema_editor):
    # Everything stored before rule sets were effective-dated was computed under IK-2022
    # (Permenperin 46/2022); an empty code would fall back to nothing, so name it.
    Application = apps.get_model("applications", "Application")
    Application.objects.filter(rule_set="").update(rule_set="IK-2022")


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0004_load_holidays"),
    ]

    operations = [
        migrations.AddField(
            model_name="product",
            name="facility",
            field=models.CharField(
                blank=True,
                choices=[
                    ("own", "Pabrik/bengkel sendiri di Indonesia"),
                    ("other_company", "Fasilitas produksi milik perusahaan lain"),
                    ("other_industry", "Dibuatkan oleh industri lain"),
                    ("none", "Tidak ada investasi fasilitas produksi"),
                ],
                max_length=20,
                verbose_name="fasilitas produksi",
            ),
        ),
        migrations.AddField(
            model_name="materialline",
            name="origin",
            field=models.CharField(
                blank=True,
                choices=[
                    ("local", "Lokal"),
                    ("local_with_imports", "Lokal, mengandung impor"),
                    ("imported", "Impor"),
                    ("certified", "Bersertifikat TKDN"),
                ],
                max_length=20,
                verbose_name="asal bahan",
            ),
        ),
        migrations.AddField(
            model_name="materialline",
            name="component_certificate_number",
            field=models.CharField(
                blank=True, max_length=60, verbose_name="nomor sertifikat TKDN komponen"
            ),
        ),
        migrations.AddField(
            model_name="materialline",
            name="component_certificate",
            field=models.FileField(
                blank=True,
                upload_to=applications.models.private_upload_to,
                verbose_name="berkas sertifikat TKDN komponen",
            ),
        ),
        migrations.RunPython(existing_data_keeps_ik_2022, migrations.RunPython.noop),
    ]
