import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Every test writes uploads and PDFs to its own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    # The server-side page cache is off unless a test turns it on
    # (tests/registry/test_lookup_performance.py): the locmem cache outlives a rollback.
    settings.REGISTRY_PAGE_CACHE_SECONDS = 0


@pytest.fixture
def reference_data(db):
    """Regions and holidays as the data migrations load them, put back when an earlier
    transactional test flushed every table. For ``transaction=True`` tests that cannot rely on
    ``serialized_rollback`` (its reload collides with content types recreated by a flush)."""
    from importlib import import_module

    from django.apps import apps

    from applications.models import Holiday, Province

    if not Province.objects.exists():
        import_module("applications.migrations.0002_load_regions").load_regions(apps, None)
    if not Holiday.objects.exists():
        import_module("applications.migrations.0004_load_holidays").load(apps, None)


@pytest.fixture
def ik_2022_in_force(settings):
    """IK-2022 as the rule set in force today, as it was for submissions before 12 Dec 2025.

    For the tests of the IK-2022 forms and flows (yes/no material origin, overhead lines,
    development points). The operator's setting moves IK-2025's start beyond today; the
    tests of today's default (IK-2025) do not use this fixture.
    """
    settings.TKDN_RULE_SET_IN_FORCE_FROM = {"IK-2025": "2099-12-31"}
