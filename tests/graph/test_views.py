"""The graph slice, the explorer page and the works-per-year chart and trust details."""

import pytest
from django.urls import reverse

from graph.actions import refresh_researchers
from tests.factories import AuthorshipFactory, ResearcherFactory, TopicFactory, WorkFactory
from works.models import Researcher, WorkTopic

pytestmark = pytest.mark.django_db


def grow(researcher: Researcher, works: int, coauthors: int) -> None:
    """Give a researcher works, co-authors and topics, then refresh the graph."""
    people = ResearcherFactory.create_batch(coauthors)
    topics = TopicFactory.create_batch(5)
    for index in range(works):
        work = WorkFactory(publication_year=2000 + index % 10)
        AuthorshipFactory(work=work, researcher=researcher, order=0)
        AuthorshipFactory(work=work, researcher=people[index % coauthors], order=1)
        WorkTopic.objects.create(work=work, topic=topics[index % 5])
    refresh_researchers([researcher.pk, *(p.pk for p in people)])


def test_the_slice_lists_people_close_ones_first_papers_topics_and_institutions(client, mearman):
    response = client.get(reverse("graph:slice", args=[mearman.pk]), headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<div class="graph-slice graph-slice--loaded" id="graph-slice">' in html
    assert "<html" not in html  # the partial, for htmx
    people = html.index("Jonathan C. Roberts"), html.index("Peter Butcher")
    assert people[0] < people[1]
    assert "close collaborator" in html
    assert "Augmented Reality Applications" in html
    assert "Bangor University" in html
    assert "Tangible papercraft visualisations for education" in html
    # The profile section around the slice links to the explorer; the partial does not repeat it.
    assert reverse("graph:explorer", args=[mearman.pk]) not in html
    assert "<svg" in html


def test_the_slice_link_without_javascript_gets_a_whole_page(client, mearman):
    response = client.get(reverse("graph:slice", args=[mearman.pk]))
    assert response.status_code == 200
    assert b"<html" in response.content
    assert reverse("graph:explorer", args=[mearman.pk]).encode() in response.content
    assert b"Jonathan C. Roberts" in response.content


def test_the_slice_and_explorer_escape_imported_titles(client):
    researcher = ResearcherFactory(display_name="<script>alert(1)</script>")
    work = WorkFactory(title="<img src=x onerror=alert(1)>")
    AuthorshipFactory(work=work, researcher=researcher)
    refresh_researchers([researcher.pk])
    for name in ("graph:slice", "graph:explorer"):
        html = client.get(reverse(name, args=[researcher.pk])).content.decode()
        assert "<img src=x" not in html
        assert "<script>alert" not in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_the_slice_of_an_unknown_researcher_is_404(client):
    assert client.get(reverse("graph:slice", args=[999999])).status_code == 404
    assert client.get(reverse("graph:explorer", args=[999999])).status_code == 404


def test_a_merged_record_redirects_to_the_record_it_was_merged_into(client):
    kept = ResearcherFactory()
    merged = ResearcherFactory(merged_into=kept)
    response = client.get(reverse("graph:explorer", args=[merged.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("graph:explorer", args=[kept.pk])


def test_a_record_merged_twice_and_a_merge_cycle_reach_the_explorer_as_resolve_says(client):
    kept = ResearcherFactory()
    old = ResearcherFactory(merged_into=ResearcherFactory(merged_into=kept))
    response = client.get(reverse("graph:explorer", args=[old.pk]))
    assert response["Location"] == reverse("graph:explorer", args=[kept.pk])
    a, b = ResearcherFactory(), ResearcherFactory()
    Researcher.objects.filter(pk=a.pk).update(merged_into=b)
    Researcher.objects.filter(pk=b.pk).update(merged_into=a)
    assert client.get(reverse("graph:explorer", args=[a.pk])).status_code == 404


@pytest.mark.parametrize("works", [3, 30])
def test_the_slice_takes_a_fixed_number_of_queries(client, django_assert_max_num_queries, works):
    researcher = ResearcherFactory()
    grow(researcher, works=works, coauthors=min(works, 12))
    with django_assert_max_num_queries(6):
        response = client.get(
            reverse("graph:slice", args=[researcher.pk]), headers={"HX-Request": "true"}
        )
    assert response.status_code == 200


@pytest.mark.parametrize("works", [3, 30])
def test_the_explorer_takes_a_fixed_number_of_queries(client, django_assert_max_num_queries, works):
    researcher = ResearcherFactory()
    grow(researcher, works=works, coauthors=min(works, 12))
    with django_assert_max_num_queries(8):
        response = client.get(reverse("graph:explorer", args=[researcher.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'src="/static/vendor/cytoscape.min.js"' in html
    assert 'src="/static/js/explorer.js"' in html
    assert "<script>" not in html  # no inline script (CSP)


def test_the_works_per_year_chart_has_a_bar_per_year_and_counts_versions_once(mearman):
    from django.template.loader import render_to_string

    html = render_to_string("graph/_works_per_year.html", {"researcher": mearman})
    # 2014-2021: eight years, eight bars (with zero-height bars for the gaps).
    assert html.count("<rect") == 8
    assert "<title>2014: 3 works</title>" in html
    assert "<title>2021: 1 work</title>" in html  # the preprint/published pair counts once
    assert "Works per year, 2014\u20132021" in html


def test_the_trust_details_explain_each_component(mearman):
    from django.template.loader import render_to_string

    mearman.refresh_from_db()
    html = render_to_string("graph/_trust_details.html", {"researcher": mearman})
    assert f"Why {mearman.trust_score}?" in html
    for label in ("Identity evidence", "Scholarly record", "Collaboration network", "Community"):
        assert label in html
    assert "8 visible works: 1 point per 5 works." in html
    assert "L1 indexed" in html


def test_nothing_to_explain_before_the_first_score():
    from django.template.loader import render_to_string

    researcher = ResearcherFactory()
    assert "Why" not in render_to_string("graph/_trust_details.html", {"researcher": researcher})
    assert "<svg" not in render_to_string("graph/_works_per_year.html", {"researcher": researcher})
