"""The applicant (IKM owner) portal and the public calculator page.

Views are thin: check access, bind a form, call one service, redirect or render. An owner only
ever reaches their own company, products and applications (anything else is a 404); officials use
the admin and reach evidence files through :func:`file_download`.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Max, Q
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import calculation, rules, services
from .checks import application_checks, company_checks, product_checks
from .exceptions import WorkflowError
from .formatting import FACTOR_LABELS, format_percent, format_working_days
from .forms import (
    MATERIAL_ORIGIN_HELP,
    CompanyForm,
    DocumentForm,
    FacilityForm,
    ProductForm,
    SubmitForm,
    calculator_formsets,
    line_formsets,
    preview_input,
)
from .models import (
    Application,
    Company,
    DevelopmentItem,
    MaterialLine,
    Product,
    Regency,
    SupportingDocument,
)
from .outreach import registrations_of
from .selectors import (
    application_calculation_input,
    applications_visible_to,
    applications_with_evidence_visible_to,
    product_held_certificate,
)

S = Application.Status
# While the worker is busy the status card polls (calculation, certificate rendering).
POLL_STATUSES = (S.SUBMITTED, S.CALCULATED, S.APPROVED)


def _factor_labels():
    # Evaluated per request so the labels follow the active language (one table of labels).
    return {key: str(label) for key, label in FACTOR_LABELS.items()}


def next_step(application: Application) -> str:
    """What the owner should do now, and why, in plain words (dashboard, detail page, status card).

    Every status has one: "nothing to do" is said as such, with what the portal is doing.
    """
    rule_set = rules.of(application)
    steps = {
        S.DRAFT: _(
            "Lengkapi data biaya dan daftar cek, lalu ajukan: petugas baru memeriksa permohonan "
            "setelah diajukan."
        ),
        S.SUBMITTED: _(
            "Tidak ada yang perlu Anda lakukan: sistem sedang menghitung nilai TKDN-IK dari data "
            "Anda."
        ),
        S.CALCULATED: _(
            "Tidak ada yang perlu Anda lakukan: nilai sudah dihitung dan permohonan masuk antrean "
            "verifikasi petugas dinas."
        ),
        S.UNDER_REVIEW: _(
            "Tunggu keputusan petugas dinas, paling lama %(days)s sejak pengajuan lengkap. Simpan "
            "bukti pembelian asli: petugas dapat memintanya."
        )
        % {"days": format_working_days(rule_set.decision_working_days)},
        S.NEEDS_REVISION: _(
            "Perbaiki data sesuai catatan petugas, lalu ajukan kembali: permohonan tidak diproses "
            "sampai Anda mengajukannya lagi."
        ),
        S.APPROVED: _(
            "Tidak ada yang perlu Anda lakukan: permohonan disetujui dan sertifikat sedang dibuat."
        ),
        S.ISSUED: _(
            "Unduh sertifikat (PDF) di halaman permohonan. Siapa saja dapat memeriksa nomornya di "
            "registri publik."
        ),
        S.REJECTED: _(
            "Baca alasan penolakan, lalu salin ke draf baru untuk memperbaiki data dan mengajukan "
            "lagi."
        ),
        S.WITHDRAWN: _(
            "Permohonan dibatalkan dan tidak diproses. Salin ke draf baru bila ingin mengajukan "
            "lagi."
        ),
        S.PROCESSING_FAILED: _(
            "Tidak ada yang perlu Anda lakukan: terjadi gangguan pemrosesan dan petugas akan "
            "memprosesnya ulang."
        ),
        S.EXTENDED: _(
            "Sertifikat diperpanjang. Unduh sertifikat terbaru (PDF) di halaman permohonan."
        ),
        S.EXPIRED: _(
            "Sertifikat sudah tidak berlaku. Ajukan pembaruan dari daftar produk agar produk "
            "bersertifikat lagi."
        ),
        S.REVOKED: ngettext(
            "Sertifikat dicabut; baca alasannya. Permohonan baru untuk perusahaan ini dapat "
            "diajukan setelah %(years)s tahun.",
            "Sertifikat dicabut; baca alasannya. Permohonan baru untuk perusahaan ini dapat "
            "diajukan setelah %(years)s tahun.",
            rule_set.bar_years,
        )
        % {"years": rule_set.bar_years},
    }
    return steps.get(application.status, "")


def result_context(result: dict | None) -> list[dict]:
    """Rows of the result panel: label, points, weight and share of each factor."""
    if not result:
        return []
    labels = _factor_labels()
    rows = []
    # In FACTORS order: a breakdown read back from PostgreSQL's jsonb has its keys reordered.
    for key in (k for k in calculation.FACTORS if k in result["factors"]):
        factor = result["factors"][key]
        rows.append(
            {
                "key": key,
                "label": labels.get(key, key),
                "points": Decimal(factor["points"]),
                "weight": Decimal(factor["weight"]),
                "share_pct": (Decimal(factor["share"]) * 100).quantize(Decimal("0.1")),
                "domestic_rp": Decimal(factor["domestic_rp"]),
                "total_rp": Decimal(factor["total_rp"]),
                "best": key == result.get("best_improvement"),
            }
        )
    return rows


def result_panel(
    result: dict | None,
    *,
    error: str = "",
    incomplete=(),
    rule_set: calculation.RuleSet | None = None,
) -> dict:
    """Context of ``applications/_result.html`` from a ``result_to_dict`` output (or none).

    ``rule_set`` is the set the value is (or will be) computed under; the panel names it, its
    legal basis and, while it is provisional, says so.
    """
    if rule_set is None:
        rule_set = rules.get(result["rule_set"]) if result else rules.in_force()
    value = Decimal(result["tkdn_ik"]) if result else None
    incomplete = list(incomplete)
    # Rows left out (an error, or still being typed): the value counts only the valid rows, so it
    # is a partial estimate and never shown as reaching (or missing) the threshold (issue 13: one
    # negative price showed 38 % ✓ where the whole input gives 32 %).
    partial = bool(result) and bool(incomplete)
    return {
        "rule_set": rule_set,
        "result": result,
        "rows": result_context(result),
        "error": error,
        "incomplete": incomplete,
        "partial": partial,
        "final": bool(result) and not partial,
        "value": value,
        "threshold": Decimal(result["threshold"]) if result else rule_set.threshold,
        "maximum": Decimal(result["maximum"]) if result else rule_set.maximum,
        "best_label": _factor_labels().get((result or {}).get("best_improvement") or "", ""),
        "announcement": _announcement(result, value, error=error, incomplete=incomplete),
    }


def _announcement(result, value, *, error: str, incomplete: list) -> str:
    """One sentence for the polite live region: what the estimate is now (not the whole table)."""
    if not result:
        return error or ""
    shown = format_percent(value)
    if incomplete:
        return ngettext(
            "Perkiraan sementara %(value)s dari baris yang valid saja; %(count)s baris belum "
            "dihitung: %(rows)s.",
            "Perkiraan sementara %(value)s dari baris yang valid saja; %(count)s baris belum "
            "dihitung: %(rows)s.",
            len(incomplete),
        ) % {
            "value": shown,
            "count": len(incomplete),
            "rows": "; ".join(getattr(row, "explained", str(row)) for row in incomplete),
        }
    if result["eligible"]:
        return _("Perkiraan TKDN-IK %(value)s: mencapai ambang batas %(threshold)s.") % {
            "value": shown,
            "threshold": format_percent(result["threshold"]),
        }
    return _("Perkiraan TKDN-IK %(value)s: di bawah ambang batas %(threshold)s.") % {
        "value": shown,
        "threshold": format_percent(result["threshold"]),
    }


def _saved_result(application: Application) -> tuple[dict | None, str]:
    """The engine on the application's saved lines (what the worker will compute)."""
    rule_set = rules.of(application)
    try:
        inp = application_calculation_input(application=application, rule_set=rule_set)
        return calculation.result_to_dict(calculation.calculate(inp, rule_set)), ""
    except calculation.CalculationError as error:
        return None, error.message_id


def _render_result(request, *, result=None, error="", incomplete=(), rule_set=None):
    return render(
        request,
        "applications/_result.html",
        result_panel(result, error=error, incomplete=incomplete, rule_set=rule_set),
    )


def _calculate(formsets, data, rule_set: calculation.RuleSet, facility: str | None):
    """The engine on unsaved form data: (result dict or None, error message, incomplete rows)."""
    inp, incomplete = preview_input(formsets, data, rule_set=rule_set, facility=facility)
    try:
        return calculation.result_to_dict(calculation.calculate(inp, rule_set)), "", incomplete
    except calculation.CalculationError as error:
        return None, error.message_id, incomplete


def _calculate_preview(request, formsets, rule_set: calculation.RuleSet, facility: str | None):
    """Run the engine on unsaved form data and render the result partial (never a 500)."""
    result, error, incomplete = _calculate(formsets, request.POST, rule_set, facility)
    return _render_result(
        request, result=result, error=error, incomplete=incomplete, rule_set=rule_set
    )


# --- Helpers ----------------------------------------------------------------------


def _company(user) -> Company | None:
    return Company.objects.filter(owner=user).select_related("province", "regency").first()


def _owned_application(request, public_id) -> Application:
    """The owner's own application, or 404 (officials review in the admin, not here)."""
    return get_object_or_404(
        applications_visible_to(request.user).filter(product__company__owner=request.user),
        public_id=public_id,
    )


def _require_company(request):
    company = _company(request.user)
    if company is None:
        messages.info(request, _("Lengkapi profil usaha terlebih dahulu."))
    return company


# --- Dashboard and company ----------------------------------------------------------------


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """The owner's applications with status, last change and what to do next."""
    company = _company(request.user)
    applications = []
    renewals = _renewals(company) if company else []
    if company is not None:
        qs = (
            Application.objects.filter(product__company=company)
            .select_related("product")
            .annotate(last_change=Max("history__at"))
            .order_by("-updated_at")
        )
        applications = [(app, next_step(app)) for app in qs]
    return render(
        request,
        "applications/dashboard.html",
        {
            "company": company,
            "applications": applications,
            "company_checks": company_checks(company=company) if company else [],
            "registrations": registrations_of(request.user),
            "renewals": renewals,
            # A product due for renewal is offered above, with its data copied ("Perbarui").
            "products_without_application": [
                _product_offer(product)
                for product in (
                    company.products.exclude(
                        applications__status__in=Application.OPEN_STATUSES
                    ).exclude(pk__in=[application.product_id for application in renewals])
                    if company
                    else []
                )
            ],
        },
    )


def _renewals(company) -> list[Application]:
    """Certified applications whose certificate is within the renewal window (or ran out) and
    whose product has no open application yet: the dashboard offers "Perbarui sertifikat"."""
    window_end = timezone.localdate() + datetime.timedelta(days=rules.longest_renewal_window())
    candidates = list(
        Application.objects.filter(
            product__company=company,
            status__in=services.CERTIFIED_STATUSES,
            certificate__status="VALID",
        )
        .annotate(expires_on=Coalesce("certificate__extended_until", "certificate__valid_until"))
        .filter(expires_on__lte=window_end)
        .exclude(product__applications__status__in=Application.OPEN_STATUSES)
        .select_related("product", "certificate")
        .order_by("expires_on")
    )
    # Already renewed: the product has a certificate issued later than this one.
    latest = dict(
        Application.objects.filter(product__company=company, certificate__isnull=False)
        .values("product_id")
        .annotate(latest=Max("certificate__issue_date"))
        .values_list("product_id", "latest")
    )
    return [
        application
        for application in candidates
        if latest.get(application.product_id) == application.certificate.issue_date
        and rules.in_renewal_window(
            application.expires_on, window_days=rules.of(application).renewal_window_days
        )
    ]


def _product_offer(product: Product) -> dict:
    """What a product without an open application may start: an application, its renewal (only
    within the renewal window of a valid certificate), or nothing while its certificate holds."""
    today = timezone.localdate()
    held = product_held_certificate(product=product, today=today)
    return {
        "product": product,
        "held": held,
        "can_apply": held is None or held.renewal_open(today),
        "renewal": held is not None
        or product.applications.filter(status__in=[S.ISSUED, S.EXTENDED, S.EXPIRED]).exists(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def company_edit(request: HttpRequest) -> HttpResponse:
    """Create or edit the IKM profile; says plainly whether the company can apply."""
    company = _company(request.user)
    regency_url = reverse("applications:regency_options")
    if request.method == "POST":
        form = CompanyForm(request.POST, instance=company, regency_url=regency_url)
        if form.is_valid():
            try:
                company = services.company_save(
                    owner=request.user, fields=form.cleaned_data, company=company
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("Profil usaha disimpan."))
                return redirect("applications:company")
    else:
        initial = {} if company else {"email": request.user.email}
        form = CompanyForm(instance=company, initial=initial, regency_url=regency_url)
    return render(
        request,
        "applications/company_form.html",
        {
            "form": form,
            "company": company,
            "checks": company_checks(company=company) if company else [],
        },
    )


def _add_errors(form, error: ValidationError) -> None:
    """Put a model ValidationError raised by a service next to the form's fields."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@login_required
@require_GET
def regency_options(request: HttpRequest) -> HttpResponse:
    """The <option>s of the regencies of one province (htmx target of the province select)."""
    province = request.GET.get("province", "")
    regencies = Regency.objects.filter(province_id=province) if province.isdigit() else []
    return render(request, "applications/_regency_options.html", {"regencies": regencies})


# --- Products ----------------------------------------------------------------------


@login_required
@require_GET
def product_list(request: HttpRequest) -> HttpResponse:
    company = _require_company(request)
    if company is None:
        return redirect("applications:company")
    products = []
    for product in company.products.all():
        apps = list(product.applications.all())
        open_app = next((a for a in apps if a.status in Application.OPEN_STATUSES), None)
        products.append({**_product_offer(product), "open": open_app})
    return render(request, "applications/product_list.html", {"products": products})


@login_required
@require_http_methods(["GET", "POST"])
def product_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    company = _require_company(request)
    if company is None:
        return redirect("applications:company")
    product = get_object_or_404(Product, pk=pk, company=company) if pk else None
    if request.method == "POST":
        form = ProductForm(request.POST, request.FILES, instance=product, company=company)
        if form.is_valid():
            try:
                product = services.product_save(
                    company=company, fields=form.cleaned_data, product=product
                )
            except ValidationError as error:
                _add_errors(form, error)
            except WorkflowError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Produk disimpan."))
                back = request.POST.get("next", "")
                if back and url_has_allowed_host_and_scheme(
                    back, allowed_hosts={request.get_host()}
                ):
                    return redirect(back)
                return redirect("applications:product_list")
    else:
        form = ProductForm(instance=product, company=company)
    return render(
        request,
        "applications/product_form.html",
        {
            "form": form,
            "product": product,
            "checks": product_checks(product=product) if product else [],
            "next": request.POST.get("next") or request.GET.get("next", ""),
        },
    )


@login_required
@require_POST
def application_start(request: HttpRequest, pk: int) -> HttpResponse:
    company = _require_company(request)
    if company is None:
        return redirect("applications:company")
    product = get_object_or_404(Product, pk=pk, company=company)
    try:
        application = services.application_start(product=product, actor=request.user)
    except (WorkflowError, ValidationError) as error:
        messages.error(request, getattr(error, "message", None) or "; ".join(error.messages))
        return redirect("applications:product_list")
    messages.success(request, _("Draf permohonan dibuat. Isi data biaya per satuan produk."))
    return redirect("applications:application_edit", public_id=application.public_id)


# --- Applications ----------------------------------------------------------------------


@login_required
@require_GET
def application_detail(request: HttpRequest, public_id) -> HttpResponse:
    """Status, history in the owner's words, the checklist, the result and the certificate."""
    application = _owned_application(request, public_id)
    certificate = getattr(application, "certificate", None)
    # The timeline: every status change, and the certificate's expiry reminders once sent.
    timeline = [(change.at, change, None) for change in application.history.select_related("actor")]
    if certificate is not None:
        timeline += [
            (reminder.sent_at, None, reminder)
            for reminder in certificate.reminders.filter(sent_at__isnull=False)
        ]
    timeline.sort(key=lambda item: item[0])
    return render(
        request,
        "applications/application_detail.html",
        {
            "application": application,
            "timeline": timeline,
            "renewable": services.application_renewable(application=application),
            "checks": application_checks(application=application)
            if application.is_editable
            else [],
            **result_panel(application.breakdown, rule_set=rules.of(application)),
            "next_step": next_step(application),
            "polling": application.status in POLL_STATUSES,
            "certificate": certificate,
            "documents": application.product.documents.all(),
        },
    )


@login_required
@require_GET
def application_status(request: HttpRequest, public_id) -> HttpResponse:
    """The small status card, polled by htmx every 2 s while the worker is busy (no reload)."""
    application = _owned_application(request, public_id)
    return render(
        request,
        "applications/_status.html",
        {
            "application": application,
            "next_step": next_step(application),
            "polling": application.status in POLL_STATUSES,
            "refreshed": application.status not in POLL_STATUSES,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_edit(request: HttpRequest, public_id) -> HttpResponse:
    """The cost lines of a draft: four formsets on one page, saved as a draft at any time."""
    application = _owned_application(request, public_id)
    if not application.is_editable:
        messages.info(request, _("Permohonan ini sudah diajukan dan hanya dapat dilihat."))
        return redirect("applications:application_detail", public_id=application.public_id)
    # A draft follows the rule set in force today (a revision keeps its own, spec §8).
    changed_from = services.application_follow_rule_set(application=application)
    if changed_from:
        messages.info(
            request,
            _(
                "Sejak %(date)s berlaku aturan %(new)s (%(basis)s); draf ini dihitung dengan "
                "aturan tersebut. Lengkapi isian baru yang diminta: asal setiap bahan dan "
                "fasilitas produksi pada data produk."
            )
            % {
                "date": date_format(rules.of(application).in_force_from, "j F Y"),
                "new": application.rule_set,
                "basis": rules.of(application).legal_basis_short,
            },
        )
    rule_set = rules.of(application)
    if request.method == "POST":
        formsets = line_formsets(application, request.POST, request.FILES, rule_set=rule_set)
        if all(fs.is_valid() for fs in formsets.values()):
            try:
                services.application_draft_save(application=application, formsets=formsets.values())
            except WorkflowError as error:
                messages.error(request, error.message)
                return redirect("applications:application_detail", public_id=public_id)
            except ValidationError as error:
                messages.error(request, "; ".join(error.messages))
            else:
                messages.success(request, _("Draf disimpan."))
                if request.POST.get("then") == "submit":
                    return redirect("applications:application_submit", public_id=public_id)
                return redirect("applications:application_edit", public_id=public_id)
        # Invalid rows: the page comes back with its error summary (a link to each field).
    else:
        formsets = line_formsets(application, rule_set=rule_set)
    # The initial value panel: the engine on the saved lines (the same as the preview's).
    incomplete = []
    if request.method == "GET":
        result, error = _saved_result(application)
    else:
        # Re-shown with errors: the value of what was typed, as the live preview showed it.
        result, error, incomplete = _calculate(
            formsets, request.POST, rule_set, application.product.facility
        )
    return render(
        request,
        "applications/application_form.html",
        {
            "application": application,
            "product": application.product,
            "formsets": formsets,
            "checks": application_checks(application=application),
            "material_origin_help": MATERIAL_ORIGIN_HELP,
            **result_panel(result, error=error, incomplete=incomplete, rule_set=rule_set),
        },
    )


@login_required
@require_POST
def application_preview(request: HttpRequest, public_id) -> HttpResponse:
    """The live TKDN-IK value of the posted, unsaved form (same engine as the worker)."""
    application = _owned_application(request, public_id)
    rule_set = rules.of(application)
    formsets = line_formsets(application, request.POST, None, rule_set=rule_set)
    return _calculate_preview(request, formsets, rule_set, application.product.facility)


@login_required
@require_http_methods(["GET", "POST"])
def application_submit(request: HttpRequest, public_id) -> HttpResponse:
    """Confirmation page: full summary, checklist, declaration; then submit."""
    application = _owned_application(request, public_id)
    if not application.is_editable:
        return redirect("applications:application_detail", public_id=public_id)
    checks = application_checks(application=application)
    form = SubmitForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_submit(application=application, actor=request.user, declared=True)
        except WorkflowError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("Permohonan diajukan. Nilai TKDN-IK sedang dihitung oleh sistem.")
            )
            return redirect("applications:application_detail", public_id=public_id)
    result, _error = _saved_result(application)
    return render(
        request,
        "applications/application_submit.html",
        {
            "application": application,
            "product": application.product,
            "company": application.product.company,
            "documents": application.product.company.documents.filter(
                Q(product__isnull=True) | Q(product=application.product)
            ),
            "checks": checks,
            "blocked": any(not c.ok for c in checks),
            "form": form,
            **result_panel(result, rule_set=rules.of(application)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_withdraw(request: HttpRequest, public_id) -> HttpResponse:
    """GET: a confirmation page (no script needed, works on a phone); POST: withdraw.

    A page left open while the status changed (the worker computed the value, an official
    decided) gets a message saying so, never an error page.
    """
    application = _owned_application(request, public_id)
    detail = redirect("applications:application_detail", public_id=public_id)
    if not application.can_withdraw:
        messages.error(
            request,
            _(
                "Permohonan ini tidak dapat dibatalkan lagi: statusnya sekarang %(status)s. "
                "Halaman ini menampilkan status terbarunya."
            )
            % {"status": application.get_status_display()},
        )
        return detail
    if request.method == "POST":
        try:
            services.application_withdraw(application=application, actor=request.user)
        except WorkflowError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Permohonan dibatalkan."))
        return detail
    return render(request, "applications/application_withdraw.html", {"application": application})


@login_required
@require_POST
def application_copy(request: HttpRequest, public_id) -> HttpResponse:
    application = _owned_application(request, public_id)
    try:
        new = services.application_copy(application=application, actor=request.user)
    except (WorkflowError, ValidationError) as error:
        messages.error(request, getattr(error, "message", None) or "; ".join(error.messages))
        return redirect("applications:application_detail", public_id=public_id)
    messages.success(
        request, _("Draf baru dibuat dari permohonan sebelumnya. Perbaiki lalu ajukan.")
    )
    if new.rule_set != application.rule_set:
        rule_set = rules.of(new)
        messages.info(
            request,
            _(
                "Permohonan lama dihitung dengan aturan %(old)s; draf baru memakai aturan yang "
                "berlaku sekarang, %(new)s (%(basis)s). Isian baru: asal setiap bahan (lokal, "
                "mengandung impor, impor, atau bersertifikat TKDN) dan fasilitas produksi pada "
                "data produk."
            )
            % {
                "old": application.rule_set,
                "new": rule_set.code,
                "basis": rule_set.legal_basis_short,
            },
        )
    return redirect("applications:application_edit", public_id=new.public_id)


@login_required
@require_http_methods(["GET", "POST"])
def application_renew(request: HttpRequest, public_id) -> HttpResponse:
    """ "Perbarui sertifikat": GET explains (the reminder e-mail links here), POST renews."""
    application = _owned_application(request, public_id)
    certificate = getattr(application, "certificate", None)
    open_application = (
        Application.objects.filter(
            product=application.product, status__in=Application.OPEN_STATUSES
        )
        .exclude(pk=application.pk)
        .first()
    )
    if open_application is not None:
        messages.info(
            request,
            _("Produk ini sudah memiliki permohonan yang berjalan; lanjutkan permohonan itu."),
        )
        return redirect("applications:application_detail", public_id=open_application.public_id)
    if request.method == "POST":
        try:
            new = services.application_renew(application=application, actor=request.user)
        except (WorkflowError, ValidationError) as error:
            messages.error(request, getattr(error, "message", None) or "; ".join(error.messages))
            return redirect("applications:application_renew", public_id=public_id)
        rule_set = rules.of(new)
        messages.success(
            request,
            _(
                "Draf pembaruan dibuat dengan data permohonan sebelumnya, menurut aturan yang "
                "berlaku sekarang, %(code)s (%(basis)s). Periksa setiap isian, lalu ajukan."
            )
            % {"code": rule_set.code, "basis": rule_set.legal_basis_short},
        )
        return redirect("applications:application_edit", public_id=new.public_id)
    return render(
        request,
        "applications/application_renew.html",
        {
            "application": application,
            "certificate": certificate,
            "renewable": services.application_renewable(application=application),
            "rule_set": rules.in_force(),
            "window_days": rules.of(application).renewal_window_days,
        },
    )


# --- Documents and files ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def documents(request: HttpRequest) -> HttpResponse:
    """Upload the NIB/licence document and product photos; list what is stored."""
    company = _require_company(request)
    if company is None:
        return redirect("applications:company")
    form = DocumentForm(
        request.POST if request.method == "POST" else None, request.FILES or None, company=company
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.document_upload(
                company=company,
                kind=form.cleaned_data["kind"],
                file=form.cleaned_data["file"],
                product=form.cleaned_data.get("product"),
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            messages.success(request, _("Dokumen diunggah."))
            return redirect("applications:documents")
    return render(
        request,
        "applications/documents.html",
        {"form": form, "documents": company.documents.select_related("product")},
    )


@login_required
@require_POST
def document_delete(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_object_or_404(SupportingDocument, pk=pk, company__owner=request.user)
    try:
        services.document_delete(document=document)
    except WorkflowError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Dokumen dihapus."))
    return redirect("applications:documents")


FILE_KINDS = ("material", "component", "development", "document", "nie")


@login_required
@require_GET
def file_download(request: HttpRequest, kind: str, pk: int) -> FileResponse:
    """Serve one private evidence file after checking access.

    URL: ``reverse("applications:file_download", kwargs={"kind": kind, "pk": pk})`` where
    ``kind`` is ``"material"`` (``MaterialLine.purchase_proof``, pk of the line),
    ``"development"`` (``DevelopmentItem.evidence``, pk of the item), ``"document"``
    (``SupportingDocument.file``, pk of the document) or ``"nie"`` (``Product.nie_file``, pk of
    the product). Access follows ``applications_with_evidence_visible_to``: an owner gets their
    own files; an official gets the files of applications in their jurisdiction from submission
    on, never a draft's (documents and NIE files of a company with at least one such
    application). Anything else is a 404, never a hint that the file exists.
    """
    visible = applications_with_evidence_visible_to(request.user)
    if kind == "material":
        line = get_object_or_404(MaterialLine, pk=pk, application__in=visible)
        field, name = line.purchase_proof, f"bukti-pembelian-{line.pk}"
    elif kind == "component":
        line = get_object_or_404(MaterialLine, pk=pk, application__in=visible)
        field, name = line.component_certificate, f"sertifikat-tkdn-komponen-{line.pk}"
    elif kind == "development":
        item = get_object_or_404(DevelopmentItem, pk=pk, application__in=visible)
        field, name = item.evidence, f"bukti-{item.kind.lower()}-{item.pk}"
    elif kind == "document":
        document = get_object_or_404(
            SupportingDocument.objects.filter(
                Q(company__owner=request.user) | Q(company__products__applications__in=visible)
            ).distinct(),
            pk=pk,
        )
        field, name = document.file, document.original_name
    elif kind == "nie":
        product = get_object_or_404(
            Product.objects.filter(
                Q(company__owner=request.user) | Q(applications__in=visible)
            ).distinct(),
            pk=pk,
        )
        field, name = product.nie_file, f"nie-{product.pk}"
    else:
        raise Http404
    if not field:
        raise Http404
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    # The type served is what the content is (first bytes) AND what the stored name says; a
    # file stored before uploads were checked by content, or one whose content does not match
    # its name, is served as opaque bytes to save, never shown in the browser.
    import filetype

    head = handle.read(8192)
    handle.seek(0)
    kind = filetype.guess(head)
    detected = kind.mime if kind is not None else None
    extension = services.ALLOWED_UPLOAD_TYPES.get(detected)
    stored_suffix = field.name.rsplit(".", 1)[-1].lower()
    if stored_suffix == "jpeg":  # stored before issue 16 under the uploaded name's extension
        stored_suffix = "jpg"
    safe = extension is not None and stored_suffix == extension
    content_type = detected if safe else "application/octet-stream"
    suffix = "." + extension if safe else ".bin"
    if not name.lower().endswith(suffix):
        name += suffix
    response = FileResponse(
        handle, as_attachment=not safe, filename=name, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- Public calculator ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def calculator(request: HttpRequest) -> HttpResponse:
    """The public "Kalkulator TKDN-IK": try the calculation before registering (nothing saved).

    A POST from the page's script (header ``X-Preview``) gets only the result panel; a POST
    without script renders the whole page with the result.
    """
    rule_set = rules.in_force()
    if request.method == "POST":
        formsets = calculator_formsets(request.POST, rule_set=rule_set)
        facility_form = FacilityForm(request.POST)
        facility = facility_form.cleaned_data["facility"] if facility_form.is_valid() else None
        if request.headers.get("X-Preview"):
            return _calculate_preview(request, formsets, rule_set, facility)
        result, error, incomplete = _calculate(formsets, request.POST, rule_set, facility)
    else:
        formsets = calculator_formsets(rule_set=rule_set)
        facility_form = FacilityForm()
        result, error, incomplete = None, "", []
    return render(
        request,
        "applications/calculator.html",
        {
            "formsets": formsets,
            "facility_form": facility_form if rule_set.uses_facility else None,
            "material_origin_help": MATERIAL_ORIGIN_HELP,
            **result_panel(result, error=error, incomplete=incomplete, rule_set=rule_set),
        },
    )
