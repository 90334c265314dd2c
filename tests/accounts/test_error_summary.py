"""The GOV.UK-style error summary (accounts/templatetags/error_summary.py) on every form that can
fail: a focusable box at the top listing each error as a link to its field, the message still
beside the field, the values kept as typed; a database constraint never reaches the user."""

import re

from django.core.files.uploadedfile import SimpleUploadedFile

import pytest

from applications.models import MaterialLine
from tests.applications.portal_helpers import draft_example_2, formset_post
from tests.applications.test_forms import company_data
from tests.factories import CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db


def summary_of(response) -> str:
    """The summary box of a page that failed; asserts it is there once and takes the focus."""
    assert response.status_code in (200, 400)  # the PDF check answers 400 to a bad request
    html = response.content.decode()
    boxes = re.findall(r"<div [^>]*data-error-summary[^>]*>.*?</div>", html, re.S)
    assert len(boxes) == 1, "one error summary on the page"
    assert 'tabindex="-1"' in boxes[0] and 'role="alert"' in boxes[0]
    return boxes[0]


def assert_links_to(response, field_id: str, message: str = "") -> None:
    """The summary links to ``#field_id``, that field is on the page, marked invalid, with its
    message beside it (crispy's invalid-feedback)."""
    box = summary_of(response)
    link = re.search(rf'<a href="#{re.escape(field_id)}">([^<]+)</a>', box)
    assert link, f"no link to #{field_id} in {box}"
    assert message in link.group(1)
    html = response.content.decode()
    field = re.search(rf'<(?:input|select|textarea)[^>]*id="{re.escape(field_id)}"[^>]*>', html)
    assert field and "is-invalid" in field.group(0), field_id
    assert html.count(message) >= 2  # in the summary and beside the field


def test_no_summary_on_a_fresh_form(client):
    assert "data-error-summary" not in client.get("/akun/daftar/").content.decode()


def test_register(client):
    data = {"full_name": "Dewi", "email": "dewi@contoh.id", "username": "dewi"}
    response = client.post("/akun/daftar/", {**data, "password1": "pendek", "password2": "x"})
    assert_links_to(response, "id_password2")
    assert 'value="dewi@contoh.id"' in response.content.decode()  # kept as typed


def test_login(client):
    UserFactory(username="dewi")
    response = client.post("/akun/masuk/", {"username": "dewi", "password": "salah"})
    box = summary_of(response)
    assert "<li>" in box  # a wrong password is the form's error, not a field's
    assert 'value="dewi"' in response.content.decode()


def test_password_reset(client):
    response = client.post("/akun/kata-sandi/lupa/", {"email": "bukan e-mail"})
    assert_links_to(response, "id_email")


def test_password_change(client):
    client.force_login(UserFactory())
    response = client.post(
        "/akun/kata-sandi/ubah/",
        {"old_password": "salah", "new_password1": "a", "new_password2": "a"},
    )
    assert_links_to(response, "id_old_password")


def test_company_profile(client):
    client.force_login(UserFactory())
    response = client.post("/ikm/perusahaan/", company_data(nib="12AB", name="CV Tetap"))
    assert_links_to(response, "id_nib")
    html = response.content.decode()
    assert 'value="CV Tetap"' in html
    assert "data-eligible" not in html  # no green verdict above the form's own errors


def test_product(client):
    client.force_login(CompanyFactory().owner)
    data = {"name": "Tas", "brand": "Dewi", "specification": "30 cm", "unit": "buah"}
    response = client.post("/ikm/produk/baru/", {**data, "kbli": "abc", "category": "GENERAL"})
    assert_links_to(response, "id_kbli")
    assert 'value="Tas"' in response.content.decode()


def test_documents_upload(client):
    client.force_login(CompanyFactory().owner)
    exe = SimpleUploadedFile("nib.pdf", b"MZ\x90\x00" + b"\x00" * 200)
    response = client.post("/ikm/dokumen/", {"kind": "NIB", "file": exe})
    assert_links_to(response, "id_file")


@pytest.mark.usefixtures("ik_2022_in_force")
def test_cost_page_names_the_row(client):
    draft = draft_example_2()
    client.force_login(draft.product.company.owner)
    data = formset_post(draft, **{"labour-0-cost_per_unit_rp": "enam ribu"})
    response = client.post(f"/ikm/permohonan/{draft.public_id}/ubah/", data)
    assert_links_to(response, "id_labour-0-cost_per_unit_rp", "Masukkan angka")
    assert "Tenaga kerja 1 · " in summary_of(response)
    assert "Draf belum disimpan" in summary_of(response)  # in the summary, not a second box
    assert response.content.decode().count("alert-danger") == 1
    assert 'value="enam ribu"' in response.content.decode()


@pytest.mark.usefixtures("ik_2022_in_force")
@pytest.mark.parametrize(
    "field", ["materials-1-unit_price_rp", "materials-1-qty_per_unit", "labour-0-cost_per_unit_rp"]
)
def test_cost_page_refuses_zero_in_the_form_not_in_the_database(client, field):
    """0 used to reach the CheckConstraint and show its name (material_positive_amounts)."""
    draft = draft_example_2()
    client.force_login(draft.product.company.owner)
    response = client.post(
        f"/ikm/permohonan/{draft.public_id}/ubah/", formset_post(draft, **{field: "0"})
    )
    html = response.content.decode()
    assert_links_to(response, f"id_{field}", "Isi angka lebih dari 0")
    assert "positive" not in html and "constraint" not in html.lower()
    assert not MaterialLine.objects.filter(application=draft, unit_price_rp=0).exists()


@pytest.mark.usefixtures("ik_2022_in_force")
def test_submit_page(client):
    draft = draft_example_2()
    client.force_login(draft.product.company.owner)
    response = client.post(f"/ikm/permohonan/{draft.public_id}/ajukan/", {})
    assert_links_to(response, "id_declaration", "Centang pernyataan")


def test_verify_file_form(client):
    response = client.post("/verifikasi/berkas/", {})
    assert_links_to(response, "id_pdf")


@pytest.mark.usefixtures("ik_2022_in_force")
def test_rows_are_numbered_as_the_page_shows_them(client):
    """A deleted row is hidden on the page (and its errors do not count): the next row is 1."""
    draft = draft_example_2()
    client.force_login(draft.product.company.owner)
    data = formset_post(draft, **{"materials-0-DELETE": "on", "materials-1-unit_price_rp": "-5"})
    response = client.post(f"/ikm/permohonan/{draft.public_id}/ubah/", data)
    box = summary_of(response)
    assert "Bahan 1 · Harga satuan (Rp): Isi angka lebih dari 0" in box
    assert "Bahan 2" not in box
