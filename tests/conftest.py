import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Every test writes uploads and PDFs to its own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    # The server-side page cache is off unless a test turns it on
    # (tests/registry/test_lookup_performance.py): the locmem cache outlives a rollback.
    settings.REGISTRY_PAGE_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def _replica_reads_only_where_allowed(request, settings):
    """Public reads go to the replica (a test mirror: tkdnportal/settings_test.py) only in tests
    that allow the "replica" database (``django_db(databases=[..., "replica"])``); the others
    keep their rows in a transaction that the replica's connection cannot see."""
    marker = request.node.get_closest_marker("django_db")
    databases = marker.kwargs.get("databases") if marker else None
    if not databases or (databases != "__all__" and "replica" not in databases):
        settings.DATABASE_REPLICA_ALIAS = ""


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


@pytest.fixture(scope="session")
def s3_server():
    """A real S3 API server (moto in server mode) on a free port, for the whole session.

    Started only when a test asks for ``s3_media``; the portal talks to it over HTTP with boto3
    exactly as it talks to MinIO, Ceph or AWS S3 (tests/test_storage.py).
    """
    import logging
    import socket

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_media(settings, s3_server):
    """Media on a fresh private bucket of the S3 server, as ``AWS_STORAGE_BUCKET_NAME`` sets it.

    Returns the boto3 bucket, to look at the objects. MEDIA_ROOT stays the test's own folder, so
    a test can check that nothing lands on local disk.
    """
    import uuid

    import boto3

    name = f"tkdn-test-{uuid.uuid4().hex[:12]}"
    options = {
        **settings.MEDIA_S3_OPTIONS,
        "bucket_name": name,
        "endpoint_url": s3_server,
        "region_name": "us-east-1",
        "access_key": "test-access-key",
        "secret_key": "test-secret-key",  # noqa: S105 - the fake server's
        "addressing_style": "path",
    }
    bucket = boto3.resource(
        "s3",
        endpoint_url=s3_server,
        region_name="us-east-1",
        aws_access_key_id="test-access-key",
        aws_secret_access_key="test-secret-key",  # noqa: S106
    ).Bucket(name)
    bucket.create()
    settings.MEDIA_S3_OPTIONS = options
    settings.AWS_STORAGE_BUCKET_NAME = name
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
    }
    yield bucket
    bucket.objects.all().delete()
    bucket.delete()
