"""The API's certificate serializer takes a short road (``CertificateSerializer._plan`` and its
URLs built once per request): every field must be what DRF's own loop and ``reverse`` give."""

import datetime
from decimal import Decimal

from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

import pytest
from rest_framework import serializers

from registry.models import Certificate
from registry.serializers import CertificateSerializer
from tests.factories import CertificateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificates():
    now = timezone.now()
    return [
        CertificateFactory(),
        CertificateFactory(
            status=Certificate.Status.REVOKED,
            revoked_at=now - datetime.timedelta(days=3),
            tkdn_ik=Decimal("40"),
            pdf_sha256="ab" * 32,
        ),
        CertificateFactory(
            extended_until=datetime.date(2031, 5, 1),
            tkdn_ik=Decimal("25.05"),
            hs_code="",
            product_brand="Crème & <Brûlée>",
        ),
        # Numbers and tokens ``reverse`` must quote: spaces, unicode, "?", "#", "%".
        CertificateFactory(number="TKDN IK/32/2026/Ñ?#%7"),
        CertificateFactory(verification_token="a b~c:d@e!f$g&h'i(j)k*l+m,n;o=p%q"),
    ]


@pytest.mark.parametrize("host", ["127.0.0.1", "tkdn.example.go.id:8443"])
def test_the_short_road_gives_what_drf_gives(certificates, host, settings):
    settings.ALLOWED_HOSTS = ["127.0.0.1", "tkdn.example.go.id"]
    request = RequestFactory().get("/api/v1/certificates/", HTTP_HOST=host)
    serializer = CertificateSerializer(certificates, many=True, context={"request": request})
    fast = serializer.data
    child = serializer.child
    for certificate, row in zip(certificates, fast, strict=True):
        drf = serializers.ModelSerializer.to_representation(child, certificate)
        assert row == drf
        assert list(row) == list(drf)  # the same order of keys
        assert row["detail_url"] == request.build_absolute_uri(
            reverse("registry:certificate_detail", kwargs={"number": certificate.number})
        )
        assert row["verify_url"] == request.build_absolute_uri(
            reverse("registry:verify", kwargs={"token": certificate.verification_token})
        )


def test_without_a_request_the_urls_are_paths(certificates):
    row = CertificateSerializer(certificates[3]).data
    assert row["detail_url"] == reverse(
        "registry:certificate_detail", kwargs={"number": certificates[3].number}
    )


def test_the_api_lists_through_the_short_road(client, certificates):
    body = client.get(reverse("api:certificate_list"), {"page_size": 10}).json()
    numbers = {row["number"] for row in body["results"]}
    assert numbers == {c.number for c in certificates}
    revoked = next(row for row in body["results"] if row["status"] == "REVOKED")
    assert revoked["tkdn_ik"] == "40.00" and revoked["revoked_at"].endswith("+07:00")
