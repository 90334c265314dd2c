"""Region scoping of the admin: an official sees only rows of their jurisdiction.

Everything goes through ``applications.selectors.application_scope`` (the rule of
``applications_visible_to``); an object outside the scope answers 404
(``tkdnportal.admin.NotFoundOutsideScopeMixin``). Used here and by the certificate admin
(``registry.admin``).

The scope is a condition on the rows' own joins, not ``application IN (SELECT ...)``: for the
all-region administrators there is no condition at all, for a dinas official a join on the
company's region (issue 17: the subquery made every changelist query of a million certificates
a full scan).
"""

from applications.models import Application, Province, Regency
from applications.selectors import application_scope, official_regions
from tkdnportal.admin import NotFoundOutsideScopeMixin
from tkdnportal.pagination import PlannedPaginator


class ApplicationScopedMixin(NotFoundOutsideScopeMixin):
    """Rows that belong to an application (``application_path``) the official may see."""

    application_path = "application__"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        scope = application_scope(request.user, self.application_path)
        return qs.none() if scope is None else qs.filter(scope)


class ScopedCompanyMixin(NotFoundOutsideScopeMixin):
    """Companies and products of the official's jurisdiction only (via their applications)."""

    company_path = ""

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        user = request.user
        if user.is_superuser:
            return qs
        scope = application_scope(user)
        if scope is None:
            return qs.none()
        visible = Application.objects.filter(scope).exclude(status=Application.Status.DRAFT)
        key = f"{self.company_path}pk__in" if self.company_path else "pk__in"
        return qs.filter(**{key: visible.values("product__company_id")})


def provinces_in_scope(request):
    """The provinces an admin user may filter by: all of them, or the official's own (reference
    data; no scan of the rows)."""
    regions = official_regions(request.user)
    if regions is None:
        return Province.objects.none()
    province, _regency = regions
    provinces = Province.objects.order_by("name")
    return provinces if province is None else provinces.filter(code=province)


def own_province(request) -> str | None:
    """The official's own province, or ``None`` for a nationwide admin (or no scope at all)."""
    regions = official_regions(request.user)
    return None if regions is None else regions[0]


def regencies_in_scope(request, province: str | None = None):
    """The regencies/cities an admin user may filter by, optionally within ``province``."""
    regions = official_regions(request.user)
    if regions is None:
        return Regency.objects.none()
    own_province, own_regency = regions
    regencies = Regency.objects.order_by("name")
    if own_regency:
        regencies = regencies.filter(code=own_regency)
    elif own_province:
        regencies = regencies.filter(province_id=own_province)
    if province:
        regencies = regencies.filter(province_id=province)
    return regencies


class RegionalPlanMixin:
    """A large changelist (``PlannedPaginator``) of rows a regional official sees one region of.

    A walk of the whole table's order checks about 38 rows for each of theirs (a common word in
    one province: 1.0 s). Where the rows carry an indexed copy of their region in the list's
    order (``held_in``: certificates, applications on PostgreSQL), the official's list is
    narrowed through it and its page walked within the region; elsewhere their pages are not
    walked (collecting the region's matches and sorting them)."""

    #: ``held_in(queryset, province=..., regency=...)``: ``queryset`` narrowed to a region
    #: through such a copy, or ``queryset`` itself where there is none (SQLite). A staticmethod.
    held_in = None

    def held_in_region(self, request, queryset):
        """``queryset`` narrowed by ``held_in`` to the official's region (unchanged for
        nationwide users); the caller keeps the scope's join, which decides."""
        regions = official_regions(request.user)
        if self.held_in is None or regions is None or regions[0] is None:
            return queryset
        province, regency = regions
        return self.held_in(queryset, province=province, regency=regency)

    def region_rows(self, request):
        """The official's region's part of the table in the list's order, or ``None``."""
        everything = self.model._default_manager.all()
        held = self.held_in_region(request, everything)
        return None if held is everything else held

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        paginator = super().get_paginator(
            request, queryset, per_page, orphans, allow_empty_first_page
        )
        if isinstance(paginator, PlannedPaginator) and own_province(request):
            paginator.walk_within = self.region_rows(request)
            if paginator.walk_within is None:
                paginator.walk_rows = 0
        return paginator
