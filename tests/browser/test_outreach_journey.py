"""An outreach event end to end in headless Chromium (issue 15): an owner finds the event near
them and registers (phone width), the event takes place, the official of the region ticks the
owner's attendance in the admin, the owner starts an application, and the event's conversion in
the officials' list shows it. Screenshots go to var/screenshots/outreach-*.png.
"""

import datetime
from importlib import import_module

from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import pytest

from applications.models import Application, Event, Registration
from applications.selectors import OFFICIAL_GROUP
from tests.browser.test_owner_journey import DESKTOP, PHONE, shot
from tests.factories import (
    CompanyFactory,
    EventFactory,
    OfficialFactory,
    ProductFactory,
    UserFactory,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


def official_group() -> Group:
    """The officials' group with its permissions as the migrations make them (an earlier
    transactional test may have flushed it)."""
    group, _ = Group.objects.get_or_create(name=OFFICIAL_GROUP)
    permissions = (
        import_module("accounts.migrations.0002_official_groups").OFFICIAL_PERMISSIONS
        + import_module("applications.migrations.0008_outreach_events").PERMISSIONS
    )
    for app_label, codename in permissions:
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return group


def logged_in(browser, live_server, user, viewport=DESKTOP):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=viewport, locale="id-ID")
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context


def test_owner_registers_attends_applies_and_the_conversion_shows_it(
    live_server, browser, settings
):
    settings.ALLOWED_HOSTS = ["*"]
    settings.TKDN_ADMIN_2FA = False  # the admin's second factor has its own tests
    official = OfficialFactory(province_id="32", user__username="petugas_jabar")
    official.user.groups.add(official_group())
    owner = UserFactory(username="sari", first_name="Sari")
    company = CompanyFactory(owner=owner, regency_id="32.09", name="CV Rotan Sari")
    ProductFactory(company=company, name="Kursi Rotan Sari", facility="own")
    start = timezone.now() + datetime.timedelta(days=2)
    EventFactory(title="Sosialisasi di Semarang", province_id="33", regency_id=None)
    event = EventFactory(
        title="Bimtek TKDN-IK Rotan Cirebon",
        regency_id="32.09",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=5),
        capacity=20,
        created_by=official.user,
    )
    base = live_server.url
    errors: list[str] = []

    # --- The owner, on a phone, finds the event near them first and registers ----------------
    owner_context = logged_in(browser, live_server, owner, viewport=PHONE)
    page = owner_context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{base}/pelatihan/")
    titles = page.locator("article h3").all_inner_texts()
    assert titles[0] == "Bimtek TKDN-IK Rotan Cirebon"
    shot(page, "outreach-01-list-375")
    page.click("text=Bimtek TKDN-IK Rotan Cirebon")
    page.click("button:has-text('Daftar acara ini')")
    page.wait_for_selector(".alert-success")
    assert "Anda terdaftar" in page.locator("main").inner_text()
    shot(page, "outreach-02-registered-375")
    assert Registration.objects.get(event=event, owner=owner).status == "registered"

    # --- The event takes place ---------------------------------------------------------------
    now = timezone.now()
    Event.objects.filter(pk=event.pk).update(
        starts_at=now - datetime.timedelta(hours=4), ends_at=now - datetime.timedelta(hours=1)
    )

    # --- The official records the owner's attendance on the event's admin page -------------
    official_context = logged_in(browser, live_server, official.user)
    admin_page = official_context.new_page()
    admin_page.on("pageerror", lambda exc: errors.append(str(exc)))
    admin_page.goto(base + reverse("admin:applications_event_change", args=[event.pk]))
    admin_page.check("input[name='registrations-0-attended']")
    shot(admin_page, "outreach-03-attendance-1280")
    admin_page.click("input[name='_continue']")
    admin_page.wait_for_selector(".messagelist")
    assert "Kehadiran 1 peserta dicatat" in admin_page.locator(".messagelist").inner_text()
    assert Registration.objects.get(event=event, owner=owner).attended

    # --- The owner starts an application from the dashboard -----------------------------------
    page.goto(f"{base}/ikm/")
    page.click("button:has-text('Ajukan TKDN-IK')")
    page.wait_for_url("**/ikm/permohonan/**")
    assert Application.objects.filter(product__company=company).count() == 1

    # --- The event's conversion shows it in the officials' list -----------------------------
    admin_page.goto(base + reverse("admin:applications_event_changelist"))
    row = admin_page.locator("#result_list tbody tr", has_text="Bimtek TKDN-IK Rotan Cirebon")
    assert row.locator("td.field-registered").inner_text() == "1 / 20"
    assert row.locator("td.field-attended").inner_text() == "1"
    assert row.locator("td.field-started").inner_text() == "1"
    assert "Semarang" not in admin_page.locator("#result_list").inner_text()  # other province
    shot(admin_page, "outreach-04-conversion-1280")
    assert errors == []
    owner_context.close()
    official_context.close()
