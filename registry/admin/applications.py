"""The application admin with its issuing parts, registered for ``Application``.

``applications.admin.ApplicationAdmin`` is the review queue with the review decisions; this
subclass adds what needs the registry: the approval (single and bulk; it queues the certificate's
issue), the retry of a failed issue step, the DRAFT certificate preview, and the certificate
summary with its PDF. Registering the subclass (not the base) keeps one admin per model and every
URL name (``admin:applications_application_preview``, ``..._certificate_pdf``, ``..._decision``).
"""

from django.contrib import admin
from django.http import FileResponse, Http404, HttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from applications.admin import ApplicationAdmin
from applications.models import Application
from registry import pdf, services
from registry.models import Certificate

S = Application.Status

APPROVE_DECISION = {
    "title": _("Setujui permohonan"),
    "button": _("Ya, setujui"),
    "reason_required": False,
    "statuses": (S.UNDER_REVIEW,),
    "done": _("%(n)d permohonan disetujui; sertifikat sedang diterbitkan."),
}


@admin.register(Application)
class IssuingApplicationAdmin(ApplicationAdmin):
    # The approval comes first: the first button on the page and the first action in the list.
    decisions = {"setujui": APPROVE_DECISION, **ApplicationAdmin.decisions}
    actions = ["approve_selected", *ApplicationAdmin.actions]
    fieldsets = (
        *ApplicationAdmin.fieldsets,
        (_("Sertifikat"), {"fields": ("certificate_summary",)}),
    )

    def perform_decision(self, decision: str, application: Application, actor, data: dict) -> None:
        if decision == "setujui":
            services.application_approve(
                application=application, actor=actor, note=data.get("reason", "")
            )
        elif decision == "proses-ulang":
            # The step that failed: a failed issue is retried here, a calculation by the base.
            services.application_retry(application=application, actor=actor)
        else:
            super().perform_decision(decision, application, actor, data)

    @admin.action(description=_("Setujui permohonan terpilih"), permissions=["decide"])
    def approve_selected(self, request, queryset):
        return self._decide(request, queryset, "setujui")

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

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        own = [
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

    def preview_view(self, request, object_id):
        """The certificate as it would be issued now, watermarked DRAFT (not stored)."""
        obj = self.get_object(request, object_id)
        if obj.tkdn_ik is None:
            raise Http404
        issue, valid_until = services.validity_dates(timezone.localdate(), obj.rule_set)
        draft = Certificate(
            number=gettext("(nomor diberikan saat terbit)"),
            issue_date=issue,
            valid_until=valid_until,
            **services.certificate_snapshot(application=obj),
        )
        response = HttpResponse(pdf.render_certificate_pdf(draft, draft=True), "application/pdf")
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
