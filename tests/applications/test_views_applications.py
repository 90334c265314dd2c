from django.core.files.uploadedfile import SimpleUploadedFile

import pytest

from applications.models import Application
from applications.services import application_transition
from tests.applications.portal_helpers import draft_example_2, formset_post
from tests.factories import PDF_BYTES, CompanyFactory, OfficialFactory

# These tests cover the IK-2022 forms and flows; IK-2025 has its own tests (test_ik2025_*.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ik_2022_in_force")]
S = Application.Status


def url(application, suffix=""):
    return f"/ikm/permohonan/{application.public_id}/{suffix}"


@pytest.fixture
def draft(client):
    application = draft_example_2()
    client.force_login(application.product.company.owner)
    return application


def test_owner_pages_of_a_draft(client, draft):
    for suffix in ["", "ubah/", "ajukan/", "status/"]:
        assert client.get(url(draft, suffix)).status_code == 200, suffix
    page = client.get(url(draft, "ubah/")).content.decode()
    assert "25,00\xa0%" in page  # the saved lines through the engine
    assert 'data-preview-url="' in page and "<template data-empty-row>" in page
    dashboard = client.get("/ikm/").content.decode()
    assert draft.product.name in dashboard and "Langkah berikutnya" in dashboard


@pytest.mark.parametrize("suffix", ["", "ubah/", "ajukan/", "status/", "pratinjau/"])
def test_other_owners_and_officials_get_404(client, suffix):
    application = draft_example_2()
    client.force_login(CompanyFactory().owner)
    method = client.post if suffix == "pratinjau/" else client.get
    assert method(url(application, suffix)).status_code == 404
    client.force_login(OfficialFactory().user)  # officials review in the admin
    assert method(url(application, suffix)).status_code == 404


def test_live_preview_uses_the_posted_unsaved_values(client, draft):
    data = formset_post(
        draft, **{"materials-1-domestic": "True", "materials-1-purchase_proof": "1"}
    )
    response = client.post(url(draft, "pratinjau/"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "38,00\xa0%" in html and "Mencapai ambang batas" in html  # 24 + 10 + 4
    draft.refresh_from_db()
    assert draft.materials.get(name="Pewarna").domestic is False  # nothing saved


def test_live_preview_explains_errors_and_never_fails(client, draft):
    data = formset_post(draft, **{"labour-0-cost_per_unit_rp": "abc"})
    html = client.post(url(draft, "pratinjau/"), data).content.decode()
    assert "Tenaga kerja baris 1" in html and "isi minimal 1 baris" in html
    assert client.post(url(draft, "pratinjau/"), {}).status_code == 200
    below = formset_post(draft, **{"materials-0-unit_price_rp": "1000"})
    assert (
        "permohonan akan ditolak otomatis"
        in client.post(url(draft, "pratinjau/"), below).content.decode()
    )


def test_save_draft_with_a_new_row_and_a_file(client, draft):
    data = formset_post(
        draft,
        **{
            "materials-TOTAL_FORMS": "3",
            "materials-2-name": "Benang",
            "materials-2-domestic": "True",
            "materials-2-qty_per_unit": "0,5",
            "materials-2-unit_price_rp": "2.000",
            "materials-2-purchase_proof": SimpleUploadedFile("f.pdf", PDF_BYTES),
        },
    )
    response = client.post(url(draft, "ubah/"), data)
    assert response.status_code == 302
    line = draft.materials.get(name="Benang")
    assert str(line.qty_per_unit) == "0.5000" and str(line.unit_price_rp) == "2000.00"
    assert line.purchase_proof and line.position == 2


def test_errors_are_shown_next_to_fields_and_nothing_is_saved(client, draft):
    data = formset_post(
        draft,
        **{"labour-0-cost_per_unit_rp": "enam ribu", "materials-1-name": "Pewarna baru"},
    )
    response = client.post(url(draft, "ubah/"), data)
    assert response.status_code == 200
    labour = response.context["formsets"]["labour"]
    assert "Masukkan angka" in labour.forms[0].errors["cost_per_unit_rp"][0]
    html = response.content.decode()
    assert 'value="Pewarna baru"' in html and 'value="enam ribu"' in html
    assert not draft.materials.filter(name="Pewarna baru").exists()


def test_upload_of_a_wrong_file_type_is_refused_in_place(client, draft):
    exe = SimpleUploadedFile("faktur.pdf", b"MZ\x90\x00" + b"\x00" * 200)
    data = formset_post(draft, **{"materials-1-purchase_proof": exe})
    response = client.post(url(draft, "ubah/"), data)
    assert response.status_code == 200
    assert "PDF, JPEG, atau PNG" in response.content.decode()


def test_submit_flow(client, draft, django_capture_on_commit_callbacks):
    page = client.get(url(draft, "ajukan/")).content.decode()
    assert "Ringkasan" in page and "Pewarna" in page and "declaration" in page
    response = client.post(url(draft, "ajukan/"), {})
    assert "Centang pernyataan" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(draft, "ajukan/"), {"declaration": "on"})
    assert response["Location"] == url(draft)
    draft.refresh_from_db()
    assert draft.status == S.UNDER_REVIEW and draft.snapshots.count() == 1
    # Read-only for the owner from now on.
    assert client.get(url(draft, "ubah/"))["Location"] == url(draft)
    assert client.post(url(draft, "ubah/"), formset_post(draft))["Location"] == url(draft)
    detail = client.get(url(draft)).content.decode()
    assert "Dalam verifikasi" in detail and "Nilai dihitung" in detail
    assert "data-hx-trigger" not in detail  # nothing left to wait for


def test_submit_is_blocked_while_a_check_fails(client, draft):
    draft.materials.update(purchase_proof="")
    page = client.get(url(draft, "ajukan/")).content.decode()
    assert "disabled" in page and "Bukti pembelian untuk setiap bahan dalam negeri" in page
    response = client.post(url(draft, "ajukan/"), {"declaration": "on"})
    assert "belum dapat diajukan" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == S.DRAFT


def test_below_threshold_warning_on_the_confirmation_page(client, draft):
    draft.materials.filter(name="Kain").update(unit_price_rp=1000)
    page = client.get(url(draft, "ajukan/")).content.decode()
    assert "akan ditolak otomatis" in page


def test_status_card_polls_while_the_worker_runs(client, draft):
    application_transition(application=draft, to_status=S.SUBMITTED)
    card = client.get(url(draft, "status/")).content.decode()
    assert 'data-hx-trigger="every 2s"' in card and "Sedang diproses" in card
    assert 'data-hx-trigger="every 2s"' in client.get(url(draft)).content.decode()


def test_revision_history_in_the_owners_words_and_resubmit(
    client, draft, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(draft, "ajukan/"), {"declaration": "on"})
    official = OfficialFactory().user
    application_transition(
        application=draft,
        to_status=S.NEEDS_REVISION,
        actor=official,
        note="Faktur kain tidak terbaca.",
    )
    detail = client.get(url(draft)).content.decode()
    assert "Perlu perbaikan:" in detail and "Faktur kain tidak terbaca." in detail
    assert "oleh petugas" in detail
    assert client.get(url(draft, "ubah/")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(draft, "ajukan/"), {"declaration": "on"})
    draft.refresh_from_db()
    assert draft.status == S.UNDER_REVIEW
    assert list(draft.snapshots.values_list("version", flat=True)) == [1, 2]


def test_withdraw_and_copy(client, draft, django_capture_on_commit_callbacks):
    response = client.post(url(draft, "batalkan/"))
    assert response["Location"] == url(draft)
    draft.refresh_from_db()
    assert draft.status == S.WITHDRAWN
    response = client.post(url(draft, "salin/"))
    new = Application.objects.exclude(pk=draft.pk).get()
    assert response["Location"] == url(new, "ubah/")
    assert new.materials.count() == 2
    # Withdrawing twice is refused with a message, not a 500.
    response = client.post(url(draft, "batalkan/"), follow=True)
    assert "tidak dapat dibatalkan" in response.content.decode()


def test_get_is_not_allowed_on_actions(client, draft):
    for suffix in ["salin/", "pratinjau/"]:
        assert client.get(url(draft, suffix)).status_code == 405
    # Withdrawing asks first: GET is its confirmation page, which changes nothing.
    assert client.get(url(draft, "batalkan/")).status_code == 200
    draft.refresh_from_db()
    assert draft.status == S.DRAFT


@pytest.mark.parametrize("value", ["", "-5", "1e999999", "NaN", "9" * 40, "x", "\x00"])
@pytest.mark.parametrize(
    "field",
    [
        "materials-0-unit_price_rp",
        "materials-0-id",
        "labour-0-citizenship",
        "overhead-0-cost_per_unit_rp",
        "materials-TOTAL_FORMS",
    ],
)
def test_hostile_values_on_the_application_page_never_give_a_500(client, draft, field, value):
    data = formset_post(draft, **{field: value})
    assert client.post(url(draft, "pratinjau/"), data).status_code == 200
    assert client.post(url(draft, "ubah/"), data).status_code in (200, 302)


def test_owner_pages_render_in_english_too(client, draft):
    pages = ["/ikm/", "/ikm/perusahaan/", "/ikm/produk/", "/ikm/dokumen/", "/kalkulator/"]
    pages += [url(draft, suffix) for suffix in ["", "ubah/", "ajukan/"]]
    for page in pages:
        response = client.get(page, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200, page
        assert '<html lang="en">' in response.content.decode()
