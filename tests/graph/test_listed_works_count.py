"""Researcher.listed_works_count, kept by the graph's recomputes, is what the profile page
counts (profiles.publications) for every record, whatever changed."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import F

from graph.actions import refresh_researchers
from profiles.merge import merge_researchers
from profiles.publications import listed_works_count_subquery
from tests.graph.conftest import MEARMAN, recorded_works
from works.curation import set_work_hidden
from works.models import Researcher, Work

pytestmark = pytest.mark.django_db

HIDDEN = "W2250748100"  # the 2015 article with eleven authors
JACKSON = "A5110556667"


def wrong_counts() -> list[tuple[int, int, int]]:
    """(record, stored count, counted) for every record whose stored count is wrong."""
    return list(
        Researcher.objects.annotate(counted=listed_works_count_subquery())
        .exclude(listed_works_count=F("counted"))
        .values_list("pk", "listed_works_count", "counted")
    )


def test_after_an_import_every_record_has_its_listed_count(mearman):
    assert wrong_counts() == []
    # Nine recorded works, the preprint and its published version listed once.
    assert len(recorded_works()) == 9
    assert Researcher.objects.get(openalex_id=MEARMAN).listed_works_count == 8
    assert Researcher.objects.filter(listed_works_count__gt=0).count() > 10


def test_a_full_recompute_writes_the_same_counts(mearman):
    stored = dict(Researcher.objects.values_list("pk", "listed_works_count"))
    Researcher.objects.update(listed_works_count=0)

    call_command("recompute_graph", stdout=StringIO())

    assert dict(Researcher.objects.values_list("pk", "listed_works_count")) == stored
    assert wrong_counts() == []


def test_hiding_a_work_lowers_the_counts_of_its_authors(
    mearman, django_capture_on_commit_callbacks
):
    work = Work.objects.get(openalex_id=HIDDEN)
    authors = set(work.authorships.values_list("researcher_id", flat=True))
    before = dict(Researcher.objects.filter(pk__in=authors).values_list("pk", "listed_works_count"))

    with django_capture_on_commit_callbacks(execute=True):
        set_work_hidden(work, True, actor=None)

    assert wrong_counts() == []
    after = dict(Researcher.objects.filter(pk__in=authors).values_list("pk", "listed_works_count"))
    assert after == {pk: count - 1 for pk, count in before.items()}


def test_a_merge_moves_the_count_to_the_record_merged_into(
    mearman, django_capture_on_commit_callbacks
):
    jackson = Researcher.objects.get(openalex_id=JACKSON)
    duplicate = Researcher.objects.create(display_name="J. Jackson")
    # One of Jackson's works credited to a duplicate record, as a second import might.
    authorship = jackson.authorships.order_by("work__publication_year").first()
    authorship.researcher = duplicate
    authorship.save(update_fields=["researcher"])
    refresh_researchers([jackson.pk, duplicate.pk])
    jackson.refresh_from_db()
    duplicate.refresh_from_db()
    assert duplicate.listed_works_count == 1
    before = jackson.listed_works_count

    with django_capture_on_commit_callbacks(execute=True):
        merge_researchers(duplicate, jackson, actor=None)

    assert wrong_counts() == []
    jackson.refresh_from_db()
    duplicate.refresh_from_db()
    assert (jackson.listed_works_count, duplicate.listed_works_count) == (before + 1, 0)
