"""``seed_registry``: realistic synthetic certificates in bulk, consistent with the real ones."""

import datetime
import os
import re
from decimal import Decimal

from django.core.management import CommandError, call_command
from django.db.models import Count, Max, Min
from django.utils import timezone

import pytest

from applications.models import Application, Company, Product
from registry.models import Certificate, CertificateSequence
from tests.factories import CertificateFactory
from tests.registry.test_search_words import recounted, stored_counts

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 25)


def seed(n: int, **options) -> None:
    with open(os.devnull, "w") as devnull:
        _call(n, devnull, **options)


def _call(n: int, out, **options) -> None:
    call_command(
        "seed_registry",
        certificates=n,
        seed=7,
        today=TODAY,
        stdout=out,
        **options,
    )


def test_seed_creates_certificates_across_all_provinces_and_regencies():
    seed(1500, rejected=0)
    certificates = Certificate.objects.all()
    assert certificates.count() == 1500
    assert certificates.order_by().values("province_id").distinct().count() == 38
    regencies = certificates.order_by().values("regency_id").distinct().count()
    assert regencies == min(514, Company.objects.count())
    # Every regency's province matches (the snapshot is consistent).
    assert all(
        regency.startswith(f"{province}.")
        for province, regency in certificates.values_list("province_id", "regency_id")
    )
    ik_2022 = certificates.filter(rule_set="IK-2022").aggregate(
        lo=Min("tkdn_ik"), hi=Max("tkdn_ik")
    )
    assert Decimal("25") <= ik_2022["lo"] < Decimal("28")
    assert Decimal("36") < ik_2022["hi"] <= Decimal("40")
    ik_2025 = certificates.filter(rule_set="IK-2025").aggregate(
        lo=Min("tkdn_ik"), hi=Max("tkdn_ik")
    )
    assert Decimal("25") <= ik_2025["lo"] < Decimal("35")
    assert Decimal("80") < ik_2025["hi"] <= Decimal("100")
    dates = certificates.aggregate(lo=Min("issue_date"), hi=Max("issue_date"))
    assert (dates["hi"] - dates["lo"]).days > 3 * 365
    statuses = {c.number: c.effective_status(TODAY) for c in certificates}
    counts = {s: list(statuses.values()).count(s) for s in ("VALID", "EXPIRED", "REVOKED")}
    assert counts["VALID"] > counts["EXPIRED"] > counts["REVOKED"] > 0
    for number in statuses:
        assert re.fullmatch(r"TKDNIK/\d{2}/20\d\d/\d{6}", number)


def test_seed_rows_are_consistent_and_indonesian():
    seed(200, rejected=50)
    assert Application.objects.filter(status="REJECTED").count() == 50
    assert Product.objects.count() == 250
    certificate = Certificate.objects.select_related("application__product__company").first()
    product = certificate.application.product
    assert certificate.product_name == product.name
    assert certificate.company_name == product.company.name
    assert certificate.company_nib == product.company.nib
    assert certificate.application.status in {"ISSUED", "EXPIRED", "REVOKED", "EXTENDED"}
    assert certificate.verification_token and len(certificate.verification_token) >= 40
    names = " ".join(Company.objects.values_list("name", flat=True))
    assert re.search(r"\b(CV|UD|PT|Koperasi) ", names)
    assert Certificate.objects.order_by().values("verification_token").distinct().count() == 200
    # Revoked certificates carry the date; their application is REVOKED.
    for revoked in Certificate.objects.filter(status="REVOKED").select_related("application"):
        assert revoked.revoked_at is not None and revoked.application.status == "REVOKED"
    assert (
        Application.objects.filter(status="REJECTED")
        .values("reason_code")
        .annotate(n=Count("id"))
        .count()
        >= 3
    )


def test_seed_twice_and_next_to_real_certificates_never_collides():
    real = CertificateFactory(year=2025, sequence=5, number="TKDNIK/32/2025/000005")
    CertificateSequence.objects.create(year=2025, last_value=5)
    seed(150, rejected=0)
    seed(150, rejected=0)
    assert Certificate.objects.count() == 301
    seq = Certificate.objects.filter(year=2025).exclude(pk=real.pk).aggregate(m=Min("sequence"))
    assert seq["m"] == 6
    # The sequence table knows the numbers taken, so the next real certificate is fresh.
    for row in CertificateSequence.objects.all():
        taken = Certificate.objects.filter(year=row.year).aggregate(m=Max("sequence"))["m"]
        assert row.last_value == taken
    # New rows still get fresh primary keys after the explicit ids of the seed.
    seeded_max = Certificate.objects.aggregate(m=Max("pk"))["m"]
    assert CertificateFactory(year=2031).pk > seeded_max


def test_negative_count_is_refused():
    with pytest.raises(CommandError):
        seed(-1)


def test_seeded_breakdown_has_the_engine_shape_and_adds_up():
    from applications import calculation, rules
    from registry.pdf import render_certificate_html

    seed(60, rejected=10)
    seen = set()
    for certificate in Certificate.objects.select_related("application"):
        application = certificate.application
        # The set in force on the submission date, with that set's dates and wording.
        rule_set = rules.in_force(timezone.localdate(application.submitted_at))
        seen.add(rule_set.code)
        assert certificate.rule_set == application.rule_set == rule_set.code
        assert certificate.legal_basis == rule_set.legal_basis
        assert certificate.valid_until == rule_set.valid_until(certificate.issue_date)
        if certificate.extended_until:
            assert certificate.extended_until == rule_set.extended_until(certificate.valid_until)
        factors = certificate.breakdown["factors"]
        assert set(factors) == set(rule_set.factors)  # jsonb keeps no key order
        for factor in factors.values():
            assert {"weight", "domestic_rp", "total_rp", "share", "points"} <= set(factor)
        assert rule_set.threshold <= certificate.tkdn_ik <= rule_set.maximum
        assert certificate.breakdown["tkdn_ik"] == str(certificate.tkdn_ik)
        assert certificate.breakdown["rule_set"] == rule_set.code
        assert calculation.round_half_up(
            sum(Decimal(f["weight"]) * Decimal(f["share"]) for f in factors.values())
        ) - certificate.tkdn_ik <= Decimal("0.02")
    # Four years of issue dates cover both sides of 12 Dec 2025.
    assert seen == {"IK-2022", "IK-2025"}
    for rejected in Application.objects.filter(status="REJECTED", tkdn_ik__isnull=False):
        assert rejected.tkdn_ik < rules.get(rejected.rule_set).threshold
    # The certificate template renders a seeded certificate (bench renders its PDF).
    assert Certificate.objects.first().number in render_certificate_html(
        Certificate.objects.first()
    )


def _indexes(cursor) -> dict[str, str]:
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN "
        "('registry_certificate', 'applications_application', 'applications_product',"
        " 'applications_company', 'accounts_user')"
    )
    return dict(cursor.fetchall())


def test_big_seed_rebuilds_every_index_and_collects_the_words(monkeypatch):
    """A big seed drops the secondary indexes and pauses the words trigger while it writes, and
    puts back exactly what was there: same indexes, the trigger live, every word collected."""
    from django.db import connection

    from registry.management.commands import seed_registry

    if connection.vendor != "postgresql":
        pytest.skip("the suspended indexes and the words trigger are PostgreSQL's")
    with connection.cursor() as cursor:
        before = _indexes(cursor)
    monkeypatch.setattr(seed_registry, "BIG_SEED", 100)
    seed(150, rejected=10)
    with connection.cursor() as cursor:
        assert _indexes(cursor) == before
        cursor.execute(
            "SELECT tgenabled FROM pg_trigger WHERE tgname = 'registry_search_word_collect'"
        )
        assert cursor.fetchone() == ("O",)  # enabled again
        cursor.execute("SELECT count(*) FROM registry_search_word")
        assert cursor.fetchone()[0] > 20
    # The trigger was paused: each word's count of certificates was recomputed (0009).
    assert stored_counts() == recounted()
    name = Certificate.objects.values_list("company_name", flat=True).first()
    word = max(name.lower().split(), key=len)
    assert word in {w.lower() for w in _words()}
    # A renamed certificate after the seed still adds its words (the trigger is back).
    Certificate.objects.filter(pk=Certificate.objects.first().pk).update(
        company_name="Sanggar Jaipong Priangan"
    )
    assert "jaipong" in _words()


def _words() -> set[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT word FROM registry_search_word")
        return {row[0] for row in cursor.fetchall()}
