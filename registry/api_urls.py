"""URLs of the open API, mounted at ``/api/v1/`` by tkdnportal/urls.py."""

from django.urls import path

from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from . import api

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file: the CSP allows no inline script.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    path("certificates/", api.CertificateListView.as_view(), name="certificate_list"),
    path("certificates/export.csv", api.CertificateCsvView.as_view(), name="certificate_csv"),
    path("certificates/changes/", api.ChangesView.as_view(), name="certificate_changes"),
    path("statistics/coverage/", api.CoverageView.as_view(), name="statistics_coverage"),
    path("verify/<str:token>/", api.VerifyView.as_view(), name="verify"),
    path("verify-file/", api.VerifyFileView.as_view(), name="verify_file"),
    # Numbers contain slashes (TKDNIK/32/2026/000001): last, with a path converter.
    path(
        "certificates/<path:number>/",
        api.CertificateDetailView.as_view(),
        name="certificate_detail",
    ),
]
