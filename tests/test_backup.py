"""Backup and restore, tried once (docs/operations.md): database and media round-trip."""

import subprocess
from pathlib import Path

from django.db import connection

import psycopg2
import pytest

from tests.factories import CertificateFactory, MaterialLineFactory

ROOT = Path(__file__).resolve().parent.parent


def _url(name: str) -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")  # regions, after earlier transactional tests' flush
def test_backup_and_restore_round_trip(settings, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump/pg_restore need PostgreSQL: CI runs this test (DATABASE_URL)")
    line = MaterialLineFactory()  # an evidence file under MEDIA_ROOT
    cert = CertificateFactory()
    source = _url(connection.settings_dict["NAME"])
    restored_name = f"{connection.settings_dict['NAME']}_restored"
    backups = tmp_path / "backups"

    def make(*args):
        out = subprocess.run(
            ["make", "-s", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
        )
        assert out.returncode == 0, out.stdout + out.stderr
        return out.stdout

    make(
        "backup",
        f"DATABASE_URL={source}",
        f"MEDIA_ROOT={settings.MEDIA_ROOT}",
        f"BACKUP_DIR={backups}",
    )
    dump = next(backups.glob("db-*.dump"))
    media = next(backups.glob("media-*.tar.gz"))

    admin = psycopg2.connect(_url("postgres"))
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{restored_name}"')
        cur.execute(f'CREATE DATABASE "{restored_name}"')
    try:
        restored_media = tmp_path / "restored-media"
        make(
            "restore",
            f"DATABASE_URL={_url(restored_name)}",
            f"MEDIA_ROOT={restored_media}",
            f"DB_DUMP={dump}",
            f"MEDIA_TAR={media}",
        )
        with psycopg2.connect(_url(restored_name)) as conn, conn.cursor() as cur:
            cur.execute("SELECT number, tkdn_ik, verification_token FROM registry_certificate")
            assert cur.fetchall() == [(cert.number, cert.tkdn_ik, cert.verification_token)]
            cur.execute("SELECT count(*) FROM applications_regency")
            assert cur.fetchone() == (514,)
        proof = line.purchase_proof.name
        with line.purchase_proof.open("rb") as handle:
            assert (restored_media / proof).read_bytes() == handle.read()
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{restored_name}" WITH (FORCE)')
        admin.close()
