"""Django admin for dinas officials: the review queue, decisions and reference data.

Every queryset, filter choice, action and object URL is restricted to the official's jurisdiction
through ``applications.selectors.applications_visible_to``; an object outside it answers 404.
Status, values and history are read-only: officials change an application only through the
decision actions, which call the services in ``applications.services`` (and through them the one
transition function).
"""

import datetime
from contextvars import ContextVar
from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import services, workdays
from .exceptions import WorkflowError
from .models import (
    Application,
    ApplicationSnapshot,
    Company,
    DevelopmentItem,
    Holiday,
    LabourLine,
    MaterialLine,
    Official,
    OverheadLine,
    Product,
    Province,
    Regency,
    StatusChange,
    SupportingDocument,
)
from .selectors import applications_visible_to

S = Application.Status

# Statuses in which the service-level clock runs: submitted, waiting for the official's decision.
PENDING_STATUSES = (S.SUBMITTED, S.CALCULATED, S.UNDER_REVIEW)
# [A] Working days for a decision per rule set (IK-2022: 5; IK-2025: 3), spec §5.
SERVICE_LEVEL_DAYS = {"IK-2022": 5, "IK-2025": 3}
DEFAULT_SERVICE_LEVEL_DAYS = 5

admin.site.site_header = _("Portal TKDN-IK — Petugas")
admin.site.site_title = _("Portal TKDN-IK")
admin.site.index_title = _("Verifikasi permohonan TKDN-IK")
# The review list has many columns: give them the whole width (the app index stays one click away).
admin.site.enable_nav_sidebar = False


def file_link(kind: str, pk: int, label: str) -> str:
    """A link through the permission-checked download view, or the bare label without one."""
    try:
        url = reverse("applications:file_download", kwargs={"kind": kind, "pk": pk})
    except NoReverseMatch:
        return format_html("{}", label)
    return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, label)


def service_level_days(rule_set: str) -> int:
    return SERVICE_LEVEL_DAYS.get(rule_set, DEFAULT_SERVICE_LEVEL_DAYS)


# The holiday dates of the request being rendered: one query per page instead of one per row.
_holidays: ContextVar[frozenset[datetime.date] | None] = ContextVar("holidays", default=None)


def _load_holidays() -> frozenset[datetime.date]:
    today = timezone.localdate()
    return workdays.holiday_dates(
        start=today - datetime.timedelta(days=800), end=today + datetime.timedelta(days=60)
    )


def holidays() -> frozenset[datetime.date]:
    cached = _holidays.get()
    return cached if cached is not None else _load_holidays()


def application_clock(application: Application) -> workdays.Clock | None:
    """The working-day clock of an application (running while it waits for a decision)."""
    if not application.submitted_at:
        return None
    submitted = timezone.localdate(application.submitted_at)
    running = application.status in PENDING_STATUSES
    if running:
        until = timezone.localdate()
    elif application.decided_at and application.decided_at >= application.submitted_at:
        until = timezone.localdate(application.decided_at)
    else:
        return None
    return workdays.service_clock(
        submitted=submitted,
        until=until,
        limit=service_level_days(application.rule_set),
        holidays=holidays(),
        running=running,
    )


def breakdown_html(breakdown: dict | None, value) -> str:
    """The computed breakdown as a readable table (application and certificate admin)."""
    from registry.pdf import breakdown_rows, format_id_number

    rows = breakdown_rows(breakdown or {})
    if not rows:
        return gettext("Belum dihitung.")
    body = format_html_join(
        "",
        "<tr><td>{}</td><td class='num'>{}</td><td class='num'>{}</td>"
        "<td class='num'>{}</td><td class='num'>{}%</td>"
        "<td class='num'><strong>{}</strong></td></tr>",
        (
            (r["label"], r["weight"], r["domestic_rp"], r["total_rp"], r["share"], r["points"])
            for r in rows
        ),
    )
    best = (breakdown or {}).get("best_improvement")
    return format_html(
        '<div class="tkdn-breakdown-wrap"><table class="tkdn-breakdown"><thead><tr>'
        "<th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}"
        "<tr><td colspan='5'><strong>{}</strong></td><td class='num'><strong>{}%</strong>"
        "</td></tr></tbody></table></div>{}",
        gettext("Faktor"),
        gettext("Bobot maks."),
        gettext("Dalam negeri (Rp/unit)"),
        gettext("Total (Rp/unit)"),
        gettext("Porsi DN"),
        gettext("Nilai"),
        body,
        gettext("Nilai TKDN-IK (dibulatkan)"),
        format_id_number(value),
        format_html(
            "<p class='help'>{} {}</p>",
            gettext("Faktor yang paling dapat dinaikkan:"),
            next((r["label"] for r in rows if r["key"] == best), best),
        )
        if best
        else "",
    )


# --- List filters ----------------------------------------------------------------


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


# --- Decision forms ----------------------------------------------------------------


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label=_("Alasan / catatan untuk pemohon"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        required=False,
        max_length=4000,
    )

    def __init__(self, *args, reason_required: bool = False, items=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = reason_required
        if reason_required:
            self.fields["reason"].error_messages["required"] = gettext(
                "Alasan wajib diisi untuk keputusan ini."
            )
        if items:
            self.fields["items"] = forms.MultipleChoiceField(
                label=_("Bagian yang perlu diperbaiki"),
                choices=items,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )


def revision_items(application: Application | None) -> list[tuple[str, str]]:
    """What an official can point at in a revision request: data sections and, for one
    application, each cost line."""
    items = [
        (gettext("Data perusahaan"), gettext("Data perusahaan")),
        (gettext("Data produk"), gettext("Data produk")),
        (gettext("Dokumen pendukung"), gettext("Dokumen pendukung")),
    ]
    if application is None:
        return items + [
            (gettext("Bahan langsung"), gettext("Bahan langsung")),
            (gettext("Tenaga kerja langsung"), gettext("Tenaga kerja langsung")),
            (gettext("Biaya tidak langsung pabrik"), gettext("Biaya tidak langsung pabrik")),
            (gettext("Biaya pengembangan"), gettext("Biaya pengembangan")),
        ]
    for i, line in enumerate(application.materials.all(), 1):
        label = gettext("Bahan #%(n)s: %(name)s") % {"n": i, "name": line.name}
        items.append((label, label))
    for i, line in enumerate(application.labour.all(), 1):
        label = gettext("Tenaga kerja #%(n)s: %(name)s") % {"n": i, "name": line.role}
        items.append((label, label))
    for i, line in enumerate(application.overhead.all(), 1):
        label = gettext("BTLP #%(n)s: %(name)s") % {"n": i, "name": line.get_kind_display()}
        items.append((label, label))
    for i, item in enumerate(application.development.all(), 1):
        label = gettext("Pengembangan #%(n)s: %(name)s") % {"n": i, "name": str(item)}
        items.append((label, label))
    return items


# Each decision: title, button, whether a reason is required, and the service that performs it.
DECISIONS = {
    "setujui": {
        "title": _("Setujui permohonan"),
        "button": _("Ya, setujui"),
        "reason_required": False,
        "statuses": (S.UNDER_REVIEW,),
        "done": _("%(n)d permohonan disetujui; sertifikat sedang diterbitkan."),
    },
    "tolak": {
        "title": _("Tolak permohonan"),
        "button": _("Tolak"),
        "reason_required": True,
        "statuses": (S.UNDER_REVIEW,),
        "done": _("%(n)d permohonan ditolak."),
    },
    "revisi": {
        "title": _("Minta perbaikan"),
        "button": _("Kirim permintaan perbaikan"),
        "reason_required": True,
        "statuses": (S.UNDER_REVIEW,),
        "done": _("%(n)d permohonan dikembalikan untuk diperbaiki."),
    },
    "diperiksa": {
        "title": _("Tandai sudah diperiksa"),
        "button": _("Tandai diperiksa"),
        "reason_required": False,
        "statuses": (S.UNDER_REVIEW,),
        "done": _("%(n)d permohonan ditandai sudah diperiksa."),
    },
    "proses-ulang": {
        "title": _("Proses ulang"),
        "button": _("Proses ulang"),
        "reason_required": False,
        "statuses": (S.PROCESSING_FAILED,),
        "done": _("%(n)d permohonan diproses ulang."),
    },
}


def perform_decision(decision: str, application: Application, actor, data: dict) -> None:
    reason = data.get("reason", "")
    if decision == "setujui":
        services.application_approve(application=application, actor=actor, note=reason)
    elif decision == "tolak":
        services.application_reject(application=application, actor=actor, reason=reason)
    elif decision == "revisi":
        services.application_request_revision(
            application=application, actor=actor, reason=reason, items=data.get("items", [])
        )
    elif decision == "diperiksa":
        services.application_mark_checked(application=application, actor=actor)
    elif decision == "proses-ulang":
        services.application_retry(application=application, actor=actor)
    else:  # pragma: no cover - the URL pattern limits the names
        raise Http404


# --- Inlines (read-only) ----------------------------------------------------------------


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MaterialInline(ReadOnlyInline):
    model = MaterialLine
    fields = readonly_fields = (
        "name",
        "specification",
        "domestic",
        "qty_per_unit",
        "unit_price_rp",
        "line_cost",
        "proof",
    )

    @admin.display(description=_("biaya per unit (Rp)"))
    def line_cost(self, obj):
        from registry.pdf import format_id_number

        return format_id_number(obj.qty_per_unit * obj.unit_price_rp)

    @admin.display(description=_("bukti pembelian"))
    def proof(self, obj):
        if not obj.purchase_proof:
            note = gettext("tidak ada — dihitung impor") if obj.domestic else "—"
            return note
        return file_link("material", obj.pk, gettext("lihat bukti"))


class LabourInline(ReadOnlyInline):
    model = LabourLine
    fields = readonly_fields = ("role", "citizenship", "cost_per_unit_rp")


class OverheadInline(ReadOnlyInline):
    model = OverheadLine
    fields = readonly_fields = ("kind", "description", "domestic", "cost_per_unit_rp")


class DevelopmentInline(ReadOnlyInline):
    model = DevelopmentItem
    fields = readonly_fields = ("kind", "number", "description", "cost_per_unit_rp", "file")

    @admin.display(description=_("berkas bukti"))
    def file(self, obj):
        if not obj.evidence:
            return gettext("tidak ada — tidak dihitung")
        return file_link("development", obj.pk, gettext("lihat bukti"))


class HistoryInline(ReadOnlyInline):
    model = StatusChange
    verbose_name_plural = _("riwayat status")
    fields = readonly_fields = ("at", "from_status", "to_status", "actor", "reason_code", "note")


# --- Application admin ----------------------------------------------------------------


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = (
        "product_name",
        "status_badge",
        "region",
        "tkdn_ik",
        "submitted_on",
        "clock",
    )
    list_display_links = ("product_name",)
    list_filter = (
        "status",
        ProvinceFilter,
        RegencyFilter,
        ValueRangeFilter,
        OverdueFilter,
        ("submitted_at", admin.DateFieldListFilter),
    )
    date_hierarchy = "submitted_at"
    search_fields = (
        "product__name",
        "product__brand",
        "product__company__name",
        "product__company__nib",
    )
    ordering = ("-submitted_at",)
    list_per_page = 50
    actions = [
        "approve_selected",
        "reject_selected",
        "request_revision_selected",
        "mark_checked_selected",
        "retry_selected",
    ]
    inlines = [MaterialInline, LabourInline, OverheadInline, DevelopmentInline, HistoryInline]
    fieldsets = (
        (
            _("Ringkasan"),
            {
                "fields": (
                    "status_badge",
                    "product_summary",
                    "company_summary",
                    "rule_set",
                    "tkdn_ik",
                    "submitted_at",
                    "clock_detail",
                )
            },
        ),
        (_("Rincian perhitungan"), {"fields": ("breakdown_table", "computed_at")}),
        (
            _("Keputusan"),
            {
                "fields": (
                    "decision_reason",
                    "reason_code",
                    "checked_by",
                    "decided_at",
                    "processing_failure",
                )
            },
        ),
        (_("Dokumen"), {"fields": ("documents",)}),
        (_("Sertifikat"), {"fields": ("certificate_summary",)}),
    )
    change_form_template = "admin/applications/application/change_form.html"

    # Scope ------------------------------------------------------------------------------

    def get_queryset(self, request):
        # Drafts belong to the owner until submitted; officials see everything from submission
        # on (superusers, the technical administrators, see drafts too).
        qs = applications_visible_to(request.user)
        if not request.user.is_superuser:
            qs = qs.exclude(status=S.DRAFT)
        return qs.select_related(
            "product__company__province", "product__company__regency", "checked_by"
        )

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            # Outside the jurisdiction (or missing): 404, never a hint that it exists.
            raise Http404
        return obj

    def has_add_permission(self, request):
        return False  # applications are created by owners in the portal

    def has_change_permission(self, request, obj=None):
        return False  # nothing is edited by hand; decisions are actions

    def has_delete_permission(self, request, obj=None):
        return False

    def has_decide_permission(self, request):
        return request.user.has_perm("applications.change_application")

    # List columns -----------------------------------------------------------------------

    @admin.display(description=_("produk / perusahaan"), ordering="product__name")
    def product_name(self, obj):
        return format_html("{}<br><small>{}</small>", obj.product.name, obj.product.company.name)

    @admin.display(description=_("wilayah"), ordering="product__company__regency__name")
    def region(self, obj):
        company = obj.product.company
        return format_html("{}<br><small>{}</small>", company.regency.name, company.province.name)

    @admin.display(description=_("diajukan"), ordering="submitted_at")
    def submitted_on(self, obj):
        if not obj.submitted_at:
            return "—"
        return timezone.localtime(obj.submitted_at).strftime("%d-%m-%Y")

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj):
        colours = {
            S.UNDER_REVIEW: "#1f6feb",
            S.APPROVED: "#1a7f37",
            S.ISSUED: "#1a7f37",
            S.EXTENDED: "#1a7f37",
            S.REJECTED: "#cf222e",
            S.REVOKED: "#cf222e",
            S.PROCESSING_FAILED: "#bf3989",
            S.NEEDS_REVISION: "#9a6700",
        }
        return format_html(
            '<strong style="color:{}">{}</strong>',
            colours.get(obj.status, "#57606a"),
            obj.get_status_display(),
        )

    @admin.display(description=_("hari kerja"), ordering="submitted_at")
    def clock(self, obj):
        clock = application_clock(obj)
        if clock is None:
            return "—"
        text = f"{clock.used}/{clock.limit}"
        if clock.overdue:
            return format_html(
                '<strong style="color:#cf222e">{} · {}</strong>', text, gettext("lewat batas")
            )
        if not clock.running:
            return format_html(
                '<span style="color:#57606a" title="{}">{} ✓</span>', gettext("selesai"), text
            )
        return text

    # Detail fields ----------------------------------------------------------------------

    def get_readonly_fields(self, request, obj=None):
        return [field for fieldset in self.fieldsets for field in fieldset[1]["fields"]]

    @admin.display(description=_("produk"))
    def product_summary(self, obj):
        product = obj.product
        return format_html(
            "<strong>{}</strong> — {} ({})<br>KBLI {}{} · {} {}",
            product.name,
            product.brand,
            product.specification,
            product.kbli,
            f" · HS {product.hs_code}" if product.hs_code else "",
            gettext("satuan"),
            product.unit,
        )

    @admin.display(description=_("perusahaan"))
    def company_summary(self, obj):
        company = obj.product.company
        barred = ""
        if company.barred_until and company.barred_until >= timezone.localdate():
            barred = gettext(" · tidak dapat mengajukan sampai %(date)s") % {
                "date": company.barred_until.strftime("%d-%m-%Y")
            }
        return format_html(
            "<strong>{}</strong> · NIB {}<br>{}, {}, {}{}",
            company.name,
            company.nib,
            company.factory_address,
            company.regency.name,
            company.province.name,
            barred,
        )

    @admin.display(description=_("waktu layanan (hari kerja)"))
    def clock_detail(self, obj):
        clock = application_clock(obj)
        if clock is None:
            return "—"
        if clock.running:
            message = gettext(
                "%(used)s dari %(limit)s hari kerja terpakai; batas keputusan %(deadline)s."
            )
        else:
            message = gettext("Diputuskan dalam %(used)s dari %(limit)s hari kerja.")
        text = message % {
            "used": clock.used,
            "limit": clock.limit,
            "deadline": clock.deadline.strftime("%d-%m-%Y"),
        }
        if clock.overdue:
            return format_html(
                '<strong style="color:#cf222e">{} {}</strong>', text, gettext("Lewat batas.")
            )
        return text

    @admin.display(description=_("rincian"))
    def breakdown_table(self, obj):
        return breakdown_html(obj.breakdown, obj.tkdn_ik)

    @admin.display(description=_("pemrosesan gagal"))
    def processing_failure(self, obj):
        if obj.status != S.PROCESSING_FAILED:
            return "—"
        return format_html(
            '<strong style="color:#bf3989">{}: {}</strong><br>{}',
            gettext("Langkah"),
            obj.failed_step or "?",
            obj.processing_error,
        )

    @admin.display(description=_("dokumen"))
    def documents(self, obj):
        company = obj.product.company
        docs = SupportingDocument.objects.filter(company=company).filter(
            Q(product__isnull=True) | Q(product=obj.product)
        )
        items = [
            format_html(
                "<li>{}: {}</li>",
                doc.get_kind_display(),
                file_link("document", doc.pk, doc.original_name),
            )
            for doc in docs
        ]
        if obj.product.nie_file:
            items.append(
                format_html(
                    "<li>{}: {}</li>",
                    gettext("Izin edar (NIE)"),
                    file_link("nie", obj.product.pk, obj.product.nie_number or "NIE"),
                )
            )
        if not items:
            return gettext("Tidak ada dokumen pendukung.")
        return format_html(
            "<ul>{}</ul><p class='help'>{}</p>",
            format_html_join("", "{}", ((item,) for item in items)),
            gettext("Bukti pembelian dan bukti pengembangan ada pada tabel biaya di bawah."),
        )

    @admin.display(description=_("sertifikat"))
    def certificate_summary(self, obj):
        certificate = getattr(obj, "certificate", None)
        preview = reverse("admin:applications_application_preview", args=[obj.pk])
        if certificate is None:
            if obj.tkdn_ik is None:
                return gettext("Belum ada.")
            return format_html(
                '<a href="{}" target="_blank">{}</a>', preview, gettext("Pratinjau PDF (DRAFT)")
            )
        pdf = ""
        if certificate.pdf:
            pdf = format_html(
                ' · <a href="{}" target="_blank">{}</a> · SHA-256 <code>{}</code>',
                reverse("admin:applications_application_certificate_pdf", args=[obj.pk]),
                gettext("Unduh PDF"),
                certificate.pdf_sha256,
            )
        return format_html(
            '<a href="{}">{}</a> · {} {} · {} {}{}',
            reverse("admin:registry_certificate_change", args=[certificate.pk]),
            certificate.number,
            gettext("berlaku sampai"),
            certificate.expires_on.strftime("%d-%m-%Y"),
            gettext("status"),
            certificate.get_status_display(),
            pdf,
        )

    # Views ---------------------------------------------------------------------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        own = [
            path(
                "<path:object_id>/keputusan/<slug:decision>/",
                self.admin_site.admin_view(self.decision_view),
                name="{}_{}_decision".format(*info),
            ),
            path(
                "<path:object_id>/pratinjau-sertifikat/",
                self.admin_site.admin_view(self.preview_view),
                name="{}_{}_preview".format(*info),
            ),
            path(
                "<path:object_id>/sertifikat-pdf/",
                self.admin_site.admin_view(self.certificate_pdf_view),
                name="{}_{}_certificate_pdf".format(*info),
            ),
        ]
        return own + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        token = _holidays.set(_load_holidays())
        try:
            response = super().changelist_view(request, extra_context)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
            return response
        finally:
            _holidays.reset(token)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        buttons = []
        if self.has_decide_permission(request):
            for key, spec in DECISIONS.items():
                if obj.status in spec["statuses"]:
                    url = reverse("admin:applications_application_decision", args=[obj.pk, key])
                    buttons.append((url, spec["title"]))
        extra = {
            "decision_buttons": buttons,
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
            "show_delete": False,
            "title": gettext("Verifikasi permohonan"),
        }
        extra.update(extra_context or {})
        return super().change_view(request, object_id, form_url, extra)

    def decision_view(self, request, object_id, decision):
        if decision not in DECISIONS:
            raise Http404
        obj = self.get_object(request, object_id)
        if not self.has_decide_permission(request):
            raise Http404
        done = self._decide(request, self.get_queryset(request).filter(pk=obj.pk), decision)
        if done is None:
            return HttpResponseRedirect(
                reverse("admin:applications_application_change", args=[obj.pk])
            )
        return done

    def preview_view(self, request, object_id):
        """The certificate as it would be issued now, watermarked DRAFT (not stored)."""
        from registry.models import Certificate
        from registry.pdf import render_certificate_pdf
        from registry.services import certificate_snapshot, validity_dates

        obj = self.get_object(request, object_id)
        if obj.tkdn_ik is None:
            raise Http404
        issue, valid_until = validity_dates(timezone.localdate(), obj.rule_set)
        draft = Certificate(
            number=gettext("(nomor diberikan saat terbit)"),
            issue_date=issue,
            valid_until=valid_until,
            **certificate_snapshot(application=obj),
        )
        response = HttpResponse(render_certificate_pdf(draft, draft=True), "application/pdf")
        response["Content-Disposition"] = 'inline; filename="pratinjau-sertifikat.pdf"'
        return response

    def certificate_pdf_view(self, request, object_id):
        obj = self.get_object(request, object_id)
        certificate = getattr(obj, "certificate", None)
        if certificate is None or not certificate.pdf:
            raise Http404
        return FileResponse(
            certificate.pdf.open("rb"),
            content_type="application/pdf",
            filename=certificate.number.replace("/", "-") + ".pdf",
        )

    # Actions ---------------------------------------------------------------------------

    def _decide(self, request: HttpRequest, queryset: QuerySet, decision: str):
        """Show the intermediate form for ``decision`` or, once submitted, apply it.

        Returns ``None`` when done (the caller redirects) or the form page.
        """
        spec = DECISIONS[decision]
        single = queryset.first() if queryset.count() == 1 else None
        items = revision_items(single) if decision == "revisi" else None
        form = DecisionForm(
            request.POST if "apply" in request.POST else None,
            reason_required=spec["reason_required"],
            items=items,
        )
        if "apply" in request.POST and form.is_valid():
            done = 0
            for application in queryset:
                if application.status not in spec["statuses"]:
                    self.message_user(
                        request,
                        gettext("%(app)s: status %(status)s, keputusan ini tidak berlaku.")
                        % {
                            "app": application.product.name,
                            "status": application.get_status_display(),
                        },
                        messages.WARNING,
                    )
                    continue
                try:
                    perform_decision(decision, application, request.user, form.cleaned_data)
                except WorkflowError as exc:
                    self.message_user(
                        request, f"{application.product.name}: {exc.message}", messages.ERROR
                    )
                    continue
                done += 1
            if done:
                self.message_user(request, spec["done"] % {"n": done}, messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": spec["title"],
            "decision": decision,
            "spec": spec,
            "form": form,
            "applications": queryset,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "action_name": request.POST.get("action", ""),
            "single": single,
            "four_eyes": getattr(settings, "TKDN_FOUR_EYES", False),
        }
        return TemplateResponse(request, "admin/applications/application/decision.html", context)

    @admin.action(description=_("Setujui permohonan terpilih"), permissions=["decide"])
    def approve_selected(self, request, queryset):
        return self._decide(request, queryset, "setujui")

    @admin.action(
        description=_("Tolak permohonan terpilih (dengan alasan)"), permissions=["decide"]
    )
    def reject_selected(self, request, queryset):
        return self._decide(request, queryset, "tolak")

    @admin.action(description=_("Minta perbaikan (dengan alasan)"), permissions=["decide"])
    def request_revision_selected(self, request, queryset):
        return self._decide(request, queryset, "revisi")

    @admin.action(description=_("Tandai sudah diperiksa (empat mata)"), permissions=["decide"])
    def mark_checked_selected(self, request, queryset):
        return self._decide(request, queryset, "diperiksa")

    @admin.action(description=_("Proses ulang yang gagal"), permissions=["decide"])
    def retry_selected(self, request, queryset):
        return self._decide(request, queryset, "proses-ulang")


# --- Reference data and profiles ----------------------------------------------------------------


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


class ScopedCompanyMixin:
    """Companies and products of the official's jurisdiction only (via their applications)."""

    company_path = ""

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        user = request.user
        if user.is_superuser:
            return qs
        visible = applications_visible_to(user).exclude(status=S.DRAFT)
        key = f"{self.company_path}pk__in" if self.company_path else "pk__in"
        return qs.filter(**{key: visible.values("product__company_id")})

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj


@admin.register(Company)
class CompanyAdmin(ScopedCompanyMixin, ReadOnlyAdmin):
    list_display = (
        "name",
        "nib",
        "legal_form",
        "province",
        "regency",
        "capital_rp",
        "barred_until",
    )
    list_filter = ("legal_form", ("province", admin.RelatedOnlyFieldListFilter))
    search_fields = ("name", "nib")
    list_select_related = ("province", "regency")


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
class ApplicationSnapshotAdmin(ReadOnlyAdmin):
    list_display = ("application", "version", "submitted_at")

    def get_queryset(self, request):
        visible = applications_visible_to(request.user)
        return super().get_queryset(request).filter(application__in=visible)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj
