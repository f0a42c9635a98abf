"""Finding researchers by name and works by title or abstract: the matching every search uses.

Names and texts are compared folded: lower case, accents removed ("Frédéric" == "frederic"),
through one SQL function, ``bzpeer_fold``. On PostgreSQL it is an immutable wrapper around the
``unaccent`` extension (created by ``profiles/migrations/0002_search``; the trigram and
full-text indexes over the same expressions are those of ``0003_bounded_search``); on SQLite it
is ``bzpeer.fold.fold`` (through ``sqlite_fold`` below), registered on the connection before
each search. Both fold Latin letters alike (tests/bzpeer/test_fold.py).

Only the first ``SEARCHED_*_CHARS`` characters of a text are searched, in every expression and
in the indexes: one hostile record of megabytes must cost a search no more than a real one. On
PostgreSQL the full-text document of a work is the stored column ``works_work.search_document``,
so a search never reads abstracts.

Every word of the query must start a word of the name or one of its variants, so "Mearman J",
"J. Mearman", "jo mear" and "MEARMAN" all find "Joseph Mearman"; a work matches when every word
starts a word of its title or abstract. PostgreSQL matches abstracts through English full-text
search (stemmed prefixes), also accepts names and titles close in spelling (trigrams, for
typos) and adds full-text relevance and similarity to the rank; SQLite ranks by how many query
words start a word of the display name or title.
"""

import re

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    F,
    FloatField,
    IntegerField,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Greatest

from bzpeer.fold import fold
from works.models import Researcher, Work

MAX_QUERY_LENGTH = 200
RESULTS_LIMIT = 20
MAX_TERMS = 8
MAX_TERM_LENGTH = 40
# The search page ranks at most this many matching works (PostgreSQL) and shows the first
# RESULTS_LIMIT: a word found in half the works would otherwise be ranked over every one of them
# (0.9 s for 42,000 matches on 100,000 works), and the page would grow with the whole database.
RANKED_WORKS = 1000
# How much of each text search reads. No real title or list of name variants is longer, and the
# rest of a long abstract hardly changes what it is about. The same numbers are written in the
# expressions indexed by profiles/migrations/0003_bounded_search (and its stored column).
SEARCHED_TITLE_CHARS = 1000
SEARCHED_ABSTRACT_CHARS = 5000
SEARCHED_NAMES_CHARS = 1000

# SQLite stores JSON (the name variants) with \uXXXX escapes.
_JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_WORD = re.compile(r"\w+")


class BadQuery(ValueError):
    """The query cannot be searched for (too long, or contains NUL characters)."""


def sqlite_fold(text: str | None) -> str | None:
    """``bzpeer_fold`` on SQLite: ``bzpeer.fold.fold`` of the stored text, NULL kept, and the
    \\uXXXX escapes of SQLite's JSON read as the letters they stand for."""
    if text is None:
        return None
    return fold(_JSON_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text))


def clean_query(raw: str | None) -> str:
    """The query as typed, stripped; ``BadQuery`` when it cannot be searched for."""
    query = (raw or "").strip()
    if len(query) > MAX_QUERY_LENGTH:
        raise BadQuery(f"The query is longer than {MAX_QUERY_LENGTH} characters.")
    if "\x00" in query:
        raise BadQuery("The query contains a NUL character.")
    return query


def terms(query: str) -> list[str]:
    """The folded words of a query; punctuation separates words ("J.W." -> ["j", "w"])."""
    words = [w[:MAX_TERM_LENGTH] for w in _WORD.findall(fold(query) or "")]
    return list(dict.fromkeys(w for w in words if w != "_"))[:MAX_TERMS]


def name_terms(query: str) -> list[str]:
    """Like ``terms``, but initials written together ("JW Mearman") count as separate words."""
    spaced = re.sub(r"\b([A-Z]{2,3})\b", lambda m: " ".join(m.group(1)), query)
    return terms(spaced)


def _sql(sql: str, params: list, output_field) -> RawSQL:
    """SQL the ORM cannot spell (functions from the migration). ``sql`` is always a constant
    of this module; user input only ever travels in ``params``."""
    return RawSQL(sql, params, output_field=output_field)  # noqa: S611


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def register_sqlite_fold(sender, connection, **kwargs) -> None:
    """``connection_created`` receiver: give each new SQLite connection the ``bzpeer_fold``
    function PostgreSQL gets from the migration. Once, when the connection opens: SQLite refuses
    to (re)define a function while another thread has a statement running on a shared
    connection, as the live-server browser tests do."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("bzpeer_fold", 1, sqlite_fold, deterministic=True)


def _prepare_connection() -> None:
    """Open the connection, so that its functions are registered (see above)."""
    connection.ensure_connection()


def _starts_a_word(term: str) -> str:
    # Terms hold only word characters, so they are safe inside a pattern. `\W` means the same
    # in PostgreSQL's regular expressions and in Python's (SQLite's REGEXP is Python's `re`).
    return r"(^|\W)" + re.escape(term)


def _name_haystack() -> RawSQL:
    # Must stay identical to the expression indexed in profiles/migrations/0003_bounded_search.
    alternatives = (
        "display_name_alternatives::text" if _is_postgres() else "display_name_alternatives"
    )
    sql = (
        f"bzpeer_fold(substr(profiles_researcher.display_name || ' ' || "
        f"profiles_researcher.{alternatives}, 1, {SEARCHED_NAMES_CHARS}))"
    )
    return _sql(sql, [], output_field=TextField())


def _display_name_folded() -> RawSQL:
    return _sql(
        f"bzpeer_fold(substr(profiles_researcher.display_name, 1, {SEARCHED_NAMES_CHARS}))",
        [],
        output_field=TextField(),
    )


def _work_haystack() -> RawSQL:
    """SQLite: the bounded title and abstract (PostgreSQL searches its stored document)."""
    return _sql(
        f"bzpeer_fold(substr(works_work.title, 1, {SEARCHED_TITLE_CHARS}) || ' ' || "
        f"substr(works_work.abstract, 1, {SEARCHED_ABSTRACT_CHARS}))",
        [],
        output_field=TextField(),
    )


def _title_folded() -> RawSQL:
    # Must stay identical to the expression indexed in profiles/migrations/0003_bounded_search.
    return _sql(
        f"bzpeer_fold(substr(works_work.title, 1, {SEARCHED_TITLE_CHARS}))",
        [],
        output_field=TextField(),
    )


def _work_document() -> RawSQL:
    """PostgreSQL: the stored full-text document (bounded title and abstract, stemmed)."""
    return _sql("works_work.search_document", [], output_field=SearchVectorField())


def _count_matches(field: str, words: list[str]) -> Value | F:
    total = Value(0)
    for word in words:
        total = total + Case(
            When(**{f"{field}__regex": _starts_a_word(word)}, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    return total


def _close_in_spelling(words: list[str], folded: RawSQL) -> RawSQL:
    """PostgreSQL: the words are close in spelling to part of ``folded`` (pg_trgm's ``<%``,
    word similarity above ``pg_trgm.word_similarity_threshold``, 0.6 by default). An operator
    rather than a comparison with word_similarity(), so the trigram index can answer it."""
    return _sql(f"%s <%% {folded.sql}", [" ".join(words)], output_field=BooleanField())


def researchers_matching(raw_query: str, queryset: QuerySet | None = None) -> QuerySet:
    """Canonical researchers whose name or name variants match, best first.

    Raises ``BadQuery`` for a query that cannot be searched for; an empty query matches nobody.
    """
    words = name_terms(clean_query(raw_query))
    queryset = Researcher.objects.canonical() if queryset is None else queryset
    if not words:
        return queryset.none()
    _prepare_connection()
    queryset = queryset.alias(search_haystack=_name_haystack(), search_name=_display_name_folded())
    every_word = Q()
    for word in words:
        every_word &= Q(search_haystack__regex=_starts_a_word(word))
    rank = _count_matches("search_name", words)
    if _is_postgres():
        similarity = _sql(
            f"word_similarity(%s, {_name_haystack().sql})", [" ".join(words)], FloatField()
        )
        queryset = queryset.alias(search_similarity=similarity)
        # Names close in spelling only when no name matches word for word ("Mearmen" finds
        # Mearman), and initials still have to match: "Mearman P" is not Joseph Mearman.
        if queryset.filter(every_word).exists():
            queryset = queryset.filter(every_word)
        else:
            every_initial = Q()
            for word in words:
                if len(word) == 1:
                    every_initial &= Q(search_haystack__regex=_starts_a_word(word))
            queryset = queryset.filter(every_initial, _close_in_spelling(words, _name_haystack()))
        rank = rank + F("search_similarity")
    else:
        queryset = queryset.filter(every_word)
    return queryset.annotate(search_rank=rank).order_by("-search_rank", "display_name", "pk")


def _among_first_full_text_matches(queryset: QuerySet, tsquery, limit: int) -> QuerySet:
    """``queryset`` cut to the first ``limit`` visible works matching ``tsquery``, when there
    are that many; else as it is (the title's word starts and spellings then add their few).

    Read in a query of their own: the expressions above name ``works_work``, which a subquery
    renames. Full text alone, as the cheapest test per row: folding titles is what made
    ranking every match slow.
    """
    first = list(
        Work.objects.visible()
        .alias(search_document=_work_document())
        .filter(search_document=tsquery)
        .order_by()
        .values_list("pk", flat=True)[:limit]
    )
    return queryset.filter(pk__in=first) if len(first) == limit else queryset


def works_matching(
    raw_query: str, queryset: QuerySet | None = None, *, ranked_at_most: int | None = None
) -> QuerySet:
    """Visible works whose title or abstract match, most relevant first.

    A version of another visible work (a preprint of a published paper) is left out: its main
    entry stands for it. Raises ``BadQuery``; an empty query matches nothing. With
    ``ranked_at_most`` (PostgreSQL), only the first that many matches the indexes find are
    ranked, in one more query: for a page that shows the best few, not for a complete list.
    """
    words = terms(clean_query(raw_query))
    if queryset is None:
        queryset = Work.objects.visible().filter(
            Q(version_of__isnull=True) | Q(version_of__is_hidden=True)
        )
    if not words:
        return queryset.none()
    _prepare_connection()
    queryset = queryset.alias(search_title=_title_folded())
    rank = _count_matches("search_title", words)
    if _is_postgres():
        # Every word as a prefix ("visualis" matches "visualisations"), stemmed in English.
        # Words hold only word characters, so no tsquery operator can come from the user.
        tsquery = SearchQuery(
            " & ".join(f"{w}:*" for w in words), search_type="raw", config="english"
        )
        similarity = _sql(
            f"word_similarity(%s, {_title_folded().sql})", [" ".join(words)], FloatField()
        )
        # Each alternative can use an index of profiles/migrations/0003_bounded_search: full
        # text (abstracts too), title word starts and title close in spelling (trigrams).
        every_title_word = Q()
        for word in words:
            every_title_word &= Q(search_title__regex=_starts_a_word(word))
        queryset = queryset.alias(search_document=_work_document()).filter(
            Q(search_document=tsquery)
            | every_title_word
            | Q(_close_in_spelling(words, _title_folded()))
        )
        if ranked_at_most is not None:
            queryset = _among_first_full_text_matches(queryset, tsquery, ranked_at_most)
        queryset = queryset.alias(search_similarity=similarity)
        rank = (
            rank
            + SearchRank(F("search_document"), tsquery)
            + Greatest(F("search_similarity"), Value(0.0))
        )
    else:
        every_word = Q()
        for word in words:
            every_word &= Q(search_haystack__regex=_starts_a_word(word))
        queryset = queryset.alias(search_haystack=_work_haystack()).filter(every_word)
    return queryset.annotate(search_rank=rank).order_by(
        "-search_rank", F("publication_year").desc(nulls_last=True), "pk"
    )
