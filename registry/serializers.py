"""JSON shape of a certificate in the open API: the issued snapshot, never personal data."""

from django.utils import timezone
from django.utils.functional import cached_property

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from . import links
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

    def to_representation(self, instance: Certificate) -> dict:
        """The fields in their declared order, as ``ModelSerializer`` gives them, through a plan
        made once per serializer (each field's attribute and its conversion; a model's text
        as it is): DRF's general loop cost 89 µs a certificate, a page of 100 a tenth of the
        API's time (tests/registry/test_api_serializer_fast.py compares the two)."""
        row = {}
        for name, attribute, convert in self._plan:
            value = getattr(instance, attribute) if attribute else instance
            row[name] = None if value is None else (convert(value) if convert else value)
        return row

    @cached_property
    def _plan(self) -> list[tuple]:
        plan = []
        for field in self._readable_fields:
            if isinstance(field, serializers.SerializerMethodField):
                plan.append((field.field_name, None, getattr(self, field.method_name)))
                continue
            (attribute,) = field.source_attrs  # every field here reads one attribute
            plain = type(field) is serializers.CharField  # str already: to_representation's str()
            plan.append((field.field_name, attribute, None if plain else field.to_representation))
        return plan

    @extend_schema_field(serializers.ChoiceField(choices=Certificate.EffectiveStatus.values))
    def get_status(self, obj: Certificate) -> str:
        today = self.context.get("today") or timezone.localdate()
        return str(obj.effective_status(today))

    @extend_schema_field(OpenApiTypes.URI)
    def get_detail_url(self, obj: Certificate) -> str:
        return self._url("registry:certificate_detail", "number", obj.number)

    @extend_schema_field(OpenApiTypes.URI)
    def get_verify_url(self, obj: Certificate) -> str:
        return self._url("registry:verify", "token", obj.verification_token)

    def _url(self, name: str, argument: str, value: str) -> str:
        """``reverse`` made absolute, once per serializer and URL name (``registry.links``)."""
        makers = self.__dict__.setdefault("_url_makers", {})
        if name not in makers:
            request = self.context.get("request")
            absolute = request.build_absolute_uri if request else None
            makers[name] = links.url_maker(name, argument, absolute=absolute)
        return makers[name](value)


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
