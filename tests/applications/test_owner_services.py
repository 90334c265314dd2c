from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

import pytest

from applications import services
from applications.exceptions import WorkflowError
from applications.forms import line_formsets
from applications.models import Application, ApplicationSnapshot, SupportingDocument
from tests.applications.portal_helpers import draft_example_2, formset_post
from tests.factories import JPEG_BYTES, PDF_BYTES, CompanyFactory

# These tests cover the IK-2022 forms and flows; IK-2025 has its own tests (test_ik2025_*.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ik_2022_in_force")]
S = Application.Status


def submit(application, django_capture_on_commit_callbacks):
    owner = application.product.company.owner
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application=application, actor=owner, declared=True)
    application.refresh_from_db()
    return application


def test_submit_snapshots_and_runs_the_calculation_after_commit(
    django_capture_on_commit_callbacks,
):
    application = submit(draft_example_2(), django_capture_on_commit_callbacks)
    assert application.status == S.UNDER_REVIEW
    assert str(application.tkdn_ik) == "25.00"
    assert application.declared_at is not None
    snapshot = application.snapshots.get()
    assert snapshot.version == 1
    assert [m["name"] for m in snapshot.data["materials"]] == ["Kain", "Pewarna"]
    assert snapshot.data["product"]["kbli"] == application.product.kbli


def test_submit_needs_the_declaration_and_passing_checks():
    application = draft_example_2()
    owner = application.product.company.owner
    with pytest.raises(WorkflowError, match="pernyataan"):
        services.application_submit(application=application, actor=owner, declared=False)
    application.materials.update(purchase_proof="")
    with pytest.raises(WorkflowError, match="Bukti pembelian"):
        services.application_submit(application=application, actor=owner, declared=True)
    application.refresh_from_db()
    assert application.status == S.DRAFT
    assert not ApplicationSnapshot.objects.exists()


def test_resubmission_after_revision_keeps_the_earlier_version(
    django_capture_on_commit_callbacks,
):
    application = submit(draft_example_2(), django_capture_on_commit_callbacks)
    services.application_transition(
        application=application, to_status=S.NEEDS_REVISION, note="Faktur kain tidak terbaca."
    )
    application.materials.filter(name="Pewarna").update(name="Pewarna alami")
    application = submit(application, django_capture_on_commit_callbacks)
    versions = list(application.snapshots.values_list("version", flat=True))
    assert versions == [1, 2]
    first, second = application.snapshots.all()
    assert first.data["materials"][1]["name"] == "Pewarna"
    assert second.data["materials"][1]["name"] == "Pewarna alami"


def test_draft_save_is_refused_once_submitted(django_capture_on_commit_callbacks):
    application = draft_example_2()
    data = formset_post(application, **{"materials-1-name": "Pewarna sintetis"})
    formsets = line_formsets(application, data)
    assert all(fs.is_valid() for fs in formsets.values())
    submit(application, django_capture_on_commit_callbacks)
    with pytest.raises(WorkflowError):
        services.application_draft_save(application=application, formsets=formsets.values())
    assert not application.materials.filter(name="Pewarna sintetis").exists()


def test_draft_save_numbers_rows_and_deletes(django_capture_on_commit_callbacks):
    application = draft_example_2()
    data = formset_post(application, **{"materials-0-DELETE": "on"})
    formsets = line_formsets(application, data)
    assert all(fs.is_valid() for fs in formsets.values())
    services.application_draft_save(application=application, formsets=formsets.values())
    assert list(application.materials.values_list("name", "position")) == [("Pewarna", 0)]


def test_withdraw_and_copy_a_rejected_application(django_capture_on_commit_callbacks):
    application = draft_example_2()
    owner = application.product.company.owner
    application.materials.filter(name="Kain").update(unit_price_rp=1000)  # → below 25
    application = submit(application, django_capture_on_commit_callbacks)
    assert application.status == S.REJECTED and application.reason_code == "BELOW_THRESHOLD"
    copy = services.application_copy(application=application, actor=owner)
    assert copy.status == S.DRAFT and copy.pk != application.pk
    assert copy.materials.count() == 2
    assert copy.materials.get(name="Kain").purchase_proof.name == (
        application.materials.get(name="Kain").purchase_proof.name
    )
    services.application_withdraw(application=copy, actor=owner)
    copy.refresh_from_db()
    assert copy.status == S.WITHDRAWN
    with pytest.raises(WorkflowError):
        services.application_copy(application=draft_example_2(), actor=owner)


def test_renewal_when_the_product_has_a_certificate():
    application = draft_example_2()
    Application.objects.filter(pk=application.pk).update(status=S.ISSUED)
    renewal = services.application_start(product=application.product, actor=None)
    assert renewal.is_renewal is True
    with pytest.raises(WorkflowError):
        services.application_start(product=application.product, actor=None)


def test_product_under_assessment_cannot_change(django_capture_on_commit_callbacks):
    application = submit(draft_example_2(), django_capture_on_commit_callbacks)
    product = application.product
    with pytest.raises(WorkflowError):
        services.product_save(company=product.company, fields={"name": "Baru"}, product=product)


def test_document_upload_sniffs_and_stores_privately():
    company = CompanyFactory()
    document = services.document_upload(
        company=company, kind="NIB", file=SimpleUploadedFile("nib.pdf", PDF_BYTES)
    )
    assert document.content_type == "application/pdf"
    assert document.file.name.startswith("private/supportingdocument/")
    assert "nib" not in document.file.name
    with pytest.raises(ValidationError):
        services.document_upload(
            company=company, kind="NIB", file=SimpleUploadedFile("nib.pdf", b"<html>")
        )
    assert SupportingDocument.objects.count() == 1


def test_snapshot_lists_company_documents_and_this_products_photos(
    django_capture_on_commit_callbacks,
):
    application = draft_example_2()
    company = application.product.company
    services.document_upload(
        company=company, kind="NIB", file=SimpleUploadedFile("nib.pdf", PDF_BYTES)
    )
    other = draft_example_2(owner=company.owner).product
    services.document_upload(
        company=company,
        kind="PRODUCT_PHOTO",
        product=other,
        file=SimpleUploadedFile("lain.jpg", JPEG_BYTES),
    )
    application = submit(application, django_capture_on_commit_callbacks)
    names = [d["original_name"] for d in application.snapshots.get().data["documents"]]
    assert names == ["nib.pdf"]
