"""Read-only queries of the public registry."""

from .models import Certificate


def certificate_by_token(*, token: str) -> Certificate | None:
    """The certificate a QR code points at, or ``None`` (the caller answers 404 without a hint)."""
    if not token or len(token) > 64:
        return None
    return Certificate.objects.filter(verification_token=token).first()


def certificate_by_number(*, number: str) -> Certificate | None:
    return Certificate.objects.filter(number=number).first()
