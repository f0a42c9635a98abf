"""The home page: canonical researchers with institution and works count, and a search box."""

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from profiles.models import Researcher
from tests.factories import AuthorshipFactory, InstitutionFactory, ResearcherFactory, WorkFactory
from works.models import Authorship, Work

pytestmark = pytest.mark.django_db


def rows(response) -> list[str]:
    html = response.content.decode()
    found = re.findall(r'<li class="researcher-row">(.*?)</li>', html, flags=re.S)
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", row)).split()) for row in found]


def test_home_has_a_search_box_that_goes_to_search(client):
    html = client.get("/").content.decode()
    assert 'action="/search/"' in html
    assert re.search(r'<input[^>]*type="search"[^>]*name="q"', html)
    assert 'role="search"' in html


def test_home_lists_canonical_researchers_with_institution_and_works_count(client):
    bangor = InstitutionFactory(display_name="Bangor University")
    joseph = ResearcherFactory(display_name="Joseph Mearman", last_known_institution=bangor)
    ResearcherFactory(display_name="Merged Duplicate", merged_into=joseph)
    ResearcherFactory(display_name="Zed Nobody", last_known_institution=None)
    for i in range(3):
        AuthorshipFactory(researcher=joseph, work=WorkFactory(title=f"W{i}"))
    AuthorshipFactory(researcher=joseph, work=WorkFactory(title="Hidden", is_hidden=True))
    published = WorkFactory(title="Published")
    AuthorshipFactory(researcher=joseph, work=published)
    AuthorshipFactory(researcher=joseph, work=WorkFactory(title="Pre", version_of=published))

    response = client.get("/")

    assert response.status_code == 200
    assert rows(response) == [
        "Joseph Mearman Bangor University 4 works",
        "Zed Nobody Affiliation not imported 0 works",
    ]
    assert f'href="/researchers/{joseph.pk}/"' in response.content.decode()


def test_home_works_count_matches_the_profile_page(client):
    researcher = ResearcherFactory(display_name="Counted")
    AuthorshipFactory(researcher=researcher, work=WorkFactory())
    # Listed twice on one work (e.g. after a merge): still one work.
    shared = WorkFactory()
    AuthorshipFactory(researcher=researcher, work=shared, order=0)
    AuthorshipFactory(researcher=researcher, work=shared, order=1)

    assert rows(client.get("/")) == ["Counted Affiliation not imported 2 works"]
    profile = client.get(researcher.get_absolute_url()).content.decode()
    assert "2 published item(s)" in profile


def test_home_is_paginated(client):
    Researcher.objects.bulk_create(Researcher(display_name=f"R{i:03d}") for i in range(35))
    first = client.get("/")
    second = client.get("/", {"page": 2})
    assert len(rows(first)) == 30
    assert len(rows(second)) == 5
    assert rows(client.get("/", {"page": "nope"})) == rows(first)


def _researchers(n: int) -> None:
    institution = InstitutionFactory()
    researchers = Researcher.objects.bulk_create(
        Researcher(display_name=f"R{i:03d}", last_known_institution=institution) for i in range(n)
    )
    works = Work.objects.bulk_create(Work(title=f"W{i}") for i in range(n * 3))
    Authorship.objects.bulk_create(
        Authorship(work=w, researcher=researchers[i % n], order=0) for i, w in enumerate(works)
    )


def test_home_query_count_does_not_grow_with_researchers(client, django_assert_max_num_queries):
    _researchers(2)
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    _researchers(28)
    with CaptureQueriesContext(connection) as many:
        client.get("/")
    assert len(few.captured_queries) == len(many.captured_queries)
    with django_assert_max_num_queries(3):
        client.get("/")
