"""Admin registrations. The officials' review workflow (scoped querysets, decision actions) is
built on these; status, computed values and history are read-only here."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import (
    Application,
    Company,
    DevelopmentItem,
    LabourLine,
    MaterialLine,
    Official,
    OverheadLine,
    Product,
    Province,
    Regency,
    StatusChange,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Reference data loaded by migrations: viewable, never edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Province)
class ProvinceAdmin(ReadOnlyAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(Regency)
class RegencyAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "province")
    list_filter = ("province",)
    search_fields = ("code", "name")


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ("name", "nib", "legal_form", "province", "regency", "capital_rp")
    list_filter = ("legal_form", "province")
    search_fields = ("name", "nib")
    autocomplete_fields = ("owner",)
    list_select_related = ("province", "regency")


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("name", "brand", "specification", "kbli", "company")
    search_fields = ("name", "brand", "company__name")
    list_select_related = ("company",)


class MaterialInline(admin.TabularInline):
    model = MaterialLine
    extra = 0
    fields = (
        "name",
        "specification",
        "domestic",
        "qty_per_unit",
        "unit_price_rp",
        "purchase_proof",
    )


class LabourInline(admin.TabularInline):
    model = LabourLine
    extra = 0
    fields = ("role", "citizenship", "cost_per_unit_rp")


class OverheadInline(admin.TabularInline):
    model = OverheadLine
    extra = 0
    fields = ("kind", "description", "domestic", "cost_per_unit_rp")


class DevelopmentInline(admin.TabularInline):
    model = DevelopmentItem
    extra = 0
    fields = ("kind", "number", "description", "cost_per_unit_rp", "evidence")


class HistoryInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    fields = ("at", "from_status", "to_status", "actor", "reason_code", "note")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ("product", "company", "status", "tkdn_ik", "submitted_at")
    list_filter = ("status", "rule_set")
    search_fields = ("product__name", "product__company__name", "product__company__nib")
    readonly_fields = (
        "public_id",
        "status",
        "tkdn_ik",
        "eligible",
        "breakdown",
        "computed_at",
        "decision_reason",
        "reason_code",
        "submitted_at",
        "decided_at",
        "created_at",
        "updated_at",
    )
    inlines = [MaterialInline, LabourInline, OverheadInline, DevelopmentInline, HistoryInline]
    list_select_related = ("product__company",)

    @admin.display(description=_("perusahaan"), ordering="product__company__name")
    def company(self, obj):
        return obj.product.company


@admin.register(Official)
class OfficialAdmin(admin.ModelAdmin):
    list_display = ("user", "office_name", "province", "regency")
    list_filter = ("province",)
    autocomplete_fields = ("user",)
