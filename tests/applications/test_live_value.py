"""The honest live value (issue 13): it counts only valid rows, says which rows it left out and
why, is never shown as final while a row is left out, and equals the worker's value for the
same valid input."""

import re
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from applications.formatting import format_id_number
from applications.forms import line_formsets, preview_input
from applications.models import Application
from applications.services import application_calculate, application_transition
from tests.applications.portal_helpers import draft_example_2, formset_post
from tests.factories import PDF_BYTES, ApplicationFactory, CompanyFactory, ProductFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ik_2022_in_force")]
S = Application.Status


def url(application, suffix=""):
    return f"/ikm/permohonan/{application.public_id}/{suffix}"


def panel_value(html: str) -> Decimal | None:
    match = re.search(r'data-value="([^"]*)"', html)
    return Decimal(match.group(1)) if match and match.group(1) else None


def test_one_negative_line_does_not_show_38_percent_as_reaching_the_threshold(client):
    """The issue's finding: example 2 (25,00 %) with the imported dye typed as -13000 left the
    dye out and showed 38 % ✓ (cloth only, all domestic)."""
    draft = draft_example_2()
    client.force_login(draft.product.company.owner)
    data = formset_post(draft, **{"materials-1-unit_price_rp": "-13000"})
    html = client.post(url(draft, "pratinjau/"), data).content.decode()
    assert panel_value(html) == Decimal("38.00")  # the valid rows only...
    assert "✓" not in html and "Mencapai ambang batas" not in html  # ...never as final
    assert "ditolak otomatis" not in html
    assert 'data-eligible=""' in html and 'data-partial="1"' in html
    assert "belum final" in html.lower()
    # Which row, and why, in the owner's words.
    assert "Bahan baris 2" in html
    assert "Harga satuan (Rp): Isi angka lebih dari 0." in html
    # The live region's sentence says the same.
    announce = re.search(r'data-announce="([^"]*)"', html).group(1)
    assert "Perkiraan sementara 38,00\xa0%" in announce and "Bahan baris 2" in announce
    # With the row fixed the value is final again, and the real one.
    fixed = client.post(url(draft, "pratinjau/"), formset_post(draft)).content.decode()
    assert panel_value(fixed) == Decimal("25.00")
    assert "✓" in fixed and 'data-partial=""' in fixed and 'data-eligible="1"' in fixed


def test_the_page_shown_again_with_errors_is_not_final_either(client):
    draft = draft_example_2()
    client.force_login(draft.product.company.owner)
    data = formset_post(draft, **{"materials-1-unit_price_rp": "0", "then": "save"})
    html = client.post(url(draft, "ubah/"), data).content.decode()
    assert 'data-partial="1"' in html and "Mencapai ambang batas" not in html
    # The value bar at the foot of a phone's screen: no ✓ either.
    bar = re.search(r'<div class="preview-bar.*?</div>', html, re.S).group(0)
    assert "✓" not in bar and "belum final" in bar


def test_preview_input_gives_the_reason_of_each_left_out_row():
    draft = draft_example_2()
    data = formset_post(
        draft, **{"materials-0-qty_per_unit": "", "labour-0-cost_per_unit_rp": "enam ribu"}
    )
    _inp, left_out = preview_input(line_formsets(draft, data), data)
    assert [str(row) for row in left_out] == ["Bahan baris 1", "Tenaga kerja baris 1"]
    assert left_out[0].reasons == ("Jumlah per satuan produk: Bidang ini harus diisi.",)
    assert left_out[1].explained.startswith("Tenaga kerja baris 1: Biaya per satuan produk (Rp): ")


def test_the_public_calculator_is_honest_too(client):
    data = {
        "materials-TOTAL_FORMS": "2",
        "materials-INITIAL_FORMS": "0",
        "materials-0-name": "Kain",
        "materials-0-domestic": "True",
        "materials-0-qty_per_unit": "1",
        "materials-0-unit_price_rp": "11.000",
        "materials-1-name": "Pewarna",
        "materials-1-domestic": "False",
        "materials-1-qty_per_unit": "1",
        "materials-1-unit_price_rp": "-13.000",
        "labour-TOTAL_FORMS": "1",
        "labour-INITIAL_FORMS": "0",
        "labour-0-role": "Penjahit",
        "labour-0-citizenship": "WNI",
        "labour-0-cost_per_unit_rp": "6000",
        "overhead-TOTAL_FORMS": "0",
        "overhead-INITIAL_FORMS": "0",
        "development-TOTAL_FORMS": "0",
        "development-INITIAL_FORMS": "0",
    }
    html = client.post("/kalkulator/", data, HTTP_X_PREVIEW="1").content.decode()
    assert 'data-partial="1"' in html and "✓" not in html and "Bahan baris 2" in html


# --- Property: the live value equals the worker's value for the same valid input ---------------

AMOUNT = st.decimals(min_value=Decimal("1"), max_value=Decimal("50000000"), places=2)
QUANTITY = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("1000"), places=4)
MATERIAL = st.tuples(QUANTITY, AMOUNT, st.booleans(), st.booleans())
LABOUR = st.tuples(AMOUNT, st.sampled_from(["WNI", "WNA"]))
OVERHEAD = st.tuples(
    st.decimals(min_value=Decimal("0"), max_value=Decimal("5000000"), places=2),
    st.booleans(),
    st.sampled_from(["alat_kerja", "air", "listrik"]),
)


def typed(amount: Decimal, indonesian: bool) -> str:
    """How an owner types it: "1.234,50" or "1234.5"-like plain digits."""
    return format_id_number(amount, 2) if indonesian else format(amount.normalize(), "f")


def management(prefix: str, total: int) -> dict:
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": "0"}


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    materials=st.lists(MATERIAL, min_size=1, max_size=4),
    labour=st.lists(LABOUR, min_size=1, max_size=3),
    overhead=st.lists(OVERHEAD, max_size=3),
    indonesian=st.booleans(),
)
def test_live_value_equals_the_workers_value_for_valid_input(
    client, materials, labour, overhead, indonesian
):
    product = ProductFactory(company=CompanyFactory())
    draft = ApplicationFactory(product=product)
    client.force_login(product.company.owner)
    data = {
        **management("materials", len(materials)),
        **management("labour", len(labour)),
        **management("overhead", len(overhead)),
        **management("development", 0),
    }
    files = {}
    for i, (qty, price, domestic, proof) in enumerate(materials):
        data[f"materials-{i}-name"] = f"Bahan {i}"
        data[f"materials-{i}-domestic"] = str(domestic)
        data[f"materials-{i}-qty_per_unit"] = format(qty.normalize(), "f").replace(".", ",")
        data[f"materials-{i}-unit_price_rp"] = typed(price, indonesian)
        if proof:
            files[f"materials-{i}-purchase_proof"] = i
    for i, (cost, citizenship) in enumerate(labour):
        data[f"labour-{i}-role"] = f"Pekerja {i}"
        data[f"labour-{i}-citizenship"] = citizenship
        data[f"labour-{i}-cost_per_unit_rp"] = typed(cost, indonesian)
    for i, (cost, domestic, kind) in enumerate(overhead):
        data[f"overhead-{i}-kind"] = kind
        data[f"overhead-{i}-domestic"] = str(domestic)
        data[f"overhead-{i}-cost_per_unit_rp"] = typed(cost, indonesian)

    # The live preview: the browser sends a marker for a chosen (not uploaded) file.
    preview = {**data, **{name: "1" for name in files}}
    html = client.post(url(draft, "pratinjau/"), preview).content.decode()
    assert 'data-partial=""' in html, html  # valid input: nothing left out
    live = panel_value(html)

    # The worker: the same input saved as the draft (files uploaded), submitted, calculated.
    saved = {
        **data,
        **{name: SimpleUploadedFile("faktur.pdf", PDF_BYTES) for name in files},
        "then": "save",
    }
    response = client.post(url(draft, "ubah/"), saved)
    assert response.status_code == 302, response.content.decode()[:2000]
    application_transition(application=draft, to_status=S.SUBMITTED)
    application_calculate(application_id=draft.pk)
    draft.refresh_from_db()
    assert draft.tkdn_ik is not None and live == draft.tkdn_ik
    assert ('data-eligible="1"' in html) is draft.eligible
