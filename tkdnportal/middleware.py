"""Security headers that Django 5.2 does not set itself, the request size limit, and the guard
against paths and queries no view can take (NUL characters, impossible dates)."""

import datetime
import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
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


class RequestSizeLimitMiddleware:
    """Refuse a request whose declared body is over its URL kind's limit with HTTP 413, before
    anything reads the body (the CSRF middleware reads a POST body to find its token, and
    Django writes file parts to disk as it reads them).

    Pages that take uploads (``UPLOAD_URL_PREFIXES``: the owner's pages, the verification pages'
    PDF checks, the admin) accept ``UPLOAD_REQUEST_MAX_SIZE``; everything else
    ``REQUEST_MAX_SIZE``. nginx applies the same limits first (``deploy/nginx.conf``); this is
    the same rule for a server reached without it (``make run``, tests). A body sent without a
    Content-Length (chunked) is not read by Django at all. Each file is checked against
    ``MAX_UPLOAD_SIZE`` by the upload fields.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    @staticmethod
    def limit_for(path: str) -> int:
        if path.startswith(settings.UPLOAD_URL_PREFIXES):
            return settings.UPLOAD_REQUEST_MAX_SIZE
        return settings.REQUEST_MAX_SIZE

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = self.limit_for(request.path_info)
        if length > limit:
            return self.too_large(request, length, limit)
        return self.get_response(request)

    @staticmethod
    def too_large(request: HttpRequest, length: int, limit: int) -> HttpResponse:
        from django.http import JsonResponse
        from django.template.defaultfilters import filesizeformat
        from django.template.loader import render_to_string

        size, most = filesizeformat(length), filesizeformat(limit)
        if request.path_info.startswith("/api/"):
            response = JsonResponse(
                {
                    "error": f"Badan permintaan terlalu besar ({size}); paling besar {most}.",
                    "error_en": f"Request body too large ({size}); at most {most}.",
                    "field": None,
                },
                status=413,
                json_dumps_params={"ensure_ascii": False},
            )
        else:
            context = {
                "size": size,
                "limit": most,
                "file_limit": filesizeformat(settings.MAX_UPLOAD_SIZE),
            }
            response = HttpResponse(render_to_string("413.html", context), status=413)
        # The body was not read: the connection cannot carry another request.
        response["Connection"] = "close"
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
    - A date or date-time query value that does not fit Python's datetime once moved to UTC
      (``0001-01-01``, ``0001-01-01T00:00+01:00``, ``9999-12-31T23:00-05:00``): the same
      filters answered 500 (OverflowError) where the database driver converts to UTC.

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
                problem = _date_problem(value)
                if problem is not None:
                    return _bad_request(request, key, problem)
        return self.get_response(request)


NUL_MESSAGE = _(
    "Alamat atau parameter berisi karakter NUL (\\0), yang tidak pernah sah di portal ini."
)
OFFSET_MESSAGE = _("Selisih zona waktu paling banyak ±15:59 (mis. 2026-01-31T00:00+07:00 atau Z).")
DATE_RANGE_MESSAGE = _("Tanggal di luar rentang yang dapat disimpan (tahun 0001 sampai 9999 UTC).")
# The end of an ISO 8601 date-time with a UTC offset: 00:00[:00[.000]]+HH[[:]MM].
_UTC_OFFSET = re.compile(r"\d\d:\d\d(?::\d\d(?:[.,]\d+)?)?[+-](\d\d)(?::?(\d\d))?\Z")
_MAX_OFFSET_MINUTES = 15 * 60 + 59


def _offset_out_of_range(value: str) -> bool:
    match = _UTC_OFFSET.search(value)
    if match is None:
        return False
    hours, minutes = int(match[1]), int(match[2] or 0)
    return hours * 60 + minutes > _MAX_OFFSET_MINUTES


def _date_problem(value: str):
    """The message for a value that reads as an ISO 8601 date or date-time no database column
    can take, else ``None`` (anything else is left to the views and forms)."""
    if _offset_out_of_range(value):
        return OFFSET_MESSAGE
    if not 8 <= len(value) <= 40 or not value[:4].isdigit():
        return None  # not a date: the cheap test first, it runs on every query value
    try:
        moment = parse_datetime(value)
        if moment is None:
            day = parse_date(value)
            if day is None:
                return None
            moment = datetime.datetime.combine(day, datetime.time.min)
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        moment.astimezone(datetime.UTC)
    except ValueError:
        return None  # not a real date (2026-02-30): the field that reads it says so
    except OverflowError:
        return DATE_RANGE_MESSAGE
    return None


def _bad_request(request: HttpRequest, parameter: str | None, message) -> HttpResponse:
    """400 with ``message``: JSON for the API (``{"detail": ...}``, and the parameter's name
    as a field error as DRF writes them), the portal's 400 page for everyone else."""
    if request.path.startswith("/api/"):
        body = {"detail": str(message)}
        if parameter is not None and "\x00" not in parameter:
            body[parameter] = [str(message)]
        return JsonResponse(body, status=400)
    return HttpResponseBadRequest(render_to_string("400.html", {"message": message}))
