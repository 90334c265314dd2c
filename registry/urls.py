from django.urls import path

from . import finder_views, views

app_name = "registry"

urlpatterns = [
    path("registri/", views.lookup, name="lookup"),
    path("registri/ekspor.csv", views.export_csv, name="export_csv"),
    path("statistik/", views.statistics, name="statistics"),
    # The supplier finder for government buyers (issue 15): public, shortlist in the session.
    path("pemasok/", finder_views.supplier_finder, name="suppliers"),
    path("pemasok/daftar-pendek/", finder_views.shortlist, name="shortlist"),
    path("pemasok/daftar-pendek/ubah/", finder_views.shortlist_change, name="shortlist_change"),
    path("verify/<str:token>/", views.verify, name="verify"),
    # Check any certificate PDF (no QR code needed), and the portal's public signing certificate.
    path("verifikasi/berkas/", views.verify_file, name="verify_file"),
    path("verifikasi/sertifikat-penandatangan.pem", views.signing_certificate, name="signing_cert"),
    # Numbers contain slashes (TKDNIK/32/2026/000001), hence the path converter; the PDF
    # pattern comes first so ".../unduh/" is never read as part of a number.
    path("sertifikat/<path:number>/unduh/", views.certificate_pdf, name="certificate_pdf"),
    path("sertifikat/<path:number>/", views.certificate_detail, name="certificate_detail"),
]
