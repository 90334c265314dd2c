"""Reference data (regions, holidays), profiles, officials and submitted snapshots."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from applications.formatting import admin_column
from applications.models import (
    ApplicationSnapshot,
    Company,
    Holiday,
    Official,
    Product,
    Province,
    Regency,
)
from tkdnportal.admin import ReadOnlyAdmin

from .scoping import ApplicationScopedMixin, ScopedCompanyMixin


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
class CompanyAdmin(ScopedCompanyMixin, ReadOnlyAdmin):
    list_display = (
        "name",
        "nib",
        "legal_form",
        "province",
        "regency",
        "capital",
        "barred_until",
    )
    list_filter = ("legal_form", ("province", admin.RelatedOnlyFieldListFilter))
    search_fields = ("name", "nib")
    list_select_related = ("province", "regency")
    capital = admin_column("capital_rp", _("modal usaha"))
    readonly_fields = ("capital",)

    def get_fields(self, request, obj=None):
        # The capital in Rupiah words ("Rp 850.000.000") where Django would print "850000000,00".
        fields = [f for f in super().get_fields(request, obj) if f != "capital"]
        return ["capital" if f == "capital_rp" else f for f in fields]


@admin.register(Product)
class ProductAdmin(ScopedCompanyMixin, ReadOnlyAdmin):
    company_path = "company__"
    list_display = ("name", "brand", "specification", "kbli", "company")
    search_fields = ("name", "brand", "company__name")
    list_select_related = ("company",)


@admin.register(Official)
class OfficialAdmin(admin.ModelAdmin):
    list_display = ("user", "office_name", "province", "regency")
    list_filter = ("province",)
    autocomplete_fields = ("user",)


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ("date", "name")
    date_hierarchy = "date"
    search_fields = ("name",)


@admin.register(ApplicationSnapshot)
class ApplicationSnapshotAdmin(ApplicationScopedMixin, ReadOnlyAdmin):
    list_display = ("application", "version", "submitted_at")
