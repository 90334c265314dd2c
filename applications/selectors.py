"""Non-trivial reads of the application workflow."""

import dataclasses
import datetime

from django.db import connections
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

from . import calculation
from .models import Application
from .rules import of as rules_of

# Group names (created by a data migration): region-scoped reviewers and all-region administrators.
OFFICIAL_GROUP = "Petugas Dinas"
NATIONAL_ADMIN_GROUP = "Administrator Kemenperin"


def application_calculation_input(
    *, application: Application, rule_set: calculation.RuleSet | None = None
) -> calculation.CalculationInput:
    """The engine's input built from an application's stored lines, for ``rule_set`` (default:
    the application's own set).

    Used by the worker and by the live preview, so both compute from the same rules. Applies the
    evidence rules of spec §3 before the engine sees the data: a domestic material line without an
    uploaded purchase proof counts as foreign (under IK-2025: as imported), and a development item
    counts only with its number and file. Under a set with a facility factor (IK-2025) the
    product's production facility goes in; a blank one is left out so the engine names it.
    """
    rules = rule_set or rules_of(application)
    materials = []
    for line in application.materials.all():
        if rules.uses_origin:
            origin = line.counted_origin
            materials.append(
                calculation.MaterialLine(
                    name=line.name,
                    qty_per_unit=line.qty_per_unit,
                    unit_price_rp=line.unit_price_rp,
                    origin=origin,
                    component_tkdn_pct=line.component_tkdn if origin == "certified" else None,
                )
            )
        else:
            materials.append(
                calculation.MaterialLine(
                    name=line.name,
                    qty_per_unit=line.qty_per_unit,
                    unit_price_rp=line.unit_price_rp,
                    domestic=line.counts_as_domestic,
                )
            )
    labour = tuple(
        calculation.LabourLine(
            role=line.role, cost_per_unit_rp=line.cost_per_unit_rp, citizenship=line.citizenship
        )
        for line in application.labour.all()
    )
    overhead = tuple(
        calculation.OverheadLine(
            kind=line.kind, cost_per_unit_rp=line.cost_per_unit_rp, domestic=line.domestic
        )
        for line in application.overhead.all()
    )
    development = frozenset(
        item.kind for item in application.development.all() if item.is_evidenced
    )
    facility = (application.product.facility or None) if rules.uses_facility else None
    return calculation.CalculationInput(
        materials=tuple(materials),
        labour=labour,
        overhead=overhead,
        development=development,
        facility=facility,
    )


#: ``application_scope``'s answer for a user who sees every region (no condition at all).
EVERY_REGION = Q()


def sees_every_region(user) -> bool:
    """Whether ``user`` is a superuser or an "Administrator Kemenperin" (every region).

    Remembered on the user object, which lives for one request: a changelist asks it for its
    scope, its filters and its menu (four queries of the group table before)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    known = getattr(user, "_sees_every_region", None)
    if known is None:
        known = user.groups.filter(name=NATIONAL_ADMIN_GROUP).exists()
        user._sees_every_region = known
    return known


def application_scope(user, path: str = "") -> Q | None:
    """The rule of ``applications_visible_to`` as a condition on the application at ``path``
    (``""`` for an application, ``"application__"`` for a certificate), or ``None`` for nobody.

    ``EVERY_REGION`` (an empty ``Q``) for superusers and "Administrator Kemenperin": no condition,
    so their lists are not filtered through a subquery of every application (the certificate
    admin at a million rows: seconds). A dinas official's region is a plain join on the
    company's region columns, which the planner can drive from either side.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if sees_every_region(user):
        return EVERY_REGION
    company = f"{path}product__company__"
    official = getattr(user, "official", None) if user.is_staff else None
    if official is not None:
        if official.regency_id:
            return Q(**{f"{company}regency_id": official.regency_id})
        return Q(**{f"{company}province_id": official.province_id})
    return Q(**{f"{company}owner": user})


def official_regions(user) -> tuple[str | None, str | None] | None:
    """(province code, regency code) an admin user is limited to: ``(None, None)`` for every
    region, ``(province, None)`` or ``(province, regency)`` for a dinas official, ``None`` for
    anyone else. Filter choices come from here, never from a scan of the rows."""
    scope = application_scope(user)
    if scope is None:
        return None
    if scope == EVERY_REGION:
        return (None, None)
    official = getattr(user, "official", None) if user.is_staff else None
    if official is None:
        return None
    return (official.province_id, official.regency_id or None)


def applications_visible_to(user):
    """The applications ``user`` may see: the one rule for admin, file downloads and views.

    Superusers and "Administrator Kemenperin" see every region; a dinas official sees the
    applications whose company factory lies in their jurisdiction (a province, or one
    regency/city); an owner sees their own company's; anyone else sees none
    (``application_scope``).
    """
    qs = Application.objects.select_related("product__company")
    scope = application_scope(user)
    if scope is None:
        return qs.none()
    return qs.filter(scope)


def applications_held_in(queryset, *, province: str, regency: str | None = None):
    """``queryset`` narrowed to the applications whose company's factory is in ``province``
    (and ``regency``), through the application's own copy of its company's region
    (``company_province``/``company_regency``: PostgreSQL columns outside the model, kept by
    triggers, indexed in the admin's order: migrations 0012 and 0013). Redundant with
    ``application_scope``'s join, which the caller keeps and which still decides; it lets a
    regional official's page be walked within the region (a common word in one province:
    1.1 s collecting and sorting 42,388 matches). SQLite has no such columns: unchanged."""
    if connections[queryset.db].vendor != "postgresql":
        return queryset
    column, code = ("company_regency", regency) if regency else ("company_province", province)
    table = queryset.model._meta.db_table
    # The column name is one of two constants; the code is a bound parameter.
    held = RawSQL(f'"{table}"."{column}" = %s', [code], output_field=BooleanField())  # noqa: S611
    return queryset.filter(held)


def applications_with_evidence_visible_to(user):
    """The applications whose evidence files ``user`` may download (``file_download``).

    Those of ``applications_visible_to``, but an application that was never submitted (a DRAFT,
    or one withdrawn as a draft) is the owner's workspace: its files are the owner's alone, and
    an official of the region sees them from submission on, as the admin lists applications
    from submission on (superusers, the technical administrators, see drafts there too).
    """
    qs = applications_visible_to(user)
    if not getattr(user, "is_authenticated", False) or user.is_superuser:
        return qs
    never_submitted = Q(status=Application.Status.DRAFT) | Q(
        status=Application.Status.WITHDRAWN, submitted_at__isnull=True
    )
    return qs.exclude(never_submitted & ~Q(product__company__owner=user))


def applications_stalled(*, status: str, older_than_seconds: int | None = None) -> list[int]:
    """Ids of applications waiting in ``status`` (SUBMITTED/APPROVED) for the worker too long.

    Used by the periodic sweep; every transition bumps ``updated_at``, so it is the time the
    application entered its waiting state.
    """
    import datetime

    from django.conf import settings
    from django.utils import timezone

    seconds = (
        older_than_seconds if older_than_seconds is not None else settings.TKDN_SWEEP_AFTER_SECONDS
    )
    cutoff = timezone.now() - datetime.timedelta(seconds=seconds)
    return list(
        Application.objects.filter(status=status, updated_at__lt=cutoff)
        .order_by("updated_at")
        .values_list("pk", flat=True)[:500]
    )


@dataclasses.dataclass(frozen=True)
class HeldCertificate:
    """The certificate a product holds today, and when its renewal may be asked for."""

    number: str
    until: datetime.date
    renewal_opens: datetime.date
    application: Application

    def renewal_open(self, today: datetime.date) -> bool:
        return today >= self.renewal_opens


def product_held_certificate(*, product, today: datetime.date) -> HeldCertificate | None:
    """The product's certificate still in force on ``today`` (issued or extended, not revoked,
    not past its end), or ``None``.

    Used by the owner's dashboard and product list (apply, renew, or nothing) and by
    ``services.application_start``, which refuses a new application for a certified product
    before the renewal window of its rule set opens.
    """
    issued = (
        Application.objects.filter(
            product=product, status__in=[Application.Status.ISSUED, Application.Status.EXTENDED]
        )
        .select_related("certificate")
        .order_by("-updated_at")
    )
    for application in issued:
        certificate = getattr(application, "certificate", None)
        if certificate is None or certificate.status != "VALID":
            continue
        until = certificate.extended_until or certificate.valid_until
        if until < today:
            continue
        window = rules_of(application).renewal_window_days
        return HeldCertificate(
            number=certificate.number,
            until=until,
            renewal_opens=until - datetime.timedelta(days=window),
            application=application,
        )
    return None
