"""``GET /api/v1/suppliers/``: the supplier finder as JSON, for e-procurement systems.

The same parameters and the same search as the page (``registry.finder``); a bad parameter is a
400 naming the parameter with its message. Anonymous and throttled like the rest of the API.
Contact details only where the owner opted in; never NIB, NPWP or the person in charge.
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.http import conditional_page

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from . import finder, procurement
from .api import PublicCacheMixin
from .models import Certificate


class SupplierContactSerializer(serializers.Serializer):
    phone = serializers.CharField(help_text="Telepon/WhatsApp untuk pembeli (boleh kosong).")
    email = serializers.CharField(help_text="E-mail untuk pembeli (boleh kosong).")
    marketplace_url = serializers.CharField(help_text="Toko daring atau e-katalog (boleh kosong).")


class SupplierProductSerializer(serializers.Serializer):
    number = serializers.CharField(help_text="Nomor sertifikat TKDN-IK.")
    product_name = serializers.CharField()
    product_brand = serializers.CharField()
    product_specification = serializers.CharField()
    product_unit = serializers.CharField()
    kbli = serializers.CharField()
    tkdn_ik = serializers.DecimalField(
        max_digits=5, decimal_places=2, help_text="Nilai TKDN-IK (%), string desimal."
    )
    level = serializers.ChoiceField(
        choices=["wajib", "preferensi"],
        allow_null=True,
        help_text=f"wajib: ≥ {procurement.MANDATORY_MIN_TKDN} (tingkat wajib); preferensi: ≥ "
        f"{procurement.PREFERENCE_MIN_TKDN} (preferensi harga); null di bawahnya.",
    )
    rule_set = serializers.CharField()
    issue_date = serializers.DateField()
    expires_on = serializers.DateField(help_text="Hari terakhir berlaku.")
    detail_url = serializers.URLField()


class SupplierCompanySerializer(serializers.Serializer):
    name = serializers.CharField(help_text="Nama perusahaan seperti pada sertifikat.")
    regency_name = serializers.CharField()
    province_name = serializers.CharField()
    contact = SupplierContactSerializer(
        allow_null=True, help_text="Hanya bila pemilik menyetujui; selain itu null."
    )
    products = SupplierProductSerializer(many=True)


class SupplierTierSerializer(serializers.Serializer):
    scope = serializers.ChoiceField(
        choices=["regency", "province", "national"],
        help_text="regency: di kabupaten/kota yang dipilih; province: di kabupaten/kota lain "
        "di provinsi itu; national: di provinsi lain (atau seluruh Indonesia).",
    )
    label = serializers.CharField()
    count = serializers.IntegerField(help_text="Produk yang cocok (dibatasi, lihat capped).")
    capped = serializers.BooleanField(help_text=f"Lebih dari {finder.COUNT_LIMIT} produk.")
    companies = SupplierCompanySerializer(many=True)


class SupplierResultSerializer(serializers.Serializer):
    min_tkdn = serializers.DecimalField(max_digits=5, decimal_places=2)
    tiers = SupplierTierSerializer(many=True)


def _parameters() -> list[OpenApiParameter]:
    return [
        OpenApiParameter(
            "q",
            OpenApiTypes.STR,
            description="Kata: nama produk, merek atau perusahaan (3–100 huruf).",
        ),
        OpenApiParameter(
            "category",
            OpenApiTypes.STR,
            enum=[need.slug for need in procurement.NEEDS],
            description="Kebutuhan: "
            + "; ".join(
                f"{need.slug} = KBLI {', '.join(need.kbli_prefixes)}" for need in procurement.NEEDS
            ),
        ),
        OpenApiParameter("province", OpenApiTypes.STR, description="Kode provinsi (BPS)."),
        OpenApiParameter(
            "regency",
            OpenApiTypes.STR,
            description="Kode kabupaten/kota (BPS); harus di provinsi yang dipilih.",
        ),
        OpenApiParameter(
            "min_tkdn",
            OpenApiTypes.NUMBER,
            description=f"Nilai TKDN-IK minimum 0–100, paling banyak 2 desimal "
            f"(bawaan {procurement.PREFERENCE_MIN_TKDN}).",
        ),
    ]


def _result(tiers: list[finder.Tier], *, min_tkdn, request) -> dict:
    def product(certificate: Certificate) -> dict:
        return {
            "number": certificate.number,
            "product_name": certificate.product_name,
            "product_brand": certificate.product_brand,
            "product_specification": certificate.product_specification,
            "product_unit": certificate.product_unit,
            "kbli": certificate.kbli,
            "tkdn_ik": certificate.tkdn_ik,
            "level": procurement.tkdn_level(certificate.tkdn_ik) or None,
            "rule_set": certificate.rule_set,
            "issue_date": certificate.issue_date,
            "expires_on": certificate.expires_on,
            "detail_url": request.build_absolute_uri(
                reverse("registry:certificate_detail", kwargs={"number": certificate.number})
            ),
        }

    return {
        "min_tkdn": min_tkdn,
        "tiers": [
            {
                "scope": tier.scope,
                "label": tier.label,
                "count": tier.count,
                "capped": tier.capped,
                "companies": [
                    {
                        "name": group.name,
                        "regency_name": group.regency_name,
                        "province_name": group.province_name,
                        "contact": group.contact,
                        "products": [product(c) for c in group.products],
                    }
                    for group in tier.groups
                ],
            }
            for tier in tiers
        ],
    }


@method_decorator(conditional_page, name="dispatch")
class SupplierFinderView(PublicCacheMixin, APIView):
    """Valid certified products for a need, nearest first: the chosen regency, then the rest of
    its province, then the rest of the country; grouped by company, best value first."""

    @extend_schema(parameters=_parameters(), responses=SupplierResultSerializer)
    def get(self, request, *args, **kwargs):
        form = finder.SupplierFinderForm(request.query_params)
        if not form.is_valid():
            raise ValidationError({name: list(errors) for name, errors in form.errors.items()})
        data = form.cleaned_data
        tiers = finder.supplier_search(
            text=data["q"],
            category=data["category"],
            province=data["province"],
            regency=data["regency"],
            min_tkdn=data["min_tkdn"],
            today=timezone.localdate(),
        )
        result = _result(tiers, min_tkdn=data["min_tkdn"], request=request)
        return Response(SupplierResultSerializer(result).data)
