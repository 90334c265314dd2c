"""Pages of the supplier finder (``/pemasok/``): public, no account, never personal data.

The shortlist lives in the buyer's session and changes only by POST forms (works without
JavaScript); the finder page is cached like the lookup for readers without a session.
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tkdnportal.spreadsheets import TABLE_FORMATS, table_response

from . import finder, procurement
from .throttling import throttled
from .views import _csrf_context, public_page_cache


@require_GET
@throttled
@public_page_cache
def supplier_finder(request: HttpRequest) -> HttpResponse:
    """Search certified suppliers by need, words, region and minimum TKDN-IK; nearest first."""
    searched = any(request.GET.get(name) for name in finder.SupplierFinderForm.base_fields)
    params = request.GET.copy()
    more = params.pop("lebih", [""])[-1]
    more = more if more in finder.TIER_SCOPES else ""
    form = finder.SupplierFinderForm(params or None)
    tiers = []
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        tiers = finder.supplier_search(
            text=data["q"],
            category=data["category"],
            province=data["province"],
            regency=data["regency"],
            min_tkdn=data["min_tkdn"],
            more=more,
        )
    elif not form.is_bound:
        # First visit: the best-valued valid products in the country, as an example.
        tiers = finder.supplier_search()
    shortlisted = set(finder.shortlist_numbers(request.session))
    return render(
        request,
        "registry/suppliers.html",
        {
            "form": form,
            "region_options": form.region_options(),
            "needs": procurement.NEEDS,
            "tiers": tiers,
            "searched": searched,
            "found": sum(tier.count for tier in tiers),
            "shortlisted": shortlisted,
            "shortlist_count": len(shortlisted),
            "preference_min": procurement.PREFERENCE_MIN_TKDN,
            "mandatory_min": procurement.MANDATORY_MIN_TKDN,
            "here": request.get_full_path(),
            "query": params.urlencode(),
            "more": more,
            **_csrf_context(request),
        },
    )


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("registry:shortlist")


@require_POST
@throttled
def shortlist_change(request: HttpRequest) -> HttpResponse:
    """Add, remove or clear shortlist entries (POST forms on the finder and shortlist pages)."""
    action = request.POST.get("action", "")
    number = request.POST.get("number", "").strip()[:40]
    if action == "add":
        if finder.shortlist_add(request.session, number=number):
            messages.success(request, _("Produk ditambahkan ke daftar pendek."))
        else:
            messages.error(
                request,
                _(
                    "Produk tidak dapat ditambahkan: sertifikatnya tidak berlaku lagi atau "
                    "daftar pendek sudah penuh (%(max)s produk)."
                )
                % {"max": finder.SHORTLIST_MAX},
            )
    elif action == "remove":
        finder.shortlist_remove(request.session, number=number)
        messages.info(request, _("Produk dihapus dari daftar pendek."))
    elif action == "clear":
        finder.shortlist_clear(request.session)
        messages.info(request, _("Daftar pendek dikosongkan."))
    else:
        messages.error(request, _("Permintaan tidak dikenali."))
    return redirect(_back(request))


@require_GET
@throttled
def shortlist(request: HttpRequest) -> HttpResponse:
    """The buyer's shortlist; ``?format=csv`` or ``xlsx`` downloads it (printing uses the
    print stylesheet)."""
    today = timezone.localdate()
    certificates = finder.shortlist_certificates(finder.shortlist_numbers(request.session))
    fmt = request.GET.get("format")
    if fmt is not None:
        if fmt not in TABLE_FORMATS:
            raise Http404
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return table_response(
            fmt,
            f"daftar-pendek-pemasok-{stamp}",
            finder.shortlist_header(),
            finder.shortlist_rows(certificates, today=today),
            title=_("Daftar pendek"),
        )
    rows = [
        (
            certificate,
            certificate.effective_status(today),
            certificate.application.product.company.buyer_contact(),
        )
        for certificate in certificates
    ]
    return render(
        request,
        "registry/shortlist.html",
        {
            "rows": rows,
            "today": today,
            "mandatory_min": procurement.MANDATORY_MIN_TKDN,
            "here": request.get_full_path(),
        },
    )
