from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from . import views

admin.site.site_header = _("Portal TKDN-IK — Petugas")
admin.site.site_title = _("Portal TKDN-IK")
admin.site.index_title = _("Verifikasi permohonan TKDN-IK")

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("registry.urls")),
    # The open registry API (read-only, throttled, OpenAPI schema at /api/v1/schema/).
    path("api/v1/", include("registry.api_urls")),
]
