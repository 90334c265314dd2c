"""Admin of the regional programme: IKM populations, yearly targets and the programme dashboard.

Scoped by region (``registry.programme.region_of``): an official sees and enters the rows of
their jurisdiction only, and anything else answers 404; superusers and national administrators
see every region and choose one (or the whole country) on the dashboard. Populations keep their
history: an entry is never changed or deleted, a new entry supersedes it.
"""

import datetime
from decimal import Decimal

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from applications.models import Province, Regency
from registry import programme, services
from registry.models import CertificateReminder, ProgrammeTarget, RegionPopulation
from tkdnportal.admin import NotFoundOutsideScopeMixin, ReadOnlyAdmin
from tkdnportal.spreadsheets import table_response

FORMATS = ("csv", "xlsx")


def _kind(value) -> str:
    """How the dashboard's table shows a cell: a number (right-aligned), a date, or text."""
    if isinstance(value, datetime.date):
        return "date"
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return "num"
    return "text"


class RegionScopedMixin(NotFoundOutsideScopeMixin):
    """Rows of the user's region only; the region fields offer only what lies in it."""

    def get_queryset(self, request):
        return programme.rows_in_scope(super().get_queryset(request), request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        own = programme.region_of(request.user)
        if db_field.name == "province" and own and not own.is_national:
            kwargs["queryset"] = Province.objects.filter(code=own.province_id)
            kwargs["initial"] = own.province_id
        if db_field.name == "regency" and own and not own.is_national:
            regencies = Regency.objects.filter(province_id=own.province_id)
            if own.regency_id:
                regencies = regencies.filter(code=own.regency_id)
                kwargs["initial"] = own.regency_id
            kwargs["queryset"] = regencies
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        user = request.user

        class RegionForm(form):
            def clean(self):
                cleaned = super().clean()
                province, regency = cleaned.get("province"), cleaned.get("regency")
                if province is not None:
                    region = programme.Region(province.code, regency.code if regency else "")
                    if not programme.region_allowed(user, region):
                        raise forms.ValidationError(
                            gettext(
                                "Wilayah ini di luar wilayah kerja Anda: pilih kabupaten/kota "
                                "Anda sendiri."
                            )
                        )
                return cleaned

        return RegionForm

    def get_list_filter(self, request):
        # The province filter is for national users: an official's list holds one province.
        filters = super().get_list_filter(request)
        if programme.user_is_national(request.user):
            return filters
        return tuple(name for name in filters if name != "province")

    @admin.display(description=_("wilayah"))
    def region_display(self, obj):
        return obj.regency or obj.province


@admin.register(RegionPopulation)
class RegionPopulationAdmin(RegionScopedMixin, admin.ModelAdmin):
    list_display = (
        "region_display",
        "year",
        "ikm_count",
        "source",
        "entered_by",
        "entered_at",
    )
    list_filter = ("year", "province")
    search_fields = ("source", "regency__name", "province__name")
    list_select_related = ("province", "regency", "entered_by")
    fields = ("province", "regency", "year", "ikm_count", "source")

    def has_change_permission(self, request, obj=None):
        # History is kept: an entry is never edited; a corrected figure is a new entry.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.population_record(actor=request.user, population=obj)


@admin.register(ProgrammeTarget)
class ProgrammeTargetAdmin(RegionScopedMixin, admin.ModelAdmin):
    list_display = ("year", "region_display", "metric", "target", "progress_display")
    list_filter = ("year", "metric", "province")
    list_select_related = ("province", "regency")
    fields = ("province", "regency", "year", "metric", "target", "note")
    change_list_template = "admin/registry/programmetarget/change_list.html"

    def get_changelist_instance(self, request):
        self._actuals: dict = {}
        return super().get_changelist_instance(request)

    def _actual(self, obj) -> int | None:
        """The actual of a target's metric, computed once per region and year on a page."""
        cache = getattr(self, "_actuals", None)
        if cache is None:
            cache = self._actuals = {}
        region = programme.Region(obj.province_id, obj.regency_id or "")
        key = (region, obj.year)
        if key not in cache:
            cache[key] = programme.target_actuals(region=region, year=obj.year)
        return cache[key].get(obj.metric)

    @admin.display(description=_("capaian"))
    def progress_display(self, obj):
        actual = self._actual(obj)
        if actual is None:
            return gettext("belum ada data")
        return format_html(
            '<progress class="target-progress" max="{}" value="{}" aria-hidden="true"></progress> '
            "{} / {} ({}&nbsp;%)",
            obj.target,
            min(actual, obj.target),
            actual,
            obj.target,
            round(actual * 100 / obj.target),
        )

    def save_model(self, request, obj, form, change):
        services.target_save(actor=request.user, target=obj)

    def get_urls(self):
        urls = [
            path(
                "dasbor/",
                self.admin_site.admin_view(self.dashboard_view),
                name="registry_programme_dashboard",
            ),
            path(
                "dasbor/unduh/<slug:figure>/<slug:fmt>/",
                self.admin_site.admin_view(self.download_view),
                name="registry_programme_download",
            ),
        ]
        return urls + super().get_urls()

    # --- The dashboard ------------------------------------------------------------------------

    def _selection(self, request) -> tuple[programme.Region, int, list[str]]:
        """The region and year asked for (``wilayah``, ``tahun``), checked against the scope."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        own = programme.region_of(request.user)
        if own is None:
            raise PermissionDenied
        errors: list[str] = []
        region = own
        code = request.GET.get("wilayah")
        if code is not None and code != own.code:
            asked = programme.region_named(code)
            if asked is None or not programme.region_allowed(request.user, asked):
                # Another region's figures: 404, as for any object outside the scope.
                raise Http404
            region = asked
        today = timezone.localdate()
        year = today.year
        raw = request.GET.get("tahun")
        if raw:
            try:
                year = int(raw)
                if not 2000 <= year <= today.year + 1:
                    raise ValueError
            except ValueError:
                year = today.year
                errors.append(
                    gettext("Tahun %(value)s tidak dikenal; ditampilkan tahun %(year)d.")
                    % {"value": raw[:10], "year": year}
                )
        return region, year, errors

    def _region_choices(self, request) -> list[tuple[str, str]]:
        own = programme.region_of(request.user)
        if own is None:
            return []
        if own.is_national:
            return [("", str(programme.NATIONAL))] + list(
                Province.objects.order_by("name").values_list("code", "name")
            )
        if own.regency_id:
            return [(own.regency_id, own.name)]
        return [(own.province_id, own.name)] + list(
            Regency.objects.filter(province_id=own.province_id)
            .order_by("name")
            .values_list("code", "name")
        )

    def dashboard_view(self, request):
        region, year, errors = self._selection(request)
        today = timezone.localdate()
        sections = programme.dashboard_sections(region=region, year=year, today=today)
        charts = {
            section.key: section.chart for section in sections if section.chart and section.rows
        }
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Dasbor program: %(region)s, %(year)d")
            % {"region": region.name, "year": year},
            "region": region,
            "year": year,
            "years": list(range(today.year + 1, today.year - 6, -1)),
            "region_choices": self._region_choices(request),
            "sections": [
                {
                    "section": section,
                    "rows": [
                        (
                            [(cell, _kind(cell)) for cell in row],
                            section.progress[i] if i < len(section.progress) else None,
                        )
                        for i, row in enumerate(section.rows)
                    ],
                    "downloads": [
                        (
                            fmt.upper(),
                            reverse(
                                "admin:registry_programme_download",
                                kwargs={"figure": section.key, "fmt": fmt},
                            )
                            + f"?wilayah={region.code}&tahun={year}",
                        )
                        for fmt in FORMATS
                    ],
                }
                for section in sections
            ],
            "charts": charts,
            "errors": errors,
            "today": today,
        }
        return TemplateResponse(request, "admin/registry/programme_dashboard.html", context)

    def download_view(self, request, figure: str, fmt: str):
        if fmt not in FORMATS:
            raise Http404
        region, year, _errors = self._selection(request)
        sections = programme.dashboard_sections(region=region, year=year, only=figure)
        if not sections:
            raise Http404
        section = sections[0]
        slug = (region.code or "nasional").replace(".", "-")
        return table_response(
            fmt,
            f"program-{section.key}-{slug}-{year}",
            section.header,
            section.rows,
            title=str(section.title)[:31],
        )


@admin.register(CertificateReminder)
class CertificateReminderAdmin(ReadOnlyAdmin):
    """The expiry reminders sent (read-only): which step, for which validity period, to whom."""

    list_display = ("certificate", "days_before", "expires_on", "sent_at", "recipients")
    list_filter = ("days_before",)
    search_fields = ("certificate__number", "certificate__company_name")
    list_select_related = ("certificate",)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        own = programme.region_of(request.user)
        if own is None:
            return qs.none()
        return qs.filter(own.q("certificate__province_id", "certificate__regency_id"))

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj
