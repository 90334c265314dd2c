from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from applications import api as applications_api
from applications import views as applications_views

from . import views

admin.site.site_header = _("Portal TKDN-IK — Petugas")
admin.site.site_title = _("Portal TKDN-IK")
admin.site.index_title = _("Verifikasi permohonan TKDN-IK")

handler404 = "tkdnportal.views.page_not_found"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("ping/", views.ping, name="ping"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("akun/", include("accounts.urls")),
    path("ikm/", include("applications.urls")),
    path("pelatihan/", include("applications.outreach_urls")),
    path("kalkulator/", applications_views.calculator, name="calculator"),
    # Before the registry API include, which also lives under api/v1/.
    path("api/v1/calculator/", applications_api.calculator, name="api_calculator"),
    path("", include("registry.urls")),
    # The open registry API (read-only, throttled, OpenAPI schema at /api/v1/schema/).
    path("api/v1/", include("registry.api_urls")),
]
