"""The open, read-only JSON API of the registry (``/api/v1/``).

Anonymous, throttled per client address (registry.throttling, HTTP 429 with Retry-After).
Successful GET responses carry ``Cache-Control: public, max-age=...`` and an ETag; a matching
``If-None-Match`` gets 304 Not Modified.
"""

import datetime

from django.conf import settings
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
from .filters import CertificateFilter
from .serializers import CertificateSerializer
from .verification import verify_file as verify_file_data
from .views import csv_response


class CertificatePagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


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
    filterset_class = CertificateFilter

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


def _parse_since(value: str | None) -> datetime.datetime:
    if not value:
        raise ValidationError({"changed_since": "Wajib diisi (ISO 8601), e.g. 2026-01-31T00:00Z."})
    moment = parse_datetime(value.replace(" ", "+"))
    if moment is None:
        day = parse_date(value)
        if day is None:
            raise ValidationError({"changed_since": "Bukan tanggal/waktu ISO 8601 yang valid."})
        moment = datetime.datetime.combine(day, datetime.time.min)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
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
    filterset_class = CertificateFilter

    @extend_schema(
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV")},
    )
    def get(self, request, *args, **kwargs):
        queryset = DjangoFilterBackend().filter_queryset(
            request, selectors.certificates_public(), self
        )
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
