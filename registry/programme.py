"""Read-only figures of the regional programme (issue 15): coverage, targets, funnel, service level.

Everything is aggregated in the database (COUNT ... GROUP BY) and scoped by a ``Region``: the
whole country, a province, or one regency/city. ``region_of(user)`` is the one rule for which
region a user may see: superusers and national administrators every region (they choose), a dinas
official their own jurisdiction and nothing else.

``dashboard_sections`` lists the dashboard's figures in order; each is computed by one function
of this module and downloadable as CSV/XLSX. The outreach events (another module) plug in there.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications import rules
from applications.models import (
    Application,
    Event,
    Province,
    Regency,
    Registration,
    StatusChange,
    SupportingDocument,
)
from applications.outreach import events_with_conversion
from applications.reasons import ReasonCode
from applications.selectors import sees_every_region
from applications.workdays import holiday_dates, working_days_between

from .models import Certificate, CertificateReminder, ProgrammeTarget, RegionPopulation

#: The renewal window and the reminder steps live in one place (``applications.rules``).
EXPIRING_WITHIN_DAYS = max(rules.EXPIRY_REMINDER_DAYS)
DEMO_SOURCE_PREFIX = "Data demo"
HUNDRED = Decimal(100)


# --- Regions and scope ----------------------------------------------------------------------


@dataclass(frozen=True)
class Region:
    """The whole country (both empty), a province, or a regency/city within a province."""

    province_id: str = ""
    regency_id: str = ""
    name: str = field(default="", compare=False)

    @property
    def is_national(self) -> bool:
        return not self.province_id

    @property
    def code(self) -> str:
        return self.regency_id or self.province_id

    def q(self, province: str, regency: str) -> Q:
        """The filter "lies in this region" for a row whose region fields are given by path."""
        if self.regency_id:
            return Q(**{regency: self.regency_id})
        if self.province_id:
            return Q(**{province: self.province_id})
        return Q()

    def covers(self, province_id: str, regency_id: str | None) -> bool:
        """Whether a row of (province, regency) lies inside this region."""
        if self.regency_id:
            return regency_id == self.regency_id
        if self.province_id:
            return province_id == self.province_id
        return True


NATIONAL = Region(name=gettext_lazy("Nasional"))


def region_named(code: str) -> Region | None:
    """The region of a code (``""`` national, ``32`` a province, ``32.73`` a regency)."""
    code = (code or "").strip()
    if not code:
        return NATIONAL
    if "." in code:
        regency = Regency.objects.filter(code=code).first()
        if regency is None:
            return None
        return Region(regency.province_id, regency.code, regency.name)
    province = Province.objects.filter(code=code).first()
    return Region(province.code, "", province.name) if province else None


def user_is_national(user) -> bool:
    return sees_every_region(user)


def region_of(user) -> Region | None:
    """The region ``user`` sees by default; ``None`` when they may see no programme figures."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user_is_national(user):
        return NATIONAL
    official = getattr(user, "official", None) if user.is_staff else None
    if official is None:
        return None
    if official.regency_id:
        return Region(official.province_id, official.regency_id, official.regency.name)
    return Region(official.province_id, "", official.province.name)


def region_allowed(user, region: Region) -> bool:
    """Whether ``user`` may see ``region``: nationals any, an official only inside their own."""
    own = region_of(user)
    if own is None:
        return False
    if own.is_national:
        return True
    if own.regency_id:
        return region.regency_id == own.regency_id
    return region.province_id == own.province_id


def rows_in_scope(queryset, user):
    """Populations or targets ``user`` may see (the admin's queryset)."""
    own = region_of(user)
    if own is None:
        return queryset.none()
    return queryset.filter(own.q("province_id", "regency_id"))


# --- Coverage (public) ----------------------------------------------------------------------


def latest_populations() -> dict[str, RegionPopulation]:
    """The population used for each region (key: province or regency code): its latest data
    year, and within that year the latest entry (history is kept, never overwritten)."""
    latest: dict[str, RegionPopulation] = {}
    for row in RegionPopulation.objects.order_by("year", "entered_at", "id"):
        latest[row.regency_id or row.province_id] = row
    return latest


def _percent(part: int, whole: int | None) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


def _coverage_row(code: str, name: str, certified: int, population) -> dict:
    return {
        "code": code,
        "name": name,
        "certified_ikm": certified,
        "population": population.ikm_count if population else None,
        "population_year": population.year if population else None,
        "source": population.source if population else "",
        "demo": bool(population and population.source.startswith(DEMO_SOURCE_PREFIX)),
        "coverage_pct": _percent(certified, population.ikm_count) if population else None,
    }


def coverage_compute(*, today: datetime.date | None = None) -> dict:
    """Certified IKM (companies with at least one valid certificate), population and coverage
    per province, and per regency/city wherever a population or a certificate exists.

    A certified IKM is counted by its NIB in the region printed on its certificates (the issued
    snapshot). A region without a population entry has ``population`` and ``coverage_pct``
    ``None`` ("no data"): the portal never invents a denominator.
    """
    today = today or timezone.localdate()
    valid = Certificate.objects.alias(expiry=Coalesce("extended_until", "valid_until")).filter(
        status=Certificate.Status.VALID, expiry__gte=today
    )
    by_province = dict(
        valid.values("province_id")
        .annotate(n=Count("company_nib", distinct=True))
        .values_list("province_id", "n")
    )
    by_regency = dict(
        valid.values("regency_id")
        .annotate(n=Count("company_nib", distinct=True))
        .values_list("regency_id", "n")
    )
    populations = latest_populations()
    provinces = [
        _coverage_row(code, name, by_province.get(code, 0), populations.get(code))
        for code, name in Province.objects.order_by("code").values_list("code", "name")
    ]
    wanted = set(by_regency) | {code for code in populations if "." in code}
    regencies = [
        _coverage_row(code, name, by_regency.get(code, 0), populations.get(code))
        | {"province": province_id}
        for code, name, province_id in Regency.objects.filter(code__in=wanted)
        .order_by("code")
        .values_list("code", "name", "province_id")
    ]
    return {"provinces": provinces, "regencies": regencies}


# --- Dashboard figures ----------------------------------------------------------------------


def _year_range(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def _users_in_region(region: Region):
    users = get_user_model().objects.filter(is_staff=False)
    if region.is_national:
        return users
    return users.filter(region.q("company__province_id", "company__regency_id"))


def target_actuals(*, region: Region, year: int) -> dict[str, int | None]:
    """What happened in ``region`` in ``year`` for each target metric (``None``: not measured
    here; owners trained come from the outreach events module, see ``ACTUAL_PROVIDERS``)."""
    start, end = _year_range(year)
    applications = Application.objects.filter(
        region.q("product__company__province_id", "product__company__regency_id")
    )
    actuals: dict[str, int | None] = {
        ProgrammeTarget.Metric.CERTIFICATES_ISSUED: Certificate.objects.filter(
            region.q("province_id", "regency_id"), issue_date__gte=start, issue_date__lte=end
        ).count(),
        ProgrammeTarget.Metric.APPLICATIONS_SUBMITTED: applications.filter(
            submitted_at__date__gte=start, submitted_at__date__lte=end
        ).count(),
        ProgrammeTarget.Metric.OWNERS_REGISTERED: _users_in_region(region)
        .filter(date_joined__date__gte=start, date_joined__date__lte=end)
        .count(),
        ProgrammeTarget.Metric.OWNERS_TRAINED: None,
    }
    for metric, provider in ACTUAL_PROVIDERS.items():
        actuals[metric] = provider(region=region, year=year)
    return actuals


#: Metric → function(region=, year=) giving the actual number (OWNERS_TRAINED: distinct owners
#: who attended an outreach event, ``owners_trained`` below).
ACTUAL_PROVIDERS: dict[str, Callable[..., int]] = {}


def targets_progress(*, region: Region, year: int) -> list[dict]:
    """The targets of exactly this region and year with their progress (actual / target)."""
    targets = ProgrammeTarget.objects.filter(
        province_id=region.province_id or None,
        regency_id=region.regency_id or None,
        year=year,
    ).order_by("metric")
    if region.is_national:
        # Nationally: the sum of every province's own targets (regencies are inside them).
        rows = (
            ProgrammeTarget.objects.filter(year=year, regency__isnull=True)
            .values("metric")
            .annotate(total=Coalesce(Sum("target"), 0))
            .order_by("metric")
        )
        targets = [(row["metric"], row["total"]) for row in rows]
    else:
        targets = [(t.metric, t.target) for t in targets]
    if not targets:
        return []
    actuals = target_actuals(region=region, year=year)
    labels = dict(ProgrammeTarget.Metric.choices)
    result = []
    for metric, target in targets:
        actual = actuals.get(metric)
        result.append(
            {
                "metric": metric,
                "label": str(labels.get(metric, metric)),
                "target": target,
                "actual": actual,
                "percent": _percent(actual, target) if actual is not None else None,
            }
        )
    return result


FUNNEL_STAGES = (
    ("registered", gettext_lazy("Akun pemilik terdaftar")),
    ("profile", gettext_lazy("Profil usaha lengkap (dengan dokumen NIB)")),
    ("draft", gettext_lazy("Membuat draf permohonan")),
    ("submitted", gettext_lazy("Mengajukan permohonan")),
    ("issued", gettext_lazy("Sertifikat terbit")),
)


def funnel(*, region: Region, year: int) -> list[dict]:
    """Owners who registered in ``year``, and how many of them reached each later stage.

    One aggregate query. Nationally the first stage counts every owner account; in a region it
    counts the accounts whose company profile lies there (an account without a profile has no
    region yet). Drop-off is the share lost since the previous stage.
    """
    start, end = _year_range(year)
    cohort = _users_in_region(region).filter(
        date_joined__date__gte=start, date_joined__date__lte=end
    )
    apps = "company__products__applications__"
    # Each stage counts whoever reached it or any later one, so the funnel never widens (an
    # owner may start a draft before uploading the NIB document).
    issued = Q(**{f"{apps}certificate__isnull": False})
    submitted = Q(**{f"{apps}submitted_at__isnull": False}) | issued
    draft = Q(**{f"{apps}isnull": False}) | submitted
    profile = Q(company__documents__kind=SupportingDocument.Kind.NIB) | draft
    counts = cohort.aggregate(
        registered=Count("id", distinct=True),
        profile=Count("id", filter=profile, distinct=True),
        draft=Count("id", filter=draft, distinct=True),
        submitted=Count("id", filter=submitted, distinct=True),
        issued=Count("id", filter=issued, distinct=True),
    )
    rows = []
    previous = None
    for key, label in FUNNEL_STAGES:
        value = counts[key]
        drop = None
        if previous:
            drop = _percent(previous - value, previous)
        rows.append(
            {
                "stage": key,
                "label": str(label),
                "count": value,
                "drop_off_pct": drop,
                "of_registered_pct": _percent(value, counts["registered"]),
            }
        )
        previous = value
    return rows


def service_level(*, region: Region, year: int) -> list[dict]:
    """Decisions taken in ``year`` within the working days of each application's rule set.

    Grouped in SQL by (rule set, submission day, decision day); the working days are counted
    with ``applications.workdays`` (weekends and the holiday table), per rule set's limit.
    """
    start, end = _year_range(year)
    pairs = (
        Application.objects.filter(
            region.q("product__company__province_id", "product__company__regency_id"),
            submitted_at__isnull=False,
            decided_at__date__gte=start,
            decided_at__date__lte=end,
        )
        .annotate(submitted_on=TruncDate("submitted_at"), decided_on=TruncDate("decided_at"))
        .values("rule_set", "submitted_on", "decided_on")
        .annotate(n=Count("id"))
        .order_by()
    )
    pairs = list(pairs)
    if not pairs:
        return []
    earliest = min(row["submitted_on"] for row in pairs)
    holidays = holiday_dates(start=earliest, end=end)
    decided: Counter[str] = Counter()
    met: Counter[str] = Counter()
    for row in pairs:
        limit = rules.get(row["rule_set"]).decision_working_days
        decided[row["rule_set"]] += row["n"]
        if working_days_between(row["submitted_on"], row["decided_on"], holidays) <= limit:
            met[row["rule_set"]] += row["n"]
    result = [
        {
            "rule_set": code,
            "limit_days": rules.get(code).decision_working_days,
            "decided": decided[code],
            "met": met[code],
            "met_pct": _percent(met[code], decided[code]),
        }
        for code in sorted(decided)
    ]
    total, total_met = sum(decided.values()), sum(met.values())
    result.append(
        {
            "rule_set": _("Semua"),
            "limit_days": None,
            "decided": total,
            "met": total_met,
            "met_pct": _percent(total_met, total),
        }
    )
    return result


def reason_label(code: str) -> str:
    if not code:
        return _("Lainnya / tanpa kode")
    try:
        return str(ReasonCode(code).label)
    except ValueError:
        return code


def top_reasons(*, region: Region, year: int, limit: int = 10) -> list[dict]:
    """The most frequent reason codes of rejections and of revision requests in ``year``."""
    start, end = _year_range(year)
    rows = (
        StatusChange.objects.filter(
            region.q(
                "application__product__company__province_id",
                "application__product__company__regency_id",
            ),
            to_status__in=[Application.Status.REJECTED, Application.Status.NEEDS_REVISION],
            at__date__gte=start,
            at__date__lte=end,
        )
        .values("to_status", "reason_code")
        .annotate(n=Count("id"))
        .order_by("-n", "to_status", "reason_code")
    )
    kinds = {
        Application.Status.REJECTED: _("Penolakan"),
        Application.Status.NEEDS_REVISION: _("Perbaikan"),
    }
    result: list[dict] = []
    seen: Counter[str] = Counter()
    for row in rows:
        if seen[row["to_status"]] >= limit:
            continue
        seen[row["to_status"]] += 1
        result.append(
            {
                "kind": row["to_status"],
                "kind_label": str(kinds[row["to_status"]]),
                "code": row["reason_code"] or "",
                "label": reason_label(row["reason_code"]),
                "count": row["n"],
            }
        )
    return result


def expiring_certificates(
    *, region: Region, today: datetime.date | None = None, limit: int = 500
) -> list[dict]:
    """Valid certificates of ``region`` whose last day falls within the renewal window."""
    today = today or timezone.localdate()
    until = today + datetime.timedelta(days=EXPIRING_WITHIN_DAYS)
    rows = (
        Certificate.objects.alias(expiry=Coalesce("extended_until", "valid_until"))
        .filter(
            region.q("province_id", "regency_id"),
            status=Certificate.Status.VALID,
            expiry__gte=today,
            expiry__lte=until,
        )
        .annotate(last_day=Coalesce("extended_until", "valid_until"))
        .order_by("last_day", "number")
        .values(
            "pk",
            "number",
            "company_name",
            "product_name",
            "regency_name",
            "last_day",
            "application__product_id",
            "issue_date",
        )[:limit]
    )
    rows = list(rows)
    sent: dict[int, list[int]] = {}
    for certificate_id, days in (
        CertificateReminder.objects.filter(certificate_id__in=[row["pk"] for row in rows])
        .order_by("-days_before")
        .values_list("certificate_id", "days_before")
    ):
        sent.setdefault(certificate_id, []).append(days)
    # A renewal is under way when the certificate's product has an open application, or done
    # when it has a certificate issued later.
    products = [row["application__product_id"] for row in rows]
    renewing = set(
        Application.objects.filter(
            status__in=Application.OPEN_STATUSES, product_id__in=products
        ).values_list("product_id", flat=True)
    )
    latest_issue = dict(
        Certificate.objects.filter(application__product_id__in=products)
        .values("application__product_id")
        .annotate(latest=Max("issue_date"))
        .values_list("application__product_id", "latest")
    )
    return [
        {
            "number": row["number"],
            "company": row["company_name"],
            "product": row["product_name"],
            "regency": row["regency_name"],
            "expires_on": row["last_day"],
            "days_left": (row["last_day"] - today).days,
            "reminders": sent.get(row["pk"], []),
            "renewal_started": row["application__product_id"] in renewing
            or latest_issue[row["application__product_id"]] > row["issue_date"],
        }
        for row in rows
    ]


def populations_of(*, region: Region) -> list[dict]:
    """The coverage rows of the region and (for a province or the country) what lies in it."""
    data = coverage_compute()
    if region.is_national:
        return data["provinces"]
    if region.regency_id:
        return [row for row in data["regencies"] if row["code"] == region.regency_id]
    return [row for row in data["provinces"] if row["code"] == region.province_id] + [
        row for row in data["regencies"] if row["province"] == region.province_id
    ]


# --- The dashboard's sections ---------------------------------------------------------------


@dataclass
class Section:
    """One figure of the dashboard: a table (the source of truth, and the download) and an
    optional chart drawn from the same rows."""

    key: str
    title: str
    description: str
    header: list[str]
    rows: list[list]
    empty: str = ""
    #: Per row: a percentage for a progress bar (targets), or None.
    progress: list[Decimal | None] = field(default_factory=list)
    #: {"labels": [...], "values": [...], "label": "...", "horizontal": bool, "max": n|None}
    chart: dict | None = None


def _num(value) -> object:
    return "" if value is None else value


def section_targets(*, region: Region, year: int, today: datetime.date) -> Section:
    rows = targets_progress(region=region, year=year)
    return Section(
        key="targets",
        title=_("Target %(year)d") % {"year": year},
        description=_(
            "Target yang ditetapkan dinas untuk wilayah dan tahun ini, dan capaiannya sejauh "
            "ini. Nasional: jumlah target setiap provinsi."
        ),
        header=[_("Ukuran"), _("Target"), _("Capaian"), _("Capaian (%)")],
        rows=[
            [
                row["label"],
                row["target"],
                _num(row["actual"]) if row["actual"] is not None else _("belum ada data"),
                _num(row["percent"]),
            ]
            for row in rows
        ],
        progress=[row["percent"] for row in rows],
        empty=_("Belum ada target untuk wilayah dan tahun ini."),
    )


def section_funnel(*, region: Region, year: int, today: datetime.date) -> Section:
    rows = funnel(region=region, year=year)
    return Section(
        key="funnel",
        title=_("Corong pemohon"),
        description=_(
            "Pemilik yang mendaftar pada tahun ini dan berapa yang mencapai setiap tahap. Di "
            "tingkat wilayah, akun dihitung menurut wilayah profil usahanya (akun tanpa profil "
            "usaha hanya terhitung nasional)."
        ),
        header=[
            _("Tahap"),
            _("Pemilik"),
            _("Berkurang dari tahap sebelumnya (%)"),
            _("Dari yang terdaftar (%)"),
        ],
        rows=[
            [row["label"], row["count"], _num(row["drop_off_pct"]), _num(row["of_registered_pct"])]
            for row in rows
        ],
        chart={
            "labels": [row["label"] for row in rows],
            "values": [row["count"] for row in rows],
            "label": _("Pemilik"),
            "horizontal": True,
        },
    )


def section_service_level(*, region: Region, year: int, today: datetime.date) -> Section:
    rows = service_level(region=region, year=year)
    return Section(
        key="service-level",
        title=_("Tingkat layanan"),
        description=_(
            "Permohonan yang diputuskan pada tahun ini dalam batas hari kerja aturan "
            "perhitungannya (tanpa akhir pekan dan hari libur nasional)."
        ),
        header=[
            _("Aturan"),
            _("Batas (hari kerja)"),
            _("Diputuskan"),
            _("Tepat waktu"),
            _("Tepat waktu (%)"),
        ],
        rows=[
            [
                row["rule_set"],
                _num(row["limit_days"]),
                row["decided"],
                row["met"],
                _num(row["met_pct"]),
            ]
            for row in rows
        ],
        progress=[row["met_pct"] for row in rows],
        empty=_("Belum ada permohonan yang diputuskan pada tahun ini."),
    )


def section_reasons(*, region: Region, year: int, today: datetime.date) -> Section:
    rows = top_reasons(region=region, year=year)
    return Section(
        key="reasons",
        title=_("Alasan penolakan dan perbaikan utama"),
        description=_("Kode alasan keputusan petugas pada tahun ini, yang paling sering dahulu."),
        header=[_("Keputusan"), _("Kode"), _("Alasan"), _("Jumlah")],
        rows=[[row["kind_label"], row["code"], row["label"], row["count"]] for row in rows],
        empty=_("Belum ada penolakan atau permintaan perbaikan pada tahun ini."),
        chart={
            "labels": [f"{row['kind_label']}: {row['label']}" for row in rows],
            "values": [row["count"] for row in rows],
            "label": _("Jumlah"),
            "horizontal": True,
        }
        if rows
        else None,
    )


def section_expiring(*, region: Region, year: int, today: datetime.date) -> Section:
    rows = expiring_certificates(region=region, today=today)
    return Section(
        key="expiring",
        title=_("Sertifikat berakhir dalam %(days)d hari") % {"days": EXPIRING_WITHIN_DAYS},
        description=_(
            "Sertifikat berlaku yang berakhir dalam masa pembaruan; pemiliknya menerima "
            "pengingat e-mail %(steps)s hari sebelumnya."
        )
        % {"steps": ", ".join(str(step) for step in rules.EXPIRY_REMINDER_DAYS)},
        header=[
            _("Nomor sertifikat"),
            _("Perusahaan"),
            _("Produk"),
            _("Kabupaten/kota"),
            _("Berlaku sampai"),
            _("Sisa hari"),
            _("Pengingat terkirim (H-)"),
            _("Pembaruan dimulai"),
        ],
        rows=[
            [
                row["number"],
                row["company"],
                row["product"],
                row["regency"],
                row["expires_on"],
                row["days_left"],
                ", ".join(str(days) for days in row["reminders"]) or "–",
                _("ya") if row["renewal_started"] else _("belum"),
            ]
            for row in rows
        ],
        empty=_("Tidak ada sertifikat yang berakhir dalam masa ini."),
    )


def section_coverage(*, region: Region, year: int, today: datetime.date) -> Section:
    rows = populations_of(region=region)
    return Section(
        key="coverage",
        title=_("Cakupan IKM bersertifikat"),
        description=_(
            "IKM dengan sertifikat berlaku dibanding jumlah IKM yang dimasukkan dinas (data "
            "terakhir per wilayah, dengan sumbernya)."
        ),
        header=[
            _("Wilayah"),
            _("IKM bersertifikat"),
            _("Jumlah IKM"),
            _("Cakupan (%)"),
            _("Sumber"),
            _("Tahun data"),
        ],
        rows=[
            [
                row["name"],
                row["certified_ikm"],
                row["population"] if row["population"] is not None else _("tidak ada data"),
                _num(row["coverage_pct"]),
                row["source"],
                _num(row["population_year"]),
            ]
            for row in rows
        ],
    )


def _events_in(*, region: Region, year: int):
    return Event.objects.filter(region.q("province_id", "regency_id"), starts_at__year=year)


def owners_trained(*, region: Region, year: int) -> int:
    """Distinct owners marked as attending an event of ``region`` starting in ``year``."""
    return (
        Registration.objects.filter(event__in=_events_in(region=region, year=year), attended=True)
        .values("owner_id")
        .distinct()
        .count()
    )


def _conversion_pct(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def section_events(*, region: Region, year: int, today: datetime.date) -> Section:
    """Outreach events of the region and year with their conversion (one query: the counts are
    ``applications.outreach.events_with_conversion``'s subqueries)."""
    events = events_with_conversion(
        _events_in(region=region, year=year).select_related("province", "regency")
    ).order_by("starts_at", "id")
    rows = []
    for event in events:
        rows.append(
            [
                timezone.localtime(event.starts_at).date(),
                event.title + (" " + _("(dibatalkan)") if event.cancelled else ""),
                event.get_kind_display(),
                str(event.regency or event.province or _("Daring, nasional")),
                event.registered_count,
                event.waiting_count,
                event.attended_count,
                event.started_count,
                event.submitted_count,
                event.issued_count,
                _num(_conversion_pct(event.started_count, event.attended_count)),
            ]
        )
    return Section(
        key="events",
        title=_("Sosialisasi dan bimtek"),
        description=_(
            "Acara pelatihan pada tahun ini dan konversinya: permohonan yang dimulai peserta yang "
            "hadir setelah acara, yang diajukan, dan yang terbit sertifikatnya."
        ),
        header=[
            _("Tanggal"),
            _("Acara"),
            _("Jenis"),
            _("Wilayah"),
            _("Terdaftar"),
            _("Menunggu"),
            _("Hadir"),
            _("Permohonan dimulai"),
            _("Diajukan"),
            _("Terbit"),
            _("Konversi hadir → permohonan (%)"),
        ],
        rows=rows,
        empty=_("Belum ada acara pelatihan pada tahun ini."),
        chart={
            "labels": [row[1] for row in rows],
            "values": [row[7] for row in rows],
            "label": _("Permohonan dimulai"),
            "horizontal": True,
        }
        if rows
        else None,
    )


ACTUAL_PROVIDERS[ProgrammeTarget.Metric.OWNERS_TRAINED] = owners_trained


#: The dashboard's figures in order, by key (the key names the download too).
#: "events" (outreach events and their conversion) comes from ``applications.outreach``.
SECTIONS: dict[str, Callable[..., Section]] = {
    "targets": section_targets,
    "funnel": section_funnel,
    "service-level": section_service_level,
    "reasons": section_reasons,
    "events": section_events,
    "coverage": section_coverage,
    "expiring": section_expiring,
}
#: Sections shown last, whatever is plugged in after them.
LAST_SECTIONS = ("coverage", "expiring")


def dashboard_sections(
    *, region: Region, year: int, today: datetime.date | None = None, only: str | None = None
) -> list[Section]:
    """Every section of the dashboard in order (or just the one keyed ``only``, a download)."""
    today = today or timezone.localdate()
    keys = [key for key in SECTIONS if key not in LAST_SECTIONS] + [
        key for key in LAST_SECTIONS if key in SECTIONS
    ]
    if only is not None:
        keys = [key for key in keys if key == only]
    return [SECTIONS[key](region=region, year=year, today=today) for key in keys]
