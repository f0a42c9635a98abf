"""The recorded preprint/published pair (W3188841554 / W3187234764) is listed once."""

import pytest
import responses

from bzpeer.fold import title_key
from tests.factories import AuthorshipFactory, ResearcherFactory, WorkFactory
from tests.works import imports_replay as replay
from works import runs
from works.clients import http
from works.models import ImportRun, Researcher, Work
from works.versions import link_versions

pytestmark = pytest.mark.django_db

PREPRINT, PUBLISHED = "W3188841554", "W3187234764"


@pytest.fixture(autouse=True)
def no_backoff_wait(monkeypatch):
    monkeypatch.setattr(http.DEFAULT_POLICY, "sleep", lambda s: None)


def listed(researcher_id):
    """What the profile lists."""
    from profiles.publications import listed_works

    return list(listed_works(researcher_id))


@responses.activate
def test_an_author_import_links_the_preprint_to_its_published_version(client):
    replay.add_author(responses)
    replay.add_pages(responses, [replay.all_works()])
    run = ImportRun.objects.create(source=ImportRun.Source.OPENALEX, target=replay.AUTHOR_ID)
    assert runs.execute_run(run.pk).status == ImportRun.Status.SUCCEEDED

    preprint = Work.objects.get(openalex_id=PREPRINT)
    published = Work.objects.get(openalex_id=PUBLISHED)
    assert preprint.version_of == published
    assert published.version_of is None

    researcher = Researcher.objects.get(openalex_id=replay.AUTHOR_ID)
    entries = listed(researcher.pk)
    assert len(entries) == 8  # 9 works, the pair counted once
    titles = [w.title for w in entries]
    assert titles.count(published.title) == 1
    entry = next(w for w in entries if w.pk == published.pk)
    assert [v.pk for v in entry.versions.all()] == [preprint.pk]

    # The profile page lists the published entry once, the preprint as its version.
    html = client.get(researcher.get_absolute_url()).content.decode()
    assert f'id="work-{published.pk}"' in html
    assert f'id="work-{preprint.pk}"' not in html
    assert html.count('<li class="work"') == 8


def test_linking_is_idempotent_and_never_overrides_an_existing_link():
    author = ResearcherFactory()
    title = "3D Visualisations Should Not be Displayed Alone"
    published = WorkFactory(title=title, type="article", doi="10.2312/cgvc.20211309")
    preprint = WorkFactory(title=title.upper() + ".", type="preprint", arxiv_id="2108.04680")
    curated = WorkFactory(title="Something else entirely", type="article")
    other_preprint = WorkFactory(title="Something else entirely", arxiv_id="1111.11111")
    other_preprint.version_of = None
    for work in (published, preprint, curated, other_preprint):
        AuthorshipFactory(work=work, researcher=author)
    assert link_versions([author.pk]) == 2
    assert link_versions([author.pk]) == 0
    preprint.refresh_from_db()
    assert preprint.version_of == published


def test_same_title_without_a_shared_author_is_not_linked():
    title = "A perfectly ordinary title of a paper"
    published = WorkFactory(title=title, type="article")
    preprint = WorkFactory(title=title, type="preprint")
    AuthorshipFactory(work=published)
    mine = AuthorshipFactory(work=preprint)
    assert link_versions([mine.researcher_id]) == 0


def test_titles_are_compared_without_case_accents_or_punctuation():
    assert title_key("Élan: a Study!") == title_key("elan  A study")
