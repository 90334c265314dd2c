"""Security headers that Django 5.2 does not set itself, and the guard against paths and
queries no view can take (NUL characters, impossible UTC offsets)."""

import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _


class SecurityHeadersMiddleware:
    """Adds the Content-Security-Policy and Permissions-Policy headers to every response.

    The policy allows scripts only from our own origin (no inline scripts anywhere in our
    templates; data for charts travels in ``json_script`` blocks, which are not executed), so an
    HTML payload shown back to a user cannot run. A view that needs another policy sets the
    header itself and is left alone.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.policy = "; ".join(
            f"{directive} {' '.join(sources)}".strip()
            for directive, sources in settings.CONTENT_SECURITY_POLICY.items()
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


class RefuseOddInputMiddleware:
    """Answers 400, saying why, to a path or query that no view of the portal can take.

    - A NUL character in the path or in a query parameter. No URL and no parameter of the
      portal ever holds one, and PostgreSQL refuses a NUL in a text value: before this guard,
      ``/sertifikat/%00/``, ``/verify/%00/``, the API's lookups and admin change-list filters
      (``?status__exact=%00``) reached the database and answered 500.
    - A date-time query value with a UTC offset beyond ±15:59 (``2026-01-01T00:00+16:00``):
      Python takes offsets up to ±23:59, PostgreSQL's ``timestamptz`` only up to ±15:59, so the
      admin's date filters (``?submitted_at__gte=...``) answered 500.

    One check here, before any view, covers every URL, the admin and third-party apps included
    (tests/security/test_hostile_input.py walks them all). Bodies are left to the forms, whose
    fields refuse NUL; values the views parse themselves are checked there too
    (``registry.api._parse_since``).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path:
            return _bad_request(request, None, NUL_MESSAGE)
        for key, values in request.GET.lists():
            for value in (key, *values):
                if "\x00" in value:
                    return _bad_request(request, key, NUL_MESSAGE)
                if _offset_out_of_range(value):
                    return _bad_request(request, key, OFFSET_MESSAGE)
        return self.get_response(request)


NUL_MESSAGE = _(
    "Alamat atau parameter berisi karakter NUL (\\0), yang tidak pernah sah di portal ini."
)
OFFSET_MESSAGE = _("Selisih zona waktu paling banyak ±15:59 (mis. 2026-01-31T00:00+07:00 atau Z).")
# The end of an ISO 8601 date-time with a UTC offset: 00:00[:00[.000]]+HH[[:]MM].
_UTC_OFFSET = re.compile(r"\d\d:\d\d(?::\d\d(?:[.,]\d+)?)?[+-](\d\d)(?::?(\d\d))?\Z")
_MAX_OFFSET_MINUTES = 15 * 60 + 59


def _offset_out_of_range(value: str) -> bool:
    match = _UTC_OFFSET.search(value)
    if match is None:
        return False
    hours, minutes = int(match[1]), int(match[2] or 0)
    return hours * 60 + minutes > _MAX_OFFSET_MINUTES


def _bad_request(request: HttpRequest, parameter: str | None, message) -> HttpResponse:
    """400 with ``message``: JSON for the API (``{"detail": ...}``, and the parameter's name
    as a field error as DRF writes them), the portal's 400 page for everyone else."""
    if request.path.startswith("/api/"):
        body = {"detail": str(message)}
        if parameter is not None and "\x00" not in parameter:
            body[parameter] = [str(message)]
        return JsonResponse(body, status=400)
    return HttpResponseBadRequest(render_to_string("400.html", {"message": message}))
