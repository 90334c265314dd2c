from django.urls import path

from . import views

app_name = "applications"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("perusahaan/", views.company_edit, name="company"),
    path("wilayah/kabupaten/", views.regency_options, name="regency_options"),
    path("produk/", views.product_list, name="product_list"),
    path("produk/baru/", views.product_edit, name="product_create"),
    path("produk/<int:pk>/ubah/", views.product_edit, name="product_edit"),
    path("produk/<int:pk>/ajukan/", views.application_start, name="application_start"),
    path("dokumen/", views.documents, name="documents"),
    path("dokumen/<int:pk>/hapus/", views.document_delete, name="document_delete"),
    path("berkas/<str:kind>/<int:pk>/", views.file_download, name="file_download"),
    # Applications are addressed by their UUID: URLs carry no sequential ids.
    path("permohonan/<uuid:public_id>/", views.application_detail, name="application_detail"),
    path("permohonan/<uuid:public_id>/ubah/", views.application_edit, name="application_edit"),
    path(
        "permohonan/<uuid:public_id>/pratinjau/",
        views.application_preview,
        name="application_preview",
    ),
    path(
        "permohonan/<uuid:public_id>/ajukan/", views.application_submit, name="application_submit"
    ),
    path(
        "permohonan/<uuid:public_id>/status/", views.application_status, name="application_status"
    ),
    path(
        "permohonan/<uuid:public_id>/batalkan/",
        views.application_withdraw,
        name="application_withdraw",
    ),
    path("permohonan/<uuid:public_id>/salin/", views.application_copy, name="application_copy"),
    path(
        "permohonan/<uuid:public_id>/perbarui/",
        views.application_renew,
        name="application_renew",
    ),
]
