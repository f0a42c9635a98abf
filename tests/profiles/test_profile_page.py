"""The researcher profile page: every section of the reference page, and its work list."""

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    AuthorshipFactory,
    InstitutionFactory,
    ResearcherFactory,
    SourceFactory,
    TopicFactory,
    WorkFactory,
)
from works.models import Authorship, Researcher, Work, WorkReference, WorkTopic

pytestmark = pytest.mark.django_db

# The reference page's section texts, in the order the page shows them.
REFERENCE_SECTIONS = [
    "Researcher profile",
    "Trust snapshot",
    "How well this record is anchored and connected",
    "Actions",
    "See their new works in your feed",
    "Follow",
    "Identity and collaboration",
    "How to connect with this researcher",
    "Claiming links this public author record to a researcher profile",
    "Direct collaboration",
    "Open a focused conversation when the fit is right",
    "Research graph",
    "See the researcher in context",
    "Open full explorer",
    "Inspect adjacent work, topics, institutions and collaborators without jumping out to a "
    "separate graph page.",
    "Nearby papers, people, topics and institutions",
    "Published work",
]


def page_text(response) -> str:
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
    # A tag closing right before a full stop or comma is not a space in the page.
    return re.sub(r" ([.,;])", r"\1", text)


def listed_titles(response) -> list[str]:
    html = response.content.decode()
    titles = re.findall(r'<h3 class="work__title">\s*(.*?)\s*</h3>', html, flags=re.S)
    return [unescape(re.sub(r"<[^>]+>", "", t)).strip() for t in titles]


def stat(response, label: str) -> int:
    """A count from the trust snapshot's list of counts."""
    html = response.content.decode()
    counts = re.search(r'<ul class="stats".*?</ul>', html, flags=re.S)
    assert counts, "no counts on the page"
    text = " ".join(re.sub(r"<[^>]+>", " ", counts.group(0)).split())
    match = re.search(rf"(\d+) {label}s?\b", text)
    assert match, f"no '{label}' count on the page"
    return int(match.group(1))


def author(researcher, work, order=0, **kwargs):
    return AuthorshipFactory(researcher=researcher, work=work, order=order, **kwargs)


def test_it_shows_every_section_of_the_reference_page_in_order(client):
    researcher = ResearcherFactory(display_name="Maosong Sun", trust_score=21, verification_level=1)
    author(researcher, WorkFactory(title="Fully Hyperbolic Neural Networks"))

    response = client.get(researcher.get_absolute_url())

    assert response.status_code == 200
    text = page_text(response)
    positions = [text.find(section) for section in REFERENCE_SECTIONS]
    missing = [s for s, p in zip(REFERENCE_SECTIONS, positions, strict=True) if p == -1]
    assert not missing
    assert positions == sorted(positions)
    assert "Maosong Sun" in text
    assert "Trust 21 \u2013 Emerging" in text
    assert "Verification L1" in text
    assert 'title="L1 indexed"' in response.content.decode()
    assert "1 published work" in text
    assert f'href="/researchers/{researcher.pk}/graph/"' in response.content.decode()


def test_it_includes_the_partials_other_features_fill_in(client):
    researcher = ResearcherFactory()
    response = client.get(researcher.get_absolute_url())
    used = {t.name for t in response.templates}
    assert {
        "graph/_trust_details.html",
        "graph/_works_per_year.html",
        "follows/_follow_button.html",
        "claims/_identity_section.html",
        "claims/_collaboration_section.html",
        "graph/_slice_placeholder.html",
    } <= used


def test_an_unclaimed_researcher_without_institution_says_so(client):
    researcher = ResearcherFactory(last_known_institution=None, owner=None)
    text = page_text(client.get(researcher.get_absolute_url()))
    assert "Unclaimed author" in text
    assert "Affiliation not imported" in text
    assert "Trust not yet scored" in text


def test_a_claimed_researcher_shows_the_institution_and_claimed_chip(client, owner):
    bangor = InstitutionFactory(display_name="Bangor University")
    researcher = ResearcherFactory(last_known_institution=bangor, owner=owner)
    text = page_text(client.get(researcher.get_absolute_url()))
    assert "Bangor University" in text
    assert "Claimed author" in text
    assert "Unclaimed author" not in text
    assert "Affiliation not imported" not in text


def test_open_to_collaborate_chip_follows_the_record(client, owner, stranger):
    # Only an owner can be open to collaborate: an unclaimed record shows no chip.
    open_one = ResearcherFactory(open_to_collaborate=True, owner=owner)
    closed = ResearcherFactory(open_to_collaborate=False, owner=stranger)
    unclaimed = ResearcherFactory(open_to_collaborate=True)
    assert "Open to collaborate" in page_text(client.get(open_one.get_absolute_url()))
    assert "Open to collaborate" not in page_text(client.get(closed.get_absolute_url()))
    assert "Open to collaborate" not in page_text(client.get(unclaimed.get_absolute_url()))


def test_counts_come_from_the_record_and_the_list(client):
    researcher = ResearcherFactory(followers_count=7, topics_count=10, close_collaborators_count=4)
    for i in range(3):
        author(researcher, WorkFactory(title=f"Work {i}"))

    response = client.get(researcher.get_absolute_url())

    assert stat(response, "work") == 3 == len(listed_titles(response))
    assert stat(response, "follower") == 7
    assert stat(response, "topic") == 10
    assert stat(response, "close collaborator") == 4
    assert "3 published works" in page_text(response)


def test_works_are_listed_newest_year_first_then_by_title(client):
    researcher = ResearcherFactory()
    for title, year in [
        ("beta study", 2020),
        ("Alpha study", 2020),
        ("Zeta study", 2026),
        ("Undated study", None),
        ("Gamma study", 2022),
        ("alpha Prime", 2026),
    ]:
        author(researcher, WorkFactory(title=title, publication_year=year))

    titles = listed_titles(client.get(researcher.get_absolute_url()))

    assert titles == [
        "alpha Prime",
        "Zeta study",
        "Gamma study",
        "Alpha study",
        "beta study",
        "Undated study",
    ]


def test_each_item_shows_type_year_venue_title_link_and_abstract(client):
    researcher = ResearcherFactory()
    arxiv = SourceFactory(display_name="arXiv")
    work = WorkFactory(
        title="Knowledgeable Prompt-tuning",
        type="preprint",
        publication_year=2022,
        source=arxiv,
        abstract="Tuning pre-trained language models with task-specific prompts.",
        doi=None,
        arxiv_id="2108.02035",
    )
    author(researcher, work)
    curated = WorkFactory(
        title="A curated one", source=None, venue_name="Proceedings of Things", doi="10.1/xyz"
    )
    author(researcher, curated)

    response = client.get(researcher.get_absolute_url())
    html = response.content.decode()
    text = page_text(response)

    assert "preprint 2022 arXiv Knowledgeable Prompt-tuning" in text
    assert "Tuning pre-trained language models with task-specific prompts." in text
    assert 'href="https://arxiv.org/abs/2108.02035"' in html
    assert "Proceedings of Things" in text
    assert 'href="https://doi.org/10.1/xyz"' in html


def test_a_landing_page_that_is_not_http_is_never_linked(client):
    researcher = ResearcherFactory()
    work = WorkFactory(title="Sneaky", doi=None, arxiv_id=None)
    Work.objects.filter(pk=work.pk).update(landing_page_url="javascript:alert(1)")
    author(researcher, work)
    html = client.get(researcher.get_absolute_url()).content.decode()
    assert "javascript:" not in html


def test_imported_text_is_escaped(client):
    researcher = ResearcherFactory(display_name="Eve <img src=x onerror=alert(1)>")
    author(
        researcher,
        WorkFactory(
            title="<b>Bold</b> claims",
            abstract="<script>alert('x')</script> and more",
        ),
    )
    long_one = WorkFactory(title="Long", abstract="<script>evil()</script> " + "words " * 200)
    author(researcher, long_one)

    response = client.get(researcher.get_absolute_url())
    html = response.content.decode()
    text = page_text(response)

    assert "<script>alert" not in html
    assert "<script>evil" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "<script>alert('x')</script> and more" in text
    assert "<b>Bold</b>" not in html
    assert "<img src=x" not in html


def test_long_abstracts_are_collapsed_and_short_ones_shown(client):
    researcher = ResearcherFactory()
    author(researcher, WorkFactory(title="Short", abstract="A short abstract."))
    author(researcher, WorkFactory(title="Long", abstract="Sentence number one. " * 60))

    html = client.get(researcher.get_absolute_url()).content.decode()

    assert '<p class="work__abstract">A short abstract.</p>' in html
    assert html.count('<details class="work__abstract">') == 1
    assert ("Sentence number one. " * 60).strip() in html


def test_co_authors_link_to_their_pages_and_unknown_names_are_shown_raw(client):
    researcher = ResearcherFactory(display_name="Joseph Mearman")
    colleague = ResearcherFactory(display_name="Ana Colleague")
    work = WorkFactory(title="Shared work")
    author(researcher, work, order=0)
    author(colleague, work, order=1)
    AuthorshipFactory(work=work, researcher=None, raw_author_name="R. Nobody", order=2)

    response = client.get(researcher.get_absolute_url())
    html = response.content.decode()

    assert f'<a class="author" href="/researchers/{colleague.pk}/">Ana Colleague</a>' in html
    assert "R. Nobody" in page_text(response)
    assert f'href="/researchers/{researcher.pk}/">Joseph Mearman' not in html


def test_very_long_author_lists_fold_after_twelve_names(client):
    researcher = ResearcherFactory()
    work = WorkFactory(title="Consortium paper")
    author(researcher, work, order=0)
    for i in range(1, 30):
        AuthorshipFactory(work=work, researcher=None, raw_author_name=f"Member {i}", order=i)

    response = client.get(researcher.get_absolute_url())

    assert "and 18 more" in page_text(response)
    assert "Member 29" in page_text(response)


def test_the_list_is_paginated_at_fifty_and_bad_pages_fall_back(client):
    researcher = ResearcherFactory()
    source = SourceFactory()
    works = Work.objects.bulk_create(
        Work(title=f"Work {i:03d}", publication_year=2020, source=source) for i in range(53)
    )
    Authorship.objects.bulk_create(
        Authorship(work=w, researcher=researcher, order=0) for w in works
    )
    url = researcher.get_absolute_url()

    first = client.get(url)
    second = client.get(url, {"page": 2})

    assert len(listed_titles(first)) == 50
    assert listed_titles(second) == ["Work 050", "Work 051", "Work 052"]
    assert "53 published works" in page_text(first)
    assert stat(first, "work") == 53
    assert 'href="?page=2#published-work"' in first.content.decode()
    assert listed_titles(client.get(url, {"page": "abc"})) == listed_titles(first)
    assert listed_titles(client.get(url, {"page": 999})) == listed_titles(second)
    assert listed_titles(client.get(url, {"page": -1})) == listed_titles(second)


def test_hidden_works_are_not_listed_and_the_page_says_why(client):
    researcher = ResearcherFactory()
    author(researcher, WorkFactory(title="Kept"))
    author(researcher, WorkFactory(title="Withdrawn", is_hidden=True))

    response = client.get(researcher.get_absolute_url())
    text = page_text(response)

    assert listed_titles(response) == ["Kept"]
    assert "Withdrawn" not in text
    assert "1 published work (1 hidden by curation)" in text
    assert stat(response, "work") == 1


def test_a_preprint_and_its_published_version_are_listed_once(client):
    researcher = ResearcherFactory()
    published = WorkFactory(title="The paper", source=SourceFactory(display_name="ACL"))
    preprint = WorkFactory(
        title="The paper (preprint)",
        type="preprint",
        source=SourceFactory(display_name="arXiv"),
        version_of=published,
        arxiv_id="2001.00001",
    )
    author(researcher, published)
    author(researcher, preprint)

    response = client.get(researcher.get_absolute_url())
    html = response.content.decode()

    assert listed_titles(response) == ["The paper"]
    assert stat(response, "work") == 1
    assert "Also as preprint in arXiv" in page_text(response)
    assert 'href="https://arxiv.org/abs/2001.00001"' in html


def test_a_version_whose_published_work_is_hidden_stays_listed(client):
    researcher = ResearcherFactory()
    published = WorkFactory(title="Retracted version", is_hidden=True)
    author(researcher, published)
    author(researcher, WorkFactory(title="Surviving preprint", version_of=published))

    response = client.get(researcher.get_absolute_url())

    assert listed_titles(response) == ["Surviving preprint"]
    assert "1 published work (1 hidden by curation)" in page_text(response)


def test_summary_prefers_the_owners_words(client):
    researcher = ResearcherFactory(summary="I build tools for reading papers.")
    assert "I build tools for reading papers." in page_text(
        client.get(researcher.get_absolute_url())
    )


def test_generated_summary_names_top_topics_and_institution(client):
    tsinghua = InstitutionFactory(display_name="Tsinghua University")
    researcher = ResearcherFactory(display_name="Maosong Sun", last_known_institution=tsinghua)
    nlp, mt, poetry, rare = (
        TopicFactory(display_name=name)
        for name in ["Natural Language Processing", "Machine Translation", "Poetry", "Rare"]
    )
    for i, topics in enumerate(
        [[nlp, mt], [nlp, mt], [nlp, poetry], [nlp], [poetry, rare], [mt, poetry]]
    ):
        work = WorkFactory(title=f"W{i}")
        author(researcher, work)
        WorkTopic.objects.bulk_create(WorkTopic(work=work, topic=t) for t in topics)
    hidden = WorkFactory(title="Hidden", is_hidden=True)
    author(researcher, hidden)
    WorkTopic.objects.bulk_create(WorkTopic(work=hidden, topic=rare) for _ in range(1))

    response = client.get(researcher.get_absolute_url())
    text = page_text(response)

    assert (
        "Maosong Sun works on Natural Language Processing, Machine Translation and Poetry "
        "at Tsinghua University." in text
    )
    # Each topic it names leads to the topic's page; the page's description stays plain text.
    summary = re.search(
        r'<p class="profile-header__summary">(.*?)</p>', response.content.decode(), re.S
    ).group(1)
    assert re.findall(r'<a href="([^"]+)"><bdi>([^<]+)</bdi></a>', summary) == [
        (reverse("profiles:topic", args=[topic.pk]), topic.display_name)
        for topic in (nlp, mt, poetry)
    ]
    assert (
        '<meta name="description" content="Maosong Sun works on Natural Language Processing, '
        in response.content.decode()
    )


def test_a_topic_name_in_the_generated_summary_is_escaped(client):
    researcher = ResearcherFactory(display_name="Ada <b>Lovelace</b>")
    work = WorkFactory(title="W")
    author(researcher, work)
    WorkTopic.objects.create(work=work, topic=TopicFactory(display_name="<script>x</script>"))
    html = client.get(researcher.get_absolute_url()).content.decode()
    assert "<script>x</script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert "<b>Lovelace</b>" not in html


def test_without_topics_the_summary_is_a_factual_line(client):
    researcher = ResearcherFactory(display_name="Maosong Sun")
    arxiv = SourceFactory(display_name="arXiv")
    for year in (2020, 2022, 2026):
        author(researcher, WorkFactory(type="preprint", source=arxiv, publication_year=year))

    text = page_text(client.get(researcher.get_absolute_url()))

    assert "Maosong Sun: 3 arXiv preprints, 2020\u20132026." in text
    assert "contributes to research discovery" not in text


def test_a_researcher_with_no_works_gets_an_honest_summary(client):
    researcher = ResearcherFactory(display_name="New Person")
    text = page_text(client.get(researcher.get_absolute_url()))
    assert "New Person: no works imported yet." in text
    assert "0 published works" in text


def test_a_merged_record_redirects_permanently_to_the_canonical_one(client):
    canonical = ResearcherFactory()
    middle = ResearcherFactory(merged_into=canonical)
    old = ResearcherFactory(merged_into=middle)

    response = client.get(old.get_absolute_url(), {"page": 2})

    assert response.status_code == 301
    assert response["Location"] == f"/researchers/{canonical.pk}/?page=2"


def test_a_merge_cycle_is_a_404_not_a_redirect_loop(client):
    a, b = ResearcherFactory(), ResearcherFactory()
    Researcher.objects.filter(pk=a.pk).update(merged_into=b)
    Researcher.objects.filter(pk=b.pk).update(merged_into=a)
    assert client.get(a.get_absolute_url()).status_code == 404


def test_an_unknown_researcher_is_a_404(client):
    assert client.get("/researchers/999999/").status_code == 404


@pytest.mark.parametrize("given", ["A5023888391", "a5023888391"])
def test_openalex_id_redirects_to_the_profile_in_any_case(client, given):
    researcher = ResearcherFactory(openalex_id="A5023888391")
    response = client.get(f"/researchers/openalex/{given}/")
    assert response.status_code == 302
    assert response["Location"] == researcher.get_absolute_url()


def test_openalex_id_of_a_merged_record_lands_on_the_canonical_page(client):
    canonical = ResearcherFactory()
    ResearcherFactory(openalex_id="A123", merged_into=canonical)
    response = client.get("/researchers/openalex/A123/")
    assert response["Location"] == canonical.get_absolute_url()


@pytest.mark.parametrize("bad", ["W123", "A12x", "not-an-id", "A", "A1234567890123456789"])
def test_a_malformed_openalex_id_is_a_404(client, bad):
    ResearcherFactory(openalex_id="A123")
    assert client.get(f"/researchers/openalex/{bad}/").status_code == 404


def test_an_unknown_openalex_id_is_a_404(client):
    assert client.get("/researchers/openalex/A42/").status_code == 404


def _researcher_with_works(n_works: int, n_coauthors: int) -> Researcher:
    # The source counts more than is listed, so the page says why (citation_metrics).
    researcher = ResearcherFactory(
        source_works_count=n_works + 30, source_cited_by_count=10_000, h_index=40
    )
    topic = TopicFactory()
    source = SourceFactory()
    coauthors = Researcher.objects.bulk_create(
        Researcher(display_name=f"Co-author {i}") for i in range(n_coauthors)
    )
    works = Work.objects.bulk_create(
        Work(
            title=f"Work {i}",
            publication_year=2000 + i % 25,
            source=source,
            abstract="x",
            openalex_id=f"W{researcher.pk}{i:05d}",
        )
        for i in range(n_works)
    )
    versions = Work.objects.bulk_create(
        Work(title=f"Preprint {i}", version_of=w, source=source) for i, w in enumerate(works[:20])
    )
    # Each preprint cites every listed work: the rows count the works here that cite them.
    WorkReference.objects.bulk_create(
        WorkReference(work=v, cited_openalex_id=w.openalex_id) for v in versions for w in works
    )
    authorships = []
    for i, work in enumerate(works):
        authorships.append(Authorship(work=work, researcher=researcher, order=0))
        for k in range(1, 9):
            co = coauthors[(i * 8 + k) % n_coauthors] if n_coauthors else None
            authorships.append(
                Authorship(work=work, researcher=co, order=k, raw_author_name=f"Raw {k}")
            )
    authorships += [Authorship(work=v, researcher=researcher, order=0) for v in versions]
    Authorship.objects.bulk_create(authorships)
    WorkTopic.objects.bulk_create(WorkTopic(work=w, topic=topic) for w in works)
    if n_works > 1:
        Work.objects.filter(pk=works[-1].pk).update(is_hidden=True)
    return researcher


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_profile_query_count_does_not_grow_with_works_or_co_authors(
    client, django_assert_max_num_queries
):
    small = _researcher_with_works(1, 1)
    large = _researcher_with_works(500, 1000)

    small_count = _count_queries(client, small.get_absolute_url())
    large_count = _count_queries(client, large.get_absolute_url())
    large_page_2 = _count_queries(client, large.get_absolute_url() + "?page=5")

    assert small_count == large_count == large_page_2
    # The page's own 8 (researcher, counts, ranked topics and their live fallback, works,
    # versions, authors, the works here citing them) plus what the included trust, follow and
    # claims partials need, and the co-author and similar-researcher sidebar's two, the
    # citation figures' five (totals, h-index, citations per year, and why the source's
    # figures differ: the owner's "not mine" marks, the works left out), and the works filter
    # controls' two (types, years and venues in one; co-authors).
    with django_assert_max_num_queries(18):
        response = client.get(large.get_absolute_url())
    html = response.content.decode()
    assert "Cited by 20 works in bzpeer" in html
    assert "Not counted here: 20 preprints listed under their published versions" in html


def test_load_demo_maosong_sun_and_joseph_mearman(client):
    import json
    from pathlib import Path

    from django.core.management import call_command

    call_command("load_demo")
    # The bundled copy of ../shared/reference/maosong-sun-works.csl.json, in the page's order.
    bundled = Path(__file__).parents[2] / "works/demo/maosong-sun-works.csl.json"
    reference = json.loads(bundled.read_text())
    sun = Researcher.objects.canonical().get(display_name="Maosong Sun")
    response = client.get(sun.get_absolute_url())
    text = page_text(response)

    assert listed_titles(response) == [w["title"] for w in reference]
    assert stat(response, "work") == 47
    assert "47 published works" in text
    assert "Unclaimed author" in text
    assert "Affiliation not imported" in text

    mearman = Researcher.objects.canonical().get(openalex_id="A5017898742")
    response = client.get(mearman.get_absolute_url())
    html = response.content.decode()
    assert "Bangor University" in page_text(response)
    assert len(listed_titles(response)) >= 1
    assert re.search(r'<a class="author" href="/researchers/\d+/">', html)


def test_summary_uses_the_graphs_stored_topic_ranking_when_present(client):
    from profiles.models import ResearcherTopic

    researcher = ResearcherFactory(display_name="Ranked Person", last_known_institution=None)
    first, second = TopicFactory(display_name="Speech"), TopicFactory(display_name="Vision")
    ResearcherTopic.objects.bulk_create(
        [
            ResearcherTopic(researcher=researcher, topic=second, works_count=2, rank=2),
            ResearcherTopic(researcher=researcher, topic=first, works_count=5, rank=1),
        ]
    )
    text = page_text(client.get(researcher.get_absolute_url()))
    assert "Ranked Person works on Speech and Vision." in text


def test_topic_names_containing_and_are_listed_with_semicolons():
    from profiles.summary import _join

    assert _join(["Augmented Reality", "Cultural Heritage and Archaeology", "Displays"]) == (
        "Augmented Reality; Cultural Heritage and Archaeology; and Displays"
    )
    assert _join(["A", "B", "C"]) == "A, B and C"


def test_owner_chosen_links_are_shown_and_unsafe_ones_dropped(client, owner):
    researcher = ResearcherFactory(
        owner=owner,
        orcid="0000-0002-1825-0097",
        links=[
            {"label": "Lab page", "url": "https://lab.example.org/jo"},
            {"label": "Bad", "url": "javascript:alert(1)"},
            {"label": "", "url": "https://blog.example.org/"},
        ],
    )
    html = client.get(researcher.get_absolute_url()).content.decode()
    assert 'href="https://lab.example.org/jo" rel="nofollow noopener noreferrer">Lab page<' in html
    assert ">https://blog.example.org/</a>" in html
    assert "javascript:" not in html
    assert 'href="https://orcid.org/0000-0002-1825-0097"' in html


def test_the_generated_summary_counts_a_preprint_and_its_published_version_once():
    from profiles.summary import top_topics

    researcher = ResearcherFactory()
    alpha, beta = TopicFactory(display_name="Alpha"), TopicFactory(display_name="Beta")
    published = WorkFactory(title="Published")
    preprint = WorkFactory(title="Preprint", version_of=published)
    other = WorkFactory(title="Other")
    for work, topic in [(published, alpha), (preprint, beta), (other, beta)]:
        author(researcher, work)
        WorkTopic.objects.create(work=work, topic=topic)

    # Beta would lead with two works if the preprint counted apart from its published version.
    assert top_topics(researcher) == ["Alpha", "Beta"]


def _explain(query: tuple[str, dict]) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + query[0], query[1])
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")
@pytest.mark.parametrize("statistics", ["stale", "fresh"])
def test_the_live_topic_count_starts_from_the_researchers_authorships(statistics):
    from profiles.summary import live_topics_query

    if statistics == "stale":
        # Statistics of nearly empty tables, as a test database or a first bulk load has.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE works_work, works_authorship, works_worktopic, works_topic")
    researcher = _researcher_with_works(300, 600)
    if statistics == "fresh":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE works_work, works_authorship, works_worktopic, works_topic")

    explained = _explain(live_topics_query(researcher.pk, 12))

    scans = re.findall(
        r"(Seq Scan|Index Only Scan|Index Scan|Bitmap Heap Scan) (?:using \S+ )?on (\w+)", explained
    )
    # Everything starts from the researcher's own authorships, found through an index; the
    # works, then their topics, are read by the ids found (each ARRAY(...) runs first).
    assert [kind for kind, table in scans if table == "works_authorship"] in (
        ["Index Only Scan"],
        ["Index Scan"],
        ["Bitmap Heap Scan"],
    )
    assert f"Index Cond: (researcher_id = {researcher.pk})" in explained
    assert re.search(r"\(id = ANY \(\$\d+\)\)", explained)
    assert re.search(r"\(work_id = ANY \(\$\d+\)\)", explained)
    # ...and no step is a join that could rescan a table of works per row: each reads one
    # table, given the ids of the step before; only the few topics found are joined to names.
    joins = re.findall(r"^(?:\s*->  )?(Nested Loop|\w+ Join|\w+ \w+ Join)\b", explained, re.M)
    assert len(joins) <= 1, explained
