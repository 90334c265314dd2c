"""The Nu HTML checker (vnu.jar, the W3C validator) on the portal's main pages.

The pages are rendered with the test client (public, owner, official, and forms that failed) and
checked in one run of vnu.jar: any error fails the test, naming page, line, column, message and
the markup around it. vnu-jar comes from npm (``package.json`` devDependencies, ``make
install-test`` runs ``npm ci`` into node_modules/) and runs on the JRE (``java``, installed by
``make install-test`` when missing). In CI both are installed, so the test never skips there.
"""

import datetime
import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

from django.test import Client
from django.urls import reverse
from django.utils import timezone

import pytest

from tests.applications.portal_helpers import draft_example_2, formset_post
from tests.factories import (
    CertificateFactory,
    CompanyFactory,
    EventFactory,
    OfficialFactory,
    UserFactory,
    application_under_review,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

VNU = (
    Path(__file__).resolve().parent.parent
    / "node_modules"
    / "vnu-jar"
    / "build"
    / "dist"
    / "vnu.jar"
)


def _vnu_errors(pages: dict[str, str], folder: Path) -> list[str]:
    """Validate every page in one JVM (starting it costs more than checking a page)."""
    java = shutil.which("java")
    if java is None or not VNU.exists():
        pytest.skip("the Nu HTML checker needs java and node_modules/vnu-jar (make install-test)")
    for name, html in pages.items():
        (folder / f"{name}.html").write_text(html, encoding="utf-8")
    result = subprocess.run(
        [
            java,
            "-jar",
            str(VNU),
            "--format",
            "json",
            "--exit-zero-always",
            *map(str, folder.glob("*.html")),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    errors = []
    for message in json.loads(result.stderr)["messages"]:
        if message["type"] != "error" and message.get("subType") != "fatal":
            continue
        name = Path(message.get("url", "?")).stem  # file:/tmp/…/<page>.html
        errors.append(
            f"{name}:{message.get('lastLine', '?')}:{message.get('firstColumn', '?')}: "
            f"{message['message']}  «{message.get('extract', '').strip()}»"
        )
    return errors


def _get(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return response.content.decode()


@pytest.fixture
def certificate():
    return CertificateFactory(
        company_name="CV Rotan Lestari Cirebon",
        product_name="Kursi Rotan Teras",
        tkdn_ik=Decimal("36.25"),
        regency_id="32.09",
        regency_name="Kabupaten Cirebon",
    )


@pytest.mark.usefixtures("ik_2022_in_force")
def test_main_pages_are_valid_html(tmp_path, certificate, settings):
    pages: dict[str, str] = {}
    event = EventFactory()

    public = Client()
    for name, url in {
        "home": "/",
        "lookup": reverse("registry:lookup") + "?q=rotan",
        "certificate": reverse("registry:certificate_detail", args=[certificate.number]),
        "verify": reverse("registry:verify", args=[certificate.verification_token]),
        "verify-file": reverse("registry:verify_file"),
        "calculator": reverse("calculator"),
        "statistics": reverse("registry:statistics"),
        "register": reverse("register"),
        "login": reverse("login"),
        "password-reset": reverse("password_reset"),
        "api-docs": reverse("api:docs"),
        "events": reverse("outreach:event_list"),
        "event": reverse("outreach:event_detail", args=[event.public_id]),
    }.items():
        pages[name] = _get(public, url)
    # Forms that failed: error summary, marked fields, values kept.
    response = public.post(
        reverse("register"),
        {"full_name": "Dewi", "email": "bukan-email", "username": "", "password1": "a"},
    )
    assert response.status_code == 200
    pages["register-errors"] = response.content.decode()

    owner = UserFactory()
    company = CompanyFactory(owner=owner)
    draft = draft_example_2(owner=owner)
    submitted = application_under_review(product__company=company)
    # An issued certificate 30 days from its end (the dashboard offers its renewal).
    expiring = CertificateFactory(
        application__product__company=company,
        issue_date=timezone.localdate() - datetime.timedelta(days=1000),
        valid_until=timezone.localdate() + datetime.timedelta(days=30),
    )
    client = Client()
    client.force_login(owner)
    for name, url in {
        "dashboard": reverse("applications:dashboard"),
        "company": reverse("applications:company"),
        "products": reverse("applications:product_list"),
        "product": reverse("applications:product_edit", args=[draft.product.pk]),
        "product-new": reverse("applications:product_create"),
        "costs": reverse("applications:application_edit", args=[draft.public_id]),
        "submit": reverse("applications:application_submit", args=[draft.public_id]),
        "application": reverse("applications:application_detail", args=[submitted.public_id]),
        "application-issued": reverse(
            "applications:application_detail", args=[expiring.application.public_id]
        ),
        "withdraw-confirm": reverse("applications:application_withdraw", args=[draft.public_id]),
        "renew": reverse("applications:application_renew", args=[expiring.application.public_id]),
        "documents": reverse("applications:documents"),
        "password-change": reverse("password_change"),
    }.items():
        pages[name] = _get(client, url)
    data = formset_post(draft, **{"materials-1-unit_price_rp": "0"})
    data["then"] = "save"
    response = client.post(reverse("applications:application_edit", args=[draft.public_id]), data)
    assert response.status_code == 200
    assert "data-error-summary" in response.content.decode()
    pages["costs-errors"] = response.content.decode()

    settings.TKDN_ADMIN_2FA = False  # the second factor has its own tests
    official = OfficialFactory(province_id=submitted.product.company.province_id)
    official.user.is_superuser = True
    official.user.save()
    admin = Client()
    admin.force_login(official.user)
    for name, url in {
        "admin-applications": reverse("admin:applications_application_changelist"),
        "admin-application": reverse("admin:applications_application_change", args=[submitted.pk]),
        "admin-certificates": reverse("admin:registry_certificate_changelist"),
        "admin-certificate": reverse("admin:registry_certificate_change", args=[certificate.pk]),
        "admin-programme-dashboard": reverse("admin:registry_programme_dashboard"),
        "admin-event": reverse("admin:applications_event_change", args=[event.pk]),
    }.items():
        pages[name] = _get(admin, url)
    pages["admin-login"] = _get(Client(), reverse("admin:login"))
    # The officials' second step (enrolment: QR code and secret) and the friendly 404.
    settings.TKDN_ADMIN_2FA = True
    second = Client()
    second.force_login(OfficialFactory().user)
    pages["two-factor"] = _get(second, reverse("two_factor") + "?next=/admin/")
    missing = public.get("/tidak-ada/")
    assert missing.status_code == 404
    pages["not-found"] = missing.content.decode()

    errors = _vnu_errors(pages, tmp_path)
    assert not errors, f"{len(errors)} HTML errors (Nu HTML checker):\n" + "\n".join(errors)


def test_the_checker_finds_an_error(tmp_path):
    """The check can fail: a text input with ``min`` and a raw ``hx-get`` are errors."""
    page = (
        '<!DOCTYPE html><html lang="id"><head><title>x</title></head><body>'
        '<input type="text" min="0" hx-get="/x" aria-label="x"></body></html>'
    )
    errors = _vnu_errors({"broken": page}, tmp_path)
    assert any("min" in e for e in errors), errors
    assert any("hx-get" in e for e in errors), errors
