"""The review queue and the review decisions of dinas officials (base ``ApplicationAdmin``).

Every queryset, filter choice, action and object URL is restricted to the official's jurisdiction
through ``applications.selectors.applications_visible_to``; an object outside it answers 404.
Status, values and history are read-only: officials change an application only through the
decision actions, which call the services in ``applications.services`` (and through them the one
transition function).
"""

import re

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from applications import calculation, services
from applications.exceptions import WorkflowError
from applications.formatting import admin_column, format_rupiah
from applications.models import (
    Application,
    Company,
    DevelopmentItem,
    LabourLine,
    MaterialLine,
    OverheadLine,
    Product,
    StatusChange,
    SupportingDocument,
)
from applications.selectors import (
    applications_held_in,
    applications_visible_to,
    official_regions,
)
from tkdnportal.admin import (
    ConfirmedActionMixin,
    LargeTableAdminMixin,
    NotFoundOutsideScopeMixin,
    ReadOnlyAdmin,
    ReadOnlyFieldsetsMixin,
    ReadOnlyInline,
)
from tkdnportal.pagination import PlannedPaginator, SearchCondition

from .clock import application_clock, holidays_loaded
from .display import breakdown_html, file_link
from .filters import OverdueFilter, ProvinceFilter, RegencyFilter, ValueRangeFilter
from .scoping import RegionalPlanMixin

S = Application.Status


# --- Decision forms ----------------------------------------------------------------


# The applications' search on PostgreSQL (``ApplicationAdmin.get_search_results``), as Django's
# ``icontains`` spells it so the trigram indexes on UPPER(name) serve it (migration 0009). Two
# spellings of the same test (``SearchCondition``): the set of matching products, for the capped
# count and for a page among few matches; and, for a page among many, a check of each application
# as the page walks the list's order (OFFSET 0 keeps PostgreSQL from turning it back into a join,
# which compared each application with every matching product: 5 s for a common word at
# 1,000,000 certificates).
_PG_MATCHING_PRODUCTS = """
    "applications_application"."product_id" IN (
        SELECT p.id FROM applications_product p
        WHERE (UPPER(p.name::text) LIKE UPPER(%s) OR UPPER(p.brand::text) LIKE UPPER(%s))
            {product_region}
        UNION
        SELECT p.id FROM applications_product p
        WHERE p.company_id IN (
            SELECT c.id FROM applications_company c WHERE UPPER(c.name::text) LIKE UPPER(%s)
            {region}
        )
    )"""
_PG_PRODUCT_MATCHES = """
    EXISTS (
        SELECT 1 FROM applications_product p
        JOIN applications_company c ON c.id = p.company_id
        WHERE p.id = "applications_application"."product_id"
          AND (UPPER(p.name::text) LIKE UPPER(%s) OR UPPER(p.brand::text) LIKE UPPER(%s)
               OR UPPER(c.name::text) LIKE UPPER(%s))
        OFFSET 0
    )"""


def _pg_search_condition(
    term: str, regions: tuple[str | None, str | None] | None
) -> SearchCondition:
    """The search, its products and companies narrowed to an official's region
    (``official_regions``). A common word in company names matched 16,247 companies nationwide,
    44,229 products to join and filter by province afterwards (0.6 s at 1,000,000 certificates
    for one province); in product names, 75,880 products nationwide for 10,182 in the province
    (0.8 s), now combined with the product's copy of its company's region (``company_province``,
    ``company_regency``: migration 0012, kept by triggers)."""
    pattern = f"%{connection.ops.prep_for_like_query(term)}%"
    province, regency = regions or (None, None)
    if regency:
        column, code = "regency", regency
    elif province:
        column, code = "province", province
    else:
        column, code = None, None
    if column:
        product_region = f"AND p.company_{column} = %s"
        region = f"AND c.{column}_id = %s"
        params = [pattern, pattern, code, pattern, code]
    else:
        product_region = region = ""
        params = [pattern] * 3
    return SearchCondition(
        _PG_MATCHING_PRODUCTS.format(product_region=product_region, region=region),
        _PG_PRODUCT_MATCHES,
        params,
        [pattern] * 3,
        parts=[
            Q(product__name__icontains=term) | Q(product__brand__icontains=term),
            Q(product__company__name__icontains=term),
        ],
    )


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


# Each review decision: title, button, whether a reason is required, the statuses it applies to
# and the message when done. The registry adds the approval (``registry.admin``).
REVIEW_DECISIONS = {
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


# --- Inlines (read-only) ----------------------------------------------------------------


class MaterialInline(ReadOnlyInline):
    model = MaterialLine
    fields = readonly_fields = (
        "name",
        "specification",
        "domestic",
        "quantity",
        "unit_price",
        "line_cost",
        "proof",
    )
    quantity = admin_column("qty_per_unit", _("jumlah per satuan produk"), "number")
    unit_price = admin_column("unit_price_rp", _("harga satuan"))

    @admin.display(description=_("biaya per unit"))
    def line_cost(self, obj):
        return format_rupiah(obj.qty_per_unit * obj.unit_price_rp)

    @admin.display(description=_("bukti pembelian"))
    def proof(self, obj):
        if not obj.purchase_proof:
            note = gettext("tidak ada — dihitung impor") if obj.domestic else "—"
            return note
        return file_link("material", obj.pk, gettext("lihat bukti"))


class LabourInline(ReadOnlyInline):
    model = LabourLine
    fields = readonly_fields = ("role", "citizenship", "cost")
    cost = admin_column("cost_per_unit_rp", _("biaya per satuan produk"))


class OverheadInline(ReadOnlyInline):
    model = OverheadLine
    fields = readonly_fields = ("kind", "description", "domestic", "cost")
    cost = admin_column("cost_per_unit_rp", _("biaya per satuan produk"))


class DevelopmentInline(ReadOnlyInline):
    model = DevelopmentItem
    fields = readonly_fields = ("kind", "number", "description", "cost", "file")
    cost = admin_column("cost_per_unit_rp", _("biaya per satuan produk"))

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


class ApplicationAdmin(
    RegionalPlanMixin,
    LargeTableAdminMixin,
    ConfirmedActionMixin,
    ReadOnlyFieldsetsMixin,
    NotFoundOutsideScopeMixin,
    ReadOnlyAdmin,
):
    """The review queue and the review decisions; registered with the issuing parts by
    ``registry.admin`` (see the package docstring)."""

    #: The decisions offered (buttons on the detail page, in this order); see ``perform_decision``.
    decisions: dict[str, dict] = REVIEW_DECISIONS

    list_display = (
        "product_name",
        "status_badge",
        "region",
        "value",
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
    # No date_hierarchy: its year and month links are DISTINCT queries over every listed row
    # (seconds at a million applications); the submission-date filter above needs no query.
    search_fields = (
        "product__name",
        "product__brand",
        "product__company__name",
        "product__company__nib",
    )
    search_help_text = _(
        "NIB lengkap, atau sebagian nama produk, merek atau perusahaan (sedikitnya tiga huruf)."
    )
    ordering = ("-submitted_at", "-id")
    held_in = staticmethod(applications_held_in)
    list_per_page = 50
    # The page planned from the capped count, like the register's (``_pg_search_condition``).
    paginator = PlannedPaginator
    actions = [
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
                    "value",
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
    )
    change_form_template = "admin/applications/application/change_form.html"
    value = admin_column("tkdn_ik", _("nilai TKDN-IK"), "percent")

    # Scope ------------------------------------------------------------------------------

    def get_search_results(self, request, queryset, search_term):
        """A NIB exactly; else products whose name or brand, or whose company's name, contain
        the text: each table searched through its own trigram index (applications migration
        0007), joined by product id. Django's default ORs ``icontains`` across the joined tables,
        which no index can serve (a scan of every product and company)."""
        term = " ".join(search_term.split())
        if not term:
            return queryset, False
        if re.fullmatch(r"[0-9]{13}", term):
            return queryset.filter(product__company__nib=term), False
        if self.search_too_short(request, term):
            return queryset.none(), False
        if connection.vendor == "postgresql":
            regions = official_regions(request.user)
            return queryset.filter(_pg_search_condition(term, regions)), False
        by_product = Product.objects.filter(Q(name__icontains=term) | Q(brand__icontains=term))
        by_company = Product.objects.filter(
            company__in=Company.objects.filter(name__icontains=term).values("pk")
        )
        products = by_product.order_by().values("pk").union(by_company.order_by().values("pk"))
        return queryset.filter(product__in=products), False

    def get_queryset(self, request):
        # Drafts belong to the owner until submitted; officials see everything from submission
        # on (superusers, the technical administrators, see drafts too).
        qs = applications_visible_to(request.user)
        if not request.user.is_superuser:
            qs = qs.exclude(status=S.DRAFT)
        # The scope's join decides; the application's copy of its region narrows first.
        qs = self.held_in_region(request, qs)
        return qs.select_related(
            "product__company__province", "product__company__regency", "checked_by"
        )

    # Read-only (``ReadOnlyAdmin``): applications are created by owners in the portal and
    # nothing is edited by hand; decisions are actions, allowed by this permission.
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
        # At least 4.5:1 (WCAG AA) on the admin's white and alternating grey rows.
        colours = {
            S.UNDER_REVIEW: "#0550ae",
            S.APPROVED: "#116329",
            S.ISSUED: "#116329",
            S.EXTENDED: "#116329",
            S.REJECTED: "#a40e26",
            S.REVOKED: "#a40e26",
            S.PROCESSING_FAILED: "#99286e",
            S.NEEDS_REVISION: "#7d4e00",
        }
        return format_html(
            '<strong style="color:{}">{}</strong>',
            colours.get(obj.status, "#424a53"),
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
                '<strong style="color:#a40e26">{} · {}</strong>', text, gettext("lewat batas")
            )
        if not clock.running:
            return format_html(
                '<span style="color:#424a53" title="{}">{} ✓</span>', gettext("selesai"), text
            )
        return text

    # Detail fields ----------------------------------------------------------------------

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
        if calculation.is_barred(company.barred_until, timezone.localdate()):
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
                '<strong style="color:#a40e26">{} {}</strong>', text, gettext("Lewat batas.")
            )
        return text

    @admin.display(description=_("rincian"))
    def breakdown_table(self, obj):
        return breakdown_html(obj.breakdown, obj.tkdn_ik, obj.rule_set)

    @admin.display(description=_("pemrosesan gagal"))
    def processing_failure(self, obj):
        if obj.status != S.PROCESSING_FAILED:
            return "—"
        return format_html(
            '<strong style="color:#99286e">{}: {}</strong><br>{}',
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

    # Views ---------------------------------------------------------------------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        own = [
            path(
                "<path:object_id>/keputusan/<slug:decision>/",
                self.admin_site.admin_view(self.decision_view),
                name="{}_{}_decision".format(*info),
            ),
        ]
        return own + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        with holidays_loaded():
            response = super().changelist_view(request, extra_context)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
            return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        buttons = []
        if self.has_decide_permission(request):
            for key, spec in self.decisions.items():
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
        if decision not in self.decisions:
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

    # Actions ---------------------------------------------------------------------------

    def perform_decision(self, decision: str, application: Application, actor, data: dict) -> None:
        """Apply one decision of ``self.decisions`` to one application (through its service)."""
        reason = data.get("reason", "")
        if decision == "tolak":
            services.application_reject(application=application, actor=actor, reason=reason)
        elif decision == "revisi":
            services.application_request_revision(
                application=application, actor=actor, reason=reason, items=data.get("items", [])
            )
        elif decision == "diperiksa":
            services.application_mark_checked(application=application, actor=actor)
        elif decision == "proses-ulang":
            services.application_retry(application=application, actor=actor)
        else:  # pragma: no cover - the URL pattern and ``decisions`` limit the names
            raise Http404

    def _decide(self, request: HttpRequest, queryset: QuerySet, decision: str):
        """Show the intermediate form for ``decision`` or, once submitted, apply it.

        Returns ``None`` when done (the caller redirects) or the form page.
        """
        spec = self.decisions[decision]
        single = queryset.first() if queryset.count() == 1 else None
        items = revision_items(single) if decision == "revisi" else None
        form = DecisionForm(
            request.POST if "apply" in request.POST else None,
            reason_required=spec["reason_required"],
            items=items,
        )
        if "apply" in request.POST and form.is_valid():

            def apply(application: Application) -> bool:
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
                    return False
                self.perform_decision(decision, application, request.user, form.cleaned_data)
                return True

            self.apply_each(
                request,
                queryset,
                apply,
                name=lambda application: application.product.name,
                errors=(WorkflowError,),
                done_message=spec["done"],
            )
            return None
        context = self.confirmation_context(
            request,
            title=spec["title"],
            decision=decision,
            spec=spec,
            form=form,
            applications=queryset,
            single=single,
            four_eyes=getattr(settings, "TKDN_FOUR_EYES", False),
        )
        return TemplateResponse(request, "admin/applications/application/decision.html", context)

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
