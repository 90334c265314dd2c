from decimal import Decimal

import pytest

from applications.models import Company
from tests.applications.test_forms import company_data
from tests.factories import CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_pages_need_a_login(client):
    for url in ["/ikm/", "/ikm/perusahaan/", "/ikm/produk/", "/ikm/dokumen/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/akun/masuk/")


def test_new_owner_sees_the_first_step_and_an_empty_profile(client):
    user = UserFactory()
    client.force_login(user)
    assert "Isi profil usaha" in client.get("/ikm/").content.decode()
    response = client.get("/ikm/perusahaan/")
    assert response.context["form"].initial["email"] == user.email
    for url in ["/ikm/produk/", "/ikm/produk/baru/", "/ikm/dokumen/"]:
        assert client.get(url)["Location"] == "/ikm/perusahaan/"


def test_create_profile_and_see_that_the_company_can_apply(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post("/ikm/perusahaan/", company_data())
    assert response.status_code == 302
    company = Company.objects.get(owner=user)
    assert company.kbli_codes == ["31001", "16291"]
    assert company.capital_rp == Decimal("850000000")
    page = client.get("/ikm/perusahaan/").content.decode()
    assert 'data-eligible="1"' in page


def test_profile_says_why_a_company_cannot_apply(client):
    company = CompanyFactory(capital_rp=Decimal("6000000000"))
    client.force_login(company.owner)
    page = client.get("/ikm/perusahaan/").content.decode()
    assert 'data-eligible="0"' in page
    assert "melebihi batas industri kecil" in page


def test_invalid_profile_keeps_values_and_shows_errors(client):
    client.force_login(UserFactory())
    response = client.post("/ikm/perusahaan/", company_data(nib="12AB", name="CV Tetap"))
    assert response.status_code == 200
    assert "13 angka" in response.content.decode()
    assert 'value="CV Tetap"' in response.content.decode()
    assert not Company.objects.exists()


def test_nib_of_another_company_is_refused(client):
    CompanyFactory(nib="9120301111111")
    client.force_login(UserFactory())
    response = client.post("/ikm/perusahaan/", company_data())
    assert "sudah terdaftar" in response.content.decode()


def test_regency_options_follow_the_province(client):
    client.force_login(UserFactory())
    html = client.get("/ikm/wilayah/kabupaten/?province=32").content.decode()
    assert 'value="32.09"' in html and 'value="33.01"' not in html
    assert client.get("/ikm/wilayah/kabupaten/?province=x'--").status_code == 200


def test_owner_edits_only_their_own_profile(client):
    mine = CompanyFactory()
    other = CompanyFactory()
    client.force_login(mine.owner)
    client.post("/ikm/perusahaan/", company_data(nib=mine.nib, name="Nama Baru"))
    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.name == "Nama Baru" and other.name != "Nama Baru"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("phone", "abc", "Nomor telepon 8–15 angka"),
        ("phone", "12345", "Nomor telepon 8–15 angka"),
        ("postal_code", "4x", "Kode pos terdiri dari 5 angka."),
        ("postal_code", "4512", "Kode pos terdiri dari 5 angka."),
    ],
)
def test_junk_phone_or_postal_code_is_refused_and_kept(client, field, value, message):
    client.force_login(UserFactory())
    response = client.post("/ikm/perusahaan/", company_data(**{field: value}))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert f'value="{value}"' in html
    assert not Company.objects.exists()


@pytest.mark.parametrize("phone", ["0812 3456 7890", "+62 812-3456-7890", "(022) 7654321"])
def test_usual_ways_of_writing_a_phone_number_are_accepted(client, phone):
    client.force_login(UserFactory())
    response = client.post("/ikm/perusahaan/", company_data(phone=phone, postal_code="45188"))
    assert response.status_code == 302
    assert Company.objects.get().phone == phone
