"""Institutions by name, for the search page: "Bangor University" lists the people there.

An institution matches when every word of the query starts a word of its name, compared folded
(lower case, no accents) like names and titles in ``profiles.search``. Each match comes with its
canonical researchers whose last known institution it is, the most published first, up to
``PEOPLE_PER_INSTITUTION`` of them, and how many there are in all.

Queries: one for the institutions, one for the people (a row number per institution keeps it to
``PEOPLE_PER_INSTITUTION`` each), whatever the data.
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, TextField, Value, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, RowNumber

from works.models import Institution, Researcher
from works.search import terms

INSTITUTIONS_LIMIT = 5
PEOPLE_PER_INSTITUTION = 10


@dataclass
class InstitutionMatch:
    institution: Institution
    people_count: int
    people: list[Researcher]


def _folded_name() -> RawSQL:
    # bzpeer_fold is the SQL function profiles.search compares with (the migration creates it on
    # PostgreSQL; SQLite gets the Python one on the connection, below).
    return RawSQL("bzpeer_fold(profiles_institution.display_name)", [], output_field=TextField())


def _register_fold() -> None:
    # bzpeer_fold is registered on every new SQLite connection (works.search).
    connection.ensure_connection()


def institutions_matching(query: str) -> list[InstitutionMatch]:
    """Institutions whose name has every word of ``query`` (already cleaned by
    ``works.search.clean_query``), those with the most researchers first."""
    words = terms(query)
    if not words:
        return []
    _register_fold()
    every_word = Q()
    for word in words:
        # Words hold only word characters, so they are safe inside the pattern.
        every_word &= Q(search_name__regex=r"(^|\W)" + word)
    people_count = (
        Researcher.objects.canonical()
        .filter(last_known_institution=OuterRef("pk"))
        .order_by()
        .values("last_known_institution")
        .annotate(n=Count("pk"))
        .values("n")
    )
    institutions = list(
        Institution.objects.annotate(search_name=_folded_name())
        .filter(every_word)
        .annotate(
            people_count=Coalesce(Subquery(people_count, output_field=IntegerField()), Value(0))
        )
        .order_by("-people_count", "display_name", "pk")[:INSTITUTIONS_LIMIT]
    )
    if not institutions:
        return []
    people = (
        Researcher.objects.canonical()
        .filter(last_known_institution__in=[i.pk for i in institutions])
        .annotate(
            place=Window(
                RowNumber(),
                partition_by=F("last_known_institution"),
                order_by=[F("listed_works_count").desc(nulls_last=True), "display_name", "pk"],
            )
        )
        .filter(place__lte=PEOPLE_PER_INSTITUTION)
        .order_by("last_known_institution", "place")
    )
    by_institution: dict[int, list[Researcher]] = {}
    for person in people:
        by_institution.setdefault(person.last_known_institution_id, []).append(person)
    return [InstitutionMatch(i, i.people_count, by_institution.get(i.pk, [])) for i in institutions]
