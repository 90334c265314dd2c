"""The lookup at national scale: a capped count ("more than ..."), the region options built in
Python (same HTML as before) and the server-side page cache for anonymous readers."""

import re

import pytest

from registry import views
from registry.filters import options_html
from tests.factories import CertificateFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/registri/"


@pytest.fixture
def page_cache(settings):
    settings.REGISTRY_PAGE_CACHE_SECONDS = 30
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def test_count_is_exact_up_to_the_limit(client, monkeypatch):
    monkeypatch.setattr(views, "LOOKUP_COUNT_LIMIT", 5)
    for _ in range(5):
        CertificateFactory()
    response = client.get(URL, {"per_page": 10})
    assert response.context["page"].paginator.count == 5
    assert not response.context["page"].paginator.capped
    assert "5 sertifikat ditemukan" in response.content.decode()


def test_count_beyond_the_limit_says_more_than(client, monkeypatch):
    monkeypatch.setattr(views, "LOOKUP_COUNT_LIMIT", 5)
    for _ in range(7):
        CertificateFactory()
    response = client.get(URL, {"per_page": 10})
    paginator = response.context["page"].paginator
    assert paginator.capped
    assert paginator.count == 5
    assert len(response.context["rows"]) == 5
    assert "Lebih dari 5 sertifikat ditemukan" in response.content.decode()


def test_capped_paginator_counts_in_one_query(django_assert_num_queries):
    for _ in range(4):
        CertificateFactory()
    from registry.models import Certificate

    paginator = views.LookupPaginator(Certificate.objects.order_by("-id"), 2, limit=3)
    with django_assert_num_queries(1):
        assert paginator.count == 3
    assert paginator.capped
    assert paginator.num_pages == 2
    exact = views.LookupPaginator(Certificate.objects.all(), 2, limit=4)
    assert exact.count == 4
    assert not exact.capped


def test_options_html_escapes_and_selects():
    html = options_html([("", "Semua"), ("31", "DKI <Jakarta>"), ("32", "Jawa Barat")], "31")
    assert html == (
        '<option value="">Semua</option>'
        '<option value="31" selected>DKI &lt;Jakarta&gt;</option>'
        '<option value="32">Jawa Barat</option>'
    )


def test_options_html_built_once_selects_each_time_and_follows_the_language():
    """The list is built once per process and language; each call marks only its own choice,
    and a lazy label (the empty choice's) is read in the language active at the call."""
    from django.utils import translation
    from django.utils.translation import gettext_lazy

    choices = [("", gettext_lazy("Semua provinsi")), ("31", "DKI Jakarta"), ("3", "Tiga")]
    first = options_html(choices, "31")
    assert first.count(" selected") == 1 and '<option value="31" selected>' in first
    second = options_html(choices, "3")
    assert second.count(" selected") == 1 and '<option value="3" selected>' in second
    assert options_html(choices, "").startswith('<option value="" selected>')
    assert options_html(choices, "99").count(" selected") == 0
    with translation.override("en"):
        english = options_html(choices, "")
    with translation.override("id"):
        indonesian = options_html(choices, "")
    assert "All provinces" in english and "Semua provinsi" in indonesian


def test_lookup_selects_the_chosen_province_and_regency(client):
    certificate = CertificateFactory()
    response = client.get(
        URL, {"province": certificate.province_id, "regency": certificate.regency_id}
    )
    html = response.content.decode()
    assert f'<option value="{certificate.province_id}" selected>' in html
    assert f'<option value="{certificate.regency_id}" selected>' in html
    assert html.count(" selected>") >= 2


def test_cached_page_is_served_without_queries(client, page_cache, django_assert_num_queries):
    CertificateFactory(company_name="PT Kopi Gayo")
    first = client.get(URL, {"q": "gayo"})
    assert first.status_code == 200
    with django_assert_num_queries(0):
        again = client.get(URL, {"q": "gayo"})
    assert again.status_code == 200
    assert "PT Kopi Gayo" in again.content.decode()
    # The language switcher's form carries the reader's own CSRF token, never a placeholder.
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', again.content.decode())
    assert tokens and all(len(token) == 64 for token in tokens)
    assert views._CSRF_PLACEHOLDER not in again.content.decode()


def test_language_switch_still_works_from_a_cached_page(page_cache):
    from django.test import Client

    CertificateFactory()
    Client().get(URL)  # fills the cache
    reader = Client(enforce_csrf_checks=True)
    html = reader.get(URL).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    response = reader.post(
        "/i18n/setlang/", {"language": "en", "next": URL, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302


def test_a_new_certificate_is_listed_at_once(client, page_cache):
    CertificateFactory(company_name="PT Kopi Gayo")
    assert client.get(URL, {"q": "gayo"}).content.decode().count("PT Kopi Gayo") >= 1
    CertificateFactory(company_name="PT Kopi Gayo Dua")
    assert "PT Kopi Gayo Dua" in client.get(URL, {"q": "gayo"}).content.decode()


def test_logged_in_readers_are_not_served_from_the_cache(client, page_cache):
    CertificateFactory()
    user = UserFactory()
    client.force_login(user)
    client.get(URL)
    response = client.get(URL)
    assert response.context is not None  # rendered, not read from the cache
    assert user.email in response.content.decode()


def test_cache_is_per_language(client, page_cache):
    CertificateFactory()
    indonesian = client.get(URL, HTTP_ACCEPT_LANGUAGE="id").content.decode()
    english = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="id"' in indonesian
    assert 'lang="en"' in english


def test_an_expired_page_is_rendered_by_one_reader_while_the_others_get_the_old_copy(
    client, page_cache, settings, monkeypatch, django_assert_num_queries
):
    """No stampede: past its time an entry is still served to everyone but the one reader who
    renders its successor (and holds the render lock meanwhile)."""
    from django.core.cache import cache
    from django.utils import translation

    from registry.models import Certificate

    certificate = CertificateFactory(company_name="PT Kopi Gayo")
    client.get(URL, {"q": "gayo"})  # cached, fresh for 30 s
    # A change the page generation does not see (QuerySet.update, as revocation uses).
    Certificate.objects.filter(pk=certificate.pk).update(company_name="PT Kopi Gayo Baru")
    later = views.time.time() + settings.REGISTRY_PAGE_CACHE_SECONDS + 1
    monkeypatch.setattr(views.time, "time", lambda: later)
    url = f"{URL}?q=gayo"
    with translation.override("id"):
        key = views.page_cache_key(url)
    assert cache.get(key) is not None
    # Another reader is rendering it: this one gets the expired copy, without a query.
    assert cache.add(f"{key}:render", 1, 30)
    with django_assert_num_queries(0):
        stale = client.get(url).content.decode()
    assert "PT Kopi Gayo Baru" not in stale and "PT Kopi Gayo" in stale
    # The render is done (lock released): the next reader renders the page again.
    cache.delete(f"{key}:render")
    fresh = client.get(url).content.decode()
    assert "PT Kopi Gayo Baru" in fresh
    assert not cache.get(f"{key}:render")  # the lock was given back
    with django_assert_num_queries(0):
        assert "PT Kopi Gayo Baru" in client.get(url).content.decode()
