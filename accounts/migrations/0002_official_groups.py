"""Groups of officials with their permissions (issue 5).

"Petugas Dinas": region-scoped reviewers (the admin restricts every queryset to the official's
jurisdiction, ``applications.selectors.applications_visible_to``): they view applications and their
data, decide (change_application), and revoke/extend certificates (change_certificate).
"Administrator Kemenperin": all regions, plus the reference data officials do not edit: holidays,
officials' jurisdictions, users.

Permissions are normally created after all migrations (post_migrate); they are created here first
so the groups get them on a fresh database. The names are constants in applications/selectors.py;
they are copied here because a migration must not import code that may change.
"""

from django.db import migrations

OFFICIAL_GROUP = "Petugas Dinas"
NATIONAL_ADMIN_GROUP = "Administrator Kemenperin"

OFFICIAL_PERMISSIONS = [
    ("applications", "view_application"),
    ("applications", "change_application"),
    ("applications", "view_company"),
    ("applications", "view_product"),
    ("applications", "view_materialline"),
    ("applications", "view_labourline"),
    ("applications", "view_overheadline"),
    ("applications", "view_developmentitem"),
    ("applications", "view_statuschange"),
    ("applications", "view_applicationsnapshot"),
    ("applications", "view_supportingdocument"),
    ("applications", "view_holiday"),
    ("registry", "view_certificate"),
    ("registry", "change_certificate"),
]
NATIONAL_ADMIN_PERMISSIONS = OFFICIAL_PERMISSIONS + [
    ("applications", "add_holiday"),
    ("applications", "change_holiday"),
    ("applications", "delete_holiday"),
    ("applications", "view_official"),
    ("applications", "add_official"),
    ("applications", "change_official"),
    ("applications", "view_province"),
    ("applications", "view_regency"),
    ("accounts", "view_user"),
]
GROUPS = {OFFICIAL_GROUP: OFFICIAL_PERMISSIONS, NATIONAL_ADMIN_GROUP: NATIONAL_ADMIN_PERMISSIONS}


def _ensure_permissions(apps):
    from django.contrib.auth.management import create_permissions

    for app_label in ("accounts", "applications", "registry"):
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def create_groups(apps, schema_editor):
    _ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codes in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codename in codes:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def delete_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=list(GROUPS)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("applications", "0004_load_holidays"),
        ("registry", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
