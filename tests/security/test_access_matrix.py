"""Access matrix: every URL pattern of the project × six roles, expected status per cell.

The objects in the URLs belong to applicant B (company, products, applications, evidence files,
supporting document, certificate) in province X (32, Jawa Barat). Roles:

    anon  anonymous visitor
    A     another applicant (owns their own company in the same province)
    B     the owner of the objects
    X     a dinas official of province X (the objects' province)
    Y     a dinas official of province Y (33, Jawa Tengah)
    su    a superuser

``MATRIX`` holds one row per URL pattern (its route as printed by Django, admin included). A URL
pattern added to the project without a row fails ``test_every_url_pattern_has_a_row`` with its
name. Codes: 200 page, 302 redirect (to a login page, or to the canonical page), 403 refused,
404 hidden (never a hint that B's object exists), 405 wrong method.

Run ``TKDN_PRINT_MATRIX=1 pytest tests/security/test_access_matrix.py -s`` to print the observed
matrix in the table's format (for a new row; every value was checked by hand before it went in).
"""

from __future__ import annotations

import os

from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django_otp.plugins.otp_totp.models import TOTPDevice

from applications.models import (
    Application,
    ApplicationSnapshot,
    Holiday,
    SupportingDocument,
)
from applications.selectors import OFFICIAL_GROUP
from registry.models import (
    CertificateReminder,
    CertificateSequence,
    ProgrammeTarget,
    RegionPopulation,
)
from tests.factories import (
    PDF_BYTES,
    ApplicationFactory,
    CertificateFactory,
    CompanyFactory,
    DevelopmentItemFactory,
    EventFactory,
    LabourLineFactory,
    MaterialLineFactory,
    OfficialFactory,
    OverheadLineFactory,
    ProductFactory,
    RegistrationFactory,
    UserFactory,
    application_under_review,
)

ROLES = ("anon", "A", "B", "X", "Y", "su")

# Rows that repeat.
PUBLIC = (200, 200, 200, 200, 200, 200)
SIGNED_IN = (302, 200, 200, 200, 200, 200)  # any signed-in user; anonymous to the login page
GUEST_ONLY = (200, 302, 302, 302, 302, 302)  # sign-up and login: a signed-in user is sent on
APPLICANT = (302, 200, 200, 302, 302, 302)  # owner pages: officials are sent to the admin
OWNER = (302, 404, 200, 404, 404, 404)  # B's object: everyone else 404, never a hint
POST_ONLY = (302, 405, 405, 405, 405, 405)  # state-changing owner URLs (POST: see below)
REDIRECT = (302, 302, 302, 302, 302, 302)
STAFF = (302, 302, 302, 200, 200, 200)  # admin: non-staff users go to the admin login
REGION = (302, 302, 302, 200, 404, 200)  # admin page of B's object: province X, not Y
SUPERUSER = (302, 302, 302, 403, 403, 200)  # users, groups, officials, reference data
NOBODY = (302, 302, 302, 403, 403, 403)  # generated or reference objects: never by hand
FILE = (302, 404, 200, 200, 404, 200)  # B's evidence: B and the officials of its region
NO_DELETE = (302, 302, 302, 403, 404, 403)  # B's objects are never deleted in the admin

# fmt: off
MATRIX: dict[str, tuple[int, int, int, int, int, int]] = {
    # route                                                   anon   A    B    X    Y    su
    "":                                                       PUBLIC,
    "healthz/":                                               PUBLIC,
    "health/":                                                PUBLIC,  # no personal data
    "health/live/":                                           PUBLIC,
    # METRICS_ALLOWED_NETWORKS: the test client is 127.0.0.1 (the default, loopback); any other
    # address gets 403 whoever is signed in (tests/test_metrics.py).
    "metrics":                                                PUBLIC,
    "ping/":                                                  PUBLIC,
    "favicon.ico":                                            REDIRECT,  # to the static icon
    "i18n/setlang/":                                          REDIRECT,
    # --- accounts ---
    "akun/daftar/":                                           GUEST_ONLY,
    "akun/daftar/terkirim/":                                  PUBLIC,
    "akun/konfirmasi/<uidb64>/<token>/":                      REDIRECT,
    "akun/konfirmasi-ulang/":                                 PUBLIC,
    "akun/masuk/":                                            GUEST_ONLY,
    "akun/keluar/":                                           (405, 405, 405, 405, 405, 405),
    "akun/kata-sandi/ubah/":                                  SIGNED_IN,
    "akun/kata-sandi/ubah/selesai/":                          SIGNED_IN,
    "akun/kata-sandi/lupa/":                                  PUBLIC,
    "akun/kata-sandi/lupa/terkirim/":                         PUBLIC,
    "akun/kata-sandi/atur/<uidb64>/<token>/":                 REDIRECT,
    "akun/kata-sandi/atur/selesai/":                          PUBLIC,
    "akun/verifikasi-dua-langkah/":                           STAFF,  # TOTP for the admin
    # --- applicant portal ---
    "ikm/":                                                   SIGNED_IN,
    "ikm/perusahaan/":                                        SIGNED_IN,
    "ikm/wilayah/kabupaten/":                                 SIGNED_IN,
    "ikm/produk/":                                            APPLICANT,
    "ikm/produk/baru/":                                       APPLICANT,
    "ikm/produk/<int:pk>/ubah/":                              (302, 404, 200, 302, 302, 302),
    "ikm/produk/<int:pk>/ajukan/":                            POST_ONLY,
    "ikm/dokumen/":                                           APPLICANT,
    "ikm/dokumen/<int:pk>/hapus/":                            POST_ONLY,
    # An evidence file of B's application under review (every kind: test_every_file_kind_...;
    # a draft's files: test_draft_files_are_the_owners_until_submission).
    "ikm/berkas/<str:kind>/<int:pk>/":                        FILE,
    "ikm/permohonan/<uuid:public_id>/":                       OWNER,
    "ikm/permohonan/<uuid:public_id>/ubah/":                  OWNER,
    "ikm/permohonan/<uuid:public_id>/pratinjau/":             POST_ONLY,
    "ikm/permohonan/<uuid:public_id>/ajukan/":                OWNER,  # GET: the confirm page
    "ikm/permohonan/<uuid:public_id>/status/":                OWNER,
    "ikm/permohonan/<uuid:public_id>/batalkan/":              OWNER,  # GET: the confirm page
    "ikm/permohonan/<uuid:public_id>/salin/":                 POST_ONLY,
    # GET: what a renewal does (the reminder e-mail links here); POST: POST_MATRIX.
    "ikm/permohonan/<uuid:public_id>/perbarui/":              OWNER,
    "kalkulator/":                                            PUBLIC,
    # --- outreach events (public; registering needs an account): an event in province X ---
    "pelatihan/":                                             PUBLIC,
    "pelatihan/<uuid:public_id>/":                            PUBLIC,
    "pelatihan/<uuid:public_id>/daftar/":                     POST_ONLY,
    "pelatihan/<uuid:public_id>/batal/":                      POST_ONLY,
    "pelatihan/<uuid:public_id>/kalender.ics":                PUBLIC,
    "api/v1/calculator/":                                     (405, 405, 405, 405, 405, 405),
    # --- public registry and its API (certificates are public by design) ---
    "registri/":                                              PUBLIC,
    # The supplier finder (issue 15): public, the shortlist lives in each visitor's session.
    "pemasok/":                                               PUBLIC,
    "pemasok/daftar-pendek/":                                 PUBLIC,
    "pemasok/daftar-pendek/ubah/":                            (405, 405, 405, 405, 405, 405),
    "api/v1/suppliers/":                                      PUBLIC,
    "registri/ekspor.csv":                                    PUBLIC,
    "statistik/":                                             PUBLIC,
    "verify/<str:token>/":                                    PUBLIC,
    "verifikasi/berkas/":                                     PUBLIC,
    "verifikasi/sertifikat-penandatangan.pem":                PUBLIC,
    "sertifikat/<path:number>/unduh/":                        PUBLIC,
    "sertifikat/<path:number>/":                              PUBLIC,
    "api/v1/schema/":                                         PUBLIC,
    "api/v1/docs/":                                           PUBLIC,
    "api/v1/redoc/":                                          PUBLIC,
    "api/v1/certificates/":                                   PUBLIC,
    "api/v1/certificates/export.csv":                         PUBLIC,
    "api/v1/certificates/changes/":                           PUBLIC,
    "api/v1/verify/<str:token>/":                             PUBLIC,
    "api/v1/verify-file/":                                    (405, 405, 405, 405, 405, 405),
    "api/v1/certificates/<path:number>/":                     PUBLIC,
    "api/v1/statistics/coverage/":                            PUBLIC,
    # --- admin (officials: group "Petugas Dinas", province X or Y) ---
    "admin/":                                                 STAFF,
    "admin/login/":                                           (200, 200, 200, 302, 302, 302),
    "admin/logout/":                                          (302, 302, 302, 405, 405, 405),
    "admin/password_change/":                                 STAFF,
    "admin/password_change/done/":                            STAFF,
    "admin/autocomplete/":                                    NOBODY,  # 403 without a field
    "admin/jsi18n/":                                          STAFF,
    "admin/r/<path:content_type_id>/<path:object_id>/":       (302, 302, 302, 404, 404, 404),
    "admin/^(?P<app_label>auth|axes|otp_totp|accounts|applications|registry)/$": STAFF,
    "admin/(?P<url>.*)$":                                     (302, 302, 302, 404, 404, 404),
    # Applications: B's application under review.
    "admin/applications/application/":                        STAFF,
    "admin/applications/application/add/":                    NOBODY,
    "admin/applications/application/<path:object_id>/":       REDIRECT,
    "admin/applications/application/<path:object_id>/change/": REGION,
    "admin/applications/application/<path:object_id>/history/": REGION,
    "admin/applications/application/<path:object_id>/delete/": NO_DELETE,
    "admin/applications/application/<path:object_id>/keputusan/<slug:decision>/": REGION,
    "admin/applications/application/<path:object_id>/pratinjau-sertifikat/": REGION,
    # B's issued application: its certificate PDF.
    "admin/applications/application/<path:object_id>/sertifikat-pdf/": REGION,
    "admin/applications/applicationsnapshot/":                STAFF,
    "admin/applications/applicationsnapshot/add/":            NOBODY,
    "admin/applications/applicationsnapshot/<path:object_id>/": REDIRECT,
    "admin/applications/applicationsnapshot/<path:object_id>/change/": REGION,
    "admin/applications/applicationsnapshot/<path:object_id>/history/": REGION,
    "admin/applications/applicationsnapshot/<path:object_id>/delete/": NO_DELETE,
    "admin/applications/company/":                            STAFF,
    "admin/applications/company/add/":                        NOBODY,
    "admin/applications/company/<path:object_id>/":          REDIRECT,
    "admin/applications/company/<path:object_id>/change/":   REGION,
    "admin/applications/company/<path:object_id>/history/":  REGION,
    "admin/applications/company/<path:object_id>/delete/":   NO_DELETE,
    "admin/applications/product/":                            STAFF,
    "admin/applications/product/add/":                        NOBODY,
    "admin/applications/product/<path:object_id>/":          REDIRECT,
    "admin/applications/product/<path:object_id>/change/":   REGION,
    "admin/applications/product/<path:object_id>/history/":  REGION,
    "admin/applications/product/<path:object_id>/delete/":   NO_DELETE,
    # Outreach events: officials plan their region's; never deleted (cancelled instead).
    "admin/applications/event/":                              STAFF,
    "admin/applications/event/add/":                          STAFF,
    "admin/applications/event/<path:object_id>/":            REDIRECT,
    "admin/applications/event/<path:object_id>/change/":     REGION,
    "admin/applications/event/<path:object_id>/history/":    REGION,
    "admin/applications/event/<path:object_id>/delete/":     NO_DELETE,
    # At the event: record an owner who came without registering (the event's region only).
    "admin/applications/event/<path:object_id>/peserta-tanpa-daftar/": REGION,
    "admin/registry/certificate/":                            STAFF,
    "admin/registry/certificate/add/":                        NOBODY,
    "admin/registry/certificate/<path:object_id>/":           REDIRECT,
    "admin/registry/certificate/<path:object_id>/change/":    REGION,
    "admin/registry/certificate/<path:object_id>/history/":   REGION,
    "admin/registry/certificate/<path:object_id>/delete/":    NO_DELETE,
    "admin/registry/certificate/<path:object_id>/pdf/":       REGION,
    "admin/registry/certificate/<path:object_id>/tindakan/<slug:action>/": REGION,
    "admin/registry/certificatesequence/":                    SUPERUSER,
    "admin/registry/certificatesequence/add/":                NOBODY,
    "admin/registry/certificatesequence/<path:object_id>/":   REDIRECT,
    "admin/registry/certificatesequence/<path:object_id>/change/": SUPERUSER,
    "admin/registry/certificatesequence/<path:object_id>/history/": SUPERUSER,
    "admin/registry/certificatesequence/<path:object_id>/delete/": NOBODY,
    # Programme (issue 15): populations and targets of province X; the dashboard and its
    # downloads asked for province X (?wilayah=32): Y's official gets 404, as for any object
    # outside the scope (without the parameter each official sees their own region: 200).
    "admin/registry/regionpopulation/":                       STAFF,
    "admin/registry/regionpopulation/add/":                   STAFF,
    "admin/registry/regionpopulation/<path:object_id>/":      REDIRECT,
    "admin/registry/regionpopulation/<path:object_id>/change/": REGION,  # read-only: history
    "admin/registry/regionpopulation/<path:object_id>/history/": REGION,
    "admin/registry/regionpopulation/<path:object_id>/delete/": NO_DELETE,
    "admin/registry/programmetarget/":                        STAFF,
    "admin/registry/programmetarget/add/":                    STAFF,
    "admin/registry/programmetarget/<path:object_id>/":       REDIRECT,
    "admin/registry/programmetarget/<path:object_id>/change/": REGION,
    "admin/registry/programmetarget/<path:object_id>/history/": REGION,
    "admin/registry/programmetarget/<path:object_id>/delete/": REGION,
    "admin/registry/programmetarget/dasbor/":                 REGION,
    "admin/registry/programmetarget/dasbor/unduh/<slug:figure>/<slug:fmt>/": REGION,
    # Expiry reminders of B's certificate: generated, read-only.
    "admin/registry/certificatereminder/":                    STAFF,
    "admin/registry/certificatereminder/add/":                NOBODY,
    "admin/registry/certificatereminder/<path:object_id>/":   REDIRECT,
    "admin/registry/certificatereminder/<path:object_id>/change/": REGION,
    "admin/registry/certificatereminder/<path:object_id>/history/": REGION,
    "admin/registry/certificatereminder/<path:object_id>/delete/": NO_DELETE,
    # Holidays: officials keep the calendar of their working days up to date.
    "admin/applications/holiday/":                            STAFF,
    "admin/applications/holiday/add/":                        SUPERUSER,
    "admin/applications/holiday/<path:object_id>/":           REDIRECT,
    "admin/applications/holiday/<path:object_id>/change/":    STAFF,
    "admin/applications/holiday/<path:object_id>/history/":   STAFF,
    "admin/applications/holiday/<path:object_id>/delete/":    SUPERUSER,
    "admin/applications/province/":                           SUPERUSER,
    "admin/applications/province/add/":                       NOBODY,
    "admin/applications/province/<path:object_id>/":          REDIRECT,
    "admin/applications/province/<path:object_id>/change/":   SUPERUSER,
    "admin/applications/province/<path:object_id>/history/": SUPERUSER,
    "admin/applications/province/<path:object_id>/delete/":   NOBODY,
    "admin/applications/regency/":                            SUPERUSER,
    "admin/applications/regency/add/":                        NOBODY,
    "admin/applications/regency/<path:object_id>/":           REDIRECT,
    "admin/applications/regency/<path:object_id>/change/":    SUPERUSER,
    "admin/applications/regency/<path:object_id>/history/":   SUPERUSER,
    "admin/applications/regency/<path:object_id>/delete/":    NOBODY,
    "admin/applications/official/":                           SUPERUSER,
    "admin/applications/official/add/":                       SUPERUSER,
    "admin/applications/official/<path:object_id>/":          REDIRECT,
    "admin/applications/official/<path:object_id>/change/":   SUPERUSER,
    "admin/applications/official/<path:object_id>/history/":  SUPERUSER,
    "admin/applications/official/<path:object_id>/delete/":   SUPERUSER,
    "admin/accounts/user/":                                   SUPERUSER,
    "admin/accounts/user/add/":                               SUPERUSER,
    "admin/accounts/user/<path:object_id>/":                  REDIRECT,
    "admin/accounts/user/<path:object_id>/change/":           SUPERUSER,
    "admin/accounts/user/<path:object_id>/history/":          SUPERUSER,
    "admin/accounts/user/<path:object_id>/delete/":           SUPERUSER,
    "admin/accounts/user/<id>/password/":                     SUPERUSER,
    "admin/auth/group/":                                      SUPERUSER,
    "admin/auth/group/add/":                                  SUPERUSER,
    "admin/auth/group/<path:object_id>/":                     REDIRECT,
    "admin/auth/group/<path:object_id>/change/":              SUPERUSER,
    "admin/auth/group/<path:object_id>/history/":             SUPERUSER,
    "admin/auth/group/<path:object_id>/delete/":              SUPERUSER,
    # django-axes' records of login attempts: the superuser reads them and unlocks.
    "admin/axes/accessattempt/":                          SUPERUSER,
    "admin/axes/accessattempt/add/":                      NOBODY,
    "admin/axes/accessattempt/<path:object_id>/":         REDIRECT,
    "admin/axes/accessattempt/<path:object_id>/change/": SUPERUSER,
    "admin/axes/accessattempt/<path:object_id>/history/": SUPERUSER,
    "admin/axes/accessattempt/<path:object_id>/delete/": SUPERUSER,
    "admin/axes/accesslog/":                              SUPERUSER,
    "admin/axes/accesslog/add/":                          NOBODY,
    "admin/axes/accesslog/<path:object_id>/":             REDIRECT,
    "admin/axes/accesslog/<path:object_id>/change/": SUPERUSER,
    "admin/axes/accesslog/<path:object_id>/history/": SUPERUSER,
    "admin/axes/accesslog/<path:object_id>/delete/": SUPERUSER,
    "admin/axes/accessfailurelog/":                       SUPERUSER,
    "admin/axes/accessfailurelog/add/":                   NOBODY,
    "admin/axes/accessfailurelog/<path:object_id>/":      REDIRECT,
    "admin/axes/accessfailurelog/<path:object_id>/change/": SUPERUSER,
    "admin/axes/accessfailurelog/<path:object_id>/history/": SUPERUSER,
    "admin/axes/accessfailurelog/<path:object_id>/delete/": SUPERUSER,
    # Officials' TOTP devices (an official of province X owns this one): superuser only.
    "admin/otp_totp/totpdevice/":                             SUPERUSER,
    "admin/otp_totp/totpdevice/add/":                         SUPERUSER,
    "admin/otp_totp/totpdevice/<path:object_id>/":            REDIRECT,
    "admin/otp_totp/totpdevice/<path:object_id>/change/":     SUPERUSER,
    "admin/otp_totp/totpdevice/<path:object_id>/history/":    SUPERUSER,
    "admin/otp_totp/totpdevice/<path:object_id>/delete/":     SUPERUSER,
    "admin/otp_totp/totpdevice/<int:pk>/config/":             SUPERUSER,
    "admin/otp_totp/totpdevice/<int:pk>/qrcode/":             SUPERUSER,
}
# fmt: on

PROVINCE_X, PROVINCE_Y = "32", "33"
# B's private data: none of it may appear in a page applicant A receives.
B_SECRETS = (
    "rahasia-b@example.id",
    "09.876.543.2-109.000",
    "0819-5555-0101",
    "Jl. Rahasia B No. 7",
    "Bahan Rahasia B",
)


def walk(patterns, prefix=""):
    """(route, name) of every URL pattern of the project, recursively."""
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.name


def all_routes() -> list[str]:
    return [route for route, _name in walk(get_resolver().url_patterns)]


@pytest.fixture
def world(db):
    """Users of the six roles and B's objects, all in province X."""
    official_group = Group.objects.get(name=OFFICIAL_GROUP)
    users = {
        "A": UserFactory(username="pemilik_a"),
        "B": UserFactory(username="pemilik_b", email="rahasia-b@example.id"),
        "su": UserFactory(username="admin_pusat", is_staff=True, is_superuser=True),
    }
    for role, province in (("X", PROVINCE_X), ("Y", PROVINCE_Y)):
        official = OfficialFactory(user__username=f"petugas_{role}", province_id=province)
        official.user.groups.add(official_group)
        users[role] = official.user
    # A has their own company and application (a real applicant, not an empty account).
    ApplicationFactory(product=ProductFactory(company=CompanyFactory(owner=users["A"])))

    company = CompanyFactory(
        owner=users["B"],
        name="PT Milik B",
        email="rahasia-b@example.id",
        npwp="09.876.543.2-109.000",
        phone="0819-5555-0101",
        office_address="Jl. Rahasia B No. 7",
        province_id=PROVINCE_X,
        regency_id="32.73",
    )
    # Complete under today's rule set (IK-2025): a facility and each material's origin.
    product = ProductFactory(company=company, name="Meja Jati B", facility="own")
    product.nie_file.save("nie.pdf", ContentFile(PDF_BYTES), save=True)
    draft = ApplicationFactory(product=product)
    material = MaterialLineFactory(application=draft, name="Bahan Rahasia B", origin="local")
    development = DevelopmentItemFactory(application=draft)
    LabourLineFactory(application=draft)
    OverheadLineFactory(application=draft)
    # One application per product: the one under review and the issued one have their own.
    review = application_under_review(product=ProductFactory(company=company, name="Lemari B"))
    review.product.nie_file.save("nie.pdf", ContentFile(PDF_BYTES), save=True)
    issued = ApplicationFactory(
        product=ProductFactory(company=company, name="Kursi B"), issued=True
    )
    certificate = CertificateFactory(application=issued, company_name=company.name)
    certificate.pdf.save("sertifikat.pdf", ContentFile(PDF_BYTES), save=True)
    sequence, _ = CertificateSequence.objects.get_or_create(year=2026)
    population = RegionPopulation.objects.create(
        province_id=PROVINCE_X, year=2025, ikm_count=1000, source="BPS"
    )
    target = ProgrammeTarget.objects.create(
        province_id=PROVINCE_X, year=2026, metric="CERTIFICATES_ISSUED", target=10
    )
    reminder = CertificateReminder.objects.create(
        certificate=certificate, days_before=90, expires_on=certificate.valid_until
    )
    event = EventFactory(created_by=users["X"], province_id=PROVINCE_X, regency_id="32.73")
    registration = RegistrationFactory(event=event, owner=users["B"])
    document = SupportingDocument.objects.create(
        company=company,
        kind=SupportingDocument.Kind.NIB,
        file=ContentFile(PDF_BYTES, name="nib.pdf"),
        original_name="nib.pdf",
        content_type="application/pdf",
        size=len(PDF_BYTES),
    )
    trace = {
        "username": "pemilik_b",
        "ip_address": "127.0.0.1",
        "user_agent": "pytest",
        "http_accept": "text/html",
        "path_info": "/akun/masuk/",
    }
    return {
        "attempt": AccessAttempt.objects.create(
            **trace, get_data="", post_data="", failures_since_start=1
        ),
        "accesslog": AccessLog.objects.create(**trace),
        "failurelog": AccessFailureLog.objects.create(**trace),
        "totp": TOTPDevice.objects.create(user=users["X"], name="ponsel", confirmed=True),
        "users": users,
        "company": company,
        "product": product,
        "draft": draft,
        "review": review,
        "issued": issued,
        "material": material,
        "development": development,
        "certificate": certificate,
        "sequence": sequence,
        "population": population,
        "target": target,
        "reminder": reminder,
        "document": document,
        "snapshot": ApplicationSnapshot.objects.filter(application=review).first()
        or ApplicationSnapshot.objects.create(application=review, version=1, data={}),
        "holiday": Holiday.objects.first(),
        "group": official_group,
        "official": users["X"].official,
        "event": event,
        "registration": registration,
    }


def concrete_url(route: str, w: dict) -> str:
    """A real URL for ``route`` pointing at B's objects."""
    w["users"]["B"].refresh_from_db()  # tokens hash B's last login, which logins change
    uid = urlsafe_base64_encode(force_bytes(w["users"]["B"].pk))
    token = default_token_generator.make_token(w["users"]["B"])
    admin_objects = {
        "auth/group": w["group"].pk,
        "accounts/user": w["users"]["B"].pk,
        "applications/application": w["review"].pk,
        "applications/province": PROVINCE_X,
        "applications/regency": "32.73",
        "applications/company": w["company"].pk,
        "applications/product": w["product"].pk,
        "applications/official": w["official"].pk,
        "applications/holiday": w["holiday"].pk,
        "applications/applicationsnapshot": w["snapshot"].pk,
        "applications/event": w["event"].pk,
        "registry/certificate": w["certificate"].pk,
        "registry/certificatesequence": w["sequence"].pk,
        "registry/regionpopulation": w["population"].pk,
        "registry/programmetarget": w["target"].pk,
        "registry/certificatereminder": w["reminder"].pk,
        "axes/accessattempt": w["attempt"].pk,
        "axes/accesslog": w["accesslog"].pk,
        "axes/accessfailurelog": w["failurelog"].pk,
        "otp_totp/totpdevice": w["totp"].pk,
    }
    device = f"otp_totp/totpdevice/{w['totp'].pk}"
    special = {
        "admin/r/<path:content_type_id>/<path:object_id>/": "admin/r/{}/{}/".format(
            ContentType.objects.get_for_model(Application).pk, w["review"].pk
        ),
        "admin/^(?P<app_label>auth|axes|otp_totp|accounts|applications|registry)/$": (
            "admin/applications/"
        ),
        "admin/otp_totp/totpdevice/<int:pk>/config/": f"admin/{device}/config/",
        "admin/otp_totp/totpdevice/<int:pk>/qrcode/": f"admin/{device}/qrcode/",
        "admin/(?P<url>.*)$": "admin/tidak-ada/",
        "admin/applications/application/<path:object_id>/sertifikat-pdf/": (
            f"admin/applications/application/{w['issued'].pk}/sertifikat-pdf/"
        ),
        "api/v1/certificates/changes/": "api/v1/certificates/changes/?changed_since=2026-01-01",
        "admin/registry/programmetarget/dasbor/": (
            "admin/registry/programmetarget/dasbor/?wilayah=32"
        ),
        "admin/registry/programmetarget/dasbor/unduh/<slug:figure>/<slug:fmt>/": (
            "admin/registry/programmetarget/dasbor/unduh/targets/xlsx/?wilayah=32"
        ),
        "ikm/berkas/<str:kind>/<int:pk>/": (
            f"ikm/berkas/material/{w['review'].materials.first().pk}/"
        ),
        "ikm/produk/<int:pk>/ubah/": f"ikm/produk/{w['product'].pk}/ubah/",
        "ikm/produk/<int:pk>/ajukan/": f"ikm/produk/{w['product'].pk}/ajukan/",
        "ikm/dokumen/<int:pk>/hapus/": f"ikm/dokumen/{w['document'].pk}/hapus/",
        "admin/accounts/user/<id>/password/": f"admin/accounts/user/{w['users']['B'].pk}/password/",
    }
    event_id = str(w["event"].public_id)
    for event_route in (
        "pelatihan/<uuid:public_id>/",
        "pelatihan/<uuid:public_id>/daftar/",
        "pelatihan/<uuid:public_id>/batal/",
        "pelatihan/<uuid:public_id>/kalender.ics",
    ):
        special[event_route] = event_route.replace("<uuid:public_id>", event_id)
    if route in special:
        path = special[route]
    else:
        path = route
        for model, pk in admin_objects.items():
            if path.startswith(f"admin/{model}/"):
                path = path.replace("<path:object_id>", str(pk))
        cert = w["certificate"]
        path = (
            path.replace("<uidb64>", uid)
            .replace("<token>", token)
            .replace("<uuid:public_id>", str(w["draft"].public_id))
            .replace("<path:number>", cert.number)
            .replace("<str:token>", cert.verification_token)
            .replace("<slug:decision>", "setujui")
            .replace("<slug:action>", "perpanjang")
        )
    assert "<" not in path.split("?")[0] and "(?P" not in path, f"no concrete URL for {route!r}"
    return "/" + path


def body_of(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def test_every_url_pattern_has_a_row():
    missing = [route for route in all_routes() if route not in MATRIX]
    assert not missing, (
        "URL patterns without a row in MATRIX (tests/security/test_access_matrix.py): "
        + ", ".join(missing)
    )
    stale = [route for route in MATRIX if route not in all_routes()]
    assert not stale, f"rows for URL patterns that no longer exist: {stale}"


def test_access_matrix(world, client, settings):
    """GET every URL as each of the six roles; compare with the table, cell by cell."""
    settings.REGISTRY_API_RATE = "100000/min"
    observed, wrong, leaks = {}, [], []
    for route in all_routes():
        url = concrete_url(route, world)
        row = []
        for role in ROLES:
            client.logout()
            if role != "anon":
                client.force_login(world["users"][role])
            # Built after the login: B's token links depend on B's last login time.
            url = concrete_url(route, world)
            response = client.get(url)
            row.append(response.status_code)
            if role == "A" and response.status_code == 200:
                body = body_of(response).decode("utf-8", "replace")
                leaks += [f"{url}: {s!r}" for s in B_SECRETS if s in body]
        observed[route] = tuple(row)
        expected = MATRIX.get(route)
        if expected is not None and tuple(row) != tuple(expected):
            wrong.append(f"{route} ({url}): expected {expected}, got {tuple(row)}")
    if os.environ.get("TKDN_PRINT_MATRIX"):
        for route, row in observed.items():
            print(f"    {route + chr(34) + ':':<70}{row},")
    assert not leaks, "applicant A saw B's data: " + "; ".join(leaks)
    assert not wrong, "\n".join(wrong)
    # The table is not trivially permissive: B's private pages are refused to A.
    assert MATRIX["ikm/permohonan/<uuid:public_id>/"][ROLES.index("A")] == 404


@pytest.mark.parametrize("kind", ["material", "development", "document", "nie"])
def test_every_file_kind_follows_the_row(world, client, kind):
    """Each kind of private file of B's application under review behind
    ``ikm/berkas/<kind>/<pk>/`` has the row of the matrix."""
    review = world["review"]
    pk = {
        "material": review.materials.first().pk,
        "development": review.development.first().pk,
        "document": world["document"].pk,
        "nie": review.product.pk,
    }[kind]
    row = []
    for role in ROLES:
        client.logout()
        if role != "anon":
            client.force_login(world["users"][role])
        row.append(client.get(f"/ikm/berkas/{kind}/{pk}/").status_code)
    assert tuple(row) == MATRIX["ikm/berkas/<str:kind>/<int:pk>/"], row


# State-changing URLs, sent as POST by every role, each on fresh objects. Non-owners are refused
# (404, or the login page) and nothing changes; the owner's request works (302 to the next page).
# fmt: off
POST_MATRIX: dict[str, tuple[int, int, int, int, int, int]] = {
    # route                                          anon   A    B    X    Y    su
    "ikm/permohonan/<uuid:public_id>/ajukan/":       (302, 404, 302, 404, 404, 404),
    "ikm/permohonan/<uuid:public_id>/batalkan/":     (302, 404, 302, 404, 404, 404),
    "ikm/permohonan/<uuid:public_id>/salin/":        (302, 404, 302, 404, 404, 404),
    "ikm/permohonan/<uuid:public_id>/ubah/":         (302, 404, 200, 404, 404, 404),
    "ikm/produk/<int:pk>/ajukan/":                   (302, 404, 302, 302, 302, 302),
    "ikm/dokumen/<int:pk>/hapus/":                   (302, 404, 302, 404, 404, 404),
    # Anyone's own session shortlist: changes nobody else's data.
    "pemasok/daftar-pendek/ubah/":                   (302, 302, 302, 302, 302, 302),
    "admin/applications/application/<path:object_id>/keputusan/<slug:decision>/":
                                                     (302, 302, 302, 302, 404, 302),
    # The walk-in form without an owner: the form again with its error (X, su); Y: 404.
    "admin/applications/event/<path:object_id>/peserta-tanpa-daftar/":
                                                     (302, 302, 302, 200, 404, 200),
    # B's place at the event: only B cancels it (the others have none: 404); anyone signed in
    # may ask to register and gets the event page back with a message (officials: refused).
    "pelatihan/<uuid:public_id>/batal/":              (302, 404, 302, 404, 404, 404),
    "pelatihan/<uuid:public_id>/daftar/":             (302, 302, 302, 302, 302, 302),
}
# fmt: on


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", list(POST_MATRIX))
def test_state_changing_posts(world, client, route, role, settings):
    """POST as ``role``: the status in POST_MATRIX, and B's objects untouched unless allowed."""
    settings.TKDN_FOUR_EYES = False
    # The public register's budget per address is shared with every earlier test of the run.
    settings.REGISTRY_API_RATE = "100000/min"
    expected = POST_MATRIX[route][ROLES.index(role)]
    if role != "anon":
        client.force_login(world["users"][role])
    url = concrete_url(route, world)
    before = {
        "draft": world["draft"].status,
        "review": world["review"].status,
        "applications": Application.objects.count(),
        "documents": SupportingDocument.objects.count(),
    }
    data = {"declaration": "on", "reason": "Data tidak lengkap", "post": "yes", "apply": "1"}
    response = client.post(url, data)
    assert response.status_code == expected, (route, role, response.status_code)
    world["draft"].refresh_from_db()
    world["review"].refresh_from_db()
    after = {
        "draft": world["draft"].status,
        "review": world["review"].status,
        "applications": Application.objects.count(),
        "documents": SupportingDocument.objects.count(),
    }
    allowed = role == "B" or (role in ("X", "su") and route.startswith("admin/"))
    if role == "B" and route.endswith("/ajukan/") and "permohonan" in route:
        assert after["draft"] != before["draft"], "the owner's submit did not go through"
    if role == "B" and route.endswith("/batalkan/"):
        assert after["draft"] == Application.Status.WITHDRAWN
    if not allowed:
        assert after == before, f"{role} changed B's data through {route}: {before} → {after}"
    world["registration"].refresh_from_db()
    cancelled = world["registration"].status == "cancelled"
    assert cancelled == (role == "B" and route.endswith("/batal/")), (route, role)


# A draft is the owner's workspace: its evidence is B's alone until it is submitted (issue 16);
# superusers, the technical administrators, see drafts in the admin too.
DRAFT_FILE = (302, 404, 200, 404, 404, 200)


def _file_row(world, client, kind: str, pk: int) -> tuple[int, ...]:
    row = []
    for role in ROLES:
        client.logout()
        if role != "anon":
            client.force_login(world["users"][role])
        row.append(client.get(f"/ikm/berkas/{kind}/{pk}/").status_code)
    return tuple(row)


@pytest.mark.parametrize("kind", ["material", "development", "nie"])
def test_draft_files_are_the_owners_until_submission(world, client, kind):
    """Files of B's DRAFT: only B (and superusers), not the officials of province X, not A or
    province Y; a draft withdrawn before submission stays B's; once submitted, the officials of
    X see them (the FILE row)."""
    pk = {
        "material": world["material"].pk,
        "development": world["development"].pk,
        "nie": world["product"].pk,
    }[kind]
    assert _file_row(world, client, kind, pk) == DRAFT_FILE

    draft = world["draft"]
    Application.objects.filter(pk=draft.pk).update(status=Application.Status.WITHDRAWN)
    assert _file_row(world, client, kind, pk) == DRAFT_FILE

    Application.objects.filter(pk=draft.pk).update(
        status=Application.Status.UNDER_REVIEW, submitted_at=timezone.now()
    )
    assert _file_row(world, client, kind, pk) == FILE
