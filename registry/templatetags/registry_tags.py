"""Template filters and tags of the public register.

``{% load registry_tags %}`` then ``{{ status|status_badge }}``: a certificate's effective status
(``Certificate.EffectiveStatus``) as a coloured badge. A filter rather than an included template:
the lookup shows one per row, and twenty includes were a tenth of the page's rendering.

``{% lookup_rows rows %}``: the lookup's result rows, rendered by Jinja2 (``tkdnportal/jinja.py``).
"""

from django import template
from django.template import loader
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from registry import links

register = template.Library()

_BADGES = {
    "VALID": ("text-bg-success", _("Berlaku")),
    "REVOKED": ("text-bg-danger", _("Dicabut")),
}
_EXPIRED = ("text-bg-secondary", _("Kedaluwarsa"))


@register.filter
def status_badge(status) -> str:
    css, label = _BADGES.get(str(status), _EXPIRED)
    return format_html('<span class="badge {}">{}</span>', css, label)


@register.simple_tag
def lookup_rows(rows) -> SafeString:
    """The ``<tr>`` of each ``(certificate, effective status)`` of ``rows`` (the lookup's table),
    from ``templates/jinja2/registry/_lookup_rows.html``: escaped by Jinja2's autoescaping."""
    html = loader.get_template("registry/_lookup_rows.html", using="jinja2").render(
        {
            "rows": rows,
            "detail_url": links.url_maker("registry:certificate_detail", "number"),
            "status_badge": status_badge,
        }
    )
    return mark_safe(html)  # noqa: S308 - autoescaped by Jinja2
