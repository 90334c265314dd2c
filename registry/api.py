"""The open, read-only JSON API of the registry (``/api/v1/``).

Anonymous, throttled per client address (registry.throttling, HTTP 429 with Retry-After).
Successful GET responses carry ``Cache-Control: public, max-age=...`` and an ETag; a matching
``If-None-Match`` gets 304 Not Modified.
"""

import datetime
import re

from django.conf import settings
from django.core.paginator import EmptyPage, Page, Paginator
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.decorators import method_decorator
from django.views.decorators.http import conditional_page

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors
from .filters import CertificateApiFilter
from .serializers import CertificateSerializer, CoverageSerializer
from .verification import verify_file as verify_file_data
from .views import LOOKUP_COUNT_LIMIT, LookupPaginator, csv_response


class _OpenEndedPage(Page):
    """A page of a capped result that knows by itself whether another page follows."""

    def __init__(self, object_list, number, paginator, *, more: bool):
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self) -> bool:
        return self.more


# Rows before the furthest page the API reads past its capped count: ten times the country's
# 4.4 million IKM with a product each, far beyond any register this portal will hold.
MAX_OFFSET = 50_000_000


class CappedApiPaginator(LookupPaginator):
    """The list's count stops at ``LOOKUP_COUNT_LIMIT`` (an exact count of a common filter among
    a million certificates read every match: 0.4-1.6 s) and plans the page like the lookup's;
    past the cap, pages still work: each one reads a row more than it shows to know whether
    another follows (``next``)."""

    def __init__(self, object_list, per_page, **kwargs):
        super().__init__(object_list, per_page, limit=LOOKUP_COUNT_LIMIT, **kwargs)

    def validate_number(self, number):
        if not self.count or not self.capped:
            return super().validate_number(number)
        try:
            number = int(number)
        except (TypeError, ValueError):
            return super().validate_number(number)
        if number < 1:
            raise EmptyPage("That page number is less than 1")
        if (number - 1) * self.per_page > MAX_OFFSET:
            # Empty whatever the register holds; read, it would walk every match (or overflow
            # PostgreSQL's bigint: a 500 for page=999999999999999999).
            raise EmptyPage("That page contains no results")
        return number

    def page(self, number):
        number = self.validate_number(number)
        if not self.capped:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        rows = self.read(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage("That page contains no results")
        return _OpenEndedPage(rows[: self.per_page], number, self, more=len(rows) > self.per_page)


class CertificatePagination(PageNumberPagination):
    """``page`` ≥ 1 and ``page_size`` 1–500, or a 400 that says so (DRF would quietly use the
    default page size for ``page_size=null`` and read ``page=last``, which the schema does not
    state); a page past the end is a 404."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    last_page_strings = ()
    django_paginator_class = CappedApiPaginator

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["count_capped"] = bool(getattr(self.page.paginator, "capped", False))
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count"]["description"] = (
            f"Matches, counted up to {LOOKUP_COUNT_LIMIT:,}; with count_capped there are more "
            "(follow next until it is null)."
        )
        schema["properties"]["count_capped"] = {
            "type": "boolean",
            "description": f"True when more than {LOOKUP_COUNT_LIMIT:,} certificates match: "
            "count is then a lower bound.",
        }
        return schema

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not re.fullmatch(r"[0-9]{1,4}", raw) or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {self.page_size_query_param: f"Bilangan bulat 1–{self.max_page_size}."}
            )
        return int(raw)

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param) or "1"
        if not re.fullmatch(r"[0-9]+", raw) or int(raw[:19]) < 1:
            raise ValidationError({self.page_query_param: "Bilangan bulat mulai 1."})
        # A page number of 19 digits or more is past the end of any result: a 404, as for any
        # page past the end (and no 4,300-digit integer is ever parsed).
        return raw if len(raw) < 19 else "999999999999999999"

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.page_query_param: {"minimum": 1},
            self.page_size_query_param: {"minimum": 1, "maximum": self.max_page_size},
        }
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters


class PublicCacheMixin:
    """Cache-Control for successful public responses; ETag + 304 via ``conditional_page``."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        renderer = getattr(request, "accepted_renderer", None)
        # JSON only: the browsable HTML page carries a CSRF token and must not be shared.
        if (
            request.method in ("GET", "HEAD")
            and response.status_code == 200
            and getattr(renderer, "format", None) == "json"
        ):
            patch_cache_control(response, public=True, max_age=settings.REGISTRY_CACHE_SECONDS)
        response.setdefault("Vary", "Accept")
        return response

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}


@method_decorator(conditional_page, name="dispatch")
class CertificateListView(PublicCacheMixin, generics.ListAPIView):
    """Issued certificates with the filters of the lookup page, paginated."""

    serializer_class = CertificateSerializer
    pagination_class = CertificatePagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = CertificateApiFilter

    def get_queryset(self):
        return selectors.certificates_public()


@method_decorator(conditional_page, name="dispatch")
class CertificateDetailView(PublicCacheMixin, generics.RetrieveAPIView):
    """One certificate by its number (e.g. ``TKDNIK/32/2026/000001``)."""

    serializer_class = CertificateSerializer
    filter_backends: list = []

    def get_object(self):
        certificate = selectors.certificate_by_number(number=self.kwargs["number"])
        if certificate is None:
            raise NotFound
        return certificate


@method_decorator(conditional_page, name="dispatch")
class VerifyView(PublicCacheMixin, generics.RetrieveAPIView):
    """The certificate a QR token points at; 404 without a hint for an unknown token."""

    serializer_class = CertificateSerializer
    filter_backends: list = []

    def get_object(self):
        certificate = selectors.certificate_by_token(token=self.kwargs["token"])
        if certificate is None:
            raise NotFound
        return certificate


class ChangesPagination(CertificatePagination):
    # The change feed counts exactly: a copy of the register is built from it page by page.
    django_paginator_class = Paginator

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["server_time"] = self.server_time.isoformat()
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["server_time"] = {
            "type": "string",
            "format": "date-time",
            "description": "Pass this as changed_since next time to get only later changes.",
        }
        return schema


# PostgreSQL's timestamptz takes UTC offsets up to ±15:59 (Python's up to ±23:59): a larger one
# reached the database and answered 500. The feed starts at the Unix epoch (the register is far
# younger) and ends a day from now (a client's clock may run ahead); year 1 or 9999 with an
# offset does not even fit Python's datetime once moved to UTC.
MAX_UTC_OFFSET = datetime.timedelta(hours=15, minutes=59)
CHANGES_EARLIEST = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
CHANGES_AHEAD = datetime.timedelta(days=1)


def _parse_since(value: str | None) -> datetime.datetime:
    """``changed_since`` as an aware moment in UTC, or a 400 saying what is wrong with it."""
    if not value:
        raise ValidationError({"changed_since": "Wajib diisi (ISO 8601), e.g. 2026-01-31T00:00Z."})
    invalid = ValidationError({"changed_since": "Bukan tanggal/waktu ISO 8601 yang valid."})
    try:
        # Well formed but impossible (2026-02-30, an offset of a day) raises ValueError.
        moment = parse_datetime(value.replace(" ", "+"))
        if moment is None:
            day = parse_date(value)
            if day is None:
                raise invalid
            moment = datetime.datetime.combine(day, datetime.time.min)
    except ValueError:
        raise invalid from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if abs(moment.utcoffset()) > MAX_UTC_OFFSET:
        raise ValidationError(
            {"changed_since": "Selisih zona waktu paling banyak ±15:59 (mis. +07:00 atau Z)."}
        )
    out_of_range = ValidationError(
        {
            "changed_since": "Di luar rentang: antara 1970-01-01T00:00Z dan satu hari dari "
            "sekarang (pakai server_time dari jawaban sebelumnya)."
        }
    )
    try:
        moment = moment.astimezone(datetime.UTC)
    except OverflowError:
        raise out_of_range from None
    if not CHANGES_EARLIEST <= moment <= timezone.now() + CHANGES_AHEAD:
        raise out_of_range
    return moment


@extend_schema(
    parameters=[
        OpenApiParameter(
            "changed_since",
            OpenApiTypes.DATETIME,
            required=True,
            description="Certificates issued, revoked, extended or expired after this moment.",
        )
    ]
)
@method_decorator(conditional_page, name="dispatch")
class ChangesView(PublicCacheMixin, generics.ListAPIView):
    """Change feed for procurement systems that keep a copy of the register.

    Includes revocations and expiries; ordered by ``updated_at``. Keep ``server_time`` from the
    answer and pass it as ``changed_since`` on the next call.
    """

    serializer_class = CertificateSerializer
    pagination_class = ChangesPagination
    filter_backends: list = []

    def get_queryset(self):
        since = _parse_since(self.request.query_params.get("changed_since"))
        self.paginator.server_time = timezone.now()
        return selectors.certificates_changed_since(since=since)


class CertificateCsvView(APIView):
    """The search (same filters as the list) as CSV, streamed row by row."""

    filter_backends = [DjangoFilterBackend]
    filterset_class = CertificateApiFilter

    def get_queryset(self):
        return selectors.certificates_public()

    @extend_schema(
        # The list's filters, documented here too (drf-spectacular adds them to lists only).
        filters=True,
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV")},
    )
    def get(self, request, *args, **kwargs):
        queryset = DjangoFilterBackend().filter_queryset(request, self.get_queryset(), self)
        return csv_response(queryset)


class _PdfBodyParser(BaseParser):
    """A request body that is the PDF itself (``Content-Type: application/pdf``)."""

    media_type = "application/pdf"

    def parse(self, stream, media_type=None, parser_context=None):
        return {"pdf_bytes": stream.read(settings.REGISTRY_VERIFY_MAX_PDF + 1)}


_FILE_CHECK = {
    "type": "object",
    "properties": {
        "sha256": {"type": "string"},
        "authentic": {
            "type": "boolean",
            "description": "The signature is valid and the file is one the portal issued.",
        },
        "signature": {
            "type": "object",
            "properties": {
                "state": {
                    "type": "string",
                    "enum": ["valid", "untrusted", "broken", "unsigned", "unreadable"],
                },
                "signer": {"type": "string"},
                "signed_at": {"type": "string", "format": "date-time", "nullable": True},
                "algorithm": {"type": "string"},
                "message": {"type": "string"},
            },
        },
        "register": {
            "type": "object",
            "properties": {
                "match": {"type": "string", "enum": ["current", "superseded", "unknown"]},
                "number": {"type": "string", "nullable": True},
                "message": {"type": "string"},
            },
        },
        "status": {
            "type": "object",
            "properties": {
                "code": {
                    "type": "string",
                    "enum": ["VALID", "EXPIRED", "REVOKED"],
                    "nullable": True,
                },
                "issue_date": {"type": "string", "format": "date", "nullable": True},
                "expires_on": {"type": "string", "format": "date", "nullable": True},
                "revoked_at": {"type": "string", "format": "date-time", "nullable": True},
                "message": {"type": "string"},
            },
        },
    },
}


class VerifyFileView(APIView):
    """Check a certificate PDF three ways: signature, register (SHA-256), status today.

    Send the file as multipart field ``pdf`` or as the whole body with
    ``Content-Type: application/pdf``. Nothing is stored.
    """

    parser_classes = [MultiPartParser, _PdfBodyParser]

    @extend_schema(
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {"pdf": {"type": "string", "format": "binary"}},
                "required": ["pdf"],
            },
            "application/pdf": {"type": "string", "format": "binary"},
        },
        responses={
            200: OpenApiResponse(_FILE_CHECK, description="The three checks, in codes and words"),
            400: OpenApiResponse(description="No PDF, not a PDF, or too large"),
        },
    )
    def post(self, request, *args, **kwargs):
        from django.utils.translation import gettext as _

        upload = request.data.get("pdf")
        data = request.data.get("pdf_bytes")
        if upload is not None and hasattr(upload, "read"):
            data = upload.read(settings.REGISTRY_VERIFY_MAX_PDF + 1)
        if not data:
            raise ValidationError(
                {"pdf": _("Kirim berkas PDF (kolom pdf atau badan application/pdf).")}
            )
        if len(data) > settings.REGISTRY_VERIFY_MAX_PDF:
            raise ValidationError({"pdf": _("Berkas terlalu besar.")})
        if not bytes(data[:5]) == b"%PDF-":
            raise ValidationError({"pdf": _("Berkas ini bukan PDF.")})
        return Response(verify_file_data(bytes(data)).as_dict())


class CoverageView(PublicCacheMixin, APIView):
    """Coverage per province and regency: certified IKM, IKM population and coverage %.

    The population is the latest figure a regional office entered, with its source and year;
    where none was entered, ``population`` and ``coverage_pct`` are null ("no data"). Read from
    the cached statistics (refreshed every 15 minutes and after a new population entry).
    """

    @extend_schema(responses=CoverageSerializer)
    def get(self, request, *args, **kwargs):
        data = selectors.registry_statistics()
        payload = {"generated_at": data["generated_at"], **data["coverage"]}
        return Response(CoverageSerializer(payload).data)
