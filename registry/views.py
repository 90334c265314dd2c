"""Public pages of the registry: no login, issued snapshot only, never personal data."""

import csv
import functools
import hashlib
import time
from collections.abc import Iterator

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tkdnportal.pagination import PlannedPaginator
from tkdnportal.spreadsheets import spreadsheet_row

from . import selectors, signing
from .filters import CertificateFilter
from .forms import PdfCheckForm
from .models import Certificate
from .throttling import throttled
from .verification import verify_file as verify_file_data

PAGE_SIZES = (10, 20, 50, 100)
DEFAULT_PAGE_SIZE = 20
# The lookup counts matches up to this many and then says "more than ...": an exact COUNT(*) of a
# common word among a million certificates rechecks every match (0.5 s); a capped count stops
# after LOOKUP_COUNT_LIMIT + 1 rows. The CSV export still holds every match.
LOOKUP_COUNT_LIMIT = 1000


class LookupPaginator(PlannedPaginator):
    """The lookup's capped count (``LOOKUP_COUNT_LIMIT``), which also chooses the plan of the
    page (``tkdnportal.pagination.PlannedPaginator``)."""

    def __init__(self, object_list, per_page, *, limit: int | None = None, **kwargs):
        super().__init__(
            object_list, per_page, limit=LOOKUP_COUNT_LIMIT if limit is None else limit, **kwargs
        )


def _page_size(request: HttpRequest) -> int:
    try:
        size = int(request.GET.get("per_page", DEFAULT_PAGE_SIZE))
    except ValueError:
        return DEFAULT_PAGE_SIZE
    return size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE


# Stands in for the CSRF token (the language switcher's form) in a cached page; each response
# gets the reader's own token.
_CSRF_PLACEHOLDER = "registry-csrf-placeholder-0b7f3c"


def _page_cacheable(request: HttpRequest) -> bool:
    """Anonymous readers only (no session, no pending messages): the page is then the same for
    everyone reading the same URL in the same language."""
    return (
        settings.REGISTRY_PAGE_CACHE_SECONDS > 0
        and request.method == "GET"
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


# How long a cached page may still be served while one request renders its successor, and how
# long that request holds the right to do so (if it dies, another takes over after this).
PAGE_CACHE_GRACE_SECONDS = 60
PAGE_CACHE_RENDER_LOCK_SECONDS = 30


def page_cache_key(full_path: str) -> str:
    """The cache key of a public page: URL, language, day and the pages' generation."""
    url = hashlib.sha256(full_path.encode()).hexdigest()
    return (
        f"registry:page:v2:{selectors.registry_pages_version()}:{get_language()}:"
        f"{timezone.localdate().isoformat()}:{url}"
    )


def public_page_cache(view):
    """Cache a public page's HTML per full URL, language and day, for
    ``REGISTRY_PAGE_CACHE_SECONDS`` (a few seconds); any certificate save or delete starts a
    new generation (``selectors.registry_pages_invalidate``), and so does a revocation or an
    extension (``registry.services``); the PDF digest, written with ``QuerySet.update()``, is seen
    once the entry expires. Never for a logged-in user.

    No stampede when a busy page expires: the first reader after expiry renders it again
    (holding a short lock) while the others are still served the expired copy, which is then
    at most a render's time older than the limit. Without this every reader of a popular
    search renders it at once (bench: lookup p99 95 ms at 1,000,000 certificates, p50 6 ms).
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not _page_cacheable(request):
            return view(request, *args, **kwargs)
        key = page_cache_key(request.get_full_path())
        entry = cache.get(key)
        now = time.time()
        fresh = entry is not None and entry[0] > now
        if not fresh and (
            entry is None or cache.add(f"{key}:render", 1, PAGE_CACHE_RENDER_LOCK_SECONDS)
        ):
            request.registry_csrf_placeholder = _CSRF_PLACEHOLDER
            try:
                response = view(request, *args, **kwargs)
                if response.status_code != 200 or response.streaming:
                    return response
                content = response.content
                seconds = settings.REGISTRY_PAGE_CACHE_SECONDS
                cache.set(key, (now + seconds, content), seconds + PAGE_CACHE_GRACE_SECONDS)
            finally:
                # Given back only once the new page is stored, so no second reader renders it.
                if entry is not None:
                    cache.delete(f"{key}:render")
        else:
            content = entry[1]
            response = HttpResponse(content)
        response.content = content.replace(_CSRF_PLACEHOLDER.encode(), get_token(request).encode())
        return response

    return wrapper


def _csrf_context(request: HttpRequest) -> dict:
    placeholder = getattr(request, "registry_csrf_placeholder", None)
    return {"csrf_token": placeholder} if placeholder else {}


@require_GET
@throttled
@public_page_cache
def lookup(request: HttpRequest) -> HttpResponse:
    """Search issued certificates; every filter lives in the URL so a search can be shared.

    Queries per page are constant: the province and regency choices, the count and the page.
    """
    filterset = CertificateFilter(request.GET, queryset=selectors.certificates_public())
    paginator = LookupPaginator(filterset.qs, _page_size(request))
    page = paginator.get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [(certificate, certificate.effective_status(today)) for certificate in page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "registry/lookup.html",
        {
            "filter": filterset,
            "region_options": filterset.region_options(),
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "page_sizes": PAGE_SIZES,
            "page_size": paginator.per_page,
            "count_limit": paginator.limit,
            **_csrf_context(request),
        },
    )


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


CSV_COLUMNS = (
    ("number", "nomor_sertifikat"),
    ("company_name", "perusahaan"),
    ("company_nib", "nib"),
    ("product_name", "produk"),
    ("product_brand", "merek"),
    ("product_specification", "spesifikasi"),
    ("kbli", "kbli"),
    ("tkdn_ik", "nilai_tkdn_ik"),
    ("province_name", "provinsi"),
    ("regency_name", "kabupaten_kota"),
    ("issue_date", "tanggal_terbit"),
    ("valid_until", "berlaku_sampai"),
    ("extended_until", "diperpanjang_sampai"),
    ("status", "status_catatan"),
    ("revoked_at", "dicabut_pada"),
)


def csv_rows(queryset: QuerySet[Certificate]) -> Iterator[str]:
    """One CSV line at a time: rows come from a server-side cursor in chunks, never a list.

    The effective status (valid/expired/revoked) is computed per row from the dates. Text
    cells go through ``spreadsheet_safe`` (a name beginning with ``=`` is not run as a formula
    when the file is opened); the value stays a number.
    """
    writer = csv.writer(_Echo())
    yield "\ufeff"  # BOM: spreadsheet programs then read the names as UTF-8
    yield writer.writerow([header for _, header in CSV_COLUMNS] + ["status"])
    today = timezone.localdate()
    fields = [field for field, _ in CSV_COLUMNS]
    status_index = fields.index("status")
    for values in queryset.values_list(*fields).iterator(chunk_size=2000):
        expires = values[12] or values[11]
        if values[status_index] == Certificate.Status.REVOKED:
            effective = Certificate.EffectiveStatus.REVOKED
        elif today > expires:
            effective = Certificate.EffectiveStatus.EXPIRED
        else:
            effective = Certificate.EffectiveStatus.VALID
        yield writer.writerow(spreadsheet_row([*values, str(effective)]))


def csv_response(queryset: QuerySet[Certificate]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_rows(queryset), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="sertifikat-tkdn-ik-{stamp}.csv"'
    return response


@require_GET
@throttled
def export_csv(request: HttpRequest) -> HttpResponse:
    """The current search as CSV, streamed (a million rows never sit in memory)."""
    filterset = CertificateFilter(request.GET, queryset=Certificate.objects.all())
    return csv_response(filterset.qs)


@require_GET
@throttled
def certificate_detail(request: HttpRequest, number: str) -> HttpResponse:
    certificate = selectors.certificate_by_number(number=number)
    if certificate is None:
        raise Http404
    return render(
        request,
        "registry/certificate_detail.html",
        {"certificate": certificate, "status": certificate.effective_status(timezone.localdate())},
    )


@require_GET
@throttled
def certificate_pdf(request: HttpRequest, number: str) -> HttpResponse:
    """The issued PDF, through this view (MEDIA_ROOT is never served publicly)."""
    certificate = selectors.certificate_by_number(number=number)
    if certificate is None or not certificate.pdf:
        raise Http404
    try:
        handle = certificate.pdf.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    filename = certificate.number.replace("/", "-") + ".pdf"
    response = FileResponse(handle, content_type="application/pdf", filename=filename)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _checked_upload(request: HttpRequest) -> tuple[PdfCheckForm, object, int]:
    """Bind the "check a PDF" form; refuse an oversized body before Django reads it.

    Returns the form, the verification (``None`` unless the file was checked) and the status.
    """
    limit = settings.REGISTRY_VERIFY_MAX_PDF
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit + 64 * 1024:
        # Refuse before Django reads the body into a temporary file.
        form = PdfCheckForm(data={})
        form.errors.clear()
        form.add_error(None, _("Berkas terlalu besar."))
        return form, None, 413
    form = PdfCheckForm(request.POST, request.FILES)
    if not form.is_valid():
        return form, None, 400
    return form, verify_file_data(form.cleaned_data["data"]), 200


@require_http_methods(["GET", "HEAD", "POST"])
@throttled
def verify(request: HttpRequest, token: str) -> HttpResponse:
    """The QR target: valid, revoked or expired at a glance; 404 for an unknown token.

    POST: the "check a PDF" form: the file's signature, its hash against the register and the
    status today (``registry.verification``); nothing is stored. Works without JavaScript.
    """
    certificate = selectors.certificate_by_token(token=token)
    if certificate is None:
        raise Http404
    form, check, status_code = PdfCheckForm(), None, 200
    if request.method == "POST":
        form, check, status_code = _checked_upload(request)
    return render(
        request,
        "registry/verify.html",
        {
            "certificate": certificate,
            "status": certificate.effective_status(timezone.localdate()),
            "form": form,
            "check": check,
            # The file checked is of another certificate than this QR code's.
            "other": check is not None
            and check.certificate is not None
            and check.certificate.pk != certificate.pk,
        },
        status=status_code,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@throttled
def verify_file(request: HttpRequest) -> HttpResponse:
    """Check any certificate PDF a buyer received (no QR code needed): signature, register,
    status today."""
    form, check, status_code = PdfCheckForm(), None, 200
    if request.method == "POST":
        form, check, status_code = _checked_upload(request)
    return render(
        request, "registry/verify_file.html", {"form": form, "check": check}, status=status_code
    )


@require_GET
def signing_certificate(request: HttpRequest) -> HttpResponse:
    """The portal's public signing certificate and chain (PEM), for a PDF reader's trust list."""
    response = HttpResponse(
        signing.signing_certificate_pem(), content_type="application/x-pem-file"
    )
    response["Content-Disposition"] = 'attachment; filename="portal-tkdn-ik-penandatangan.pem"'
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
@throttled
def statistics(request: HttpRequest) -> HttpResponse:
    """Public statistics, read from the cache (refreshed by a periodic task).

    Refreshed on change too: when a certificate changed after the cached numbers were computed,
    a refresh is queued (at most one a minute); this page shows the cached numbers meanwhile.
    """
    data = selectors.registry_statistics()
    if selectors.registry_statistics_stale(data) and cache.add(
        "registry:statistics:refresh-queued", True, 60
    ):
        from tkdnportal.tasks import enqueue

        from .tasks import registry_statistics_refresh_task

        enqueue(registry_statistics_refresh_task)
    return render(
        request, "registry/statistics.html", {"stats": selectors.statistics_labelled(data)}
    )
