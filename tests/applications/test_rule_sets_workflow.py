"""Which rule set an application lives under (spec §8), and what each set decides: the set
recorded at submission, drafts following today's set, revisions and copies, the IK-2025 checks,
the worker's value, certificate dates, extension, revocation bar and the service-level clock."""

import datetime
from decimal import Decimal

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

import pytest

from applications import calculation, rules, workdays
from applications.checks import application_checks
from applications.exceptions import WorkflowError
from applications.models import Application, MaterialLine
from applications.rules import check_settings
from applications.selectors import OFFICIAL_GROUP
from applications.services import (
    application_calculate,
    application_copy,
    application_follow_rule_set,
    application_submit,
    application_transition,
)
from registry import services as registry_services
from registry.models import Certificate
from tests.applications.portal_helpers import draft_batik, draft_example_2
from tests.factories import PDF_BYTES, OfficialFactory, UserFactory

pytestmark = pytest.mark.django_db
S = Application.Status


def _issue(application, actor, issue_date=None) -> Certificate:
    """The worker's path from UNDER_REVIEW to a certificate (without rendering a PDF)."""
    registry_services.application_approve(application=application, actor=actor)
    return registry_services.certificate_issue(application_id=application.pk, issue_date=issue_date)


def _submitted_and_calculated(application, owner=None) -> Application:
    application_submit(
        application=application,
        actor=owner or application.product.company.owner,
        declared=True,
    )
    application_calculate(application_id=application.pk)
    application.refresh_from_db()
    return application


# --- Which set ----------------------------------------------------------------------------------


def test_a_submission_today_is_recorded_under_ik_2025_with_its_value():
    application = draft_batik()
    Application.objects.filter(pk=application.pk).update(rule_set="IK-2022")  # an old draft
    application.refresh_from_db()
    application = _submitted_and_calculated(application)
    assert application.rule_set == "IK-2025"
    assert application.status == S.UNDER_REVIEW
    assert application.tkdn_ik == Decimal("69.53")
    assert application.breakdown["rule_set"] == "IK-2025"
    assert application.breakdown["legal_basis"] == "Permenperin 35/2025"
    # (jsonb on PostgreSQL does not keep key order; pages show factors in FACTORS order)
    assert set(application.breakdown["factors"]) == {"materials", "labour", "facility"}
    assert application.snapshots.get().data["rule_set"] == "IK-2025"
    assert application.snapshots.get().data["product"]["facility"] == "own"


def test_a_revision_keeps_the_set_of_its_first_submission(ik_2022_in_force, settings):
    application = _submitted_and_calculated(draft_example_2())
    assert application.rule_set == "IK-2022"
    official = UserFactory(is_staff=True, is_superuser=True)
    application_transition(
        application=application, to_status=S.NEEDS_REVISION, actor=official, note="Perbaiki."
    )
    # IK-2025 takes effect while the owner is revising: the revision stays IK-2022.
    settings.TKDN_RULE_SET_IN_FORCE_FROM = {}
    application = _submitted_and_calculated(application)
    assert application.rule_set == "IK-2022"
    assert application.tkdn_ik == Decimal("25.00")
    assert application_follow_rule_set(application=application) == ""


def test_a_draft_follows_today_s_set_and_the_page_says_what_is_new(client):
    application = draft_example_2()  # an IK-2022 draft started before 12 Dec 2025
    owner = application.product.company.owner
    client.force_login(owner)
    response = client.get(reverse("applications:application_edit", args=[application.public_id]))
    html = response.content.decode()
    application.refresh_from_db()
    assert application.rule_set == "IK-2025"
    assert "berlaku aturan IK-2025" in html and "Permenperin 35/2025" in html
    assert 'name="materials-0-origin"' in html and 'name="materials-0-domestic"' not in html
    assert 'id="section-overhead"' not in html  # no overhead factor under IK-2025
    assert "data-provisional" in html
    # The checklist asks for the new inputs before the draft can be submitted.
    failing = {c.code for c in application_checks(application=application) if not c.ok}
    assert {"facility", "material_origin"} <= failing
    with pytest.raises(WorkflowError):
        application_submit(application=application, actor=owner, declared=True)


def test_a_copy_moves_to_today_s_set_and_keeps_only_unambiguous_origins(client):
    official = UserFactory(is_staff=True, is_superuser=True)
    old = draft_example_2()
    application_transition(application=old, to_status=S.SUBMITTED)
    application_transition(application=old, to_status=S.WITHDRAWN, actor=official)
    new = application_copy(application=old, actor=old.product.company.owner)
    assert (old.rule_set, new.rule_set) == ("IK-2022", "IK-2025")
    # The imported dye is imported under any set; the domestic cloth could be local or made
    # with imported inputs, so the owner chooses.
    assert dict(new.materials.values_list("name", "origin")) == {"Kain": "", "Pewarna": "imported"}
    client.force_login(old.product.company.owner)
    response = client.post(
        reverse("applications:application_copy", args=[_rejected(old).public_id]), follow=True
    )
    assert "dihitung dengan aturan IK-2022" in response.content.decode()


def _rejected(application):
    # A second copy needs a closed application: withdraw the copy made above.
    open_copy = application.product.applications.get(status=S.DRAFT)
    application_transition(application=open_copy, to_status=S.WITHDRAWN)
    return application


# --- IK-2025 checks and forms ---------------------------------------------------------------------


def test_certified_material_needs_value_number_and_file():
    application = draft_batik()
    line = application.materials.get(name="Malam")
    line.origin = MaterialLine.Origin.CERTIFIED
    line.component_tkdn = Decimal("45.50")
    line.save()
    failing = {c.code: c for c in application_checks(application=application) if not c.ok}
    assert failing["component_certificate"].details == ["Malam"]
    line.component_certificate_number = "TKDN-0001"
    line.component_certificate.save("tkdn.pdf", ContentFile(PDF_BYTES))
    line.save()
    assert all(c.ok for c in application_checks(application=application))
    application = _submitted_and_calculated(application)
    # Malam 10,000 × 0.60 (45.5 % is in the 40–60 band): (45,000 + 6,000) / 80,000 × 75 + 25.
    assert application.tkdn_ik == Decimal("72.81")


def test_the_cost_page_refuses_a_certified_line_without_its_value(client):
    application = draft_batik()
    client.force_login(application.product.company.owner)
    url = reverse("applications:application_edit", args=[application.public_id])
    data = {
        "materials-TOTAL_FORMS": "1",
        "materials-INITIAL_FORMS": "0",
        "materials-0-name": "Komponen",
        "materials-0-origin": "certified",
        "materials-0-qty_per_unit": "1",
        "materials-0-unit_price_rp": "10.000",
        "labour-TOTAL_FORMS": "0",
        "labour-INITIAL_FORMS": "0",
        "development-TOTAL_FORMS": "0",
        "development-INITIAL_FORMS": "0",
        "then": "save",
    }
    html = client.post(url, data).content.decode()
    assert "Isi nilai TKDN komponen" in html
    assert 'value="10.000"' in html  # what was typed stays
    data["materials-0-component_tkdn"] = "120"
    assert "paling besar 100" in client.post(url, data).content.decode()


def test_the_product_form_asks_for_the_facility(client):
    application = draft_batik()
    client.force_login(application.product.company.owner)
    response = client.post(
        reverse("applications:product_create"),
        {"name": "Batik Tulis", "brand": "Mega", "specification": "2 m", "unit": "lembar",
         "kbli": "13134", "category": "GENERAL"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "Pilih di mana produk ini dibuat" in response.content.decode()


def test_the_calculator_page_uses_today_s_set_with_the_facility(client):
    page = client.get(reverse("calculator")).content.decode()
    assert "IK-2025" in page and 'name="facility"' in page and "data-provisional" in page
    data = {
        "facility": "other_company",
        "materials-TOTAL_FORMS": "1",
        "materials-INITIAL_FORMS": "0",
        "materials-0-name": "Kayu",
        "materials-0-origin": "local",
        "materials-0-qty_per_unit": "1",
        "materials-0-unit_price_rp": "10000",
        "labour-TOTAL_FORMS": "1",
        "labour-INITIAL_FORMS": "0",
        "labour-0-role": "Tukang",
        "labour-0-citizenship": "WNI",
        "labour-0-cost_per_unit_rp": "5000",
        "development-TOTAL_FORMS": "0",
        "development-INITIAL_FORMS": "0",
    }
    panel = client.post(reverse("calculator"), data, HTTP_X_PREVIEW="1").content.decode()
    assert "94,00\xa0%" in panel  # 75 + 10 + 0.60 × 15


# --- Certificates ------------------------------------------------------------------------------


def test_ik_2025_certificate_five_years_no_extension_and_its_legal_basis():
    official = UserFactory(is_staff=True, is_superuser=True)
    application = _submitted_and_calculated(draft_batik())
    cert = _issue(application, official, issue_date=datetime.date(2026, 12, 3))
    assert cert.rule_set == "IK-2025"
    assert cert.valid_until == datetime.date(2031, 12, 2)
    assert cert.legal_basis == "Peraturan Menteri Perindustrian Nomor 35 Tahun 2025"
    registry_services.certificate_complete_issue(
        application_id=application.pk
    ) if cert.pdf else None
    Application.objects.filter(pk=application.pk).update(status=S.ISSUED)
    with pytest.raises(WorkflowError) as refused:
        registry_services.certificate_extend(certificate=cert, actor=official)
    assert "tidak dapat diperpanjang" in str(refused.value.message)


def test_ik_2022_certificate_three_years_and_one_extension(ik_2022_in_force):
    official = UserFactory(is_staff=True, is_superuser=True)
    application = _submitted_and_calculated(draft_example_2())
    cert = _issue(application, official, issue_date=timezone.localdate())
    assert cert.rule_set == "IK-2022"
    assert cert.valid_until == rules.get("IK-2022").valid_until(cert.issue_date)
    assert cert.legal_basis == "Peraturan Menteri Perindustrian Nomor 46 Tahun 2022"
    Application.objects.filter(pk=application.pk).update(status=S.ISSUED)
    cert = registry_services.certificate_extend(certificate=cert, actor=official)
    assert cert.extended_until == calculation.add_years(cert.valid_until, 2)
    with pytest.raises(WorkflowError):
        registry_services.certificate_extend(certificate=cert, actor=official)


def test_revocation_bars_until_the_anniversary_everywhere(client):
    official = UserFactory(is_staff=True, is_superuser=True)
    application = _submitted_and_calculated(draft_batik())
    cert = _issue(application, official)
    Application.objects.filter(pk=application.pk).update(status=S.ISSUED)
    registry_services.certificate_revoke(certificate=cert, actor=official, reason="Data palsu.")
    company = application.product.company
    company.refresh_from_db()
    today = timezone.localdate()
    assert company.barred_until == calculation.add_years(today, 1)
    assert calculation.is_barred(company.barred_until, today)
    assert not calculation.is_barred(company.barred_until, company.barred_until)
    bar = next(c for c in application_checks(application=draft_batik(owner=company.owner))
               if c.code == "revocation_bar")  # fmt: skip
    assert not bar.ok


def test_certificate_page_and_api_name_the_rule_set(client):
    official = UserFactory(is_staff=True, is_superuser=True)
    cert = _issue(_submitted_and_calculated(draft_batik()), official)
    page = client.get(reverse("registry:certificate_detail", kwargs={"number": cert.number}))
    assert "IK-2025 — Peraturan Menteri Perindustrian Nomor 35 Tahun 2025" in page.content.decode()
    row = client.get(f"/api/v1/certificates/{cert.number}/").json()
    assert (row["rule_set"], row["legal_basis"]) == (
        "IK-2025",
        "Peraturan Menteri Perindustrian Nomor 35 Tahun 2025",
    )


def test_admin_offers_extension_only_under_a_set_that_allows_it(client):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    ik_2025 = _issue(_submitted_and_calculated(draft_batik()), superuser)
    Application.objects.filter(pk=ik_2025.application_id).update(status=S.ISSUED)
    url = reverse("admin:registry_certificate_change", args=[ik_2025.pk])
    html = client.get(url).content.decode()
    extend = reverse("admin:registry_certificate_action", args=[ik_2025.pk, "perpanjang"])
    revoke = reverse("admin:registry_certificate_action", args=[ik_2025.pk, "cabut"])
    assert revoke in html and extend not in html


# --- The service-level clock ------------------------------------------------------------------


def _last_working_days_ago(days: int) -> datetime.datetime:
    """A submission moment whose date lies ``days`` working days before today."""
    today = timezone.localdate()
    day = today
    while workdays.working_days_between(day, today, frozenset()) < days or day.weekday() >= 5:
        day -= datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))


def test_clock_and_overdue_filter_use_each_application_s_own_set(client, settings):
    from applications.models import Holiday

    Holiday.objects.all().delete()  # count plain weekdays in this test
    official = OfficialFactory(province_id="32")
    official.user.groups.add(Group.objects.get(name=OFFICIAL_GROUP))
    ik_2025 = _submitted_and_calculated(draft_batik(name="Batik Baru"))
    # Submitted before 12 Dec 2025: the submission step recorded IK-2022 (the factory's set).
    ik_2022 = draft_example_2(name="Kain Lama")
    application_transition(application=ik_2022, to_status=S.SUBMITTED)
    application_calculate(application_id=ik_2022.pk)
    four_days_ago = _last_working_days_ago(4)
    Application.objects.filter(pk__in=[ik_2025.pk, ik_2022.pk]).update(
        submitted_at=four_days_ago, status=S.UNDER_REVIEW
    )
    client.force_login(official.user)
    changelist = reverse("admin:applications_application_changelist")
    overdue = client.get(changelist, {"batas": "lewat"}).content.decode()
    # 4 working days: past IK-2025's 3, within IK-2022's 5.
    assert "Batik Baru" in overdue and "Kain Lama" not in overdue
    within = client.get(changelist, {"batas": "dalam"}).content.decode()
    assert "Kain Lama" in within and "Batik Baru" not in within
    detail = client.get(
        reverse("admin:applications_application_change", args=[ik_2025.pk])
    ).content.decode()
    assert "dari 3 hari kerja" in detail
    assert "Peraturan Menteri Perindustrian Nomor 35 Tahun 2025" in detail
    assert "Sementara: aturan IK-2025" in detail  # provisional, said once to the official
    detail = client.get(
        reverse("admin:applications_application_change", args=[ik_2022.pk])
    ).content.decode()
    assert "dari 5 hari kerja" in detail
    assert "Nomor 46 Tahun 2022" in detail and "Sementara:" not in detail


# --- Settings ---------------------------------------------------------------------------------


def test_settings_check_refuses_unknown_sets_and_bad_dates(settings):
    settings.TKDN_RULE_SET_IN_FORCE_FROM = {"IK-2030": "2030-01-01", "IK-2025": "12-12-2025"}
    settings.TKDN_CONFIRMED_RULE_SETS = ["IK-2099"]
    assert {e.id for e in check_settings()} == {
        "applications.E001",
        "applications.E002",
        "applications.E003",
    }
    settings.TKDN_RULE_SET_IN_FORCE_FROM = {"IK-2025": "2025-12-11"}
    settings.TKDN_CONFIRMED_RULE_SETS = ["IK-2025"]
    assert check_settings() == []
    assert rules.in_force(datetime.date(2025, 12, 11)).code == "IK-2025"
    assert not rules.get("IK-2025").provisional


def test_a_confirmed_set_is_no_longer_provisional_in_the_stored_breakdown(settings):
    settings.TKDN_CONFIRMED_RULE_SETS = ["IK-2025"]
    application = _submitted_and_calculated(draft_batik())
    assert application.breakdown["provisional"] is False
    settings.TKDN_CONFIRMED_RULE_SETS = []
    application = _submitted_and_calculated(draft_batik())
    assert application.breakdown["provisional"] is True


def test_result_panel_shows_factors_in_order_whatever_the_stored_order():
    from applications.views import result_context
    from tests.applications.test_calculation_ik2025 import batik

    result = calculation.result_to_dict(calculation.calculate(*calculation.parse_input(batik())))
    # jsonb (PostgreSQL) gives the keys back in its own order.
    shuffled = dict(result, factors=dict(reversed(list(result["factors"].items()))))
    assert [row["key"] for row in result_context(shuffled)] == ["materials", "labour", "facility"]
