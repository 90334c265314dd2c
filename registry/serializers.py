"""JSON shape of a certificate in the open API: the issued snapshot, never personal data."""

from django.urls import reverse
from django.utils import timezone

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import Certificate


class CertificateSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField(
        help_text="VALID, EXPIRED (derived from the dates) or REVOKED."
    )
    expires_on = serializers.DateField(read_only=True, help_text="Last valid day.")
    province_code = serializers.CharField(source="province_id", read_only=True)
    regency_code = serializers.CharField(source="regency_id", read_only=True)
    detail_url = serializers.SerializerMethodField()
    verify_url = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = [
            "number",
            "status",
            "company_name",
            "company_nib",
            "product_name",
            "product_brand",
            "product_specification",
            "product_unit",
            "kbli",
            "hs_code",
            "tkdn_ik",
            "rule_set",
            "legal_basis",
            "province_code",
            "province_name",
            "regency_code",
            "regency_name",
            "issue_date",
            "valid_until",
            "extended_until",
            "expires_on",
            "revoked_at",
            "issuer_name",
            "pdf_sha256",
            "updated_at",
            "detail_url",
            "verify_url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=Certificate.EffectiveStatus.values))
    def get_status(self, obj: Certificate) -> str:
        today = self.context.get("today") or timezone.localdate()
        return str(obj.effective_status(today))

    @extend_schema_field(OpenApiTypes.URI)
    def get_detail_url(self, obj: Certificate) -> str:
        return self._absolute(reverse("registry:certificate_detail", kwargs={"number": obj.number}))

    @extend_schema_field(OpenApiTypes.URI)
    def get_verify_url(self, obj: Certificate) -> str:
        return self._absolute(reverse("registry:verify", kwargs={"token": obj.verification_token}))

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class CoverageRowSerializer(serializers.Serializer):
    """One region's coverage: certified IKM against the population the office entered."""

    code = serializers.CharField(help_text="BPS code of the province (32) or regency (32.73).")
    name = serializers.CharField()
    certified_ikm = serializers.IntegerField(
        help_text="Companies (by NIB) with at least one valid certificate in the region."
    )
    population = serializers.IntegerField(
        allow_null=True, help_text="Number of IKM in the region; null: no data was entered."
    )
    population_year = serializers.IntegerField(allow_null=True)
    source = serializers.CharField(help_text='Source of the population ("" without data).')
    demo = serializers.BooleanField(help_text="True for the demo data of a demo installation.")
    coverage_pct = serializers.DecimalField(
        max_digits=7,
        decimal_places=2,
        allow_null=True,
        help_text="certified_ikm / population × 100; null without population data.",
    )


class CoverageRegencyRowSerializer(CoverageRowSerializer):
    province = serializers.CharField(help_text="Code of the regency's province.")


class CoverageSerializer(serializers.Serializer):
    generated_at = serializers.DateTimeField()
    provinces = CoverageRowSerializer(many=True)
    regencies = CoverageRegencyRowSerializer(
        many=True, help_text="Regencies/cities with a population entry or a certificate."
    )
