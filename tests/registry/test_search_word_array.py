"""The one-word search through each certificate's words (registry migration 0010) finds exactly
what the substring search finds: a text of letters and digits lies inside one word, so "the
names contain it" is "the names hold one of the register's words that contain it"."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest

from registry import selectors
from registry.models import Certificate
from tests.factories import CertificateFactory
from tkdnportal.pagination import hide_search_from_index

# How a condition asks the words' index (registry migrations 0010, 0011).
WORDS_INDEX_SQL = "regexp_split_to_array(search_text"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the words' index is PostgreSQL's"
    ),
]

NAMES = [
    ("CV Sinar Jaya", "Kursi Rotan", "SJ-2000"),
    ("UD Kopi Gayo Asli", "Kopi Bubuk 250g", "Gayo"),
    ("PT Tenun Ikat Sumba", "Kain Tenun", "Sumba Prima"),
    ("Koperasi Karya Wanita", "Anyaman Pandan", "Karya"),
    ("CV Dewi Sri", "Beras Organik", "Dewi Sri"),
    ("UD Maju-Mundur", "Meja Jati / Mahoni", "M&M"),
    ("Perajin Café Crème", "Kue Kering", "Crème Brûlée"),
    ("PT Batik 88 Nusantara", "Kemeja Batik Tulis", "B88"),
    # Texts inside several words: every one of them counts.
    ("CV Jayakarta", "Kursi Jatiraya", "Tenunan"),
    ("UD Kopiah", "Peci", "Batiknusa"),
]
TEXTS = [
    "jaya",
    "aya",
    "kopi",
    "250g",
    "250",
    "tenun",
    "ten",
    "karya",
    "ary",
    "sri",
    "maju",
    "mundur",
    "jati",
    "mahoni",
    "cafe",
    "CAFÉ",
    "creme",
    "brulee",
    "88",
    "b88",
    "batik",
    "tik",
    "nusa",
    "sumba",
    "umb",
    "xyz",
    "ikat",
    "organik",
    "rotan",
    "ota",
]


def _rows(queryset) -> list[str]:
    return sorted(queryset.values_list("company_name", flat=True))


def test_every_text_finds_what_the_substring_search_finds():
    for company, product, brand in NAMES:
        CertificateFactory(company_name=company, product_name=product, product_brand=brand)
    everything = Certificate.objects.all()
    for text in TEXTS:
        condition = selectors._in_some_name(everything, text)
        substring = selectors._pg_contains_any([" ".join(text.split())])
        expected = _rows(everything.filter(substring))
        if condition is None:
            assert expected == [], text
            continue
        # Three letters or more: the words' table holds no shorter word (0006).
        assert (WORDS_INDEX_SQL in condition.sql) is (len(text) >= 3), text
        assert _rows(everything.filter(condition)) == expected, text
        walked = hide_search_from_index(everything.filter(condition))
        assert _rows(walked) == expected, text


def test_a_renamed_or_deleted_certificate_leaves_the_words_index_right():
    kept = CertificateFactory(company_name="CV Gerabah Kasongan", product_name="Guci")
    gone = CertificateFactory(company_name="CV Gerabah Baru", product_name="Vas")
    Certificate.objects.filter(pk=kept.pk).update(company_name="CV Keramik Kasongan")
    gone.delete()
    assert selectors._in_some_name(Certificate.objects.all(), "gerabah") is None
    condition = selectors._in_some_name(Certificate.objects.all(), "keramik")
    assert _rows(Certificate.objects.filter(condition)) == ["CV Keramik Kasongan"]


def test_a_text_inside_many_words_is_searched_as_a_substring(client, monkeypatch):
    monkeypatch.setattr(selectors, "WORD_ARRAY_LIMIT", 1)
    for company in ("CV Sentosa", "CV Sentosaraya"):
        CertificateFactory(company_name=company)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("registry:lookup"), {"q": "sentosa"})
    assert len(response.context["rows"]) == 2
    sql = " ".join(q["sql"] for q in captured.captured_queries)
    assert WORDS_INDEX_SQL not in sql and "LIKE" in sql


def test_the_lookup_searches_a_word_through_the_words_index(client):
    CertificateFactory(company_name="CV Sentosa", product_name="Kursi")
    CertificateFactory(company_name="CV Makmur", product_name="Meja")
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("registry:lookup"), {"q": "SENTOS"})
    assert [c.company_name for c, _status in response.context["rows"]] == ["CV Sentosa"]
    assert any(WORDS_INDEX_SQL in q["sql"] for q in captured.captured_queries)


# Phrases: words that end or begin longer ones, whole words in the middle, short words (two
# letters, one letter), accents, punctuation between or around the words, words out of order.
PHRASES = [
    "sinar jaya",
    "inar jay",
    "cv sinar",
    "v sinar",
    "ud kopi gayo",
    "kopi gayo asli",
    "opi gayo as",
    "gayo kopi",
    "bubuk 250g",
    "tenun ikat sumba",
    "pt tenun",
    "karya wanita",
    "dewi sri",
    "maju-mundur",
    "maju mundur",
    "ju-mun",
    "-mundur",
    "jati / mahoni",
    "jati mahoni",
    "m&m",
    "cafe creme",
    "CAFÉ CRÈME",
    "crème brûlée",
    "batik 88",
    "88 nusantara",
    "batik tulis",
    "ud kopiah",
    "kopiah peci",
    "sri beras",
    "a sinar",
    "sinar j",
    "xyz jaya",
    "jaya xyz",
    "kursi jatiraya",
    "kursi jati",
]


def test_every_phrase_finds_what_the_substring_search_finds():
    for company, product, brand in NAMES:
        CertificateFactory(company_name=company, product_name=product, product_brand=brand)
    everything = Certificate.objects.all()
    through_words = 0
    for text in PHRASES:
        text = " ".join(text.split())
        expected = _rows(everything.filter(selectors._pg_contains_any([text])))
        # Alone (its ids read at once) and with another condition (only whether one exists).
        for queryset in (everything, everything.filter(status=Certificate.Status.VALID)):
            condition = selectors._in_some_name(queryset, text)
            if condition is None:
                assert expected == [], text
                continue
            through_words += WORDS_INDEX_SQL in condition.sql
            assert _rows(everything.filter(condition)) == expected, text
            walked = hide_search_from_index(everything.filter(condition))
            assert _rows(walked) == expected, text
            if condition.known_ids is not None:
                assert len(condition.known_ids) == len(expected), text
    assert through_words >= 40  # most phrases are asked of the words' index


def test_a_phrase_whose_words_are_in_many_words_is_searched_as_a_substring(monkeypatch):
    monkeypatch.setattr(selectors, "WORD_ARRAY_LIMIT", 1)
    for company in ("CV Sentosa Abadi", "CV Sentosaraya Abadi", "UD Tosa Abadi"):
        CertificateFactory(company_name=company)
    everything = Certificate.objects.all()
    # "tosa" ends two words of the register (sentosa, tosa): the first word's list is too long.
    condition = selectors._in_some_name(everything, "tosa abadi")
    assert condition.sql.count(WORDS_INDEX_SQL) == 1
    assert len(condition.known_ids) == 2
    # Both too long: the trigram index.
    CertificateFactory(company_name="CV Abadiyah")
    condition = selectors._in_some_name(everything, "tosa abadi")
    assert WORDS_INDEX_SQL not in condition.sql
    assert len(condition.known_ids) == 2


def test_the_lookup_searches_a_phrase_through_the_words_index(client):
    CertificateFactory(company_name="CV Sentosa Abadi", product_name="Kursi")
    CertificateFactory(company_name="CV Abadi Sentosa", product_name="Meja")
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("registry:lookup"), {"q": "sentosa ABADI"})
    assert [c.company_name for c, _status in response.context["rows"]] == ["CV Sentosa Abadi"]
    assert any(WORDS_INDEX_SQL in q["sql"] for q in captured.captured_queries)
    response = client.get(reverse("registry:lookup"), {"q": "sentosa abadi", "status": "valid"})
    assert [c.company_name for c, _status in response.context["rows"]] == ["CV Sentosa Abadi"]


TYPOS = [
    "jayaa",
    "kursi rotn",
    "tenun ikt",
    "mahonni",
    "kopi gyo",
    "brulee creme",
    "sumbaa",
    "8 8",
    "ka",
]


def test_a_misspelt_text_finds_through_the_words_what_the_substrings_find(monkeypatch):
    """Typo tolerance: each word of the text or a similar word of the register, asked through
    the words' index when they lie inside few words, finds what their substrings find."""
    for company, product, brand in NAMES:
        CertificateFactory(company_name=company, product_name=product, product_brand=brand)
    everything = Certificate.objects.all()
    found = {}
    with CaptureQueriesContext(connection) as captured:
        for text in TYPOS:
            found[text] = _rows(selectors.certificate_search(everything, text=text))
    assert any(WORDS_INDEX_SQL in q["sql"] and "LIMIT" not in q["sql"] for q in captured)
    assert found["kursi rotn"] == ["CV Sinar Jaya"] and found["jayaa"]
    monkeypatch.setattr(selectors, "WORD_ARRAY_LIMIT", 0)  # every spelling as a substring
    for text in TYPOS:
        assert _rows(selectors.certificate_search(everything, text=text)) == found[text], text
