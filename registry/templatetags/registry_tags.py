"""Template filters of the public register.

``{% load registry_tags %}`` then ``{{ status|status_badge }}``: a certificate's effective status
(``Certificate.EffectiveStatus``) as a coloured badge. A filter rather than an included template:
the lookup shows one per row, and twenty includes were a tenth of the page's rendering.
"""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

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
