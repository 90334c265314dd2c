"""Programme figures (issue 15): coverage, targets, funnel, service level, reasons, expiring
certificates, the dashboard and its downloads, scoped by region."""

import datetime
import io
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import pytest
from openpyxl import load_workbook

from applications.models import Application, StatusChange, SupportingDocument
from applications.reasons import ReasonCode
from registry import programme, services
from registry.models import ProgrammeTarget, RegionPopulation
from registry.selectors import registry_statistics_compute
from tests.factories import (
    PDF_BYTES,
    ApplicationFactory,
    CertificateFactory,
    CompanyFactory,
    ProductFactory,
    UserFactory,
)
from tests.factories import (
    official_user as _official,
)

pytestmark = pytest.mark.django_db
DASHBOARD = reverse("admin:registry_programme_dashboard")
JABAR = programme.Region("32", "", "Jawa Barat")
TODAY = datetime.date(2026, 6, 10)


def _superuser():
    return UserFactory(username="pusat", is_staff=True, is_superuser=True)


def _owner(*, joined, province="32", regency="32.73", stage="registered"):
    """An owner who registered on ``joined`` and reached ``stage`` of the funnel."""
    user = UserFactory(
        date_joined=timezone.make_aware(datetime.datetime.combine(joined, datetime.time(9)))
    )
    if stage == "registered":
        return user
    company = CompanyFactory(owner=user, province_id=province, regency_id=regency)
    if stage != "company":
        SupportingDocument.objects.create(
            company=company,
            kind=SupportingDocument.Kind.NIB,
            file="private/nib.pdf",
            original_name="nib.pdf",
            content_type="application/pdf",
            size=len(PDF_BYTES),
        )
    if stage in ("draft", "submitted", "issued"):
        application = ApplicationFactory(product=ProductFactory(company=company))
        if stage in ("submitted", "issued"):
            Application.objects.filter(pk=application.pk).update(
                status="ISSUED" if stage == "issued" else "UNDER_REVIEW",
                submitted_at=timezone.now(),
            )
        if stage == "issued":
            CertificateFactory(application=application, province_id=province, regency_id=regency)
    return user


def test_funnel_counts_each_stage_of_the_year_cohort_with_drop_off():
    day = datetime.date(2026, 3, 2)
    for stage, n in (
        ("registered", 2),
        ("company", 1),
        ("profile", 2),
        ("draft", 2),
        ("submitted", 1),
        ("issued", 2),
    ):
        for _ in range(n):
            _owner(joined=day, stage=stage)
    _owner(joined=datetime.date(2025, 12, 31), stage="issued")  # last year's cohort
    # A draft without the NIB document counts as a complete profile too: the funnel never widens.
    no_document = _owner(joined=day, stage="company")
    ApplicationFactory(product=ProductFactory(company=no_document.company))
    _owner(joined=day, province="33", regency="33.72", stage="issued")  # another province

    national = {row["stage"]: row for row in programme.funnel(region=programme.NATIONAL, year=2026)}
    assert [
        national[key]["count"] for key in ("registered", "profile", "draft", "submitted", "issued")
    ] == [12, 9, 7, 4, 3]  # the Jateng owner counts nationally

    jabar = programme.funnel(region=JABAR, year=2026)
    counts = [row["count"] for row in jabar]
    # In a region, accounts without a company profile cannot be placed: 9 have one in Jabar.
    assert counts == [9, 8, 6, 3, 2]
    assert jabar[0]["drop_off_pct"] is None
    assert jabar[1]["drop_off_pct"] == Decimal("11.11")  # 1 of 9 lost
    assert jabar[3]["drop_off_pct"] == Decimal("50.00")  # 3 of 6
    assert jabar[4]["drop_off_pct"] == Decimal("33.33")  # 1 of 3
    assert jabar[4]["of_registered_pct"] == Decimal("22.22")
    bandung = programme.Region("32", "32.73")
    assert [row["count"] for row in programme.funnel(region=bandung, year=2026)] == counts


def test_coverage_with_and_without_population_data():
    CertificateFactory(province_id="32", regency_id="32.73")
    # Two certificates of one company count once; a revoked or expired one not at all.
    twice = CertificateFactory(province_id="32", regency_id="32.04")
    CertificateFactory(
        application=ApplicationFactory(
            product=ProductFactory(company=twice.application.product.company), issued=True
        ),
        province_id="32",
        regency_id="32.04",
    )
    CertificateFactory(province_id="32", regency_id="32.73", issue_date=datetime.date(2020, 1, 1))
    user = _superuser()
    services.population_record(
        actor=user,
        population=RegionPopulation(province_id="32", year=2024, ikm_count=900, source="BPS 2024"),
    )
    # History: a later entry for the same year wins; an older year loses to a newer one.
    services.population_record(
        actor=user,
        population=RegionPopulation(
            province_id="32", year=2024, ikm_count=800, source="BPS 2024 (koreksi)"
        ),
    )
    services.population_record(
        actor=user,
        population=RegionPopulation(province_id="32", year=2023, ikm_count=50, source="lama"),
    )
    data = registry_statistics_compute(today=TODAY)["coverage"]
    jabar = next(row for row in data["provinces"] if row["code"] == "32")
    assert jabar["certified_ikm"] == 2
    assert (jabar["population"], jabar["source"], jabar["population_year"]) == (
        800,
        "BPS 2024 (koreksi)",
        2024,
    )
    assert jabar["coverage_pct"] == Decimal("0.25")
    jateng = next(row for row in data["provinces"] if row["code"] == "33")
    assert jateng["population"] is None and jateng["coverage_pct"] is None
    bandung = next(row for row in data["regencies"] if row["code"] == "32.73")
    assert bandung["certified_ikm"] == 1 and bandung["population"] is None
    assert RegionPopulation.objects.count() == 3


def test_statistics_page_and_api_show_coverage_and_no_data(client):
    CertificateFactory()
    services.population_record(
        actor=_superuser(),
        population=RegionPopulation(
            province_id="32", year=2025, ikm_count=400, source="Data demo: contoh"
        ),
    )
    html = client.get(reverse("registry:statistics")).content.decode()
    assert "Data demo: contoh" in html and "tidak ada data" in html
    assert "0,25" in html  # coverage in %, Indonesian decimal comma
    body = client.get(reverse("api:statistics_coverage"), HTTP_ACCEPT="application/json").json()
    jabar = next(row for row in body["provinces"] if row["code"] == "32")
    assert jabar == {
        "code": "32",
        "name": "Jawa Barat",
        "certified_ikm": 1,
        "population": 400,
        "population_year": 2025,
        "source": "Data demo: contoh",
        "demo": True,
        "coverage_pct": "0.25",
    }
    aceh = body["provinces"][0]
    assert aceh["population"] is None and aceh["coverage_pct"] is None and aceh["source"] == ""


def test_an_official_enters_populations_only_for_their_region():
    official = _official("32", "32.73")
    services.population_record(
        actor=official,
        population=RegionPopulation(
            province_id="32", regency_id="32.73", year=2025, ikm_count=10, source="Dinas"
        ),
    )
    for province, regency in (("32", None), ("33", None), ("32", "32.04")):
        with pytest.raises(PermissionDenied):
            services.population_record(
                actor=official,
                population=RegionPopulation(
                    province_id=province, regency_id=regency, year=2025, ikm_count=1, source="x"
                ),
            )


def test_targets_progress_and_national_sum():
    CertificateFactory(issue_date=datetime.date(2026, 2, 1))
    CertificateFactory(issue_date=datetime.date(2026, 3, 1))
    CertificateFactory(issue_date=datetime.date(2025, 3, 1))
    ProgrammeTarget.objects.create(
        province_id="32", year=2026, metric="CERTIFICATES_ISSUED", target=8
    )
    ProgrammeTarget.objects.create(
        province_id="33", year=2026, metric="CERTIFICATES_ISSUED", target=2
    )
    ProgrammeTarget.objects.create(province_id="32", year=2026, metric="OWNERS_TRAINED", target=50)
    rows = {row["metric"]: row for row in programme.targets_progress(region=JABAR, year=2026)}
    assert rows["CERTIFICATES_ISSUED"]["actual"] == 2
    assert rows["CERTIFICATES_ISSUED"]["percent"] == Decimal("25.00")
    assert rows["OWNERS_TRAINED"]["actual"] == 0  # nobody attended an event yet
    national = programme.targets_progress(region=programme.NATIONAL, year=2026)
    issued = next(row for row in national if row["metric"] == "CERTIFICATES_ISSUED")
    assert (issued["target"], issued["actual"]) == (10, 2)


def _decided(*, submitted, decided, rule_set="IK-2022", province="32", regency="32.73"):
    application = ApplicationFactory(
        rule_set=rule_set,
        product__company__province_id=province,
        product__company__regency_id=regency,
    )
    tz = timezone.get_current_timezone()
    Application.objects.filter(pk=application.pk).update(
        status="REJECTED",
        submitted_at=datetime.datetime.combine(submitted, datetime.time(10), tzinfo=tz),
        decided_at=datetime.datetime.combine(decided, datetime.time(10), tzinfo=tz),
    )
    return application


def test_service_level_uses_each_rule_sets_working_days():
    monday = datetime.date(2026, 3, 2)
    _decided(submitted=monday, decided=monday + datetime.timedelta(days=7))  # 5 wd: met
    _decided(submitted=monday, decided=monday + datetime.timedelta(days=8))  # 6 wd: late
    _decided(submitted=monday, decided=monday + datetime.timedelta(days=2), rule_set="IK-2025")  # 2
    _decided(
        submitted=monday, decided=monday + datetime.timedelta(days=4), rule_set="IK-2025"
    )  # 4: late
    _decided(submitted=monday, decided=monday, province="33", regency="33.72")
    rows = {row["rule_set"]: row for row in programme.service_level(region=JABAR, year=2026)}
    assert (rows["IK-2022"]["decided"], rows["IK-2022"]["met"], rows["IK-2022"]["limit_days"]) == (
        2,
        1,
        5,
    )
    assert (rows["IK-2025"]["decided"], rows["IK-2025"]["met"], rows["IK-2025"]["limit_days"]) == (
        2,
        1,
        3,
    )
    assert rows["Semua"]["met_pct"] == Decimal("50.00")


def test_top_reasons_of_rejections_and_revisions():
    application = ApplicationFactory()
    for to_status, code, n in (
        ("REJECTED", ReasonCode.NO_PURCHASE_PROOF, 3),
        ("REJECTED", ReasonCode.BELOW_THRESHOLD, 1),
        ("NEEDS_REVISION", ReasonCode.REVISION, 2),
    ):
        for _ in range(n):
            StatusChange.objects.create(
                application=application,
                from_status="UNDER_REVIEW",
                to_status=to_status,
                reason_code=code,
            )
    other = ApplicationFactory(
        product__company__province_id="33", product__company__regency_id="33.72"
    )
    StatusChange.objects.create(
        application=other,
        from_status="UNDER_REVIEW",
        to_status="REJECTED",
        reason_code="KBLI_MISMATCH",
    )
    rows = programme.top_reasons(region=JABAR, year=timezone.localdate().year)
    assert [(row["kind"], row["code"], row["count"]) for row in rows] == [
        ("REJECTED", "NO_PURCHASE_PROOF", 3),
        ("NEEDS_REVISION", "REVISION", 2),
        ("REJECTED", "BELOW_THRESHOLD", 1),
    ]
    assert rows[0]["label"] == str(ReasonCode.NO_PURCHASE_PROOF.label)


def test_expiring_certificates_within_the_renewal_window():
    today = timezone.localdate()
    soon = CertificateFactory(
        issue_date=today - datetime.timedelta(days=900),
        valid_until=today + datetime.timedelta(days=20),
    )
    CertificateFactory(
        issue_date=today - datetime.timedelta(days=900),
        valid_until=today + datetime.timedelta(days=120),
    )
    CertificateFactory(
        issue_date=today - datetime.timedelta(days=900),
        valid_until=today + datetime.timedelta(days=10),
        province_id="33",
        regency_id="33.72",
    )
    rows = programme.expiring_certificates(region=JABAR, today=today)
    assert [row["number"] for row in rows] == [soon.number]
    assert rows[0]["days_left"] == 20 and rows[0]["renewal_started"] is False
    ApplicationFactory(product=soon.application.product, is_renewal=True)  # a renewal draft
    assert programme.expiring_certificates(region=JABAR, today=today)[0]["renewal_started"]


def _world():
    """Figures in both provinces: Jabar's must never show to Jateng's official."""
    CertificateFactory(
        company_name="PT Rahasia Jabar",
        issue_date=timezone.localdate() - datetime.timedelta(days=1000),
        valid_until=timezone.localdate() + datetime.timedelta(days=30),
    )
    ProgrammeTarget.objects.create(
        province_id="32", year=timezone.localdate().year, metric="CERTIFICATES_ISSUED", target=777
    )
    RegionPopulation.objects.create(
        province_id="32", year=2025, ikm_count=12345, source="Sumber Jabar"
    )


def test_dashboard_shows_own_region_and_hides_others(client):
    _world()
    client.force_login(_official("32"))
    html = client.get(DASHBOARD).content.decode()
    assert "PT Rahasia Jabar" in html and "777" in html and "Sumber Jabar" in html
    client.force_login(_official("33"))
    response = client.get(DASHBOARD)
    html = response.content.decode()
    assert response.status_code == 200
    assert "PT Rahasia Jabar" not in html and "777" not in html and "Sumber Jabar" not in html
    # Asking for the other region by its code: 404, and the downloads too.
    assert client.get(DASHBOARD, {"wilayah": "32"}).status_code == 404
    url = reverse("admin:registry_programme_download", kwargs={"figure": "expiring", "fmt": "csv"})
    assert client.get(url, {"wilayah": "32"}).status_code == 404
    assert "PT Rahasia Jabar" not in client.get(url).content.decode()
    # The admin lists of targets and populations are scoped the same way.
    assert (
        "777"
        not in client.get(reverse("admin:registry_programmetarget_changelist")).content.decode()
    )
    target = ProgrammeTarget.objects.get()
    assert (
        client.get(reverse("admin:registry_programmetarget_change", args=[target.pk])).status_code
        == 404
    )
    population = RegionPopulation.objects.get()
    assert (
        client.get(
            reverse("admin:registry_regionpopulation_change", args=[population.pk])
        ).status_code
        == 404
    )


def test_superuser_chooses_a_region_or_national(client):
    _world()
    client.force_login(_superuser())
    assert "PT Rahasia Jabar" in client.get(DASHBOARD).content.decode()
    assert "PT Rahasia Jabar" not in client.get(DASHBOARD, {"wilayah": "33"}).content.decode()
    assert "PT Rahasia Jabar" in client.get(DASHBOARD, {"wilayah": "32.73"}).content.decode()
    response = client.get(DASHBOARD, {"tahun": "abc"})
    assert response.status_code == 200 and "Tahun abc tidak dikenal" in response.content.decode()


@pytest.mark.parametrize("figure", list(programme.SECTIONS))
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_figure_downloads(client, figure, fmt):
    _world()
    client.force_login(_official("32"))
    url = reverse("admin:registry_programme_download", kwargs={"figure": figure, "fmt": fmt})
    response = client.get(url)
    assert response.status_code == 200
    assert f"program-{figure}-32-" in response["Content-Disposition"]
    if fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet.max_row >= 1
    else:
        assert response.content.decode("utf-8-sig").splitlines()[0]
    assert (
        client.get(
            reverse("admin:registry_programme_download", kwargs={"figure": figure, "fmt": "pdf"})
        ).status_code
        == 404
    )


def test_dashboard_query_count_does_not_grow_with_the_data(client):
    client.force_login(_official("32"))
    client.get(DASHBOARD)  # warm the session and the permission caches

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(DASHBOARD).status_code == 200
        return len(queries)

    _world()
    small = count()
    for index in range(6):
        _owner(joined=timezone.localdate(), stage=("draft", "issued", "profile")[index % 3])
        CertificateFactory(
            valid_until=timezone.localdate() + datetime.timedelta(days=40 + index),
            issue_date=timezone.localdate() - datetime.timedelta(days=900),
        )
    large = count()
    assert large == small
    assert small <= 30


def test_official_sets_a_target_through_the_admin(client):
    user = _official("32")
    client.force_login(user)
    year = timezone.localdate().year
    add = reverse("admin:registry_programmetarget_add")
    response = client.post(
        add, {"province": "33", "year": year, "metric": "CERTIFICATES_ISSUED", "target": 5}
    )
    assert response.status_code == 200 and not ProgrammeTarget.objects.exists()
    response = client.post(
        add, {"province": "32", "year": year, "metric": "CERTIFICATES_ISSUED", "target": 5}
    )
    assert response.status_code == 302
    target = ProgrammeTarget.objects.get()
    assert target.updated_by == user
    # The same metric twice for the region and year: a message, nothing lost.
    response = client.post(
        add, {"province": "32", "year": year, "metric": "CERTIFICATES_ISSUED", "target": 9}
    )
    assert response.status_code == 200 and "sudah ada" in response.content.decode()
    html = client.get(reverse("admin:registry_programmetarget_changelist")).content.decode()
    assert "<progress" in html
    assert "Jawa Tengah" not in html  # the province filter is for national users only


def test_demo_data_marks_its_figures_as_demo(client):
    from django.core.management import call_command

    call_command("load_demo", verbosity=0)
    call_command("load_demo", verbosity=0)  # idempotent: no second entry
    assert RegionPopulation.objects.count() == 2
    assert all(row.source.startswith("Data demo") for row in RegionPopulation.objects.all())
    body = client.get(reverse("api:statistics_coverage"), HTTP_ACCEPT="application/json").json()
    jabar = next(row for row in body["provinces"] if row["code"] == "32")
    assert jabar["demo"] is True and jabar["population"] == 84000
    official = UserFactory(username="petugas.jabar")
    client.force_login(official)
    html = client.get(DASHBOARD).content.decode()
    assert "Data demo" in html and "84.000" in html
    assert ProgrammeTarget.objects.filter(province_id="32").count() == 4


def test_events_section_and_owners_trained_count_attendees_of_the_region():
    from django.utils import timezone as tz

    from applications.models import Registration
    from tests.factories import (
        ApplicationFactory,
        CompanyFactory,
        EventFactory,
        RegistrationFactory,
    )

    start = datetime.datetime(2026, 3, 10, 9, tzinfo=tz.get_current_timezone())
    jabar = EventFactory(
        province_id="32",
        regency_id="32.73",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=3),
        title="Bimtek Bandung",
    )
    elsewhere = EventFactory(
        province_id="33",
        regency_id=None,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=3),
        title="Bimtek Semarang",
    )
    attendees = [CompanyFactory().owner for _ in range(3)]
    for owner in attendees:
        RegistrationFactory(event=jabar, owner=owner)
    Registration.objects.filter(event=jabar, owner__in=attendees[:2]).update(attended=True)
    RegistrationFactory(event=elsewhere, attended=True)
    # One attendee starts an application after the event: the conversion counts it.
    application = ApplicationFactory(product__company=attendees[0].company)
    type(application).objects.filter(pk=application.pk).update(
        created_at=start + datetime.timedelta(days=2)
    )

    assert programme.owners_trained(region=JABAR, year=2026) == 2
    assert programme.owners_trained(region=programme.NATIONAL, year=2026) == 3
    assert programme.owners_trained(region=JABAR, year=2025) == 0
    section = programme.section_events(region=JABAR, year=2026, today=datetime.date(2026, 6, 1))
    assert [row[1] for row in section.rows] == ["Bimtek Bandung"]
    row = dict(zip(section.header, section.rows[0], strict=True))
    assert (row["Terdaftar"], row["Hadir"], row["Permohonan dimulai"]) == (3, 2, 1)
    assert row["Konversi hadir → permohonan (%)"] == Decimal("50.0")
