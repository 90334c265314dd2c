"""The lookup's filter form draws its widgets with Django's Jinja2 widget templates (faster);
the page's form must be the same HTML as through the template language: the same attributes,
values, error marks and ARIA links."""

import re

from django.forms.renderers import DjangoTemplates, Jinja2
from django.urls import reverse

import pytest

from registry.filters import CertificateFilterForm
from tests.factories import CertificateFactory

pytestmark = pytest.mark.django_db

QUERIES = [
    {},
    {"q": "kursi", "status": "VALID", "sort": "number", "kbli": "31001", "nib": "1234567890123"},
    {"q": "ab", "tkdn_min": "abc", "tkdn_max": "5"},  # errors: too short, not a number
    {"tkdn_min": "60", "tkdn_max": "30", "province": "32", "regency": "32.73"},
    {"q": "<script>\"'&", "number": "TKDNIK/32/2026/000001"},
]


def _form_html(client, query) -> str:
    html = client.get(reverse("registry:lookup"), query).content.decode()
    form = re.search(r'<form method="get".*?</form>', html, re.S).group(0)
    return re.sub(r"\s+", " ", form)


@pytest.mark.parametrize("query", QUERIES)
def test_the_form_is_the_same_html_through_either_renderer(client, monkeypatch, query):
    CertificateFactory()
    assert isinstance(CertificateFilterForm.default_renderer, Jinja2)
    # The spellings that differ: markupsafe writes &#39; and &#34; where Django writes &#x27;
    # and &quot;, the same characters; every other character is escaped alike.
    fast = _form_html(client, query).replace("&#39;", "&#x27;").replace("&#34;", "&quot;")
    monkeypatch.setattr(CertificateFilterForm, "default_renderer", DjangoTemplates())
    assert fast == _form_html(client, query)
