"""An official sets a yearly target in the admin and sees its progress on the programme
dashboard (issue 15), on a phone-sized and a desktop screen."""

import datetime
from importlib import import_module

from django.contrib.auth.models import Group, Permission
from django.utils import timezone

import pytest

from applications.selectors import OFFICIAL_GROUP
from registry.models import ProgrammeTarget
from tests.browser.test_accessibility import _logged_in
from tests.browser.test_owner_journey import DESKTOP, PHONE, SHOTS
from tests.factories import CertificateFactory, OfficialFactory

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


def _official():
    group, _ = Group.objects.get_or_create(name=OFFICIAL_GROUP)
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="registry",
            codename__in=import_module(
                "registry.migrations.0005_programme_coverage_reminders"
            ).PERMISSIONS,
        )
    )
    official = OfficialFactory(province_id="32", user__username="petugas_jabar")
    official.user.groups.add(group)
    return official.user


def test_official_sets_a_target_and_sees_progress(live_server, browser, settings):
    settings.ALLOWED_HOSTS = ["*"]
    settings.TKDN_ADMIN_2FA = False  # the second factor has its own tests
    today = timezone.localdate()
    # Three certificates issued this year in Jawa Barat, one in Jawa Tengah (not counted).
    for day in (1, 2, 3):
        CertificateFactory(issue_date=datetime.date(today.year, 1, day))
    CertificateFactory(
        issue_date=datetime.date(today.year, 1, 4), province_id="33", regency_id="33.72"
    )
    context = _logged_in(browser, live_server, _official())
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/admin/registry/programmetarget/add/")
    # The province offers only the official's own; the form keeps what was typed on an error.
    assert page.locator("#id_province option[value='33']").count() == 0
    page.select_option("#id_province", "32")
    page.fill("#id_year", str(today.year))
    page.select_option("#id_metric", "CERTIFICATES_ISSUED")
    page.fill("#id_target", "12")
    page.fill("#id_note", "Target sertifikat Jawa Barat")
    page.click("input[name=_save]")
    page.wait_for_url("**/admin/registry/programmetarget/")
    target = ProgrammeTarget.objects.get()
    assert (target.target, target.province_id, target.regency_id) == (12, "32", None)
    # The list shows the progress: 3 of 12.
    assert "3 / 12 (25" in page.locator("#result_list").inner_text()
    page.screenshot(path=str(SHOTS / "programme-targets-375.png"), full_page=True)

    page.click("text=Dasbor program")
    page.wait_for_selector("#bagian-targets")
    targets = page.locator("#bagian-targets table").inner_text()
    assert "Sertifikat terbit" in targets and "12" in targets and "25" in targets
    assert page.locator("#bagian-targets progress").count() == 1
    # The funnel's chart is drawn (decoration: hidden from screen readers, the table holds it).
    page.set_viewport_size(DESKTOP)
    assert page.locator(".programme-chart[aria-hidden=true] canvas").count() >= 1
    page.wait_for_function("() => document.querySelector('canvas[data-chart=funnel]').width > 0")
    page.screenshot(path=str(SHOTS / "programme-dashboard-1280.png"), full_page=True)
    # The figure downloads as XLSX.
    with page.expect_download() as download:
        page.locator("#bagian-targets .downloads a", has_text="XLSX").click()
    assert download.value.suggested_filename == f"program-targets-32-{today.year}.xlsx"
    assert errors == []
    context.close()
