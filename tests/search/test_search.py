"""Search on the recorded data: the same expectations hold on SQLite and PostgreSQL."""

import pytest

from tests.search.recorded import PREPRINT, PUBLISHED
from works.models import Work
from works.search import (
    BadQuery,
    fold,
    name_terms,
    researchers_matching,
    terms,
    works_matching,
)

pytestmark = pytest.mark.django_db


def names(query: str) -> list[str]:
    return [r.display_name for r in researchers_matching(query)]


def titles(query: str) -> list[str]:
    return [w.title for w in works_matching(query)]


def test_folding_removes_accents_and_case():
    assert fold("Frédéric MÖLLER Łukasz Ørsted") == "frederic moller lukasz orsted"


def test_query_words_are_folded_and_split_on_punctuation():
    assert terms("J.W. Mearman") == ["j", "w", "mearman"]
    assert name_terms("JW Mearman") == ["j", "w", "mearman"]


@pytest.mark.parametrize(
    "query",
    ["Joseph Mearman", "joseph mearman", "MEARMAN", "Mearman J", "J Mearman", "J. W. Mearman"],
)
def test_name_forms_find_joseph_mearman(mearman, query):
    assert names(query)[0] == "Joseph Mearman"


@pytest.mark.parametrize("query", ["Mear", "jo mear", "mearm"])
def test_partial_names_find_him(mearman, query):
    assert "Joseph Mearman" in names(query)


@pytest.mark.parametrize("query", ["Frederic Labrosse", "frédéric", "FREDERIC", "Labrosse F"])
def test_accents_are_ignored_both_ways(mearman, query):
    assert "Frédéric Labrosse" in names(query)


def test_an_accented_query_finds_an_unaccented_spelling(mearman):
    assert "Katharina Möller" in names("Moller")
    assert "Katharina Möller" in names("Möller K")


def test_initials_do_not_match_the_wrong_person(mearman):
    # Every word must start a word of the name: "P" is not an initial of Joseph Mearman.
    assert "Joseph Mearman" not in names("Mearman P")
    assert "Panagiotis D. Ritsos" in names("Ritsos P")


def test_a_name_variant_is_searched_too(mearman):
    # "Joseph W. Mearman" is only a display_name_alternative of the record.
    assert names("Joseph W Mearman")[0] == "Joseph Mearman"


def test_exact_name_ranks_above_partial_matches(mearman):
    found = names("Jonathan Roberts")
    assert found[0] == "Jonathan C. Roberts"


def test_unknown_names_find_nobody(mearman):
    assert names("Zzyzx Quillfeather") == []


def test_works_are_found_by_title_words(mearman):
    assert titles("Tangible papercraft")[0] == "Tangible papercraft visualisations for education"


def test_works_are_found_by_partial_title_words_while_typing(mearman):
    assert "Tangible papercraft visualisations for education" in titles("tangible paperc")


def test_works_are_found_by_abstract_words(mearman):
    work = Work.objects.exclude(abstract="").get(openalex_id="W2241997964")
    word = next(w for w in work.abstract.split() if len(w) > 8 and w.isalpha())
    assert work.title in titles(word)


def test_title_matches_rank_above_abstract_only_matches(mearman):
    found = titles("photogrammetry")
    assert found[0] == "Harnessing Photogrammetry to Create Alternative Views in Heritage"


def test_a_preprint_is_not_listed_next_to_its_published_version(mearman):
    found = list(works_matching("3D Visualisations Should Not be Displayed Alone"))
    ids = [w.openalex_id for w in found]
    assert PUBLISHED in ids
    assert PREPRINT not in ids


def test_hidden_works_are_never_found(mearman):
    Work.objects.filter(title__startswith="Tangible papercraft").update(is_hidden=True)
    assert titles("Tangible papercraft") == []


def test_sql_looking_queries_are_just_words(mearman):
    assert names("'; DROP TABLE profiles_researcher; --") == []
    # Only its words count ("or", "1"): it is not a condition that matches every work.
    assert len(titles("%' OR 1=1 --")) < Work.objects.count()
    assert titles("'; DELETE FROM works_work WHERE ''='") == []
    assert names("Mearman") == ["Joseph Mearman"]


def test_regex_characters_in_queries_are_harmless(mearman):
    assert names("Mear.*") == ["Joseph Mearman"]
    assert names("(((") == []


def test_empty_and_punctuation_only_queries_find_nothing(mearman):
    assert names("") == []
    assert names("  ...  ") == []
    assert titles("") == []


def test_too_long_or_nul_queries_are_refused():
    with pytest.raises(BadQuery):
        researchers_matching("x" * 201)
    with pytest.raises(BadQuery):
        works_matching("mear\x00man")


@pytest.mark.postgres
def test_postgres_tolerates_a_typo_in_a_name(mearman, settings):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("trigram similarity needs PostgreSQL")
    assert names("Mearmen")[0] == "Joseph Mearman"
