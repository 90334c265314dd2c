"""Bugs a review of the search's plans found (issue 17), each a test that failed before its fix:
texts shorter than the words' table holds, a condition that holds nothing under the count's
cost model, and a database error inside a block of planner settings."""

from django.db import ProgrammingError, connection

import pytest

from registry import selectors
from registry.filters import CertificateApiFilter, CertificateFilter
from registry.models import Certificate
from tests.factories import CertificateFactory
from tkdnportal.pagination import PlannedPaginator, walking_order_index

pytestmark = pytest.mark.django_db


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the words' index and the planner are PostgreSQL's"
)


def _names(qs):
    return sorted(qs.values_list("company_name", flat=True))


# --- 1. the word array is not the substring for texts shorter than 3 normalised characters --


@pytest.fixture
def cv_companies():
    CertificateFactory(company_name="CV Sinar Jaya", product_name="Kursi", product_brand="SJ")
    CertificateFactory(company_name="PT Cvtech", product_name="Meja", product_brand="X")


def _admin(text):
    # The admin's get_search_results has no minimum length: "cv" (a company form).
    return selectors.certificate_search(Certificate.objects.all(), text=text)


def _through(filterset_class):
    def searched(text):
        f = filterset_class(data={"q": text}, queryset=Certificate.objects.all())
        assert f.is_valid(), f.errors
        return f.qs

    return searched


@postgres_only
@pytest.mark.parametrize(
    ("search", "text"),
    [
        (_admin, "cv"),
        # The API's q is min_length=3 *as sent* (strip=False); the search strips it to "cv".
        (_through(CertificateApiFilter), " cv"),
        # The lookup form counts raw characters; unaccent drops a combining accent (U+0301).
        (_through(CertificateFilter), "cv\u0301"),
    ],
    ids=["admin", "api", "lookup"],
)
def test_a_text_of_two_letters_once_normalised_is_a_substring(cv_companies, search, text):
    assert _names(search(text)) == ["CV Sinar Jaya", "PT Cvtech"]  # was only ["PT Cvtech"]


# --- 2. _planner_off: a database error inside the block is replaced by another ----------------


@postgres_only
def test_planner_off_keeps_the_original_database_error():
    with (
        pytest.raises(ProgrammingError),
        walking_order_index("default"),
        connection.cursor() as cursor,
    ):
        cursor.execute("SELECT no_such_column FROM registry_certificate")
    # Raised instead: InternalError "current transaction is aborted" from the finally clause's
    # SET LOCAL ... TO DEFAULT (needs_rollback is not set by a failed cursor.execute).


# --- 3. text first: EXPLAIN of a query that compiles to nothing ------------------------------


@postgres_only
def test_text_first_with_an_empty_condition():
    CertificateFactory(company_name="CV Rotan Lestari", product_name="Kursi Rotan")
    qs = selectors.certificate_search(
        Certificate.objects.filter(kbli__in=[]).order_by("-issue_date", "-sequence"), text="rotan"
    )
    paginator = PlannedPaginator(qs, 10)
    assert paginator.count == 0  # json.JSONDecodeError: EXPLAIN of an EmptyResultSet is ""


@postgres_only
def test_text_first_with_an_admin_none_queryset():
    CertificateFactory(company_name="CV Rotan Lestari", product_name="Kursi Rotan")
    qs = selectors.certificate_search(Certificate.objects.none().order_by("-id"), text="rotan")
    assert PlannedPaginator(qs, 10).count == 0


@postgres_only
@pytest.mark.parametrize("sort", ["", "issue_date"])
def test_public_lookup_minimum_above_every_issued_rule_set(client, sort):
    """tkdn_min=50: only IK-2025 reaches it, none issued yet -> oldest first,
    certificate_filter_minimum returns queryset.none(); the text is applied after it
    (filter_queryset) and the count's text-first EXPLAIN of the other conditions is empty."""
    CertificateFactory(company_name="CV Rotan Lestari", product_name="Kursi Rotan")
    response = client.get("/registri/", {"q": "rotan", "tkdn_min": "50", "sort": sort})
    assert response.status_code == 200  # 500: JSONDecodeError in _text_first_pays
    assert list(response.context["rows"]) == []


def test_options_html_per_language():
    from django.utils import translation
    from django.utils.translation import gettext_lazy as _

    from registry.filters import options_html

    choices = [("", _("Semua status")), ("VALID", _("Berlaku")), ("REVOKED", _("Dicabut"))]
    with translation.override("id"):
        first = options_html(choices, "VALID")
    with translation.override("en"):
        english = options_html(choices, "VALID")
        expected = "".join(
            f'<option value="{v}"{" selected" if v == "VALID" else ""}>{label}</option>'
            for v, label in [(v, str(text)) for v, text in choices]
        )
    with translation.override("id"):
        again = options_html(choices, "REVOKED")
    assert english == expected, (first, english)
    assert "Dicabut</option>" in again and 'value="REVOKED" selected' in again
    assert first != english
