"""Account writes: registration with e-mail confirmation and activation.

The confirmation link is ``/akun/konfirmasi/<uid>/<token>/`` with Django's default token
generator: the token is signed with ``SECRET_KEY``, expires after ``PASSWORD_RESET_TIMEOUT`` and
stops working once the account has been used to sign in (the hash covers ``last_login``).
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

User = get_user_model()


def confirmation_url(*, user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("activate", kwargs={"uidb64": uid, "token": token})


def mail_render(*, subject_template: str, body_template: str, context: dict) -> tuple[str, str]:
    """The subject (one line) and plain-text body of a portal e-mail, in the active language.
    The account e-mails (``mail_queue``) and the outreach events' e-mails use it."""
    subject = " ".join(render_to_string(subject_template, context).split())
    return subject, render_to_string(body_template, context)


def mail_queue(*, subject_template: str, body_template: str, context: dict, to: str) -> None:
    """Render an account e-mail now and let the worker send it after the commit
    (``accounts.tasks.mail_send_task``): the request never waits for the mail server."""
    from tkdnportal.tasks import enqueue

    from .tasks import mail_send_task

    subject, body = mail_render(
        subject_template=subject_template, body_template=body_template, context=context
    )
    transaction.on_commit(lambda: enqueue(mail_send_task, subject, body, to))


def confirmation_send(*, user, base_url: str) -> None:
    """E-mail the confirmation link to an inactive account (at registration and on resend)."""
    if user.is_active:
        return
    context = {"user": user, "url": base_url.rstrip("/") + confirmation_url(user=user)}
    mail_queue(
        subject_template="accounts/email_confirm_subject.txt",
        body_template="accounts/email_confirm.txt",
        context=context,
        to=user.email,
    )


def user_register(*, email: str, username: str, full_name: str, password: str, base_url: str):
    """Create an inactive owner account and queue the confirmation e-mail; returns the account,
    or ``None`` when the address is already registered.

    The account cannot sign in until the link in the e-mail is opened (``user_activate``). For
    an address that already has an account the visitor sees the same page, the same work is done
    (the password is hashed, one e-mail is queued) and the address's owner is told by e-mail that
    someone tried to register it: the answer never says which addresses are registered.
    """
    if User.objects.filter(email__iexact=email).exists():
        make_password(password)  # the same cost as creating the account
        mail_queue(
            subject_template="accounts/email_already_registered_subject.txt",
            body_template="accounts/email_already_registered.txt",
            context={
                "login_url": base_url.rstrip("/") + reverse("login"),
                "reset_url": base_url.rstrip("/") + reverse("password_reset"),
            },
            to=email,
        )
        return None
    first, _, last = full_name.strip().partition(" ")
    with transaction.atomic():
        user = User(username=username, email=email, first_name=first[:150], last_name=last[:150])
        user.is_active = False
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save()
        confirmation_send(user=user, base_url=base_url)
    return user


def user_from_token(*, uidb64: str, token: str):
    """The account a confirmation link belongs to, or ``None`` for a wrong or expired link."""
    try:
        pk = urlsafe_base64_decode(uidb64).decode()
        user = User.objects.get(pk=pk)
    except (TypeError, ValueError, OverflowError, User.DoesNotExist):
        return None
    if not default_token_generator.check_token(user, token):
        return None
    return user


def user_activate(*, user) -> None:
    """Mark the e-mail address confirmed: the account may sign in from now on."""
    if not user.is_active:
        User.objects.filter(pk=user.pk).update(is_active=True)
        user.is_active = True


def totp_device_for(*, user):
    """The user's TOTP device: the confirmed one, or an unconfirmed one kept for enrolment (the
    secret stays the same while the official sets up the app)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device, _ = TOTPDevice.objects.get_or_create(
            user=user, confirmed=False, defaults={"name": "Aplikasi autentikator"}
        )
    return device


def totp_device_confirm(*, device) -> None:
    """Mark an enrolled device confirmed (after the official typed a valid first code)."""
    if not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])


def totp_enrolment(*, device) -> dict:
    """What the enrolment page shows: the otpauth:// URI as a QR code (SVG data URI, allowed by
    the CSP) and the secret in base32 for typing by hand."""
    import base64

    import segno

    secret = base64.b32encode(device.bin_key).decode()
    qr = segno.make(device.config_url, error="m")
    return {
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "qr_data_uri": qr.svg_data_uri(scale=5),
    }
