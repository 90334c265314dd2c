"""factory_boy factories shared by the tests. Statuses are Traits, set through the real
transition service where a test cares about history (see tests/applications/test_services.py)."""

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

import factory

from applications.models import (
    Application,
    Company,
    DevelopmentItem,
    LabourLine,
    MaterialLine,
    Official,
    OverheadLine,
    Product,
)


def minimal_pdf(catalog_extra: bytes = b"", *objects: bytes) -> bytes:
    """A small well-formed PDF (one blank A4 page, a real cross-reference table), the kind any
    reader opens; ``catalog_extra`` goes into the catalog and ``objects`` become objects 4, 5, ...
    (the hostile upload tests build on it)."""
    bodies = [
        b"<</Type/Catalog/Pages 2 0 R" + catalog_extra + b">>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>",
        *objects,
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(bodies) + 1, xref)
    return bytes(out)


def _image(fmt: str) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 120, 40)).save(buffer, fmt)
    return buffer.getvalue()


PDF_BYTES = minimal_pdf()
PNG_BYTES = _image("PNG")
JPEG_BYTES = _image("JPEG")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "accounts.User"
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.id")
    password = factory.django.Password("Rahasia-Kuat-2026")


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"CV Karya Mandiri {n}")
    legal_form = Company.LegalForm.CV
    nib = factory.Sequence(lambda n: f"{9120000000000 + n:013d}")
    npwp = "01.234.567.8-426.000"
    person_in_charge = "Budi Santoso"
    email = factory.LazyAttribute(lambda o: o.owner.email)
    phone = "081234567890"
    office_address = "Jl. Merdeka No. 1"
    factory_address = "Jl. Industri No. 2"
    province_id = "32"
    regency_id = "32.73"
    kbli_codes = factory.LazyFunction(lambda: ["31001", "16291"])
    capital_rp = Decimal("750000000")
    workers_wni = 12


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"Kursi Rotan {n}")
    brand = "Lestari"
    specification = "60x55x85 cm"
    kbli = "31001"
    unit = "buah"


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    product = factory.SubFactory(ProductFactory)
    rule_set = "IK-2022"

    class Params:
        # Status traits write the status directly: for fixtures of other tests only. Tests of the
        # workflow itself go through applications.services.application_transition.
        submitted = factory.Trait(status=Application.Status.SUBMITTED)
        under_review = factory.Trait(status=Application.Status.UNDER_REVIEW)
        approved = factory.Trait(status=Application.Status.APPROVED)
        issued = factory.Trait(status=Application.Status.ISSUED)


class MaterialLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MaterialLine

    application = factory.SubFactory(ApplicationFactory)
    name = "Rotan"
    domestic = True
    qty_per_unit = Decimal("2")
    unit_price_rp = Decimal("7500")
    purchase_proof = factory.LazyFunction(lambda: ContentFile(PDF_BYTES, name="faktur.pdf"))


class LabourLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LabourLine

    application = factory.SubFactory(ApplicationFactory)
    role = "Pengrajin"
    citizenship = "WNI"
    cost_per_unit_rp = Decimal("8000")


class OverheadLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OverheadLine

    application = factory.SubFactory(ApplicationFactory)
    kind = "listrik"
    domestic = True
    cost_per_unit_rp = Decimal("1000")


class DevelopmentItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DevelopmentItem

    application = factory.SubFactory(ApplicationFactory)
    kind = "HKI"
    number = "IDM000123"
    evidence = factory.LazyFunction(lambda: ContentFile(PDF_BYTES, name="hki.pdf"))


class OfficialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Official

    user = factory.SubFactory(UserFactory, is_staff=True)
    province_id = "32"
    office_name = "Dinas Perindustrian"


def official_user(province="32", regency=None, username=None):
    """A dinas official's account (in the officials' group) for a province, or one regency."""
    from django.contrib.auth.models import Group

    from applications.selectors import OFFICIAL_GROUP

    kwargs = {"province_id": province, "regency_id": regency}
    if username:
        kwargs["user__username"] = username
    official = OfficialFactory(**kwargs)
    official.user.groups.add(Group.objects.get(name=OFFICIAL_GROUP))
    return official.user


class CertificateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "registry.Certificate"

    application = factory.SubFactory(ApplicationFactory, issued=True)
    year = 2026
    sequence = factory.Sequence(lambda n: n + 1)
    number = factory.LazyAttribute(lambda o: f"TKDNIK/32/{o.year}/{o.sequence:06d}")
    issue_date = datetime.date(2026, 1, 15)
    valid_until = factory.LazyAttribute(
        lambda o: o.issue_date.replace(year=o.issue_date.year + 3) - datetime.timedelta(days=1)
    )
    rule_set = "IK-2022"
    tkdn_ik = Decimal("32.50")
    breakdown = factory.LazyFunction(dict)
    company_name = factory.LazyAttribute(lambda o: o.application.product.company.name)
    company_nib = factory.LazyAttribute(lambda o: o.application.product.company.nib)
    factory_address = "Jl. Industri No. 2"
    province_id = "32"
    regency_id = "32.73"
    province_name = "Jawa Barat"
    regency_name = "Kota Bandung"
    product_name = factory.LazyAttribute(lambda o: o.application.product.name)
    product_brand = "Lestari"
    product_specification = "60x55x85 cm"
    product_unit = "buah"
    kbli = "31001"
    issuer_name = "Kementerian Perindustrian Republik Indonesia"
    signatory_name = "Kepala Pusat P3DN"
    signatory_position = "Pusat P3DN"
    legal_basis = "Permenperin 46/2022"


def application_under_review(**kwargs) -> Application:
    """An application with cost lines (worked example 3-like, 40.00 %) moved to UNDER_REVIEW
    through the real services: submit transition and the worker's calculation step."""
    from applications.services import application_calculate, application_transition

    application = ApplicationFactory(**kwargs)
    MaterialLineFactory(application=application, name="Rotan", unit_price_rp=Decimal("21000"))
    MaterialLineFactory(
        application=application,
        name="Pernis",
        qty_per_unit=Decimal("1"),
        unit_price_rp=Decimal("2000"),
        domestic=False,
        purchase_proof="",
    )
    LabourLineFactory(application=application, cost_per_unit_rp=Decimal("15000"))
    OverheadLineFactory(application=application, cost_per_unit_rp=Decimal("1500"))
    DevelopmentItemFactory(application=application)
    application_transition(application=application, to_status=Application.Status.SUBMITTED)
    application_calculate(application_id=application.pk)
    application.refresh_from_db()
    assert application.status == Application.Status.UNDER_REVIEW, application.status
    return application


class EventFactory(factory.django.DjangoModelFactory):
    """An outreach event a week ahead in Kota Bandung (Jawa Barat), created by an official."""

    class Meta:
        model = "applications.Event"

    kind = "bimtek"
    title = factory.Sequence(lambda n: f"Bimtek TKDN-IK Angkatan {n}")
    description = "Pendampingan mengisi data biaya dan bukti pembelian bahan."
    starts_at = factory.LazyFunction(
        lambda: (timezone.now() + datetime.timedelta(days=7)).replace(microsecond=0)
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=4))
    place = "Aula Dinas Perindustrian, Jl. Asia Afrika No. 1"
    capacity = 30
    province_id = "32"
    regency_id = "32.73"
    created_by = factory.SubFactory(UserFactory, is_staff=True)


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "applications.Registration"

    event = factory.SubFactory(EventFactory)
    owner = factory.SubFactory(UserFactory)
    status = "registered"
    registered_at = factory.LazyFunction(timezone.now)
