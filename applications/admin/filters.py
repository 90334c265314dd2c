"""List filters of the review queue.

Region choices are the official's jurisdiction from the reference tables (``.scoping``), never
a DISTINCT over the listed rows: that was a full scan of a million rows on every page.
"""

from decimal import Decimal

from django.contrib import admin
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications import rules, workdays

from .clock import PENDING_STATUSES, holidays
from .scoping import own_province, provinces_in_scope, regencies_in_scope


class ProvinceFilter(admin.SimpleListFilter):
    """The province, offered from the official's jurisdiction (no DISTINCT scan of the rows);
    ``field`` is the path to the row's province (the certificate admin filters its own)."""

    title = _("provinsi")
    parameter_name = "provinsi"
    field = "product__company__province_id"

    def lookups(self, request, model_admin):
        return [(p.code, p.name) for p in provinces_in_scope(request)]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{self.field: self.value()})
        return queryset


class RegencyFilter(admin.SimpleListFilter):
    title = _("kabupaten/kota")
    parameter_name = "kabkota"

    def lookups(self, request, model_admin):
        province = request.GET.get(ProvinceFilter.parameter_name)
        regencies = regencies_in_scope(request, province)
        if not province and not own_province(request):
            # Nationwide, the 514 regencies were a sidebar nobody scrolls, and building their
            # links cost 15 ms a page: offered once a province is chosen. A regency already
            # chosen (a link that dropped the province) stays offered, so it stays applied.
            regencies = regencies.filter(code=request.GET.get(self.parameter_name) or None)
        return [(r.code, r.name) for r in regencies]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(product__company__regency_id=self.value())
        return queryset


class ValueRangeFilter(admin.SimpleListFilter):
    """Ranges of the value: below the certificate threshold, then bands up to 100 (IK-2022
    values end at 40, IK-2025 values at 100)."""

    title = _("nilai TKDN-IK")
    parameter_name = "nilai"
    # Band edges above the threshold (presentation only; not rules of any set).
    EDGES = (Decimal(40), Decimal(60), Decimal(80))

    def ranges(self) -> dict[str, tuple[Decimal | None, Decimal | None, str]]:
        threshold = min(rule_set.threshold for rule_set in rules.registry().values())
        edges = (threshold, *self.EDGES)
        below = _("di bawah ambang batas (%(t)s%%)") % {"t": threshold}
        result = {"below": (None, threshold, below)}
        for low, high in zip(edges, (*edges[1:], None), strict=True):
            key = f"{int(low)}-{int(high) if high else 100}"
            label = f"{low:g}% – < {high:g}%" if high else f"{low:g}% – 100%"
            result[key] = (low, high, label)
        return result

    def lookups(self, request, model_admin):
        return [(key, label) for key, (_low, _high, label) in self.ranges().items()] + [
            ("none", _("belum dihitung"))
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "none":
            return queryset.filter(tkdn_ik__isnull=True)
        ranges = self.ranges()
        if value in ranges:
            low, high, _label = ranges[value]
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
        # Each application against its own rule set's limit (IK-2022: 5, IK-2025: 3 days).
        overdue = Q()
        for code, rule_set in rules.registry().items():
            cutoff = workdays.overdue_cutoff(today, rule_set.decision_working_days, hol)
            overdue |= Q(rule_set=code, submitted_at__date__lte=cutoff)
        pending = queryset.filter(status__in=PENDING_STATUSES, submitted_at__isnull=False)
        return pending.filter(overdue) if self.value() == "lewat" else pending.exclude(overdue)
