"""Outreach events in the admin: officials plan events of their region, record attendance (and
walk-ins, owners who came without registering) and read each event's conversion (registered →
attended → applications started, submitted, issued).

Scope: ``applications.outreach.events_visible_to`` (an event outside the jurisdiction answers
404); the region choices of the form are the official's own. Writes go through
``applications.services.outreach``; the forms (``outreach_forms``) check what the service will
check, so a refusal is a message on the field, never a crash page. Events are never deleted: the
"cancel" action (after a confirmation page) keeps the registrations and tells the owners.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from applications import services
from applications.exceptions import WorkflowError
from applications.formatting import format_datetime, format_datetime_range
from applications.models import Event, Province, Regency, Registration
from applications.outreach import (
    event_change_lines,
    events_visible_to,
    events_with_conversion,
    official_of,
    sees_every_region,
)
from tkdnportal.admin import ConfirmedActionMixin, NotFoundOutsideScopeMixin

from .outreach_forms import AttendanceForm, EventForm, WalkInForm


class RegistrationInline(admin.TabularInline):
    """The participants of an event; the official ticks "hadir" and saves (after the start)."""

    model = Registration
    form = AttendanceForm
    extra = 0
    can_delete = False
    show_change_link = False
    fields = ("owner", "company", "status", "registered_at", "attended", "recorded")
    readonly_fields = ("owner", "company", "status", "registered_at", "recorded")
    ordering = ("status", "registered_at", "id")
    verbose_name = _("peserta")
    verbose_name_plural = _("peserta dan kehadiran")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("owner", "owner__company", "attendance_recorded_by")
        )

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("perusahaan"))
    def company(self, obj):
        company = getattr(obj.owner, "company", None)
        return company.name if company else "—"

    @admin.display(description=_("kehadiran dicatat"))
    def recorded(self, obj):
        if not obj.attendance_recorded_at:
            return "—"
        return format_html(
            "{} · {}",
            obj.attendance_recorded_by,
            obj.attendance_recorded_at.strftime("%d-%m-%Y %H.%M"),
        )


@admin.register(Event)
class EventAdmin(NotFoundOutsideScopeMixin, ConfirmedActionMixin, admin.ModelAdmin):
    form = EventForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [RegistrationInline]
    # The conversion, left to right: places taken (of the capacity), waiting, present, then the
    # attendees' applications started after the event, submitted, certified.
    list_display = (
        "event_title",
        "starts_at",
        "region",
        "registered",
        "waiting",
        "attended",
        "started",
        "submitted",
        "issued",
    )
    list_filter = ("kind", "cancelled")
    search_fields = ("title", "partner", "place")
    date_hierarchy = "starts_at"
    ordering = ("-starts_at",)
    actions = ["cancel_events"]
    readonly_fields = ("conversion", "cancellation", "changes_told", "created_by")
    fieldsets = (
        (None, {"fields": ("kind", "title", "description", "partner")}),
        (_("Waktu dan tempat"), {"fields": ("starts_at", "ends_at", "place", "online_url")}),
        (_("Wilayah dan kuota"), {"fields": ("province", "regency", "capacity")}),
        (_("Hasil"), {"fields": ("conversion", "cancellation", "changes_told", "created_by")}),
    )

    def get_queryset(self, request):
        return events_with_conversion(events_visible_to(request.user))

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        own = [
            path(
                "<path:object_id>/peserta-tanpa-daftar/",
                self.admin_site.admin_view(self.walk_in_view),
                name="{}_{}_walk_in".format(*info),
            ),
        ]
        return own + super().get_urls()

    def walk_in_view(self, request, object_id):
        """Record an owner who came without registering (``services.registration_walk_in``):
        found by account e-mail or NIB; the event's page lists them as "datang tanpa mendaftar".
        Scoped like the event page (another region's event: 404)."""
        event = self.get_object(request, object_id)
        if not self.has_change_permission(request, event):
            raise PermissionDenied
        form = WalkInForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            owner = form.cleaned_data["owner"]
            try:
                registration = services.registration_walk_in(
                    event=event, owner=owner, actor=request.user
                )
            except WorkflowError as exc:
                form.add_error("owner", exc.message)
            else:
                message = (
                    gettext("%(owner)s dicatat hadir tanpa mendaftar.")
                    if registration.status == Registration.Status.WALK_IN
                    else gettext("%(owner)s sudah mendaftar; kehadirannya dicatat.")
                )
                self.message_user(request, message % {"owner": owner}, messages.SUCCESS)
                return HttpResponseRedirect(
                    reverse("admin:applications_event_change", args=[event.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Catat peserta yang datang tanpa mendaftar"),
            "event": event,
            "when": format_datetime_range(event.starts_at, event.ends_at),
            "form": form,
        }
        return TemplateResponse(request, "admin/applications/event/walk_in.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        event = self.get_object(request, object_id)
        extra = {}
        if not event.cancelled and event.starts_at <= timezone.now():
            # At the event: the official records who came without registering.
            extra["walk_in_url"] = reverse("admin:applications_event_walk_in", args=[event.pk])
        extra.update(extra_context or {})
        return super().change_view(request, object_id, form_url, extra)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = request.user
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        official = None if sees_every_region(request.user) else official_of(request.user)
        if db_field.name == "province":
            if official is not None:
                kwargs["queryset"] = Province.objects.filter(code=official.province_id)
        elif db_field.name == "regency":
            if official is not None and official.regency_id:
                kwargs["queryset"] = Regency.objects.filter(code=official.regency_id)
            elif official is not None:
                kwargs["queryset"] = Regency.objects.filter(province_id=official.province_id)
            else:
                kwargs["queryset"] = Regency.objects.select_related("province")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        official = official_of(request.user)
        if official is not None and not sees_every_region(request.user):
            initial.setdefault("province", official.province_id)
            if official.regency_id:
                initial.setdefault("regency", official.regency_id)
        return initial

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # The form has already checked scope and capacity; the service checks again under the
        # lock on the event (a registration may have come in meanwhile).
        services.event_save(event=obj, actor=request.user)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Registration:
            return super().save_formset(request, form, formset, change)
        recorded = 0
        for inline_form in formset.forms:
            if "attended" not in inline_form.changed_data or inline_form.instance.pk is None:
                continue
            try:
                services.registration_record_attendance(
                    registration=inline_form.instance,
                    attended=inline_form.cleaned_data["attended"],
                    actor=request.user,
                )
            except WorkflowError as exc:
                self.message_user(
                    request, f"{inline_form.instance.owner}: {exc.message}", messages.ERROR
                )
            else:
                recorded += 1
        if recorded:
            self.message_user(
                request,
                gettext("Kehadiran %(n)d peserta dicatat.") % {"n": recorded},
                messages.SUCCESS,
            )
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    # --- Columns ---

    @admin.display(description=_("judul"), ordering="title")
    def event_title(self, obj):
        if obj.cancelled:
            return format_html("{} <strong>({})</strong>", obj.title, gettext("dibatalkan"))
        return obj.title

    @admin.display(description=_("wilayah"))
    def region(self, obj):
        return obj.regency or obj.province or gettext("Nasional (daring)")

    @admin.display(description=_("terdaftar / kuota"), ordering="registered_count")
    def registered(self, obj):
        return f"{obj.registered_count} / {obj.capacity}"

    @admin.display(description=_("tunggu"), ordering="waiting_count")
    def waiting(self, obj):
        return obj.waiting_count

    @admin.display(description=_("hadir"), ordering="attended_count")
    def attended(self, obj):
        return obj.attended_count

    @admin.display(description=_("mulai mengajukan"), ordering="started_count")
    def started(self, obj):
        return obj.started_count

    @admin.display(description=_("diajukan"), ordering="submitted_count")
    def submitted(self, obj):
        return obj.submitted_count

    @admin.display(description=_("terbit"), ordering="issued_count")
    def issued(self, obj):
        return obj.issued_count

    @admin.display(description=_("dibatalkan"))
    def cancellation(self, obj):
        if obj is None or not obj.cancelled:
            return gettext("Tidak")
        if obj.cancelled_at is None:  # cancelled before who and when were recorded
            return gettext("Ya")
        return gettext("Ya, oleh %(who)s pada %(when)s") % {
            "who": obj.cancelled_by,
            "when": format_datetime(obj.cancelled_at),
        }

    @admin.display(description=_("perubahan yang diberitahukan kepada peserta"))
    def changes_told(self, obj):
        """Each change the owners were told about (time, place, link, cancellation) and how
        many of their e-mails went out: the official sees that the news reached everyone."""
        if obj is None or obj.pk is None:
            return "—"
        changes = obj.changes.select_related("made_by").annotate(
            total=Count("notices"), sent=Count("notices", filter=Q(notices__sent_at__isnull=False))
        )
        rows = []
        for change in changes.order_by("-made_at", "-pk"):
            lines = event_change_lines(change, show_link=True)
            what = "; ".join(f"{line.label}: {line.old} → {line.new}" for line in lines)
            rows.append(
                (
                    format_datetime(change.made_at),
                    change.made_by,
                    what or change.get_kind_display(),
                    gettext("e-mail terkirim %(sent)d dari %(total)d")
                    % {"sent": change.sent, "total": change.total},
                )
            )
        if not rows:
            return "—"
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{} · {} · {} · {}</li>", rows))

    @admin.display(description=_("konversi"))
    def conversion(self, obj):
        if obj is None or obj.pk is None or not hasattr(obj, "registered_count"):
            return "—"
        return format_html(
            "{}: {} · {}: {} · {}: {} · {}: {} · {}: {} · {}: {}",
            gettext("terdaftar"),
            obj.registered_count,
            gettext("daftar tunggu"),
            obj.waiting_count,
            gettext("hadir"),
            obj.attended_count,
            gettext("permohonan dimulai sesudah acara"),
            obj.started_count,
            gettext("diajukan"),
            obj.submitted_count,
            gettext("sertifikat terbit"),
            obj.issued_count,
        )

    # --- Actions ---

    @admin.action(
        description=_("Batalkan acara terpilih (peserta diberi tahu lewat e-mail)"),
        permissions=["change"],
    )
    def cancel_events(self, request, queryset):
        """Cancel the selected events after a confirmation page that lists them with the owners
        who will be told (``services.event_cancel``: who and when are recorded)."""
        if "apply" in request.POST:
            self.apply_each(
                request,
                queryset,
                lambda event: services.event_cancel(event=event, actor=request.user),
                name=str,
                errors=(WorkflowError, ValidationError),
                done_message=gettext("%(n)d acara dibatalkan."),
            )
            return None
        events = list(queryset)
        for event in events:
            event.when = format_datetime_range(event.starts_at, event.ends_at)
        context = self.confirmation_context(
            request,
            title=gettext("Batalkan acara"),
            spec={
                "warning": gettext(
                    "Acara yang dibatalkan tidak dapat diaktifkan kembali. Setiap pemilik IKM "
                    "yang terdaftar atau di daftar tunggu menerima satu e-mail pembatalan."
                ),
                "button": gettext("Ya, batalkan acara"),
            },
            form=None,
            objects=events,
        )
        return TemplateResponse(request, "admin/applications/event/cancel.html", context)
