"""The owner's e-mail when a certificate is issued."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from applications.formatting import format_date, format_percent
from applications.models import Application
from registry.models import Certificate


def _portal_url(application: Application) -> str:
    """The owner's page of the application (the portal's home page if that view is missing)."""
    try:
        path = reverse(
            "applications:application_detail", kwargs={"public_id": application.public_id}
        )
    except NoReverseMatch:
        path = "/"
    return settings.SITE_URL + path


def certificate_email_owner(*, certificate_id: int) -> bool:
    """E-mail the owner that the certificate is issued, with the PDF attached.

    Called by ``certificate_email_task`` after the application became ISSUED.
    """
    certificate = Certificate.objects.select_related("application__product__company__owner").get(
        pk=certificate_id
    )
    company = certificate.application.product.company
    recipients = sorted({company.email, company.owner.email} - {""})
    if not recipients:
        return False
    subject = _("Sertifikat TKDN-IK %(number)s telah terbit") % {"number": certificate.number}
    body = _(
        "Yth. %(person)s,\n\n"
        "Sertifikat TKDN-IK untuk produk %(product)s (%(brand)s) dari %(company)s telah terbit.\n\n"
        "Nomor sertifikat: %(number)s\n"
        "Nilai TKDN-IK: %(value)s\n"
        "Berlaku: %(issue)s s.d. %(until)s\n\n"
        "Keaslian sertifikat dapat diperiksa di:\n%(url)s\n\n"
        "Berkas PDF sertifikat terlampir dan dapat diunduh dari portal:\n%(portal)s\n\n"
        "Salam,\n%(issuer)s"
    ) % {
        "person": company.person_in_charge,
        "product": certificate.product_name,
        "brand": certificate.product_brand,
        "company": certificate.company_name,
        "number": certificate.number,
        "value": format_percent(certificate.tkdn_ik),
        "issue": format_date(certificate.issue_date),
        "until": format_date(certificate.expires_on),
        "url": certificate.verification_url(),
        "portal": _portal_url(certificate.application),
        "issuer": certificate.issuer_name,
    }
    message = EmailMessage(subject=subject, body=body, to=recipients)
    if certificate.pdf:
        with certificate.pdf.open("rb") as handle:
            message.attach(
                certificate.number.replace("/", "-") + ".pdf", handle.read(), "application/pdf"
            )
    message.send()
    return True
