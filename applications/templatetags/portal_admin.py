"""The admin's greeting: the official's name and role in words, never a username or role code."""

from django import template
from django.utils.translation import gettext as _

from applications.selectors import sees_every_region

register = template.Library()


@register.simple_tag
def admin_greeting(user) -> dict:
    """{"name": ..., "role": ...} for the admin header.

    The name is the certificate name of an official, else the account's full name, else its
    e-mail (accounts made by hand often have a code such as "OFFICIAL" as username); the role
    says what the person does: a dinas official with the office and region, a ministry
    administrator, or the system administrator.
    """
    official = getattr(user, "official", None)
    name = (
        (official.full_name if official is not None else "")
        or user.get_full_name()
        or user.email
        or user.get_username()
    )
    if official is not None:
        place = official.regency or official.province
        role = _("Petugas %(office)s, %(place)s") % {"office": official.office_name, "place": place}
    elif user.is_superuser:
        role = _("Administrator sistem")
    elif sees_every_region(user):
        role = _("Administrator Kemenperin")
    else:
        role = _("Petugas")
    return {"name": name, "role": role}
