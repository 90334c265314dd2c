from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import pytest

from applications.models import SupportingDocument
from tests.applications.portal_helpers import draft_example_2
from tests.factories import PDF_BYTES, CompanyFactory, OfficialFactory, UserFactory

pytestmark = pytest.mark.django_db


def download(kind, pk):
    return reverse("applications:file_download", kwargs={"kind": kind, "pk": pk})


def test_upload_list_and_delete_documents(client):
    company = CompanyFactory()
    client.force_login(company.owner)
    response = client.post(
        "/ikm/dokumen/", {"kind": "NIB", "file": SimpleUploadedFile("NIB saya.pdf", PDF_BYTES)}
    )
    assert response.status_code == 302
    document = SupportingDocument.objects.get()
    assert document.original_name == "NIB saya.pdf" and document.size == len(PDF_BYTES)
    page = client.get("/ikm/dokumen/").content.decode()
    assert "NIB saya.pdf" in page and download("document", document.pk) in page
    assert client.post(f"/ikm/dokumen/{document.pk}/hapus/").status_code == 302
    assert not SupportingDocument.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("foto.png", b"GIF89a" + b"\x00" * 50, "PDF, JPEG, atau PNG"),
        ("skrip.pdf", b"#!/bin/sh\nrm -rf /\n", "PDF, JPEG, atau PNG"),
    ],
)
def test_upload_checks_the_content_type(client, name, content, message):
    company = CompanyFactory()
    client.force_login(company.owner)
    response = client.post(
        "/ikm/dokumen/", {"kind": "NIB", "file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SupportingDocument.objects.exists()


def test_upload_limit_comes_from_the_setting(client, settings):
    settings.MAX_UPLOAD_SIZE = 100
    company = CompanyFactory()
    client.force_login(company.owner)
    response = client.post(
        "/ikm/dokumen/",
        {"kind": "NIB", "file": SimpleUploadedFile("a.pdf", PDF_BYTES + b" " * 200)},
    )
    assert "terlalu besar" in response.content.decode()


def test_owner_and_official_in_jurisdiction_can_download_others_cannot(client):
    application = draft_example_2()  # factory company in 32 / 32.73
    company = application.product.company
    line = application.materials.get(name="Kain")
    document = SupportingDocument.objects.create(
        company=company,
        kind="NIB",
        file=ContentFile(PDF_BYTES, name="nib.pdf"),
        original_name="nib.pdf",
        content_type="application/pdf",
        size=len(PDF_BYTES),
    )
    product = application.product
    product.nie_file.save("nie.pdf", ContentFile(PDF_BYTES))
    urls = [
        download("material", line.pk),
        download("document", document.pk),
        download("nie", product.pk),
    ]

    client.force_login(company.owner)
    for u in urls:
        response = client.get(u)
        assert response.status_code == 200, u
        assert response["Content-Type"] == "application/pdf"
        assert response["Cache-Control"] == "private, no-store"
        assert b"".join(response.streaming_content) == PDF_BYTES

    # An official of the region sees the evidence from submission on, never a draft's (the
    # company's documents are not the draft's: this company has no submitted application yet).
    official = OfficialFactory(province_id="32").user
    client.force_login(official)
    assert [client.get(u).status_code for u in urls] == [404, 404, 404]
    application.__class__.objects.filter(pk=application.pk).update(status="UNDER_REVIEW")
    assert all(client.get(u).status_code == 200 for u in urls)

    for outsider in (
        OfficialFactory(province_id="33").user,
        CompanyFactory().owner,
        UserFactory(),
    ):
        client.force_login(outsider)
        assert all(client.get(u).status_code == 404 for u in urls)
    client.logout()
    assert client.get(urls[0]).status_code == 302


def test_missing_file_or_unknown_kind_is_a_404(client):
    application = draft_example_2()
    client.force_login(application.product.company.owner)
    imported = application.materials.get(name="Pewarna")  # no proof
    assert client.get(download("material", imported.pk)).status_code == 404
    assert client.get(download("sesuatu", 1)).status_code == 404
    assert client.get(download("development", 999999)).status_code == 404


def test_documents_in_use_by_an_assessment_cannot_be_deleted(client):
    application = draft_example_2()
    company = application.product.company
    document = SupportingDocument.objects.create(
        company=company,
        kind="NIB",
        file=ContentFile(PDF_BYTES, name="nib.pdf"),
        original_name="nib.pdf",
        content_type="application/pdf",
        size=len(PDF_BYTES),
    )
    application.__class__.objects.filter(pk=application.pk).update(status="UNDER_REVIEW")
    client.force_login(company.owner)
    response = client.post(f"/ikm/dokumen/{document.pk}/hapus/", follow=True)
    assert "tidak dapat dihapus" in response.content.decode()
    assert SupportingDocument.objects.filter(pk=document.pk).exists()
