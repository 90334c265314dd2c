"""Expiry reminders (90, 30, 7 days before) and the owner's renewal (issue 15)."""

import datetime

from django.core import mail
from django.urls import reverse
from django.utils import timezone

import pytest

from applications import rules
from applications.exceptions import WorkflowError
from applications.models import Application
from applications.services import application_renew
from registry import services
from registry.models import Certificate, CertificateReminder
from registry.tasks import certificate_reminders_sweep_task
from tests.factories import (
    ApplicationFactory,
    CertificateFactory,
    LabourLineFactory,
    MaterialLineFactory,
)

pytestmark = pytest.mark.django_db


def _certificate(days_left: int, **kwargs) -> Certificate:
    today = timezone.localdate()
    return CertificateFactory(
        issue_date=today - datetime.timedelta(days=1000),
        valid_until=today + datetime.timedelta(days=days_left),
        **kwargs,
    )


def _sweep(capture, today=None) -> int:
    with capture(execute=True):
        return services.certificate_reminders_sweep(today=today)


@pytest.mark.parametrize(
    ("days_left", "step"),
    [(91, None), (90, 90), (31, 90), (30, 30), (20, 30), (8, 30), (7, 7), (0, 7), (-1, None)],
)
def test_the_most_urgent_step_due(days_left, step):
    assert services.reminder_step_due(days_left) == step


def test_the_sweep_run_twice_sends_exactly_one_reminder(django_capture_on_commit_callbacks):
    certificate = _certificate(30)
    assert _sweep(django_capture_on_commit_callbacks) == 1
    assert _sweep(django_capture_on_commit_callbacks) == 0
    # The beat task too.
    with django_capture_on_commit_callbacks(execute=True):
        assert certificate_reminders_sweep_task.delay().get() == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert certificate.number in message.subject and "30 hari" in message.subject
    owner = certificate.application.product.company.owner
    assert message.to == [owner.email]
    renew = reverse(
        "applications:application_renew", kwargs={"public_id": certificate.application.public_id}
    )
    assert renew in message.body
    reminder = CertificateReminder.objects.get()
    assert (reminder.days_before, reminder.sent_at is not None) == (30, True)
    # Sending the same claimed reminder again (a duplicate message) sends nothing.
    assert services.certificate_reminder_send(reminder_id=reminder.pk) is False
    assert len(mail.outbox) == 1


def test_a_certificate_found_late_gets_only_the_most_urgent_step(
    django_capture_on_commit_callbacks,
):
    _certificate(20)
    _sweep(django_capture_on_commit_callbacks)
    assert list(CertificateReminder.objects.values_list("days_before", flat=True)) == [30]
    assert len(mail.outbox) == 1


def test_steps_follow_each_other_as_days_pass(django_capture_on_commit_callbacks):
    certificate = _certificate(90)
    today = timezone.localdate()
    for offset in range(0, 91):  # every day until the last valid day
        _sweep(django_capture_on_commit_callbacks, today=today + datetime.timedelta(days=offset))
    assert sorted(certificate.reminders.values_list("days_before", flat=True)) == [7, 30, 90]
    assert len(mail.outbox) == 3


def test_no_reminder_for_revoked_far_or_renewing_certificates(django_capture_on_commit_callbacks):
    _certificate(10, status=Certificate.Status.REVOKED, revoked_at=timezone.now())
    _certificate(200)
    renewing = _certificate(10)
    ApplicationFactory(product=renewing.application.product, is_renewal=True)  # a draft renewal
    _sweep(django_capture_on_commit_callbacks)
    assert not CertificateReminder.objects.exists() and not mail.outbox


def test_an_extension_starts_new_steps(django_capture_on_commit_callbacks):
    certificate = _certificate(7)
    _sweep(django_capture_on_commit_callbacks)
    Certificate.objects.filter(pk=certificate.pk).update(
        extended_until=timezone.localdate() + datetime.timedelta(days=60)
    )
    Application.objects.filter(pk=certificate.application_id).update(status="EXTENDED")
    today = timezone.localdate() + datetime.timedelta(days=30)
    _sweep(django_capture_on_commit_callbacks, today=today)
    assert sorted(certificate.reminders.values_list("days_before", flat=True)) == [7, 30]


def test_the_reminder_shows_in_the_owners_timeline(client, django_capture_on_commit_callbacks):
    certificate = _certificate(30)
    _sweep(django_capture_on_commit_callbacks)
    client.force_login(certificate.application.product.company.owner)
    url = reverse(
        "applications:application_detail", kwargs={"public_id": certificate.application.public_id}
    )
    html = client.get(url).content.decode()
    assert "Pengingat: sertifikat berakhir dalam 30 hari" in html
    assert (
        reverse(
            "applications:application_renew",
            kwargs={"public_id": certificate.application.public_id},
        )
        in html
    )


# --- Renewal ------------------------------------------------------------------------------


def _issued_with_lines(days_left: int) -> Certificate:
    certificate = _certificate(days_left)
    application = certificate.application
    MaterialLineFactory(application=application, name="Rotan")
    LabourLineFactory(application=application)
    return certificate


def test_renewal_copies_the_product_under_todays_rule_set():
    certificate = _issued_with_lines(60)
    old = certificate.application
    owner = old.product.company.owner
    new = application_renew(application=old, actor=owner)
    assert new.pk != old.pk and new.product_id == old.product_id
    assert new.status == Application.Status.DRAFT and new.is_renewal
    assert new.rule_set == rules.in_force().code != old.rule_set
    assert list(new.materials.values_list("name", flat=True)) == ["Rotan"]
    assert new.labour.count() == 1
    old.refresh_from_db()
    assert old.status == Application.Status.ISSUED  # the old certificate stays valid
    # One open application per product: a second renewal is refused.
    with pytest.raises(WorkflowError):
        application_renew(application=old, actor=owner)


def test_renewal_only_within_the_window_and_never_after_revocation():
    far = _issued_with_lines(max(rules.EXPIRY_REMINDER_DAYS) + 1)
    with pytest.raises(WorkflowError, match="dapat diperbarui mulai"):
        application_renew(application=far.application, actor=far.application.product.company.owner)
    revoked = _certificate(10, status=Certificate.Status.REVOKED, revoked_at=timezone.now())
    with pytest.raises(WorkflowError):
        application_renew(
            application=revoked.application, actor=revoked.application.product.company.owner
        )
    draft = ApplicationFactory()
    with pytest.raises(WorkflowError):
        application_renew(application=draft, actor=draft.product.company.owner)
    assert not Application.objects.filter(is_renewal=True).exists()


def test_owner_renews_from_the_dashboard(client):
    certificate = _issued_with_lines(45)
    application = certificate.application
    client.force_login(application.product.company.owner)
    dashboard = client.get(reverse("applications:dashboard")).content.decode()
    renew = reverse("applications:application_renew", kwargs={"public_id": application.public_id})
    assert "Perbarui sertifikat" in dashboard and renew in dashboard
    page = client.get(renew)
    assert page.status_code == 200 and "Buat draf pembaruan" in page.content.decode()
    response = client.post(renew)
    new = Application.objects.get(is_renewal=True)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "applications:application_edit", kwargs={"public_id": new.public_id}
    )
    # Once started, the dashboard no longer offers it, and the link leads to the open draft.
    assert renew not in client.get(reverse("applications:dashboard")).content.decode()
    again = client.get(renew)
    assert again["Location"] == reverse(
        "applications:application_detail", kwargs={"public_id": new.public_id}
    )


def test_renewal_is_not_offered_outside_the_window(client):
    certificate = _issued_with_lines(200)
    application = certificate.application
    client.force_login(application.product.company.owner)
    renew = reverse("applications:application_renew", kwargs={"public_id": application.public_id})
    assert renew not in client.get(reverse("applications:dashboard")).content.decode()
    response = client.post(renew, follow=True)
    assert "dapat diperbarui mulai" in response.content.decode()
    assert not Application.objects.filter(is_renewal=True).exists()


def test_another_owner_cannot_renew(client):
    certificate = _issued_with_lines(30)
    other = ApplicationFactory().product.company.owner
    client.force_login(other)
    renew = reverse(
        "applications:application_renew", kwargs={"public_id": certificate.application.public_id}
    )
    assert client.get(renew).status_code == 404
    assert client.post(renew).status_code == 404


def test_the_sweep_is_in_the_beat_schedule_daily(settings):
    from celery.schedules import crontab

    entry = settings.CELERY_BEAT_SCHEDULE["certificate-reminders"]
    assert entry["task"] == "registry.tasks.certificate_reminders_sweep_task"
    assert isinstance(entry["schedule"], crontab) and entry["schedule"].hour == {8}


def test_a_renewed_certificate_is_neither_reminded_nor_offered_again(
    client, django_capture_on_commit_callbacks
):
    old = _certificate(20)
    renewed = ApplicationFactory(product=old.application.product, is_renewal=True, issued=True)
    CertificateFactory(application=renewed, issue_date=timezone.localdate())
    _sweep(django_capture_on_commit_callbacks)
    assert not old.reminders.exists() and not mail.outbox
    client.force_login(old.application.product.company.owner)
    renew = reverse(
        "applications:application_renew", kwargs={"public_id": old.application.public_id}
    )
    assert renew not in client.get(reverse("applications:dashboard")).content.decode()


def test_every_rule_sets_renewal_window_opens_with_the_first_reminder():
    """The first reminder says "renewal is open now": it must be sent when the window opens."""
    for rule_set in rules.registry().values():
        assert rule_set.renewal_window_days == max(rules.EXPIRY_REMINDER_DAYS), rule_set.code
