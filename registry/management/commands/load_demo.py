"""Load demo data: an IKM owner with a company, products and applications, a dinas official for
Jawa Barat with two upcoming outreach events, and a superuser. Idempotent: running it again
changes nothing that exists."""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from applications import rules
from applications.models import (
    Application,
    Company,
    DevelopmentItem,
    Event,
    LabourLine,
    MaterialLine,
    Official,
    OverheadLine,
    Product,
)
from applications.selectors import OFFICIAL_GROUP
from applications.services import application_create, event_save

# Demo logins (also in README.md). Only for the demo database created by `make run`.
DEMO_USERS = {
    "applicant": ("pemilik", "pemilik@demo.tkdn-ik.id", "Demo-IKM-2026"),
    "applicant2": ("pemilik2", "pemilik2@demo.tkdn-ik.id", "Demo-IKM-2026"),
    # A second IKM with an issued certificate and an application under review (issue 5).
    "applicant3": ("pemilik3", "pemilik3@demo.tkdn-ik.id", "Demo-IKM-2026"),
    "official": ("petugas.jabar", "petugas.jabar@demo.tkdn-ik.id", "Demo-Dinas-2026"),
    "admin": ("admin", "admin@demo.tkdn-ik.id", "Demo-Admin-2026"),
}

# A minimal, valid one-page PDF used as the demo's purchase proofs and certificates of evidence.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)

OFFICIAL_PERMISSIONS = [
    ("applications", "view_application"),
    ("applications", "change_application"),
    ("applications", "view_company"),
    ("applications", "view_product"),
    ("registry", "view_certificate"),
]


class Command(BaseCommand):
    help = "Load demo users, a company, products and applications (idempotent)."

    def handle(self, *args, **options):
        with transaction.atomic():
            users = self._users()
            company = self._company(users["applicant"])
            self._products_and_applications(company, users["applicant"])
            self._events(users["official"])
        # Outside the transaction above: the issue step takes its own locks and renders a PDF.
        self._pipeline_demo(users["applicant3"], users["official"])
        self._programme_demo(users["official"])
        self.stdout.write(self.style.SUCCESS("Demo data ready. Logins:"))
        for role, (username, email, password) in DEMO_USERS.items():
            self.stdout.write(f"  {role:<11} {email:<34} {password}   (username {username})")

    def _users(self):
        User = get_user_model()
        users = {}
        for role, (username, email, password) in DEMO_USERS.items():
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username, email=email, first_name=role.capitalize())
                user.set_password(password)
                user.is_staff = role in ("official", "admin")
                user.is_superuser = role == "admin"
                user.full_clean()
                user.save()
            users[role] = user
        official = users["official"]
        Official.objects.get_or_create(
            user=official,
            defaults={
                "province_id": "32",
                "office_name": "Dinas Perindustrian Provinsi Jawa Barat",
            },
        )
        group = Group.objects.filter(name=OFFICIAL_GROUP).first()
        if group is not None:
            official.groups.add(group)
        for app_label, codename in OFFICIAL_PERMISSIONS:
            official.user_permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        return users

    def _company(self, owner):
        company = Company.objects.filter(owner=owner).first()
        if company:
            return company
        company = Company(
            owner=owner,
            name="CV Rotan Lestari Cirebon",
            legal_form=Company.LegalForm.CV,
            nib="9120301234567",
            npwp="01.234.567.8-426.000",
            person_in_charge="Siti Rahmawati",
            email=owner.email,
            phone="081234567890",
            office_address="Jl. Tegalwangi No. 12, Weru, Kabupaten Cirebon",
            factory_address="Jl. Raya Tegalwangi No. 14, Desa Tegalwangi, Kecamatan Weru",
            postal_code="45154",
            province_id="32",
            regency_id="32.09",
            kbli_codes=["16291", "31001"],
            capital_rp=Decimal("850000000"),
            workers_wni=18,
            workers_wna=0,
        )
        company.full_clean()
        company.save()
        return company

    def _products_and_applications(self, company, owner):
        chair, created = Product.objects.get_or_create(
            company=company,
            name="Kursi Rotan Sintetis",
            defaults={
                "brand": "Lestari",
                "specification": "Kursi teras, rangka besi, anyaman rotan sintetis, 60x55x85 cm",
                "kbli": "31001",
                "hs_code": "9401.59",
                "unit": "buah",
                "process_description": "Pemotongan dan pengelasan rangka, penganyaman, finishing.",
                "facility": Product.Facility.OWN,
            },
        )
        if created:
            # A draft under today's rule set (IK-2025): one line of each kind of origin.
            app = application_create(product=chair, actor=owner)
            proof = ContentFile(DEMO_PDF, name="faktur.pdf")
            Origin = MaterialLine.Origin
            lines = [
                ("Rotan sintetis", "PE 5 mm", Origin.LOCAL_WITH_IMPORTS, "2.5", "18000"),
                ("Pipa besi", "hollow 20x20", Origin.CERTIFIED, "4", "6500"),
                ("Benang jahit", "nilon", Origin.LOCAL, "1", "1500"),
                ("Cat dasar", "epoxy", Origin.IMPORTED, "0.2", "45000"),
            ]
            for pos, (name, spec, origin, qty, price) in enumerate(lines):
                line = MaterialLine(
                    application=app,
                    position=pos,
                    name=name,
                    specification=spec,
                    origin=origin,
                    domestic=origin != Origin.IMPORTED,
                    qty_per_unit=Decimal(qty),
                    unit_price_rp=Decimal(price),
                )
                if line.domestic:
                    line.purchase_proof.save(f"faktur-{pos}.pdf", proof, save=False)
                if origin == Origin.CERTIFIED:
                    line.component_tkdn = Decimal("45.50")
                    line.component_certificate_number = "TKDN-2026-000812"
                    line.component_certificate.save("tkdn-pipa.pdf", proof, save=False)
                line.save()
            LabourLine.objects.create(
                application=app,
                role="Penganyam",
                citizenship="WNI",
                cost_per_unit_rp=Decimal("35000"),
            )
            LabourLine.objects.create(
                application=app,
                position=1,
                role="Tukang las",
                citizenship="WNI",
                cost_per_unit_rp=Decimal("15000"),
            )
            for pos, (kind, cost) in enumerate(
                [("listrik", "2500"), ("air", "500"), ("alat_kerja", "3000")]
            ):
                OverheadLine.objects.create(
                    application=app,
                    position=pos,
                    kind=kind,
                    domestic=True,
                    cost_per_unit_rp=Decimal(cost),
                )
            item = DevelopmentItem(application=app, kind="HKI", number="IDM000123456")
            item.evidence.save("hki.pdf", ContentFile(DEMO_PDF), save=False)
            item.save()

        Product.objects.get_or_create(
            company=company,
            name="Meja Tamu Rotan",
            defaults={
                "brand": "Lestari",
                "specification": "Meja bundar diameter 60 cm, kaca 5 mm",
                "kbli": "31001",
                "unit": "buah",
                "facility": Product.Facility.OWN,
            },
        )
        return Application.objects.filter(product__company=company)

    # --- Outreach events (issue 15): upcoming days in Jawa Barat, the demo official's region ---

    def _events(self, official):
        """Two upcoming events of the Jawa Barat office: a bimtek in Kabupaten Cirebon (where the
        demo owner's factory is) and an online sosialisasi for the province. Idempotent by title;
        their dates move with the day the demo is loaded (two and nine days ahead)."""
        today = timezone.localdate()
        plans = [
            {
                "title": "Bimtek TKDN-IK untuk IKM Rotan dan Mebel Cirebon",
                "kind": Event.Kind.BIMTEK,
                "description": (
                    "Pendampingan langsung mengisi data biaya per unit, mengunggah bukti "
                    "pembelian bahan, dan mengajukan sertifikat TKDN-IK. Bawa NIB dan faktur "
                    "pembelian bahan baku."
                ),
                "day": today + datetime.timedelta(days=2),
                "hours": (9, 15),
                "place": "Aula Dinas Perindustrian dan Perdagangan Kabupaten Cirebon, "
                "Jl. Sunan Kalijaga No. 7, Sumber",
                "online_url": "",
                "capacity": 40,
                "regency_id": "32.09",
                "partner": "Asosiasi Mebel dan Kerajinan Indonesia (HIMKI) Cirebon",
            },
            {
                "title": "Sosialisasi Sertifikat TKDN-IK bagi IKM Jawa Barat (daring)",
                "kind": Event.Kind.SOSIALISASI,
                "description": (
                    "Mengapa TKDN-IK penting untuk pengadaan pemerintah, cara menghitung nilai, "
                    "dan langkah pengajuan di portal. Sesi tanya jawab di akhir acara."
                ),
                "day": today + datetime.timedelta(days=9),
                "hours": (13, 15),
                "place": "",
                "online_url": "https://meet.demo.tkdn-ik.id/sosialisasi-jabar",
                "capacity": 300,
                "regency_id": None,
                "partner": "",
            },
        ]
        for plan in plans:
            if Event.objects.filter(title=plan["title"]).exists():
                continue
            day, (start, end) = plan.pop("day"), plan.pop("hours")
            event = Event(
                province_id="32",
                starts_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(start))),
                ends_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(end))),
                **plan,
            )
            event_save(event=event, actor=official)

    # --- Second IKM: a certificate issued through the real pipeline, one application in review --

    def _pipeline_demo(self, owner, official):
        """CV Anyaman Pandan Tasik (Kota Tasikmalaya, Jawa Barat): one product with an ISSUED
        certificate (number, snapshot, PDF), one UNDER_REVIEW for the Jawa Barat official.
        Idempotent: each step runs only while the application has not reached it yet."""
        from applications.services import application_calculate
        from applications.services import application_transition as transition
        from registry import services as registry_services

        company = Company.objects.filter(owner=owner).first()
        if company is None:
            company = Company(
                owner=owner,
                name="CV Anyaman Pandan Tasik",
                legal_form=Company.LegalForm.CV,
                nib="9120409876543",
                npwp="02.345.678.9-425.000",
                person_in_charge="Dedi Kurniawan",
                email=owner.email,
                phone="081322334455",
                office_address="Jl. Rajapolah No. 8, Kabupaten Tasikmalaya",
                factory_address="Jl. Cihideung No. 21, Kelurahan Yudanagara, Kecamatan Cihideung",
                postal_code="46121",
                province_id="32",
                regency_id="32.78",
                kbli_codes=["16292", "15121"],
                capital_rp=Decimal("420000000"),
                workers_wni=11,
            )
            company.full_clean()
            company.save()
        # Two under today's set (IK-2025), and one submitted in June 2025 that stays IK-2022 for
        # life (3 years, extendable once): the portal shows both kinds side by side.
        plans = [
            (
                "Tas Anyaman Pandan",
                "Tas jinjing 35x12x28 cm, pandan alami",
                "Pandan",
                "ISSUED",
                None,
            ),
            ("Topi Anyaman Bambu", "Topi caping diameter 45 cm", "Bambu", "UNDER_REVIEW", None),
            (
                "Dompet Anyaman Pandan",
                "Dompet lipat 20x10 cm",
                "Pandan",
                "ISSUED",
                datetime.date(2025, 6, 10),
            ),
        ]
        for name, spec, material, target, submitted_on in plans:
            product, _ = Product.objects.get_or_create(
                company=company,
                name=name,
                defaults={
                    "brand": "Tasik Asri",
                    "specification": spec,
                    "kbli": "16292",
                    "facility": Product.Facility.OWN,
                },
            )
            app = product.applications.order_by("-created_at").first()
            if app is None:
                app = application_create(product=product, actor=owner)
                if submitted_on is not None:
                    # Demo history: a submission made before IK-2025 took effect keeps IK-2022.
                    app.rule_set = rules.in_force(submitted_on).code
                    Application.objects.filter(pk=app.pk).update(rule_set=app.rule_set)
                self._demo_lines(app, material)
            S = Application.Status
            if app.status == S.DRAFT:
                transition(application=app, to_status=S.SUBMITTED, actor=owner)
                if submitted_on is not None:
                    Application.objects.filter(pk=app.pk).update(
                        submitted_at=timezone.make_aware(
                            datetime.datetime.combine(submitted_on, datetime.time(9))
                        )
                    )
            if app.status == S.SUBMITTED:
                application_calculate(application_id=app.pk)
                app.refresh_from_db()
            if target == "ISSUED" and app.status == S.UNDER_REVIEW:
                registry_services.application_approve(application=app, actor=official)
            if target == "ISSUED" and app.status == S.APPROVED:
                cert = registry_services.certificate_issue(
                    application_id=app.pk,
                    issue_date=submitted_on + datetime.timedelta(days=7) if submitted_on else None,
                )
                registry_services.certificate_render_pdf(certificate_id=cert.pk)
                registry_services.certificate_complete_issue(application_id=app.pk)

    def _programme_demo(self, official):
        """Coverage and targets of the Jawa Barat office (issue 15). The populations are made up
        for the demo and say so: their source starts with "Data demo" and the statistics page
        marks them, so they are never mistaken for official figures."""
        from registry.models import ProgrammeTarget, RegionPopulation
        from registry.programme import DEMO_SOURCE_PREFIX

        source = f"{DEMO_SOURCE_PREFIX} (angka contoh, bukan data resmi)"
        for province, regency, count in (("32", None, 84000), ("32", "32.78", 2100)):
            RegionPopulation.objects.get_or_create(
                province_id=province,
                regency_id=regency,
                year=2025,
                defaults={"ikm_count": count, "source": source, "entered_by": official},
            )
        year = timezone.localdate().year
        for metric, target in (
            (ProgrammeTarget.Metric.CERTIFICATES_ISSUED, 150),
            (ProgrammeTarget.Metric.APPLICATIONS_SUBMITTED, 200),
            (ProgrammeTarget.Metric.OWNERS_REGISTERED, 300),
            (ProgrammeTarget.Metric.OWNERS_TRAINED, 250),
        ):
            ProgrammeTarget.objects.get_or_create(
                province_id="32",
                regency=None,
                year=year,
                metric=metric,
                defaults={"target": target, "updated_by": official},
            )

    def _demo_lines(self, app, material):
        proof = ContentFile(DEMO_PDF, name="faktur.pdf")
        asks_origin = rules.of(app).uses_origin
        for pos, (name, dom, qty, price) in enumerate(
            [(material, True, "1.5", "12000"), ("Benang nilon", False, "1", "4000")]
        ):
            origin = ""
            if asks_origin:
                origin = MaterialLine.Origin.LOCAL if dom else MaterialLine.Origin.IMPORTED
            line = MaterialLine(
                application=app,
                position=pos,
                name=name,
                domestic=dom,
                origin=origin,
                qty_per_unit=Decimal(qty),
                unit_price_rp=Decimal(price),
            )
            if dom:
                line.purchase_proof.save(f"faktur-{pos}.pdf", proof, save=False)
            line.save()
        LabourLine.objects.create(
            application=app, role="Pengrajin anyaman", cost_per_unit_rp=Decimal("22000")
        )
        OverheadLine.objects.create(
            application=app, kind="listrik", domestic=True, cost_per_unit_rp=Decimal("900")
        )
