"""Worker pipeline timing, run by bench/run.py while a real Celery worker is running.

    python bench/pipeline.py N

Creates N complete applications (a bench company, products, cost lines with purchase proofs),
then, with an idle worker, one at a time: submit → value computed (the worker's calculation
step), and approve → PDF ready (number, snapshot, WeasyPrint render, SHA-256). Finally a burst:
N approvals at once, timed until every PDF exists, for the worker's throughput. Prints one JSON
line. Uses the same services as the portal (application_submit, application_approve).
"""

import json
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tkdnportal.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files.base import ContentFile  # noqa: E402

from applications.models import (  # noqa: E402
    Application,
    Company,
    LabourLine,
    MaterialLine,
    OverheadLine,
    Product,
)
from applications.services import application_create, application_submit  # noqa: E402
from registry.models import Certificate  # noqa: E402
from registry.services import application_approve  # noqa: E402

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
POLL = 0.01
TIMEOUT = 120


def bench_users():
    User = get_user_model()
    owner, _ = User.objects.get_or_create(
        username="bench-owner", defaults={"email": "bench-owner@bench.invalid"}
    )
    official, created = User.objects.get_or_create(
        username="bench-admin",
        defaults={"email": "bench-admin@bench.invalid", "is_staff": True, "is_superuser": True},
    )
    return owner, official


def bench_company(owner) -> Company:
    company = Company.objects.filter(owner=owner).first()
    if company is None:
        company = Company.objects.create(
            owner=owner,
            name="CV Bench Rotan Nusantara",
            legal_form="CV",
            nib="9999999999999",
            npwp="01.234.567.8-426.000",
            person_in_charge="Bench",
            email=owner.email,
            phone="0800000000",
            office_address="Jl. Bench 1",
            factory_address="Jl. Bench 2",
            province_id="32",
            regency_id="32.73",
            kbli_codes=["31001"],
            capital_rp=Decimal("500000000"),
        )
    return company


def new_application(company, owner, index: int) -> Application:
    product = Product.objects.create(
        company=company,
        name=f"Kursi Bench {time.time_ns()}-{index}",
        brand="Bench",
        specification="60x55x85 cm",
        kbli="31001",
        unit="buah",
        facility=Product.Facility.OWN,
    )
    # Today's rule set (IK-2025): each material states its origin.
    application = application_create(product=product, actor=owner)
    line = MaterialLine(
        application=application,
        name="Rotan",
        qty_per_unit=Decimal("2"),
        unit_price_rp=Decimal("18000"),
        domestic=True,
        origin=MaterialLine.Origin.LOCAL,
    )
    line.purchase_proof.save("faktur.pdf", ContentFile(PDF), save=False)
    line.save()
    MaterialLine.objects.create(
        application=application,
        position=1,
        name="Cat",
        qty_per_unit=Decimal("0.2"),
        unit_price_rp=Decimal("45000"),
        domestic=False,
        origin=MaterialLine.Origin.IMPORTED,
    )
    LabourLine.objects.create(
        application=application, role="Penganyam", cost_per_unit_rp=Decimal("35000")
    )
    OverheadLine.objects.create(
        application=application, kind="listrik", cost_per_unit_rp=Decimal("2500")
    )
    return application


def wait_for(predicate, what: str) -> float:
    started = time.perf_counter()
    while not predicate():
        if time.perf_counter() - started > TIMEOUT:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(POLL)
    return time.perf_counter() - started


def computed(pk):
    return lambda: Application.objects.filter(pk=pk, computed_at__isnull=False).exists()


def pdf_ready(pk):
    return lambda: Certificate.objects.filter(application_id=pk).exclude(pdf_sha256="").exists()


def main(count: int) -> None:
    owner, official = bench_users()
    company = bench_company(owner)
    submit_times, approve_times = [], []
    for i in range(count):
        application = new_application(company, owner, i)
        started = time.perf_counter()
        application_submit(application=application, actor=owner, declared=True)
        submit_times.append(
            time.perf_counter() - started + wait_for(computed(application.pk), "calculation")
        )
        application.refresh_from_db()
        started = time.perf_counter()
        application_approve(application=application, actor=official)
        approve_times.append(
            time.perf_counter() - started + wait_for(pdf_ready(application.pk), "PDF")
        )
    # Throughput: a burst of approvals queued at once.
    burst = []
    for i in range(count):
        application = new_application(company, owner, 10_000 + i)
        application_submit(application=application, actor=owner, declared=True)
        wait_for(computed(application.pk), "calculation")
        application.refresh_from_db()
        burst.append(application)
    started = time.perf_counter()
    for application in burst:
        application_approve(application=application, actor=official)
    ids = [a.pk for a in burst]
    wait_for(
        lambda: (
            Certificate.objects.filter(application_id__in=ids).exclude(pdf_sha256="").count()
            == len(ids)
        ),
        "burst PDFs",
    )
    burst_seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "count": count,
                "submit_to_computed_p50_s": round(statistics.median(submit_times), 3),
                "submit_to_computed_max_s": round(max(submit_times), 3),
                "approve_to_pdf_p50_s": round(statistics.median(approve_times), 3),
                "approve_to_pdf_max_s": round(max(approve_times), 3),
                "certificates_per_minute": round(count / burst_seconds * 60, 1),
            }
        )
    )


if __name__ == "__main__":
    main(int(sys.argv[1]))
