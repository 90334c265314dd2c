"""Region scoping of the admin: an official sees only rows of their jurisdiction.

Everything goes through ``applications.selectors.applications_visible_to``; an object outside
the scope answers 404 (``tkdnportal.admin.NotFoundOutsideScopeMixin``). Used here and by the
certificate admin (``registry.admin``).
"""

from applications.models import Application
from applications.selectors import applications_visible_to
from tkdnportal.admin import NotFoundOutsideScopeMixin


class ApplicationScopedMixin(NotFoundOutsideScopeMixin):
    """Rows that belong to an application (``application_path``) the official may see."""

    application_path = "application__"

    def get_queryset(self, request):
        visible = applications_visible_to(request.user)
        return super().get_queryset(request).filter(**{f"{self.application_path}in": visible})


class ScopedCompanyMixin(NotFoundOutsideScopeMixin):
    """Companies and products of the official's jurisdiction only (via their applications)."""

    company_path = ""

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        user = request.user
        if user.is_superuser:
            return qs
        visible = applications_visible_to(user).exclude(status=Application.Status.DRAFT)
        key = f"{self.company_path}pk__in" if self.company_path else "pk__in"
        return qs.filter(**{key: visible.values("product__company_id")})
