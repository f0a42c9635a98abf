"""arXiv imports: homonyms filtered out, known papers merged, preprints linked, runs resumable."""

from datetime import UTC, datetime

import pytest
import responses

from tests.factories import AuthorshipFactory, ResearcherFactory, WorkFactory
from tests.works import imports_replay as replay
from works import runs
from works.clients import arxiv as client
from works.clients import http
from works.clients.arxiv import ArxivAuthor, ArxivEntry
from works.importers import arxiv as importer
from works.importers import openalex as openalex_importer
from works.importers.names import names_compatible
from works.models import Authorship, ImportRun, Work

pytestmark = pytest.mark.django_db

DEL_MAESTRO = "query-au_del_maestro-2016.atom.xml"


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch):
    monkeypatch.setattr(client, "_limiter", client.InProcessRateLimiter(sleep=lambda s: None))
    monkeypatch.setattr(http.DEFAULT_POLICY, "sleep", lambda s: None)


def feed(name=DEL_MAESTRO):
    return client.parse_feed(replay.arxiv_body(name))


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Adrian Del Maestro", "A. Del Maestro", True),
        ("Adrian Del Maestro", "adrián del maestro", True),
        ("Joseph Mearman", "J. W. Mearman", True),
        ("Joseph Mearman", "Mearman, Joseph", True),
        ("Adrian Del Maestro", "Bruno Del Maestro", False),
        ("Adrian Del Maestro", "Del Maestro", False),
        ("Adrian Del Maestro", "Adrian Maestri", False),
    ],
)
def test_names_are_compared_by_surname_and_compatible_given_names(a, b, same):
    assert names_compatible(a, b) is same


def test_it_keeps_only_entries_with_a_compatible_author_and_credits_that_author():
    adrian = ResearcherFactory(display_name="Adrian Del Maestro")
    stats = importer.import_entries(adrian, feed().entries)
    assert (stats.created, stats.skipped) == (10, 0)
    # "A. Del Maestro" is third of three on 1303.6954: the credit goes to that slot.
    work = Work.objects.get(arxiv_id="1303.6954")
    credited = work.authorships.get(researcher=adrian)
    assert (credited.order, credited.raw_author_name) == (2, "A. Del Maestro")
    assert work.authorships.filter(researcher__isnull=True).count() == 2
    assert work.doi == "10.48550/arxiv.1303.6954"
    assert work.type == "preprint"
    assert work.landing_page_url == "https://arxiv.org/abs/1303.6954"
    assert Work.objects.get(arxiv_id="cond-mat/0412498").publication_year == 2004


def test_a_homonym_gets_none_of_the_entries():
    bruno = ResearcherFactory(display_name="Bruno Del Maestro")
    stats = importer.import_entries(bruno, feed().entries)
    assert (stats.created, stats.skipped) == (0, 10)
    assert not Work.objects.exists()


def test_alternative_names_count_too():
    researcher = ResearcherFactory(
        display_name="Susan Dorsher-Smith", display_name_alternatives=["Susan Dorsher"]
    )
    stats = importer.import_entries(researcher, feed("id-astro-ph_0601001-2026.atom.xml").entries)
    assert stats.created == 1
    assert Work.objects.get().authorships.get(researcher=researcher).order == 1


def test_known_papers_are_merged_not_duplicated():
    adrian = ResearcherFactory(display_name="Adrian Del Maestro")
    # What an OpenAlex import leaves behind, three ways of knowing an arXiv paper:
    by_location = WorkFactory(
        title="A Luttinger liquid core", doi="10.1142/s021797921244002x", abstract="",
        landing_page_url="https://arxiv.org/abs/1201.4869", arxiv_id=None,
    )  # fmt: skip
    by_doi = WorkFactory(doi="10.48550/arxiv.1005.5383", arxiv_id=None)
    WorkFactory(arxiv_id="cond-mat/0412498", doi=None)
    AuthorshipFactory(work=by_location, researcher=adrian, order=0)
    AuthorshipFactory(work=by_doi, researcher=None, order=0, raw_author_name="Adrian Del Maestro")
    stats = importer.import_entries(adrian, feed().entries)
    assert (stats.created, stats.updated) == (7, 3)
    assert Work.objects.count() == 10
    by_location.refresh_from_db()
    assert by_location.arxiv_id == "1201.4869"
    assert by_location.abstract.startswith("As helium-4 is cooled")
    assert by_location.title == "A Luttinger liquid core"  # nothing overwritten
    # The anonymous author slot on the known work is now credited to the researcher.
    assert by_doi.authorships.get().researcher == adrian


def test_a_known_paper_is_found_by_its_versioned_pdf_link_too():
    adrian = ResearcherFactory(display_name="Adrian Del Maestro")
    by_pdf = WorkFactory(
        title="A Luttinger liquid core", doi=None, arxiv_id=None, landing_page_url="",
        pdf_url="http://export.arxiv.org/pdf/1201.4869v3.pdf",
    )  # fmt: skip
    AuthorshipFactory(work=by_pdf, researcher=adrian, order=0)
    importer.import_entries(adrian, feed().entries)
    by_pdf.refresh_from_db()
    assert by_pdf.arxiv_id == "1201.4869"
    assert Work.objects.filter(arxiv_id="1201.4869").count() == 1

    again = importer.import_entries(adrian, feed().entries)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 10)
    assert Work.objects.count() == 10
    assert Authorship.objects.filter(researcher=adrian).count() == 10


def test_a_new_preprint_points_at_its_published_version_by_journal_doi():
    adrian = ResearcherFactory(display_name="Adrian Del Maestro")
    published = WorkFactory(doi="10.1103/physrevb.88.064512", arxiv_id=None, type="article")
    importer.import_entries(adrian, feed().entries)
    preprint = Work.objects.get(arxiv_id="1303.6954")
    assert preprint.version_of == published


@responses.activate
def test_an_arxiv_entry_is_merged_into_the_openalex_record_of_the_same_preprint():
    responses.get(replay.AUTHOR_URL, json=replay.author())
    researcher = openalex_importer.import_author(replay.author())
    openalex_importer.import_works(replay.all_works())
    known = Work.objects.get(openalex_id="W3188841554")
    count = Work.objects.count()
    record = replay.load("work-W3188841554.json")
    # No arXiv recording of 2108.04680 exists: this entry is built from the OpenAlex record's
    # own metadata, as arXiv would list it (same id, title and author names).
    entry = ArxivEntry(
        arxiv_id="2108.04680", version=1, title=record["title"], summary="An abstract.",
        authors=[ArxivAuthor(a["raw_author_name"]) for a in record["authorships"]],
        published=datetime(2021, 8, 10, tzinfo=UTC), updated=None, doi="", journal_ref="",
        primary_category="cs.HC", categories=["cs.HC"],
        abs_url="https://arxiv.org/abs/2108.04680v1", pdf_url="https://arxiv.org/pdf/2108.04680v1",
    )  # fmt: skip
    stats = importer.import_entries(researcher, [entry])
    assert (stats.created, stats.skipped) == (0, 0)
    assert Work.objects.count() == count
    known.refresh_from_db()
    assert known.arxiv_id == "2108.04680"


def _arxiv_first_then_openalex() -> dict:
    researcher = openalex_importer.import_author(replay.author())
    record = replay.load("work-W3188841554.json")
    entry = ArxivEntry(
        arxiv_id="2108.04680", version=1, title=record["title"], summary="",
        authors=[ArxivAuthor(a["raw_author_name"]) for a in record["authorships"]],
        published=None, updated=None, doi="", journal_ref="", primary_category="", categories=[],
        abs_url="", pdf_url="",
    )  # fmt: skip
    importer.import_entries(researcher, [entry])
    openalex_importer.import_works([record])
    return record


def test_an_openalex_import_after_an_arxiv_import_does_not_duplicate_the_paper():
    record = _arxiv_first_then_openalex()
    assert Work.objects.filter(title=record["title"]).count() == 1


def test_the_adopted_arxiv_row_gets_the_openalex_id():
    _arxiv_first_then_openalex()
    assert Work.objects.get(arxiv_id="2108.04680").openalex_id == "W3188841554"


@responses.activate
def test_an_arxiv_run_pages_through_the_feed_and_records_progress():
    adrian = ResearcherFactory(display_name="Adrian Del Maestro")
    responses.get(
        replay.ARXIV_URL,
        body=replay.arxiv_body(DEL_MAESTRO),
        match=[responses.matchers.query_param_matcher({"start": "0"}, strict_match=False)],
    )
    # Only the first page (10 of 31) was recorded; the next request gets arXiv's real empty feed.
    responses.get(
        replay.ARXIV_URL,
        body=replay.arxiv_body("empty-id_0808.05394-2026.atom.xml"),
        match=[responses.matchers.query_param_matcher({"start": "10"}, strict_match=False)],
    )
    run = ImportRun.objects.create(
        source=ImportRun.Source.ARXIV, target=client.author_query("Adrian Del Maestro"),
        researcher=adrian,
    )  # fmt: skip
    run = runs.execute_run(run.pk)
    assert run.status == ImportRun.Status.SUCCEEDED, run.errors
    assert (run.created, run.progress_done, run.progress_total) == (10, 10, 31)
    assert run.checkpoint == {"start": 10}
    assert len(responses.calls) == 2


@responses.activate
def test_an_arxiv_error_feed_fails_the_run_with_arxivs_message():
    adrian = ResearcherFactory(display_name="Adrian Del Maestro")
    responses.get(
        replay.ARXIV_URL, status=400, body=replay.arxiv_body("error-400-id_abc-2026.atom.xml")
    )
    run = ImportRun.objects.create(source=ImportRun.Source.ARXIV, target="au:x", researcher=adrian)
    run = runs.execute_run(run.pk)
    assert run.status == ImportRun.Status.FAILED
    assert "incorrect id format for abc" in run.errors[-1]["detail"]
    assert not Work.objects.exists()


@responses.activate
def test_an_empty_feed_is_a_successful_run_with_nothing_imported():
    adrian = ResearcherFactory(display_name="Adrian Del Maestro")
    responses.get(replay.ARXIV_URL, body=replay.arxiv_body("empty-id_0808.05394-2026.atom.xml"))
    run = ImportRun.objects.create(source=ImportRun.Source.ARXIV, target="au:x", researcher=adrian)
    run = runs.execute_run(run.pk)
    assert run.status == ImportRun.Status.SUCCEEDED
    assert (run.created, run.progress_done) == (0, 0)
