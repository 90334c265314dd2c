"""Public pages of the registry: no login, issued snapshot only, never personal data."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from . import selectors


@require_GET
def verify(request: HttpRequest, token: str) -> HttpResponse:
    """The QR target: valid, revoked or expired at a glance; 404 for an unknown token."""
    certificate = selectors.certificate_by_token(token=token)
    if certificate is None:
        raise Http404
    return render(
        request,
        "registry/verify.html",
        {"certificate": certificate, "status": certificate.effective_status(timezone.localdate())},
    )


@require_GET
def certificate_detail(request: HttpRequest, number: str) -> HttpResponse:
    certificate = selectors.certificate_by_number(number=number)
    if certificate is None:
        raise Http404
    return render(
        request,
        "registry/certificate_detail.html",
        {"certificate": certificate, "status": certificate.effective_status(timezone.localdate())},
    )
