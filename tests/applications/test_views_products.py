import pytest

from applications.models import Application, Product
from tests.applications.portal_helpers import draft_example_2
from tests.factories import CompanyFactory, ProductFactory

# These tests cover the IK-2022 forms and flows; IK-2025 has its own tests (test_ik2025_*.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ik_2022_in_force")]

PRODUCT = {
    "name": "Tas Pandan",
    "brand": "Dewi",
    "specification": "30x20 cm",
    "unit": "buah",
    "kbli": "31001",
    "hs_code": "",
    "category": "GENERAL",
    "process_description": "",
    "nie_number": "",
}


def test_create_list_and_edit_a_product(client):
    company = CompanyFactory()
    client.force_login(company.owner)
    assert client.post("/ikm/produk/baru/", PRODUCT)["Location"] == "/ikm/produk/"
    product = Product.objects.get(company=company)
    assert "Tas Pandan" in client.get("/ikm/produk/").content.decode()
    response = client.post(f"/ikm/produk/{product.pk}/ubah/", {**PRODUCT, "brand": "Lestari"})
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.brand == "Lestari"


def test_invalid_product_shows_errors_in_place(client):
    company = CompanyFactory()
    client.force_login(company.owner)
    response = client.post("/ikm/produk/baru/", {**PRODUCT, "kbli": "abc", "hs_code": "12"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "kbli" in errors and "hs_code" in errors
    assert 'value="Tas Pandan"' in response.content.decode()


def test_another_owners_product_is_a_404(client):
    product = ProductFactory()
    client.force_login(CompanyFactory().owner)
    assert client.get(f"/ikm/produk/{product.pk}/ubah/").status_code == 404
    assert client.post(f"/ikm/produk/{product.pk}/ajukan/").status_code == 404


def test_start_an_application_once(client):
    product = ProductFactory()
    client.force_login(product.company.owner)
    response = client.post(f"/ikm/produk/{product.pk}/ajukan/")
    application = Application.objects.get(product=product)
    assert response["Location"] == f"/ikm/permohonan/{application.public_id}/ubah/"
    response = client.post(f"/ikm/produk/{product.pk}/ajukan/", follow=True)
    assert "sudah memiliki permohonan" in response.content.decode()
    assert Application.objects.filter(product=product).count() == 1


def test_product_under_assessment_cannot_be_edited(client, django_capture_on_commit_callbacks):
    application = draft_example_2()
    Application.objects.filter(pk=application.pk).update(status="UNDER_REVIEW")
    product = application.product
    client.force_login(product.company.owner)
    response = client.post(f"/ikm/produk/{product.pk}/ubah/", {**PRODUCT, "name": "Lain"})
    assert response.status_code == 200
    assert "sedang dinilai" in response.content.decode()


def test_edit_from_the_application_page_returns_there(client):
    application = draft_example_2()
    product = application.product
    client.force_login(product.company.owner)
    back = f"/ikm/permohonan/{application.public_id}/ubah/"
    page = client.get(f"/ikm/produk/{product.pk}/ubah/?next={back}").content.decode()
    assert f'name="next" value="{back}"' in page
    data = {**PRODUCT, "next": back}
    assert client.post(f"/ikm/produk/{product.pk}/ubah/", data)["Location"] == back
    data["next"] = "https://evil.example/"
    assert client.post(f"/ikm/produk/{product.pk}/ubah/", data)["Location"] == "/ikm/produk/"
