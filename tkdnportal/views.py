from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from rest_framework.exceptions import NotFound

from applications import rules


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The landing page: what TKDN-IK is, who may apply, and the way in for each kind of user."""
    return render(request, "home.html", {"rule_set": rules.in_force()})


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers and docker-compose: the database answers a query."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@require_GET
def ping(request: HttpRequest) -> HttpResponse:
    """A constant response through the whole middleware stack: the framework floor that the
    benchmarks (bench/) compare every page with, and a cheap liveness probe."""
    return HttpResponse(b"ok", content_type="text/plain")


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask /favicon.ico whatever the page links: the static icon (its hashed URL in
    production, hence a temporary redirect resolved on each request, not a fixed one)."""
    return redirect(static("favicon.ico"))


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404 (``handler404``): JSON under ``/api/``, as the API's own 404s and its schema say,
    also for a URL no API pattern matches (a certificate number with a line break); the
    portal's page everywhere else."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)
    return defaults.page_not_found(request, exception)
