"""The officials' admin: jurisdiction scoping, decisions with reasons, clock, documents, PDFs."""

import datetime
import io

from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

import pytest
from pypdf import PdfReader

from applications.models import Application
from applications.selectors import NATIONAL_ADMIN_GROUP, OFFICIAL_GROUP
from registry.models import Certificate
from tests.factories import (
    ApplicationFactory,
    UserFactory,
    application_under_review,
)
from tests.factories import (
    official_user as _official,
)

pytestmark = pytest.mark.django_db
S = Application.Status
CHANGELIST = reverse("admin:applications_application_changelist")


def _client(client, user):
    client.force_login(user)
    return client


def _decide(client, application, decision, **data):
    url = reverse("admin:applications_application_decision", args=[application.pk, decision])
    return client.post(url, {"apply": "1", **data})


def test_groups_are_created_with_their_permissions():
    official = Group.objects.get(name=OFFICIAL_GROUP)
    national = Group.objects.get(name=NATIONAL_ADMIN_GROUP)
    codes = set(official.permissions.values_list("codename", flat=True))
    assert {"view_application", "change_application", "change_certificate"} <= codes
    assert "add_holiday" not in codes
    assert "add_holiday" in set(national.permissions.values_list("codename", flat=True))


def test_official_sees_only_their_province(client):
    jabar = application_under_review(product__name="Kursi Bandung")
    jateng = application_under_review(
        product__name="Batik Solo",
        product__company__province_id="33",
        product__company__regency_id="33.72",
    )
    response = _client(client, _official("32")).get(CHANGELIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Kursi Bandung" in html and "Batik Solo" not in html
    # The province filter offers only the jurisdiction.
    assert "Jawa Tengah" not in html
    assert jabar and jateng


def test_regency_official_sees_only_their_regency(client):
    application_under_review(product__name="Kursi Bandung")  # Kota Bandung 32.73
    application_under_review(product__name="Rotan Cirebon", product__company__regency_id="32.09")
    html = _client(client, _official("32", "32.73")).get(CHANGELIST).content.decode()
    assert "Kursi Bandung" in html and "Rotan Cirebon" not in html


def test_crafted_urls_outside_the_jurisdiction_are_404_and_change_nothing(client):
    other = application_under_review(
        product__company__province_id="33", product__company__regency_id="33.72"
    )
    c = _client(client, _official("32"))
    for name in ("change", "history", "preview"):
        url = reverse(f"admin:applications_application_{name}", args=[other.pk])
        assert c.get(url).status_code == 404, name
    assert _decide(c, other, "setujui").status_code == 404
    assert _decide(c, other, "tolak", reason="x").status_code == 404
    # A crafted bulk action with the other province's id: filtered out by the scoped queryset.
    response = c.post(
        CHANGELIST, {"action": "approve_selected", "_selected_action": [other.pk], "apply": "1"}
    )
    assert response.status_code in (200, 302)
    other.refresh_from_db()
    assert other.status == S.UNDER_REVIEW
    cert_url = reverse("admin:registry_certificate_changelist")
    assert c.get(cert_url).status_code == 200


def test_owner_and_anonymous_cannot_use_the_admin(client):
    application = application_under_review()
    owner = application.product.company.owner
    url = reverse("admin:applications_application_change", args=[application.pk])
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(owner)
    assert client.get(url).status_code == 302


def test_detail_page_shows_breakdown_lines_history_documents_and_clock(client):
    application = application_under_review(product__name="Kursi Teras")
    url = reverse("admin:applications_application_change", args=[application.pk])
    html = _client(client, _official()).get(url).content.decode()
    assert "Bahan/material langsung" in html and "22,91" in html  # breakdown table
    assert "38,91\xa0%" in html  # the value and the history note, Indonesian digits
    assert "Rotan" in html and "Pernis" in html  # cost lines, read-only
    assert 'name="materials-0-name"' not in html  # not editable
    assert "Nilai dihitung" in html and "Dalam verifikasi" in html  # history
    material = application.materials.first()
    assert reverse("applications:file_download", args=["material", material.pk]) in html
    assert "hari kerja" in html
    assert (
        reverse("admin:applications_application_decision", args=[application.pk, "setujui"]) in html
    )
    assert 'name="_save"' not in html


def test_approve_from_the_detail_page_issues_the_certificate(
    client, django_capture_on_commit_callbacks
):
    application = application_under_review()
    c = _client(client, _official())
    url = reverse("admin:applications_application_decision", args=[application.pk, "setujui"])
    form = c.get(url)
    assert form.status_code == 200 and "Setujui permohonan" in form.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(url, {"apply": "1"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == S.ISSUED
    change = application.history.get(to_status=S.APPROVED)
    assert change.actor.official.province_id == "32"
    pdf = c.get(reverse("admin:applications_application_certificate_pdf", args=[application.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_reject_needs_a_reason(client):
    application = application_under_review()
    c = _client(client, _official())
    response = _decide(c, application, "tolak", reason="  ")
    assert response.status_code == 200
    assert "Alasan wajib diisi" in response.content.decode()
    application.refresh_from_db()
    assert application.status == S.UNDER_REVIEW
    _decide(c, application, "tolak", reason="Bukti pembelian rotan palsu.")
    application.refresh_from_db()
    assert application.status == S.REJECTED
    assert application.decision_reason == "Bukti pembelian rotan palsu."


def test_revision_points_at_lines(client):
    application = application_under_review()
    c = _client(client, _official())
    url = reverse("admin:applications_application_decision", args=[application.pk, "revisi"])
    assert "Bahan #2: Pernis" in c.get(url).content.decode()
    c.post(
        url,
        {"apply": "1", "reason": "Lengkapi bukti.", "items": ["Bahan #2: Pernis", "Data produk"]},
    )
    application.refresh_from_db()
    assert application.status == S.NEEDS_REVISION
    assert "Lengkapi bukti." in application.decision_reason
    assert "- Bahan #2: Pernis" in application.decision_reason


def test_bulk_approve_from_the_list(client):
    first, second = application_under_review(), application_under_review()
    done = ApplicationFactory(status=S.REJECTED, submitted_at=timezone.now())
    c = _client(client, _official())
    ids = [first.pk, second.pk, done.pk]
    page = c.post(CHANGELIST, {"action": "approve_selected", "_selected_action": ids})
    assert page.status_code == 200 and "3 permohonan" in page.content.decode()
    c.post(CHANGELIST, {"action": "approve_selected", "_selected_action": ids, "apply": "1"})
    statuses = set(Application.objects.filter(pk__in=ids).values_list("status", flat=True))
    assert statuses == {S.APPROVED, S.REJECTED}


def test_bulk_reject_asks_for_the_reason(client):
    application = application_under_review()
    c = _client(client, _official())
    data = {"action": "reject_selected", "_selected_action": [application.pk], "apply": "1"}
    response = c.post(CHANGELIST, data)
    assert "Alasan wajib diisi" in response.content.decode()
    c.post(CHANGELIST, {**data, "reason": "Tidak memenuhi syarat IK."})
    application.refresh_from_db()
    assert application.status == S.REJECTED


def test_four_eyes(client, settings):
    settings.TKDN_FOUR_EYES = True
    application = application_under_review()
    first = _official(username="petugas.a")
    second = _official(username="petugas.b")
    c = _client(client, first)
    _decide(c, application, "setujui")
    application.refresh_from_db()
    assert application.status == S.UNDER_REVIEW  # not checked yet
    _decide(c, application, "diperiksa")
    _decide(c, application, "setujui")
    application.refresh_from_db()
    assert application.status == S.UNDER_REVIEW  # the checker cannot approve
    assert application.checked_by == first
    c.force_login(second)
    _decide(c, application, "setujui")
    application.refresh_from_db()
    assert application.status == S.APPROVED


def test_retry_action_for_failed_processing(client):
    application = application_under_review()
    c = _client(client, _official())
    _decide(c, application, "setujui")
    Application.objects.filter(pk=application.pk).update(
        status=S.PROCESSING_FAILED, failed_step="issue", processing_error="boom"
    )
    url = reverse("admin:applications_application_change", args=[application.pk])
    assert "boom" in c.get(url).content.decode()
    _decide(c, application, "proses-ulang")
    application.refresh_from_db()
    assert application.status == S.APPROVED


def test_draft_preview_is_a_watermarked_pdf(client):
    application = application_under_review(product__name="Meja Jati")
    url = reverse("admin:applications_application_preview", args=[application.pk])
    response = _client(client, _official()).get(url)
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(PdfReader(io.BytesIO(response.content)).pages[0].extract_text().split())
    assert "DRAFT" in text and "Meja Jati" in text
    assert not Certificate.objects.exists()


def test_filters_value_range_and_overdue(client):
    old = application_under_review(product__name="Lama Sekali")
    new = application_under_review(product__name="Baru Masuk")
    Application.objects.filter(pk=old.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=30)
    )
    c = _client(client, _official())
    overdue = c.get(CHANGELIST, {"batas": "lewat"}).content.decode()
    assert "Lama Sekali" in overdue and "Baru Masuk" not in overdue
    assert "lewat batas" in overdue
    within = c.get(CHANGELIST, {"batas": "dalam"}).content.decode()
    assert "Baru Masuk" in within and "Lama Sekali" not in within
    assert "Baru Masuk" in c.get(CHANGELIST, {"nilai": "25-40"}).content.decode()
    assert "Baru Masuk" not in c.get(CHANGELIST, {"nilai": "below"}).content.decode()
    assert (
        "Baru Masuk" in c.get(CHANGELIST, {"provinsi": "32", "kabkota": "32.73"}).content.decode()
    )
    assert "Baru Masuk" in c.get(CHANGELIST, {"q": new.product.company.nib}).content.decode()
    assert c.get(CHANGELIST, {"o": "7"}).status_code == 200  # sort by the clock


def test_certificate_admin_revoke_and_extend(client, django_capture_on_commit_callbacks):
    application = application_under_review()
    c = _client(client, _official())
    with django_capture_on_commit_callbacks(execute=True):
        _decide(c, application, "setujui")
    certificate = Certificate.objects.get(application=application)
    change = reverse("admin:registry_certificate_change", args=[certificate.pk])
    html = c.get(change).content.decode()
    assert "Cabut sertifikat" in html and "Perpanjang" in html
    extend = reverse("admin:registry_certificate_action", args=[certificate.pk, "perpanjang"])
    c.post(extend, {"apply": "1"})
    certificate.refresh_from_db()
    assert certificate.extended_until is not None
    revoke = reverse("admin:registry_certificate_action", args=[certificate.pk, "cabut"])
    response = c.post(revoke, {"apply": "1", "reason": ""})
    assert "wajib diisi" in response.content.decode()
    c.post(revoke, {"apply": "1", "reason": "Produksi dihentikan, data tidak sesuai."})
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED
    application.product.company.refresh_from_db()
    assert application.product.company.barred_until > timezone.localdate()


def test_certificate_admin_is_scoped(client):
    from tests.factories import CertificateFactory

    other = CertificateFactory(
        application__product__company__province_id="33",
        application__product__company__regency_id="33.72",
    )
    c = _client(client, _official("32"))
    assert (
        other.number not in c.get(reverse("admin:registry_certificate_changelist")).content.decode()
    )
    for url in (
        reverse("admin:registry_certificate_change", args=[other.pk]),
        reverse("admin:registry_certificate_pdf", args=[other.pk]),
        reverse("admin:registry_certificate_action", args=[other.pk, "cabut"]),
    ):
        assert c.get(url).status_code == 404, url


def test_national_administrator_sees_every_region(client):
    application_under_review(product__name="Kursi Bandung")
    application_under_review(
        product__name="Batik Solo",
        product__company__province_id="33",
        product__company__regency_id="33.72",
    )
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=NATIONAL_ADMIN_GROUP))
    html = _client(client, user).get(CHANGELIST).content.decode()
    assert "Kursi Bandung" in html and "Batik Solo" in html


def test_company_and_product_admin_are_scoped(client):
    mine = application_under_review(product__company__name="CV Bandung Jaya")
    other = application_under_review(
        product__company__name="CV Solo Makmur",
        product__company__province_id="33",
        product__company__regency_id="33.72",
    )
    user = _official("32")
    c = _client(client, user)
    html = c.get(reverse("admin:applications_company_changelist")).content.decode()
    assert "CV Bandung Jaya" in html and "CV Solo Makmur" not in html
    assert "Jawa Tengah" not in html  # the province filter offers only the jurisdiction
    other_company = other.product.company
    url = reverse("admin:applications_company_change", args=[other_company.pk])
    assert c.get(url).status_code == 404
    url = reverse("admin:applications_product_change", args=[other.product.pk])
    assert c.get(url).status_code == 404
    url = reverse("admin:applications_product_change", args=[mine.product.pk])
    assert c.get(url).status_code == 200


def test_admin_shows_rupiah_and_percentages_formatted_not_raw_decimals(client, settings):
    """Issue 13: the admin showed "12000,00"; an official reads "Rp 12.000" and "40,00 %"."""
    settings.TKDN_ADMIN_2FA = False
    application = application_under_review()  # labour 15000, material 2 × 21000
    user = _official()
    page = _client(client, user).get(
        reverse("admin:applications_application_change", args=[application.pk])
    )
    html = page.content.decode()
    assert "Rp\xa015.000" in html and "Rp\xa021.000" in html and "Rp\xa042.000" in html
    value = f"{application.tkdn_ik:.2f}".replace(".", ",") + "\xa0%"  # "38,91 %"
    assert value in html
    assert "15000,00" not in html and "21000,00" not in html
    listing = client.get(CHANGELIST).content.decode()
    assert value in listing
    company = reverse("admin:applications_company_change", args=[application.product.company.pk])
    su = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(su)
    html = client.get(company).content.decode()
    capital = application.product.company.capital_rp
    assert f"{capital:.2f}".replace(".", ",") not in html


def test_regency_filter_waits_for_a_province_nationwide(client):
    """Nationwide admins get the regency filter once they chose a province (not 514 links); a
    provincial official gets their own province's regencies at once."""
    application_under_review()
    superuser = UserFactory(is_staff=True, is_superuser=True)
    c = _client(client, superuser)
    nationwide = c.get(CHANGELIST).content.decode()
    assert "?kabkota=" not in nationwide and "?provinsi=32" in nationwide
    chosen = c.get(CHANGELIST, {"provinsi": "32"}).content.decode()
    assert "kabkota=32.73" in chosen and "kabkota=33.72" not in chosen
    provincial = _client(client, _official("32")).get(CHANGELIST).content.decode()
    assert "?kabkota=32.73" in provincial and "kabkota=33.72" not in provincial


def test_row_checkbox_is_djangos_own(client, rf):
    """The large tables' hand-built row checkbox is the HTML Django's widget renders."""
    from django.contrib import admin
    from django.test.html import parse_html

    application = application_under_review()
    model_admin = admin.site._registry[Application]
    ours = model_admin.action_checkbox(application)
    djangos = admin.ModelAdmin.action_checkbox(model_admin, application)
    assert parse_html(ours) == parse_html(djangos)
    assert 'class="action-select"' in ours and f'value="{application.pk}"' in ours


def test_a_regency_chosen_without_its_province_stays_applied_nationwide(client):
    """Clicking "all" on the province keeps the regency in the link: the list stays filtered
    by it (and says so), even though nationwide the regencies wait for a province."""
    application_under_review(product__name="Kursi Bandung")
    application_under_review(
        product__name="Batik Solo",
        product__company__province_id="33",
        product__company__regency_id="33.72",
    )
    c = _client(client, UserFactory(is_staff=True, is_superuser=True))
    html = c.get(CHANGELIST, {"kabkota": "32.73"}).content.decode()
    assert "Kursi Bandung" in html and "Batik Solo" not in html
    assert "Kota Bandung" in html  # the chosen regency is shown in the filter
