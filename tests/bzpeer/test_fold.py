"""One fold for names and titles: search, arXiv name matching and title dedupe agree.

Before there was one fold, search mapped ø, ß, þ and the others did not: "Søren" matched
"Soren" in a search but not in arXiv name matching, and "Straße" was not "strasse" in titles.
"""

import unicodedata

import pytest
from django.db import connection

from bzpeer.fold import fold, title_key
from works.importers.csl import _name_key
from works.importers.names import names_compatible
from works.search import sqlite_fold, terms

# Letters Unicode does not decompose into a base letter and a mark: NFKD alone leaves them.
UNDECOMPOSED = {
    "Søren": "soren",
    "Straße": "strasse",
    "Þórður": "thordur",
    "Ægir": "aegir",
    "Œuvre": "oeuvre",
    "Łukasz": "lukasz",
    "Đorđe": "dorde",
    "Guðrún": "gudrun",
    "K\u0131r\u0131kkale": "kirikkale",  # dotless i
}


@pytest.mark.parametrize(("text", "folded"), UNDECOMPOSED.items())
def test_it_spells_undecomposed_latin_letters_in_ascii(text, folded):
    assert fold(text) == folded


def test_it_lowers_removes_accents_and_collapses_whitespace():
    assert fold("  Frédéric\tMÖLLER \n Ørsted ") == "frederic moller orsted"
    # Compatibility forms: full-width letters, the "fi" ligature.
    assert fold("\uff21\uff22\uff23 \ufb01nal") == "abc final"


def test_it_keeps_other_scripts_in_their_own_letters_as_postgres_unaccent_does():
    # A transliterated query ("chaikovskii") would find nothing in the SQL-folded text.
    greek = "\u0386\u03bb\u03c6\u03b1 \u0392\u0397\u03a4\u0391"
    assert fold(greek) == "\u03b1\u03bb\u03c6\u03b1 \u03b2\u03b7\u03c4\u03b1"
    assert fold("Ёлка") == "елка"
    assert fold("北京大学") == "北京大学"


def test_arxiv_name_matching_folds_like_search():
    # Disagreed before: NFKD leaves ø, so "søren" != "soren" and the entry was dropped.
    assert names_compatible("Søren Kierkegaard", "Soren Kierkegaard")
    assert names_compatible("S. Kierkegaard", "Søren Kierkegaard")
    assert names_compatible("Þóra Ægisdóttir", "Thora Aegisdottir")
    assert not names_compatible("Søren Kierkegaard", "Soren Kirkegaard")


def test_search_terms_fold_like_names():
    assert terms("Straße Søren") == ["strasse", "soren"]


def test_the_sqlite_fold_is_the_same_fold_and_reads_json_escapes():
    assert sqlite_fold(None) is None
    assert sqlite_fold('["Stra\\u00dfe"]') == '["strasse"]'
    assert sqlite_fold("Søren  Kierkegaard") == fold("Søren  Kierkegaard")


def test_one_title_key_for_version_linking_and_csl_matching():
    # Disagreed before: "ß" stayed "ß" in titles but was "ss" in search.
    assert title_key("Die Straße: Ein Überblick!") == title_key("die strasse ein uberblick")
    assert title_key("Élan: a Study!") == "elan a study"
    assert title_key(None) == ""
    assert _name_key("Kierkegaard, Søren") == ("kierkegaard", "s")


def _latin_letters() -> list[str]:
    ranges = [range(0xC0, 0x250), range(0x1E00, 0x1F00), range(0xA720, 0xA800)]
    return [
        chr(i)
        for r in ranges
        for i in r
        if chr(i).isalpha() and unicodedata.name(chr(i), "").startswith("LATIN")
    ]


@pytest.mark.django_db
def test_python_fold_agrees_with_the_postgres_fold_on_every_latin_letter_unaccent_maps():
    """Search compares Python-folded query terms with ``bzpeer_fold`` (lower + unaccent) of the
    stored text. Latin letters unaccent leaves alone (ƀ, ǝ, ȝ, ...) are transliterated by
    Python only; the index expressions are left as they are (see bzpeer/fold.py)."""
    if connection.vendor != "postgresql":
        pytest.skip("the SQL fold is PostgreSQL's unaccent")
    letters = _latin_letters()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c, bzpeer_fold(c) FROM unnest(%s::text[]) AS c "
            "WHERE public.unaccent('public.unaccent'::regdictionary, c) <> c",
            [letters],
        )
        rows = cursor.fetchall()
    assert len(rows) > 600  # unaccent's rules cover the Latin-1 and Latin Extended letters
    disagreements = [(c, sql, fold(c)) for c, sql in rows if fold(c) != " ".join(sql.split())]
    assert disagreements == []


@pytest.mark.django_db
def test_search_finds_undecomposed_letters_from_either_spelling():
    from tests.factories import ResearcherFactory
    from works.search import researchers_matching

    soren = ResearcherFactory(display_name="Søren Straße")
    for query in ("soren strasse", "Søren Straße", "SØREN", "strass"):
        assert soren in list(researchers_matching(query)), query
