"""HTML pieces of the admin pages: links to evidence files, the breakdown table.

``breakdown_html`` is also used by the certificate admin (``registry.admin``).
"""

from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext

from applications import calculation, rules
from applications.formatting import (
    breakdown_rows,
    format_number,
    format_percent,
    format_working_days,
)


def file_link(kind: str, pk: int, label: str) -> str:
    """A link through the permission-checked download view, or the bare label without one."""
    try:
        url = reverse("applications:file_download", kwargs={"kind": kind, "pk": pk})
    except NoReverseMatch:
        return format_html("{}", label)
    return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, label)


def rule_set_html(code: str) -> str:
    """The rule set an application is decided under, its legal basis and, while the set is
    provisional, the one sentence that says so (spec §8)."""
    try:
        rule_set = rules.get(code)
    except calculation.CalculationError:
        return format_html("{}", code)
    provisional = (
        format_html(
            "<br><em>{}</em>",
            gettext(
                "Sementara: aturan %(code)s (%(basis)s) dihitung dengan rumus umum peraturan "
                "tersebut sampai lampiran khusus industri kecilnya dipastikan; nilai dapat "
                "berubah bila lampiran itu berbeda."
            )
            % {"code": rule_set.code, "basis": rule_set.legal_basis_short},
        )
        if rule_set.provisional
        else ""
    )
    return format_html(
        "<strong>{}</strong> — {} ({}; {}){}",
        rule_set.code,
        rule_set.legal_basis,
        rule_set.formula,
        format_working_days(rule_set.decision_working_days),
        provisional,
    )


def breakdown_html(breakdown: dict | None, value, rule_set: str = "") -> str:
    """The computed breakdown as a readable table (application and certificate admin), headed
    by the rule set it was computed under."""
    rows = breakdown_rows(breakdown or {}, number=format_number)
    if not rows:
        return gettext("Belum dihitung.")
    code = rule_set or (breakdown or {}).get("rule_set", "")
    body = format_html_join(
        "",
        "<tr><td>{}</td><td class='num'>{}</td><td class='num'>{}</td>"
        "<td class='num'>{}</td><td class='num'>{}</td>"
        "<td class='num'><strong>{}</strong></td></tr>",
        (
            (
                r["label"],
                r["weight"],
                r["domestic_rp"],
                r["total_rp"],
                format_percent(r["share_value"]),
                r["points"],
            )
            for r in rows
        ),
    )
    best = (breakdown or {}).get("best_improvement")
    return format_html(
        '<p class="tkdn-rule-set">{}</p>'
        # Scrolls sideways on a phone: focusable and named, so a keyboard can scroll it too.
        '<div class="tkdn-breakdown-wrap" tabindex="0" role="region" aria-label="{}">'
        '<table class="tkdn-breakdown"><thead><tr>'
        "<th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}"
        "<tr><td colspan='5'><strong>{}</strong></td><td class='num'><strong>{}</strong>"
        "</td></tr></tbody></table></div>{}",
        rule_set_html(code) if code else "",
        gettext("Rincian nilai TKDN-IK"),
        gettext("Faktor"),
        gettext("Bobot maks."),
        gettext("Dalam negeri (Rp/unit)"),
        gettext("Total (Rp/unit)"),
        gettext("Porsi DN"),
        gettext("Nilai"),
        body,
        gettext("Nilai TKDN-IK (dibulatkan)"),
        format_percent(value),
        format_html(
            "<p class='help'>{} {}</p>",
            gettext("Faktor yang paling dapat dinaikkan:"),
            next((r["label"] for r in rows if r["key"] == best), best),
        )
        if best
        else "",
    )
