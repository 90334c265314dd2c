"""Expiry reminders: e-mails at 90, 30 and 7 days before a certificate's last valid day.

Idempotent by construction: a step is claimed by inserting its ``CertificateReminder`` row (unique
per certificate, validity period and step) before anything is sent, so a second sweep, a second
beat or a second worker finds the row and sends nothing. A certificate found late (say 20 days
left and never reminded) gets only the most urgent step due (30), not the 90- and 30-day mails
together. The steps and the renewal window are ``applications.rules`` constants.
"""

import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import override

from applications import rules
from applications.models import Application
from registry.models import Certificate, CertificateReminder
from tkdnportal.tasks import enqueue


def reminder_step_due(days_left: int) -> int | None:
    """The most urgent reminder step due with ``days_left`` days to go (``None``: none due)."""
    due = [step for step in rules.EXPIRY_REMINDER_DAYS if 0 <= days_left <= step]
    return min(due) if due else None


def certificate_reminders_sweep(*, today: datetime.date | None = None) -> int:
    """Claim the reminder step due for every valid certificate near its end; queue the e-mails.

    Called daily by ``certificate_reminders_sweep_task`` (beat). Returns how many reminders were
    claimed. Skipped: revoked or already expired certificates, products whose owner has already
    started a renewal (an open application), and certificates already renewed (a later one). A
    claimed row whose e-mail is not yet sent is queued again (``certificate_reminder_send`` sends
    it at most once).
    """
    from registry.tasks import certificate_reminder_send_task

    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=max(rules.EXPIRY_REMINDER_DAYS))
    candidates = list(
        Certificate.objects.annotate(last_day=Coalesce("extended_until", "valid_until"))
        .filter(
            status=Certificate.Status.VALID,
            last_day__gte=today,
            last_day__lte=horizon,
            application__status__in=[Application.Status.ISSUED, Application.Status.EXTENDED],
        )
        .values_list("pk", "last_day", "application__product_id", "issue_date")
    )
    ids = [pk for pk, _day, _product, _issued in candidates]
    products = [product for _pk, _day, product, _issued in candidates]
    renewing = set(
        Application.objects.filter(
            status__in=Application.OPEN_STATUSES, product_id__in=products
        ).values_list("product_id", flat=True)
    )
    # Already renewed: the product has a certificate issued later than this one.
    latest_issue = dict(
        Certificate.objects.filter(application__product_id__in=products)
        .values("application__product_id")
        .annotate(latest=Max("issue_date"))
        .values_list("application__product_id", "latest")
    )
    claimed = set(
        CertificateReminder.objects.filter(certificate_id__in=ids).values_list(
            "certificate_id", "expires_on", "days_before"
        )
    )
    created = 0
    for pk, last_day, product_id, issued in candidates:
        step = reminder_step_due((last_day - today).days)
        if step is None or product_id in renewing or latest_issue[product_id] > issued:
            continue
        # This step or a more urgent one of the same validity period was already claimed.
        if any(
            (pk, last_day, days) in claimed for days in rules.EXPIRY_REMINDER_DAYS if days <= step
        ):
            continue
        try:
            with transaction.atomic():
                reminder = CertificateReminder.objects.create(
                    certificate_id=pk, expires_on=last_day, days_before=step
                )
                transaction.on_commit(
                    lambda reminder_id=reminder.pk: enqueue(
                        certificate_reminder_send_task, reminder_id
                    )
                )
        except IntegrityError:
            continue  # claimed at the same moment by another sweep
        created += 1
    # Claimed earlier but never sent (the broker was down): queue again.
    for reminder_id in CertificateReminder.objects.filter(
        sent_at__isnull=True, expires_on__gte=today
    ).values_list("pk", flat=True)[:500]:
        transaction.on_commit(
            lambda reminder_id=reminder_id: enqueue(certificate_reminder_send_task, reminder_id)
        )
    return created


def _renew_url(application: Application) -> str:
    return settings.SITE_URL + reverse(
        "applications:application_renew", kwargs={"public_id": application.public_id}
    )


def certificate_reminder_send(*, reminder_id: int) -> bool:
    """Send one claimed reminder e-mail, once: ``True`` if sent now, ``False`` if not needed.

    The row is locked while sending, so two workers holding the same message cannot both send;
    ``sent_at`` and the recipients go in the same transaction (the owner's timeline shows them).
    """
    with transaction.atomic():
        reminder = (
            CertificateReminder.objects.select_for_update()
            .select_related("certificate__application__product__company__owner")
            .filter(pk=reminder_id)
            .first()
        )
        if reminder is None or reminder.sent_at is not None:
            return False
        certificate = reminder.certificate
        if certificate.status != Certificate.Status.VALID:
            return False
        company = certificate.application.product.company
        recipients = sorted({company.email, company.owner.email} - {""})
        if not recipients:
            return False
        # Owners read Indonesian first; the e-mail is written in the portal's default language.
        with override(settings.LANGUAGE_CODE):
            message = _reminder_message(reminder, certificate, company, recipients)
        message.send()
        reminder.sent_at = timezone.now()
        reminder.recipients = ", ".join(recipients)[:500]
        reminder.save(update_fields=["sent_at", "recipients"])
    return True


def _reminder_message(reminder, certificate, company, recipients) -> EmailMessage:
    until = date_format(reminder.expires_on, "j F Y")
    subject = _("Sertifikat TKDN-IK %(number)s berakhir dalam %(days)d hari (%(until)s)") % {
        "number": certificate.number,
        "days": reminder.days_before,
        "until": until,
    }
    body = _(
        "Yth. %(person)s,\n\n"
        "Sertifikat TKDN-IK untuk produk %(product)s (%(brand)s) dari %(company)s berlaku sampai "
        "%(until)s, %(days)d hari lagi.\n\n"
        "Nomor sertifikat: %(number)s\n\n"
        "Agar produk Anda tetap dapat dibeli melalui pengadaan pemerintah dengan preferensi "
        "TKDN, ajukan pembaruan sekarang. Portal menyalin data permohonan sebelumnya ke draf "
        "baru menurut aturan yang berlaku saat ini; Anda tinggal memeriksa dan mengajukannya:\n"
        "%(renew)s\n\n"
        "Sertifikat lama tetap berlaku sampai tanggal berakhirnya.\n\n"
        "Salam,\n%(issuer)s"
    ) % {
        "person": company.person_in_charge,
        "product": certificate.product_name,
        "brand": certificate.product_brand,
        "company": certificate.company_name,
        "until": until,
        "days": reminder.days_before,
        "number": certificate.number,
        "renew": _renew_url(certificate.application),
        "issuer": certificate.issuer_name,
    }
    return EmailMessage(subject=subject, body=body, to=recipients)
