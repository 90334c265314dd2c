"""The lookup filters, shared by the search page, the CSV export and the JSON API."""

import functools
from decimal import Decimal

from django import forms
from django.db.models import QuerySet
from django.forms.renderers import Jinja2 as Jinja2Renderer
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

import django_filters

from . import selectors
from .models import Certificate

SORTS = {
    "-issue_date": ("-issue_date", "-sequence"),
    "issue_date": ("issue_date", "sequence"),
    "-tkdn_ik": ("-tkdn_ik", "-id"),
    "tkdn_ik": ("tkdn_ik", "id"),
    "company_name": ("company_name", "id"),
    "number": ("number",),
}
SORT_CHOICES = [
    ("-issue_date", _("Terbaru")),
    ("issue_date", _("Terlama")),
    ("-tkdn_ik", _("Nilai TKDN-IK tertinggi")),
    ("tkdn_ik", _("Nilai TKDN-IK terendah")),
    ("company_name", _("Nama perusahaan (A-Z)")),
    ("number", _("Nomor sertifikat")),
]
TKDN_RANGE = {"min_value": Decimal("0"), "max_value": Decimal("100"), "decimal_places": 2}


class CertificateFilterForm(forms.Form):
    """Bootstrap classes on the widgets; cross-field check: minimum not above maximum.

    Its widgets are drawn with Django's Jinja2 templates of the same widgets (the same HTML):
    through the template language, the lookup's eight widgets were a third of its page's
    rendering. Only this form: the admin's widgets have no Jinja2 templates."""

    default_renderer = Jinja2Renderer()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select form-select-sm"
            else:
                widget.attrs["class"] = "form-control form-control-sm"
            if name in ("tkdn_min", "tkdn_max"):
                # A text box (a number box would blank out "27,5" or a typo, losing the input);
                # localized, so the Indonesian decimal comma is accepted as well as a point.
                field.localize = True
                widget.is_localized = True
                widget.input_type = "text"
                widget.attrs.update(inputmode="decimal", autocomplete="off")
                # min/max/step belong to number boxes only (invalid HTML on a text box); the
                # field's validators still refuse a value outside 0-100 with a message.
                for attr in ("min", "max", "step"):
                    widget.attrs.pop(attr, None)
            elif name == "q":
                widget.input_type = "search"

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"

    def clean(self):
        data = super().clean()
        low, high = data.get("tkdn_min"), data.get("tkdn_max")
        if low is not None and high is not None and low > high:
            self.add_error("tkdn_max", _("Nilai maksimum harus lebih besar dari nilai minimum."))
        return data


# 39 lists (the provinces, every regency, each province's regencies) in each language.
@functools.lru_cache(maxsize=256)
def _options(choices: tuple[tuple, ...]) -> str:
    """Every ``<option>``, none selected, escaped once per process and language (a lazy label
    hashes and compares as its text in the active language)."""
    return "".join(
        f'<option value="{escape(value)}">{escape(label)}</option>' for value, label in choices
    )


def options_html(choices, current: str) -> SafeString:
    """The ``<option>`` list of a select with ``current`` selected: the same HTML as a template
    loop, but the 514 regencies through the template language cost ~30 ms a page, and even
    joined in Python once a request ~1 ms; the whole list is built once per process and
    language, and the chosen one marked."""
    value = escape(current)
    html = _options(tuple(map(tuple, choices))).replace(
        f'<option value="{value}">', f'<option value="{value}" selected>', 1
    )
    # Every value and label is escaped in _options().
    return mark_safe(html)  # nosec B308 B703 # noqa: S308


class _RegionChoiceIterator(django_filters.fields.ChoiceIterator):
    """The choices as they are, after the empty one: (code, name) pairs of text are their own
    normal form. django-filter's iterator normalises them again at each iteration
    (``normalize_choices``: 590 calls for the 514 regencies), and a page iterates them two or
    three times (validation, the options' HTML): about a millisecond a page."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.null_label is not None:
            yield (self.field.null_value, self.field.null_label)
        yield from self.choices


class SharedChoiceField(django_filters.fields.ChoiceField):
    """A choice field whose copies share its choices: the regions are reference data that no
    form changes, and copying 552 of them into every form (``Form.__init__`` deep-copies its
    fields) was 2,000 calls a page. Its choices are (code, name) pairs of text, iterated as
    they are (``_RegionChoiceIterator``)."""

    iterator = _RegionChoiceIterator

    def __deepcopy__(self, memo):
        result = forms.Field.__deepcopy__(self, memo)
        result._choices = self._choices
        return result


class RegionChoiceFilter(django_filters.ChoiceFilter):
    field_class = SharedChoiceField


class CertificateFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_text",
        label=_("Perusahaan, produk atau merek"),
        min_length=3,
        max_length=100,
        help_text=_("Sebagian nama, minimal 3 huruf."),
    )
    number = django_filters.CharFilter(
        method="filter_number", label=_("Nomor sertifikat"), max_length=40
    )
    nib = django_filters.CharFilter(field_name="company_nib", label=_("NIB"), max_length=13)
    kbli = django_filters.CharFilter(field_name="kbli", label=_("KBLI"), max_length=5)
    province = RegionChoiceFilter(
        field_name="province_id",
        choices=[],  # set per request in __init__ (cached reference data)
        label=_("Provinsi"),
        empty_label=_("Semua provinsi"),
    )
    regency = RegionChoiceFilter(
        field_name="regency_id",
        choices=[],
        label=_("Kabupaten/kota"),
        empty_label=_("Semua kabupaten/kota"),
    )
    tkdn_min = django_filters.NumberFilter(
        method="filter_minimum", label=_("Nilai minimum (%)"), **TKDN_RANGE
    )
    tkdn_max = django_filters.NumberFilter(
        field_name="tkdn_ik", lookup_expr="lte", label=_("Nilai maksimum (%)"), **TKDN_RANGE
    )
    status = django_filters.ChoiceFilter(
        method="filter_status",
        choices=Certificate.EffectiveStatus.choices,
        label=_("Status"),
        empty_label=_("Semua status"),
    )
    sort = django_filters.ChoiceFilter(
        method="filter_sort",
        choices=SORT_CHOICES,
        label=_("Urutkan"),
        empty_label=None,
    )

    class Meta:
        model = Certificate
        fields: list[str] = []
        form = CertificateFilterForm

    #: The page offers only the chosen province's regencies, so another one is an error there.
    narrow_regencies = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        regencies = selectors.regency_choices()
        # Only the regencies of the chosen province (the page also narrows them with JS).
        province = self.data.get("province") if self.data else None
        if province and self.narrow_regencies:
            prefix = f"{province}."
            regencies = [choice for choice in regencies if choice[0].startswith(prefix)]
        # Fresh filter objects: a deep copy of the declared ones shares ``extra`` between
        # requests, so setting the choices there would leak one request's list into the next.
        for name, choices in (
            ("province", selectors.province_choices()),
            ("regency", regencies),
        ):
            declared = self.filters[name]
            fresh = RegionChoiceFilter(
                field_name=declared.field_name,
                choices=choices,
                label=declared.label,
                empty_label=declared.extra["empty_label"],
            )
            fresh.model = declared.model
            fresh.parent = self
            self.filters[name] = fresh

    def region_options(self) -> dict[str, SafeString]:
        """The ``<option>`` HTML of the province and regency selects (see ``options_html``)."""
        options = {}
        for name in ("province", "regency"):
            current = self.form[name].value()
            options[name] = options_html(
                self.form.fields[name].choices, "" if current is None else str(current)
            )
        return options

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return selectors.certificate_search(queryset, text=value)

    def filter_number(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # Exact match (the unique index); case and surrounding spaces are forgiven.
        return queryset.filter(number=value.strip().upper())

    def filter_minimum(self, queryset: QuerySet, name: str, value: Decimal) -> QuerySet:
        oldest_first = self.form.cleaned_data.get("sort") == "issue_date"
        return selectors.certificate_filter_minimum(
            queryset, minimum=value, oldest_first=oldest_first
        )

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        newest_first = self.form.cleaned_data.get("sort") in ("", None, "-issue_date")
        return selectors.certificate_filter_status(
            queryset, status=value, newest_first=newest_first
        )

    def filter_sort(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.order_by(*SORTS.get(value, SORTS["-issue_date"]))

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        """Every filter, the text last: the search then knows whether anything else narrows
        the list (``selectors.certificate_search``: a phrase alone is read once)."""
        for name, value in sorted(self.form.cleaned_data.items(), key=lambda item: item[0] == "q"):
            queryset = self.filters[name].filter(queryset, value)
        return queryset

    @property
    def qs(self) -> QuerySet:
        queryset = super().qs
        # Default order when no sort was chosen (the sort filter only runs with a value).
        if not self.is_bound or not self.form.cleaned_data.get("sort"):
            queryset = queryset.order_by(*SORTS["-issue_date"])
        return queryset


class CertificateApiFilter(CertificateFilter):
    """The lookup filters as the JSON API and its CSV export read them, exactly as the OpenAPI
    schema states them (registry/openapi.py): each parameter is checked on its own, so a
    combination that matches nothing (a regency outside the province, a minimum above the
    maximum) is an empty answer rather than a 400, and the TKDN-IK bounds are plain numbers
    from 0 to 100 (the page's form also reads "27,5" and keeps 2 decimals for its text box).
    The text is counted as sent (the search itself ignores surrounding spaces)."""

    q = django_filters.CharFilter(method="filter_text", min_length=3, max_length=100, strip=False)
    tkdn_min = django_filters.NumberFilter(
        method="filter_minimum", min_value=Decimal("0"), max_value=Decimal("100")
    )
    tkdn_max = django_filters.NumberFilter(
        field_name="tkdn_ik", lookup_expr="lte", min_value=Decimal("0"), max_value=Decimal("100")
    )
    narrow_regencies = False

    class Meta(CertificateFilter.Meta):
        form = forms.Form
