"""Statistics on a known data set, the cache (not recomputed per request), the periodic task,
the page with charts and accessible tables, and the working-day arithmetic."""

import datetime
import re
from decimal import Decimal

from django.core.cache import cache
from django.utils import timezone

import pytest

from applications import workdays
from applications.models import Application, Holiday
from registry import selectors
from registry.models import Certificate
from tests.factories import ApplicationFactory, CertificateFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 3, 2)


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def known():
    today = timezone.localdate()
    CertificateFactory(tkdn_ik=Decimal("25.00"), kbli="31001", issue_date=today)
    CertificateFactory(tkdn_ik=Decimal("25.99"), kbli="31002", issue_date=today)
    CertificateFactory(
        tkdn_ik=Decimal("40.00"),
        kbli="13134",
        province_id="34",
        regency_id="34.71",
        issue_date=today,
    )
    expired = CertificateFactory(
        tkdn_ik=Decimal("33.30"),
        kbli="10761",
        province_id="11",
        regency_id="11.17",
        issue_date=datetime.date(2020, 1, 1),
    )
    revoked = CertificateFactory(tkdn_ik=Decimal("30.00"), issue_date=today)
    Certificate.objects.filter(pk=revoked.pk).update(status="REVOKED", revoked_at=timezone.now())
    # Decisions after 0, 2, 5 and 4 (a holiday on Thursday 5 March) working days.
    certified = [c.application for c in Certificate.objects.order_by("id")][:4]
    week = datetime.timedelta(days=7)
    durations = [
        (MONDAY, MONDAY),
        (MONDAY, MONDAY + datetime.timedelta(days=2)),
        (MONDAY + week, MONDAY + 2 * week),
        (MONDAY, MONDAY + week),
    ]
    Holiday.objects.create(date=datetime.date(2026, 3, 5), name="Libur uji")
    for application, (submitted, decided) in zip(certified, durations, strict=True):
        Application.objects.filter(pk=application.pk).update(
            submitted_at=_at(submitted), decided_at=_at(decided)
        )
    for reason in ("BELOW_THRESHOLD", "BELOW_THRESHOLD", "NO_PURCHASE_PROOF", ""):
        ApplicationFactory(status=Application.Status.REJECTED, reason_code=reason)
    ApplicationFactory(status=Application.Status.DRAFT)
    return expired, revoked


def test_statistics_numbers_on_a_known_data_set(known):
    data = selectors.registry_statistics_compute()
    assert data["totals"] == {"total": 5, "valid": 3, "expired": 1, "revoked": 1}
    by_province = {row["code"]: row["count"] for row in data["by_province"]}
    assert len(by_province) == 38
    assert by_province["32"] == 3 and by_province["34"] == 1 and by_province["11"] == 1
    assert sum(by_province.values()) == 5
    assert {row["division"]: row["count"] for row in data["by_kbli"]} == {
        "10": 1,
        "13": 1,
        "31": 3,
    }
    bands = {row["label"]: row["count"] for row in data["distribution"]}
    assert bands["IK-2022 · 25–26"] == 2  # 25.00 and 25.99
    assert bands["IK-2022 · 39–40"] == 1  # 40.00, the maximum, counted in the last band
    assert bands["IK-2022 · 33–34"] == 1 and bands["IK-2022 · 30–31"] == 1
    assert sum(bands.values()) == 5
    # IK-2025 has bands of its own, 5 points wide up to its maximum of 100.
    ik_2025 = [row for row in data["distribution"] if row["rule_set"] == "IK-2025"]
    assert (ik_2025[0]["label"], ik_2025[-1]["label"]) == ("IK-2025 · 25–30", "IK-2025 · 95–100")
    assert {row["code"]: row["count"] for row in data["by_rule_set"]} == {
        "IK-2022": 5,
        "IK-2025": 0,
    }
    statuses = {row["status"]: row["count"] for row in data["applications_by_status"]}
    assert statuses["ISSUED"] == 5 and statuses["REJECTED"] == 4 and statuses["DRAFT"] == 1
    reasons = [(row["code"], row["count"]) for row in data["rejection_reasons"]]
    assert reasons[0] == ("BELOW_THRESHOLD", 2)
    assert set(reasons[1:]) == {("NO_PURCHASE_PROOF", 1), ("", 1)}
    # 0, 2, 4 (holiday), 5 working days: the median is 3.0.
    assert data["decided_count"] == 4
    assert data["median_working_days"] == "3.0"


def test_working_days_between_matches_the_convention():
    holidays = [datetime.date(2026, 3, 4)]
    assert workdays.working_days_between(MONDAY, MONDAY, holidays) == 0
    friday = MONDAY + datetime.timedelta(days=4)
    assert workdays.working_days_between(friday, friday + datetime.timedelta(days=3), []) == 1
    assert workdays.working_days_between(MONDAY, MONDAY + datetime.timedelta(days=7), []) == 5
    assert workdays.working_days_between(MONDAY, MONDAY + datetime.timedelta(days=7), holidays) == 4
    # Cross-check against the day-by-day loop over a long span.
    start = datetime.date(2025, 12, 20)
    for length in range(0, 40):
        end = start + datetime.timedelta(days=length)
        slow = sum(
            1
            for i in range(1, length + 1)
            if (start + datetime.timedelta(days=i)).weekday() < 5
            and start + datetime.timedelta(days=i) not in holidays
        )
        assert workdays.working_days_between(start, end, holidays) == slow


def test_page_reads_the_cache_not_the_table(client, known, django_assert_num_queries):
    client.get("/statistik/")  # fills the cache
    with django_assert_num_queries(1):  # only MAX(updated_at): has anything changed since?
        response = client.get("/statistik/")
    assert response.status_code == 200
    assert response.context["stats"]["totals"]["total"] == 5


def test_a_change_queues_a_refresh(client, known):
    client.get("/statistik/")
    CertificateFactory()
    # The change is seen and a refresh queued (run at once by the eager test worker); the page
    # itself still shows the numbers it had.
    assert client.get("/statistik/").context["stats"]["totals"]["total"] == 5
    assert client.get("/statistik/").context["stats"]["totals"]["total"] == 6
    assert cache.get(selectors.STATISTICS_CACHE_KEY)["totals"]["total"] == 6


def test_refresh_task_updates_the_cache(known):
    from registry.tasks import registry_statistics_refresh_task

    cache.set(selectors.STATISTICS_CACHE_KEY, {"stale": True})
    registry_statistics_refresh_task.delay()
    assert cache.get(selectors.STATISTICS_CACHE_KEY)["totals"]["total"] == 5


def test_page_has_charts_and_accessible_tables(client, known):
    html = client.get("/statistik/").content.decode()
    assert "vendor/chartjs/chart.umd.min.js" in html
    assert 'id="chart-province"' in html and 'id="data-province"' in html
    assert "<caption" in html and 'scope="col"' in html
    assert "Jawa Barat" in html and "Daerah Istimewa Yogyakarta" in html
    assert "Nilai TKDN-IK di bawah ambang batas" in html
    # Issue 13: "3,0 hari kerja" → "3 hari kerja" (one formatting layer).
    assert "<strong>3 hari kerja</strong>" in html and "3,0" not in html and "3.0 hari" not in html
    # No asset from a CDN or any other host (a random CSRF token may contain the letters "cdn").
    assert not re.search(r"<(?:script|link)[^>]+(?:src|href)=[\"']?(?:https?:)?//", html)


def test_empty_register(client):
    response = client.get("/statistik/")
    assert response.status_code == 200
    assert "Belum ada permohonan yang diputuskan" in response.content.decode()


def test_weighted_median():
    from collections import Counter

    assert selectors._weighted_median(Counter()) is None
    assert selectors._weighted_median(Counter({1: 1, 2: 1, 9: 1})) == "2.0"
    assert selectors._weighted_median(Counter({3: 2})) == "3.0"
    assert selectors._weighted_median(Counter({0: 1, 5: 3})) == "5.0"
    assert selectors._weighted_median(Counter({1: 2, 4: 2})) == "2.5"


def test_ik_2025_values_fall_in_their_own_bands():
    CertificateFactory(rule_set="IK-2025", tkdn_ik=Decimal("69.53"))
    CertificateFactory(rule_set="IK-2025", tkdn_ik=Decimal("100.00"))
    CertificateFactory(rule_set="IK-2022", tkdn_ik=Decimal("32.50"))
    data = selectors.registry_statistics_compute()
    bands = {row["label"]: row["count"] for row in data["distribution"] if row["count"]}
    assert bands == {"IK-2025 · 65–70": 1, "IK-2025 · 95–100": 1, "IK-2022 · 32–33": 1}
    assert [(r["code"], r["legal_basis"], r["count"]) for r in data["by_rule_set"]] == [
        ("IK-2022", "Permenperin 46/2022", 1),
        ("IK-2025", "Permenperin 35/2025", 2),
    ]
