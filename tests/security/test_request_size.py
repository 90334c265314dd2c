"""Request size is bounded before the body is read (issue 16): a declared body over its URL
kind's limit is answered 413 by ``tkdnportal.middleware.RequestSizeLimitMiddleware``, ahead of
the CSRF middleware (which reads a POST body) and of Django's upload parser (which writes file
parts to disk). Before issue 16 a 1 GiB multipart POST was read and spooled to disk.
"""

import io
import re

import pytest

from tests.factories import CompanyFactory

GIB = 1024**3


class TrackedBody(io.BytesIO):
    """A request body that records whether anything read it."""

    def __init__(self, data: bytes = b"x" * 1024):
        super().__init__(data)
        self.reads = 0

    def read(self, *args):
        self.reads += 1
        return super().read(*args)

    def readline(self, *args):
        self.reads += 1
        return super().readline(*args)


def _post(client, path, length, content_type="multipart/form-data; boundary=BoUnDaRy"):
    body = TrackedBody()
    response = client.generic(
        "POST",
        path,
        b"",
        content_type=content_type,
        CONTENT_LENGTH=str(length),
        **{"wsgi.input": body},
    )
    return response, body


@pytest.mark.django_db
def test_a_1_gib_upload_is_refused_413_unread(client):
    client.force_login(CompanyFactory().owner)
    response, body = _post(client, "/ikm/dokumen/", GIB)
    assert response.status_code == 413
    assert body.reads == 0
    text = response.content.decode()
    assert "Permintaan terlalu besar" in text
    assert re.search(r"25[,.]0\s*MB", text)  # the limit, in the locale's format


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/akun/masuk/", "/registri/", "/akun/daftar/"])
def test_pages_without_uploads_take_one_megabyte(client, settings, path):
    response, body = _post(
        client, path, 2 * 1024 * 1024, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    assert body.reads == 0
    assert response["Connection"] == "close"


@pytest.mark.django_db
def test_the_api_answers_413_in_json(client):
    response, body = _post(client, "/api/v1/calculator/", 50 * 1024 * 1024, "application/json")
    assert response.status_code == 413 and body.reads == 0
    assert "terlalu besar" in response.json()["error"]


def test_limits_per_url_kind_are_the_settings(settings):
    from tkdnportal.middleware import RequestSizeLimitMiddleware

    assert settings.REQUEST_MAX_SIZE == 1024 * 1024
    assert settings.UPLOAD_REQUEST_MAX_SIZE == 25 * 1024 * 1024
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= settings.REQUEST_MAX_SIZE
    assert settings.MAX_UPLOAD_SIZE < settings.UPLOAD_REQUEST_MAX_SIZE
    limit = RequestSizeLimitMiddleware.limit_for
    assert limit("/ikm/dokumen/") == limit("/verify/abc/") == limit("/admin/") == 25 * 1024**2
    assert limit("/verifikasi/berkas/") == 25 * 1024**2
    assert limit("/akun/masuk/") == limit("/api/v1/calculator/") == 1024 * 1024
    # The PDF checks of the verification pages take a PDF of REGISTRY_VERIFY_MAX_PDF.
    assert limit("/verify/abc/") > settings.REGISTRY_VERIFY_MAX_PDF


@pytest.mark.django_db
def test_a_request_within_the_limit_goes_through(client):
    client.force_login(CompanyFactory().owner)
    assert client.get("/ikm/dokumen/").status_code == 200
    client.logout()
    response = client.post("/akun/masuk/", {"username": "x", "password": "y"})
    assert response.status_code == 200
