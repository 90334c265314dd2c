"""axe-core on every page of the public, owner and official journeys, at 375 and 1280 px.

axe-core comes from npm (``make vendor`` puts it in tests/browser/vendor/, never served to users)
and is injected with Playwright into each page. A ``serious`` or ``critical`` violation fails the
test; the message names each rule, the page, the width and the offending elements. Screenshots
(var/screenshots/axe-*.png, ignored by git) are there to be looked at: a page that passes axe
but looks broken is broken.
"""

import datetime
import hashlib
from decimal import Decimal
from pathlib import Path

from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import pytest

from applications.models import EventChange
from applications.services.outreach_notices import event_snapshot
from tests.applications.portal_helpers import draft_example_2
from tests.browser.test_owner_journey import DESKTOP, PHONE, SHOTS
from tests.factories import (
    PDF_BYTES,
    CertificateFactory,
    CompanyFactory,
    EventFactory,
    OfficialFactory,
    RegistrationFactory,
    UserFactory,
    application_under_review,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
# Only violations are needed; WCAG 2.0-2.2 A and AA plus axe's best practices.
RUN_AXE = """() => axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations.map(
  v => ({id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map(n => n.target.join(" ")).slice(0, 8)})))"""


def _context(browser):
    # The portal's CSP forbids inline scripts, which is how Playwright injects axe: bypassed
    # for the test only (the pages' own scripts are still external files).
    return browser.new_context(viewport=DESKTOP, locale="id-ID", bypass_csp=True)


def _session_cookie(live_server, user) -> list[dict]:
    """A session of ``user`` as a browser cookie (the login form has its own tests)."""
    client = Client()
    client.force_login(user)
    return [
        {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}
    ]


def _logged_in(browser, live_server, user):
    context = _context(browser)
    context.add_cookies(_session_cookie(live_server, user))
    return context


def _violations(page, name: str) -> list[str]:
    """axe on the page as it is, at both widths (screenshots of each): the blocking violations."""
    page.add_script_tag(path=str(AXE))
    found = []
    for width, viewport in (("375", PHONE), ("1280", DESKTOP)):
        page.set_viewport_size(viewport)
        page.screenshot(path=str(SHOTS / f"axe-{name}-{width}.png"), full_page=True)
        # What the first screen shows (fixed bars sit where a full-page capture cannot show).
        page.screenshot(path=str(SHOTS / f"axe-{name}-{width}-screen.png"))
        for v in page.evaluate(RUN_AXE):
            # Every finding, blocking or not, for whoever fixes the moderate and minor ones next.
            with (SHOTS / "axe-report.txt").open("a") as report:
                report.write(f"{name}\t{width}\t{v['impact']}\t{v['id']}\t{v['targets']}\n")
            if v["impact"] in BLOCKING:
                found.append(
                    f"{name} ({page.url}) at {width} px: {v['impact']} {v['id']} ({v['help']})"
                    f" on {', '.join(v['targets'])}"
                )
    return found


def _audit(context, base: str, pages: dict[str, str]) -> None:
    """Open each page at both widths, run axe, screenshot; fail listing every blocking violation."""
    if not AXE.exists():
        pytest.skip("axe-core is not vendored (make vendor)")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    found: list[str] = []
    for name, path in pages.items():
        response = page.goto(base + path)
        assert response.ok, f"{name}: {path} answered {response.status}"
        found += _violations(page, name)
    assert not found, "axe-core found serious/critical violations:\n" + "\n".join(found)
    assert errors == []


@pytest.fixture
def certificate():
    certificate = CertificateFactory(
        company_name="CV Rotan Lestari Cirebon",
        product_name="Kursi Rotan Teras",
        tkdn_ik=Decimal("36.25"),
        issue_date=timezone.localdate(),
        regency_id="32.09",
        regency_name="Kabupaten Cirebon",
    )
    certificate.pdf.save("s.pdf", ContentFile(PDF_BYTES), save=False)
    certificate.pdf_sha256 = hashlib.sha256(PDF_BYTES).hexdigest()
    certificate.save()
    return certificate


def test_public_pages_have_no_serious_violations(live_server, browser, certificate, settings):
    settings.ALLOWED_HOSTS = ["*"]
    event = EventFactory(title="Bimtek TKDN-IK Rotan Cirebon", regency_id="32.09", capacity=1)
    RegistrationFactory(event=event)  # full: the waiting-list wording
    EventFactory(place="", province_id=None, regency_id=None, online_url="https://meet.example.id")
    context = _context(browser)
    pages = {
        "events": reverse("outreach:event_list"),
        "event": reverse("outreach:event_detail", args=[event.public_id]),
        "home": "/",
        "calculator": reverse("calculator"),
        "lookup-results": reverse("registry:lookup") + "?q=rotan",
        "certificate": reverse("registry:certificate_detail", args=[certificate.number]),
        "verify": reverse("registry:verify", args=[certificate.verification_token]),
        "verify-file": reverse("registry:verify_file"),
        "statistics": reverse("registry:statistics"),
        "suppliers": reverse("registry:suppliers") + "?category=mebel&regency=32.09",
        "suppliers-errors": reverse("registry:suppliers") + "?min_tkdn=abc&q=ab",
        "shortlist-empty": reverse("registry:shortlist"),
        "login": reverse("login"),
        "register": reverse("register"),
        "password-reset": reverse("password_reset"),
    }
    _audit(context, live_server.url, pages)
    context.close()


def test_status_page_has_no_serious_violations(live_server, browser, settings):
    """/health/ for people (operators on a phone too): no worker runs here, so it shows the
    "degraded" state with a red row, the page's busiest form."""
    settings.ALLOWED_HOSTS = ["*"]
    context = _context(browser)
    _audit(context, live_server.url, {"health": reverse("health")})
    context.close()


def test_owner_pages_have_no_serious_violations(live_server, browser, settings):
    settings.ALLOWED_HOSTS = ["*"]
    owner = UserFactory()
    company = CompanyFactory(owner=owner)
    draft = draft_example_2(owner=owner)
    submitted = application_under_review(product__company=company)
    # A certificate 30 days from its end: the dashboard offers its renewal.
    expiring = CertificateFactory(
        application__product__company=company,
        issue_date=timezone.localdate() - datetime.timedelta(days=1000),
        valid_until=timezone.localdate() + datetime.timedelta(days=30),
    )
    issued_certificate = CertificateFactory(application__product__company=company)
    issued_certificate.pdf.save("s.pdf", ContentFile(PDF_BYTES))
    issued = issued_certificate.application
    event = EventFactory(regency_id="32.73", online_url="https://meet.example.id/bimtek")
    RegistrationFactory(event=event, owner=owner)
    # The organisers moved it: the page lists the change, old → new.
    before = event_snapshot(event)
    event.place, event.online_url = "Gedung Sate", "https://meet.example.id/baru"
    event.save()
    EventChange.objects.create(
        event=event,
        kind=EventChange.Kind.CHANGED,
        before=before,
        after=event_snapshot(event),
        made_by=event.created_by,
        made_at=timezone.now(),
    )
    waiting = EventFactory(province_id="33", regency_id=None, capacity=1)
    RegistrationFactory(event=waiting)
    RegistrationFactory(event=waiting, owner=owner, status="waiting")
    context = _logged_in(browser, live_server, owner)
    pages = {
        "owner-events": reverse("outreach:event_list"),
        "owner-event-registered": reverse("outreach:event_detail", args=[event.public_id]),
        "owner-event-waiting": reverse("outreach:event_detail", args=[waiting.public_id]),
        "dashboard": reverse("applications:dashboard"),
        "company": reverse("applications:company"),
        "product-form": reverse("applications:product_edit", args=[draft.product.pk]),
        "documents": reverse("applications:documents"),
        "costs": reverse("applications:application_edit", args=[draft.public_id]),
        "submit": reverse("applications:application_submit", args=[draft.public_id]),
        "application": reverse("applications:application_detail", args=[submitted.public_id]),
        "withdraw-confirm": reverse("applications:application_withdraw", args=[draft.public_id]),
        "application-issued": reverse("applications:application_detail", args=[issued.public_id]),
        "password-change": reverse("password_change"),
        "renew": reverse("applications:application_renew", args=[expiring.application.public_id]),
    }
    _audit(context, live_server.url, pages)
    context.close()


def _official_group():
    """The officials' group as the migration makes it (an earlier transactional test flushed
    it). Not by calling the migration's function: given the real app registry it would unset the
    apps' models_module, and later flushes would no longer recreate their permissions."""
    from importlib import import_module

    from django.contrib.auth.models import Group, Permission

    from applications.selectors import OFFICIAL_GROUP

    group, _ = Group.objects.get_or_create(name=OFFICIAL_GROUP)
    for app_label, codename in (
        import_module("accounts.migrations.0002_official_groups").OFFICIAL_PERMISSIONS
        + import_module("applications.migrations.0008_outreach_events").PERMISSIONS
    ):
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    # And the programme's (issue 15, registry migration 0005).
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="registry",
            codename__in=import_module(
                "registry.migrations.0005_programme_coverage_reminders"
            ).PERMISSIONS,
        )
    )
    return group


def test_official_admin_pages_have_no_serious_violations(
    live_server, browser, certificate, settings
):
    settings.ALLOWED_HOSTS = ["*"]
    settings.TKDN_ADMIN_2FA = False  # the second factor: test_admin_login_and_second_factor…
    official = OfficialFactory(province_id="32")
    official.user.groups.add(_official_group())
    application = application_under_review()
    # The programme dashboard with something in every section: a target, a population, a
    # certificate near its end (``certificate`` above), a rejection.
    from registry.models import ProgrammeTarget, RegionPopulation

    year = timezone.localdate().year
    ProgrammeTarget.objects.create(
        province_id="32", year=year, metric="CERTIFICATES_ISSUED", target=20
    )
    ProgrammeTarget.objects.create(province_id="32", year=year, metric="OWNERS_TRAINED", target=9)
    RegionPopulation.objects.create(province_id="32", year=2025, ikm_count=8400, source="BPS")
    CertificateFactory(
        issue_date=timezone.localdate() - datetime.timedelta(days=1000),
        valid_until=timezone.localdate() + datetime.timedelta(days=25),
    )
    event = EventFactory(created_by=official.user)
    RegistrationFactory(event=event, owner=CompanyFactory().owner)
    context = _logged_in(browser, live_server, official.user)
    pages = {
        "admin-index": reverse("admin:index"),
        "admin-events": reverse("admin:applications_event_changelist"),
        "admin-event": reverse("admin:applications_event_change", args=[event.pk]),
        "admin-event-add": reverse("admin:applications_event_add"),
        "admin-event-walk-in": reverse("admin:applications_event_walk_in", args=[event.pk]),
        "admin-applications": reverse("admin:applications_application_changelist"),
        "admin-application": reverse(
            "admin:applications_application_change", args=[application.pk]
        ),
        "admin-certificates": reverse("admin:registry_certificate_changelist"),
        "admin-certificate": reverse("admin:registry_certificate_change", args=[certificate.pk]),
        "admin-programme-dashboard": reverse("admin:registry_programme_dashboard"),
        "admin-targets": reverse("admin:registry_programmetarget_changelist"),
        "admin-target-add": reverse("admin:registry_programmetarget_add"),
        "admin-populations": reverse("admin:registry_regionpopulation_changelist"),
        "admin-population-add": reverse("admin:registry_regionpopulation_add"),
    }
    _audit(context, live_server.url, pages)
    context.close()


def test_admin_login_and_second_factor_have_no_serious_violations(live_server, browser, settings):
    """An official's way in, as typed: the admin login, the second step (enrolment with the QR
    code, a wrong code and its message), then the admin, at both widths."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.security.test_admin_2fa import PASSWORD, code_for

    settings.ALLOWED_HOSTS = ["*"]
    settings.TKDN_ADMIN_2FA = True
    if not AXE.exists():
        pytest.skip("axe-core is not vendored (make vendor)")
    official = OfficialFactory(province_id="32", user__username="petugas-axe")
    official.user.groups.add(_official_group())
    context = _context(browser)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    found: list[str] = []
    page.goto(live_server.url + reverse("admin:login") + "?next=/admin/")
    found += _violations(page, "admin-login")
    page.fill("#id_username", "petugas-axe")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url("**/akun/verifikasi-dua-langkah/**")
    assert page.locator("[data-testid=totp-secret]").is_visible()
    found += _violations(page, "admin-2fa-enrol")
    page.fill("#id_code", "000000")
    page.click("main form button[type=submit]")
    page.wait_for_selector("[data-error-summary]")
    found += _violations(page, "admin-2fa-wrong-code")
    device = TOTPDevice.objects.get(user=official.user)
    device.throttle_reset()
    page.fill("#id_code", code_for(device))
    page.click("main form button[type=submit]")
    page.wait_for_url("**/admin/")
    found += _violations(page, "admin-index-after-2fa")
    assert not found, "axe-core found serious/critical violations:\n" + "\n".join(found)
    assert errors == []
    context.close()


def _focused_id(page) -> str:
    return page.evaluate("() => document.activeElement.id || document.activeElement.className")


@pytest.mark.usefixtures("ik_2022_in_force")
def test_forms_that_failed_focus_their_error_summary(live_server, browser, settings):
    """A form that failed: the summary has the focus, its link moves the focus to the field,
    and the page (summary and marked fields) still has no serious violation."""
    settings.ALLOWED_HOSTS = ["*"]
    if not AXE.exists():
        pytest.skip("axe-core is not vendored (make vendor)")
    context = _context(browser)
    page = context.new_page()
    found: list[str] = []
    page.goto(f"{live_server.url}/akun/daftar/")
    page.fill("#id_full_name", "Dewi Lestari")
    page.fill("#id_email", "dewi@contoh.id")
    page.fill("#id_username", "dewi")
    page.fill("#id_password1", "pendek")
    page.fill("#id_password2", "pendek")
    page.click("main button[type=submit]")
    page.wait_for_selector("[data-error-summary]")
    assert "error-summary" in _focused_id(page)
    page.click("[data-error-summary] a[href='#id_password1']")
    assert _focused_id(page) == "id_password1"
    assert page.input_value("#id_email") == "dewi@contoh.id"
    found += _violations(page, "register-errors")
    # WCAG 2.4.7: a button reached with the keyboard shows a clear outline.
    page.focus("#id_password2")
    page.keyboard.press("Tab")
    outline = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [document.activeElement.tagName, s.outlineStyle, parseFloat(s.outlineWidth)]; }"
    )
    assert outline[0] == "BUTTON" and outline[1] == "solid" and outline[2] >= 3, outline
    page.screenshot(path=str(SHOTS / "axe-focus-button-1280-screen.png"))

    draft = draft_example_2()
    context.add_cookies(_session_cookie(live_server, draft.product.company.owner))
    page.goto(f"{live_server.url}/ikm/permohonan/{draft.public_id}/ubah/")
    page.fill("#id_materials-1-unit_price_rp", "0")
    page.click("main button[value=save]")
    page.wait_for_selector("[data-error-summary]")
    assert "error-summary" in _focused_id(page)
    summary = page.locator("[data-error-summary]").inner_text()
    assert "Bahan 2 · Harga satuan (Rp): Isi angka lebih dari 0" in summary
    assert "material_positive_amounts" not in page.content()
    page.click("[data-error-summary] a[href='#id_materials-1-unit_price_rp']")
    assert _focused_id(page) == "id_materials-1-unit_price_rp"
    found += _violations(page, "costs-errors")
    # Deleting a row hides its button: the focus goes to the row that took its place.
    page.click("#section-materials [data-row]:nth-child(1) [data-remove-row]")
    assert _focused_id(page) == "id_materials-1-name"
    page.click("#section-labour [data-remove-row]")
    assert "data-add-row" in page.evaluate(
        "() => document.activeElement.getAttributeNames().join(' ')"
    )
    assert not found, "axe-core found serious/critical violations:\n" + "\n".join(found)
    context.close()


def test_api_docs_have_no_serious_violations(live_server, browser, settings):
    """Swagger UI (/api/v1/docs/) and ReDoc (/api/v1/redoc/), once their widget has drawn the
    API from the schema (axe on an empty page would prove nothing)."""
    settings.ALLOWED_HOSTS = ["*"]
    if not AXE.exists():
        pytest.skip("axe-core is not vendored (make vendor)")
    context = _context(browser)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    found: list[str] = []
    page.goto(live_server.url + reverse("api:docs"))
    page.wait_for_selector(".swagger-ui .opblock-summary")
    found += _violations(page, "api-docs")
    page.goto(live_server.url + reverse("api:redoc"))
    page.wait_for_selector("redoc .api-content h1")
    found += _violations(page, "api-redoc")
    assert not found, "axe-core found serious/critical violations:\n" + "\n".join(found)
    assert errors == []
    context.close()
