"""List filters of the review queue (region choices come from the scoped queryset)."""

from decimal import Decimal

from django.contrib import admin
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications import workdays
from applications.models import Province, Regency

from .clock import DEFAULT_SERVICE_LEVEL_DAYS, PENDING_STATUSES, SERVICE_LEVEL_DAYS, holidays


class ProvinceFilter(admin.SimpleListFilter):
    title = _("provinsi")
    parameter_name = "provinsi"

    def lookups(self, request, model_admin):
        ids = model_admin.get_queryset(request).values("product__company__province_id")
        return [(p.code, p.name) for p in Province.objects.filter(code__in=ids)]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(product__company__province_id=self.value())
        return queryset


class RegencyFilter(admin.SimpleListFilter):
    title = _("kabupaten/kota")
    parameter_name = "kabkota"

    def lookups(self, request, model_admin):
        ids = model_admin.get_queryset(request).values("product__company__regency_id")
        regencies = Regency.objects.filter(code__in=ids)
        if province := request.GET.get(ProvinceFilter.parameter_name):
            regencies = regencies.filter(province_id=province)
        return [(r.code, r.name) for r in regencies]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(product__company__regency_id=self.value())
        return queryset


class ValueRangeFilter(admin.SimpleListFilter):
    title = _("nilai TKDN-IK")
    parameter_name = "nilai"
    RANGES = {
        "lt25": (None, Decimal("25")),
        "25-30": (Decimal("25"), Decimal("30")),
        "30-35": (Decimal("30"), Decimal("35")),
        "35-40": (Decimal("35"), None),
    }

    def lookups(self, request, model_admin):
        return [
            ("lt25", _("di bawah 25%")),
            ("25-30", _("25% – < 30%")),
            ("30-35", _("30% – < 35%")),
            ("35-40", _("35% – 40%")),
            ("none", _("belum dihitung")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "none":
            return queryset.filter(tkdn_ik__isnull=True)
        if value in self.RANGES:
            low, high = self.RANGES[value]
            if low is not None:
                queryset = queryset.filter(tkdn_ik__gte=low)
            if high is not None:
                queryset = queryset.filter(tkdn_ik__lt=high)
        return queryset


class OverdueFilter(admin.SimpleListFilter):
    """Waiting applications past (or within) the working-day limit of their rule set."""

    title = _("batas waktu layanan")
    parameter_name = "batas"

    def lookups(self, request, model_admin):
        return [("lewat", _("lewat batas")), ("dalam", _("masih dalam batas"))]

    def queryset(self, request, queryset):
        if self.value() not in ("lewat", "dalam"):
            return queryset
        today = timezone.localdate()
        hol = holidays()
        overdue = Q()
        for rule_set, limit in SERVICE_LEVEL_DAYS.items():
            cutoff = workdays.overdue_cutoff(today, limit, hol)
            overdue |= Q(rule_set=rule_set, submitted_at__date__lte=cutoff)
        default_cutoff = workdays.overdue_cutoff(today, DEFAULT_SERVICE_LEVEL_DAYS, hol)
        overdue |= Q(submitted_at__date__lte=default_cutoff) & ~Q(
            rule_set__in=list(SERVICE_LEVEL_DAYS)
        )
        pending = queryset.filter(status__in=PENDING_STATUSES, submitted_at__isnull=False)
        return pending.filter(overdue) if self.value() == "lewat" else pending.exclude(overdue)
