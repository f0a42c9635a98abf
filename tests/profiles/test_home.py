"""The home page: canonical researchers with institution and works count, and a search box."""

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from graph.actions import refresh_researchers
from tests.factories import AuthorshipFactory, InstitutionFactory, ResearcherFactory, WorkFactory
from works.models import Authorship, Researcher, Work

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
    # The counts the list shows are kept by the graph, refreshed after every import or curation.
    refresh_researchers([joseph.pk])

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
    refresh_researchers([researcher.pk])  # as after an import

    assert rows(client.get("/")) == ["Counted Affiliation not imported 2 works"]
    profile = client.get(researcher.get_absolute_url()).content.decode()
    assert "2 published works" in profile


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


# The base layout, seen through the home page.


def test_layout_has_landmarks_skip_link_and_htmx_with_the_csrf_header(client, follower):
    html = client.get("/").content.decode()
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html
    assert "<header" in html and "<footer" in html
    assert '<nav class="site-nav" aria-label="Main">' in html
    assert re.search(r'<script src="/static/vendor/htmx.min.js" defer></script>', html)
    # Signed out, a page posts nothing through htmx and carries no token (so it can be served
    # from the page cache to everyone); signed in, htmx sends the token with every request.
    assert "X-CSRFToken" not in html
    client.force_login(follower)
    html = client.get("/").content.decode()
    token = re.search(r"<body hx-headers='\{\"X-CSRFToken\": \"([^\"]+)\"\}'>", html)
    assert token and len(token.group(1)) >= 32
    for path in ("/works/", "/api/docs/"):
        assert f'href="{path}"' in html


def test_layout_has_no_inline_scripts_or_styles(client):
    researcher = ResearcherFactory()
    AuthorshipFactory(researcher=researcher, work=WorkFactory(abstract="Words. " * 100))
    for url in ("/", researcher.get_absolute_url()):
        html = client.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert "<style" not in html, url
        assert not re.search(r"\sstyle=", html), url
        assert not re.search(r"\son[a-z]+=", html), url


def test_signed_out_visitors_get_sign_in_and_sign_up_links(client):
    html = client.get("/").content.decode()
    assert 'href="/accounts/login/?next=/"' in html
    assert 'href="/accounts/signup/"' in html
    assert 'action="/accounts/logout/"' not in html


def test_signed_in_users_see_their_name_and_a_sign_out_form(client, follower):
    client.force_login(follower)
    html = client.get("/").content.decode()
    assert "Signed in as <strong>follower</strong>" in html
    form = re.search(r'<form method="post" action="/accounts/logout/".*?</form>', html, re.S)
    assert form and "csrfmiddlewaretoken" in form.group(0)
    assert 'href="/accounts/signup/"' not in html
