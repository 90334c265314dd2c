from django.urls import path

from . import views

app_name = "registry"

urlpatterns = [
    path("verify/<str:token>/", views.verify, name="verify"),
    # Numbers contain slashes (TKDNIK/32/2026/000001), hence the path converter.
    path("sertifikat/<path:number>/", views.certificate_detail, name="certificate_detail"),
]
