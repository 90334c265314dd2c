"""``{% error_summary form formset … %}``: the GOV.UK-style error summary at the top of a form.

Every form of the portal that can fail shows it (templates/_error_summary.html): one box listing
each error as a link to its field (``#id_…``), focused on page load by static/js/portal.js so a
screen reader announces it first. The messages stay beside the fields too (crispy forms).
It lives in ``accounts``, the lowest app, so every app's templates can load it.
"""

from django import template
from django.forms import BaseForm, BaseFormSet
from django.utils.translation import gettext as _

register = template.Library()


def _form_errors(form: BaseForm, prefix: str = "") -> list[dict]:
    errors = [{"href": "", "text": f"{prefix}{message}"} for message in form.non_field_errors()]
    for field in form:
        for message in field.errors:
            # A radio list's label points at its first option (id_facility_0), which exists.
            href = f"#{field.id_for_label}" if field.id_for_label else ""
            label = f"{prefix}{field.label}" if field.label else prefix.rstrip(": ")
            text = f"{label}: {message}" if label else str(message)
            errors.append({"href": href, "text": text})
    return errors


def summary_items(*forms) -> list[dict]:
    """The errors of forms and formsets, in page order: ``{"href": "#id_…" or "", "text": …}``.

    A formset row is named by the formset's ``row_label`` (``Bahan 2``) so that two rows' errors
    in the same column can be told apart.
    """
    items: list[dict] = []
    for form in forms:
        if not form or not getattr(form, "is_bound", False):
            continue
        if isinstance(form, BaseFormSet):
            items += [{"href": "", "text": str(m)} for m in form.non_form_errors()]
            label = getattr(form, "row_label", "") or _("Baris")
            number = 0  # numbered as the page numbers the rows: deleted rows are hidden
            for row in form.forms:
                if form.can_delete and form._should_delete_form(row):
                    continue
                number += 1
                items += _form_errors(row, prefix=f"{label} {number} · ")
        elif isinstance(form, BaseForm):
            items += _form_errors(form)
    return items


@register.inclusion_tag("_error_summary.html")
def error_summary(*forms, intro=""):
    """``intro``: a sentence above the list (what happened to the page's data)."""
    return {"items": summary_items(*forms), "intro": intro}
