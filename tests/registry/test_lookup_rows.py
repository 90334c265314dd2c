"""The lookup's result rows, rendered by Jinja2 (``{% lookup_rows %}``, tkdnportal/jinja.py), are
the rows the Django template drew before: same text, same links, same escaping, in both
languages (only the spelling of escaped quotes differs: ``&#39;`` and ``&#34;`` for Django's
``&#x27;`` and ``&quot;``)."""

import datetime
import html
import re
from decimal import Decimal

from django.template import engines
from django.urls import reverse
from django.utils import translation

import pytest

from registry.models import Certificate
from registry.templatetags.registry_tags import lookup_rows
from tests.factories import CertificateFactory

pytestmark = pytest.mark.django_db

# The rows as templates/registry/lookup.html drew them with the Django template language.
DJANGO_ROWS = """{% load i18n tkdn_format registry_tags %}
      {% for certificate, status in rows %}
      <tr>
        <td class="rt-number text-nowrap"><a href="{% url 'registry:certificate_detail' number=certificate.number %}">{{ certificate.number }}</a></td>
        <td class="rt-company">{{ certificate.company_name }}</td>
        <td class="rt-product">{{ certificate.product_name }}<span class="d-md-none text-muted"> · {{ certificate.product_brand }}</span></td>
        <td class="rt-brand">{{ certificate.product_brand }}</td>
        <td class="rt-value text-end fw-semibold text-nowrap">{{ certificate.tkdn_ik|percent }}</td>
        <td class="rt-region small">{{ certificate.regency_name }}, {{ certificate.province_name }}</td>
        <td class="rt-valid small text-nowrap"><span class="d-md-none">{% translate "Berlaku" %} </span>{{ certificate.issue_date|date:"d-m-Y" }} – {{ certificate.expires_on|date:"d-m-Y" }}</td>
        <td class="rt-status">{{ status|status_badge }}</td>
      </tr>
      {% endfor %}
"""  # noqa: E501


def _same(text: str) -> str:
    """Whitespace between tags and the spelling of an escaped quote aside."""
    text = text.replace("&#x27;", "&#39;").replace("&quot;", "&#34;")
    return re.sub(r">\s+<", "><", text.strip())


@pytest.fixture
def rows():
    today = datetime.date(2026, 6, 1)
    made = [
        CertificateFactory(
            company_name='CV <script>alert("x")</script> & Putra',
            product_name="Kursi 'Rotan' <b>",
            product_brand="O'Brien & Co",
            tkdn_ik=Decimal("45.67"),
        ),
        CertificateFactory(
            number="TKDNIK/32/2026/ü&?#1 x",  # quoted into its link as reverse() quotes it
            issue_date=datetime.date(2021, 2, 3),
            tkdn_ik=Decimal("40.00"),
            regency_name="Kab. Bandung <Barat>",
        ),
        CertificateFactory(
            status=Certificate.Status.REVOKED,
            revoked_at=datetime.datetime(2026, 5, 2, tzinfo=datetime.UTC),
            extended_until=datetime.date(2030, 1, 9),
        ),
    ]
    return [(c, c.effective_status(today)) for c in made]


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_rows_are_those_the_django_template_drew(rows, language):
    with translation.override(language):
        expected = engines["django"].from_string(DJANGO_ROWS).render({"rows": rows})
        rendered = lookup_rows(rows)
    assert _same(rendered) == _same(expected)
    assert "<script>" not in rendered and "&lt;script&gt;" in rendered
    assert ("Berlaku" if language == "id" else "Valid") in rendered
    detail = reverse("registry:certificate_detail", kwargs={"number": rows[1][0].number})
    assert f'href="{html.escape(detail)}"' in rendered
    assert html.unescape(rendered).count("\u00a0%") == 3


def test_the_lookup_page_shows_the_rows(client):
    certificate = CertificateFactory(company_name="CV <i>Sentosa</i>")
    response = client.get(reverse("registry:lookup"), {"q": "sentosa"})
    body = response.content.decode()
    assert "CV &lt;i&gt;Sentosa&lt;/i&gt;" in body
    detail = reverse("registry:certificate_detail", kwargs={"number": certificate.number})
    assert f'<a href="{detail}">{certificate.number}</a>' in body
    assert body.count('<td class="rt-status">') == 1
