"""Security headers that Django 5.2 does not set itself."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


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
