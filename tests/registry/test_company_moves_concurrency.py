"""A company's factory moving while the register writes its rows, on PostgreSQL.

A move locks the company, then (by triggers) its products, applications and certificates, to
update their copies of its region (applications 0012-0013, registry 0008). The services that
write an application and its certificate lock the company first (``company_lock``), and the
triggers read a product's company ``FOR SHARE``: no deadlock, no failed issue, no stale copy.
(Found by a review that raced them; each test failed before the fix.)
"""

import threading
import time

from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import connection, connections, transaction
from django.test import RequestFactory
from django.urls import reverse

import pytest

from applications.models import Company, Product
from applications.selectors import OFFICIAL_GROUP, application_scope
from registry import services
from registry.models import Certificate
from registry.services import application_approve
from tests.concurrency import RACE_MARKS, hold, race
from tests.factories import (
    CertificateFactory,
    CompanyFactory,
    UserFactory,
    application_under_review,
    official_user,
)

pytestmark = RACE_MARKS


@pytest.fixture(autouse=True)
def _no_queue(monkeypatch):
    monkeypatch.setattr("registry.services.issue.enqueue", lambda task, *args: False)


def _move_in_background(company_id: int, seconds: float) -> threading.Thread:
    """Move the company to Cilacap in another connection and keep the transaction open."""
    locked = threading.Event()

    def move():
        try:
            with transaction.atomic():
                Company.objects.filter(pk=company_id).update(province_id="33", regency_id="33.01")
                locked.set()
                time.sleep(seconds)
        finally:
            connections.close_all()

    thread = threading.Thread(target=move)
    thread.start()
    assert locked.wait(10)
    return thread


def test_an_issue_waiting_for_a_move_issues_with_the_new_region():
    application = application_under_review()
    application_approve(application=application, actor=None)
    thread = _move_in_background(application.product.company_id, 0.8)
    certificate = services.certificate_issue(application_id=application.pk)
    thread.join()
    certificate.refresh_from_db()
    assert (certificate.province_id, certificate.regency_id) == ("33", "33.01")
    assert (certificate.holder_province, certificate.holder_regency) == (None, None)


@pytest.mark.parametrize("service", ["revoke", "extend"])
def test_a_revocation_or_extension_during_a_move_does_not_deadlock(monkeypatch, service):
    from registry.services import lifecycle

    certificate = CertificateFactory()
    official = UserFactory(is_staff=True)
    company_id = certificate.application.product.company_id
    # Stretch the service between its first locks and the rest of its writes.
    hold(monkeypatch, lifecycle, "application_transition", 0.6)

    def act():
        if service == "revoke":
            return services.certificate_revoke(
                certificate=certificate, actor=official, reason="uji"
            )
        return services.certificate_extend(certificate=certificate, actor=official)

    def move():
        time.sleep(0.2)
        with transaction.atomic():
            Company.objects.filter(pk=company_id).update(province_id="33", regency_id="33.01")
        return "moved"

    results = race(act, move)
    assert not any(isinstance(result, Exception) for result in results), results
    certificate.refresh_from_db()
    assert (certificate.holder_province, certificate.holder_regency) == ("33", "33.01")


def test_a_product_handed_over_while_its_new_company_moves_keeps_every_copy_right():
    certificate = CertificateFactory(
        application__product__company__province_id="32",
        application__product__company__regency_id="32.73",
        province_id="32",
        regency_id="32.73",
    )
    product_id = certificate.application.product_id
    other = CompanyFactory(province_id="32", regency_id="32.01")
    locked = threading.Event()

    def hand_over():
        try:
            with transaction.atomic():
                Product.objects.filter(pk=product_id).update(company=other)
                locked.set()
                time.sleep(0.8)
        finally:
            connections.close_all()

    thread = threading.Thread(target=hand_over)
    thread.start()
    assert locked.wait(10)
    Company.objects.filter(pk=other.pk).update(province_id="33", regency_id="33.01")
    thread.join()
    Group.objects.get_or_create(name=OFFICIAL_GROUP)  # data migrations are flushed here
    user = official_user("33")
    request = RequestFactory().get(reverse("admin:registry_certificate_changelist"))
    request.user = user
    shown = set(
        admin.site._registry[Certificate].get_queryset(request).values_list("pk", flat=True)
    )
    rule = set(
        Certificate.objects.filter(application_scope(user, "application__")).values_list(
            "pk", flat=True
        )
    )
    assert rule == {certificate.pk} and shown == rule
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT company_province, company_regency FROM applications_product WHERE id = %s",
            [product_id],
        )
        assert cursor.fetchone() == ("33", "33.01")
