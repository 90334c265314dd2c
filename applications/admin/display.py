"""HTML pieces of the admin pages: links to evidence files, the breakdown table.

``breakdown_html`` is also used by the certificate admin (``registry.admin``).
"""

from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext

from applications.formatting import breakdown_rows, format_id_number


def file_link(kind: str, pk: int, label: str) -> str:
    """A link through the permission-checked download view, or the bare label without one."""
    try:
        url = reverse("applications:file_download", kwargs={"kind": kind, "pk": pk})
    except NoReverseMatch:
        return format_html("{}", label)
    return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, label)


def breakdown_html(breakdown: dict | None, value) -> str:
    """The computed breakdown as a readable table (application and certificate admin)."""
    rows = breakdown_rows(breakdown or {})
    if not rows:
        return gettext("Belum dihitung.")
    body = format_html_join(
        "",
        "<tr><td>{}</td><td class='num'>{}</td><td class='num'>{}</td>"
        "<td class='num'>{}</td><td class='num'>{}%</td>"
        "<td class='num'><strong>{}</strong></td></tr>",
        (
            (r["label"], r["weight"], r["domestic_rp"], r["total_rp"], r["share"], r["points"])
            for r in rows
        ),
    )
    best = (breakdown or {}).get("best_improvement")
    return format_html(
        '<div class="tkdn-breakdown-wrap"><table class="tkdn-breakdown"><thead><tr>'
        "<th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}"
        "<tr><td colspan='5'><strong>{}</strong></td><td class='num'><strong>{}%</strong>"
        "</td></tr></tbody></table></div>{}",
        gettext("Faktor"),
        gettext("Bobot maks."),
        gettext("Dalam negeri (Rp/unit)"),
        gettext("Total (Rp/unit)"),
        gettext("Porsi DN"),
        gettext("Nilai"),
        body,
        gettext("Nilai TKDN-IK (dibulatkan)"),
        format_id_number(value),
        format_html(
            "<p class='help'>{} {}</p>",
            gettext("Faktor yang paling dapat dinaikkan:"),
            next((r["label"] for r in rows if r["key"] == best), best),
        )
        if best
        else "",
    )
