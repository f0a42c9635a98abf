"""A curated CSL file of Adrian Del Maestro's papers, imported with ``manage.py import_csl``, then
the recorded arXiv feed of the same papers (query-au_del_maestro-2016, see
works/demo/PROVENANCE.md) through an arXiv run: each curated work is matched by title, year and
author, not duplicated; it gains the arXiv id, and the match is logged and undoable.

The CSL file is written at run time from the recorded feed with every identifier left out: no
DOI, no URL, no arXiv id. What is left is what a curated list gives: title, year, venue and the
authors' printed names.
"""

import orjson
import pytest
import responses
from django.core.management import call_command

from tests.works import imports_replay as replay
from works import curation, matching, runs
from works.clients import arxiv as client
from works.clients import http
from works.models import Authorship, CurationLog, ImportRun, Researcher, Work

pytestmark = pytest.mark.django_db

FEED = "query-au_del_maestro-2016.atom.xml"
ENTRIES = client.parse_feed(replay.arxiv_body(FEED)).entries
# The title an admin gave one paper in the curated list (arXiv's is in title case).
EDITED = {"1303.6954": "Local superfluidity at the nanoscale"}
CURATED = ("title", "publication_year", "type", "venue_name")


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch):
    monkeypatch.setattr(client, "_limiter", client.InProcessRateLimiter(sleep=lambda s: None))
    monkeypatch.setattr(http.DEFAULT_POLICY, "sleep", lambda s: None)


def csl_item(entry) -> dict:
    """The CSL item of a recorded arXiv entry, stripped of every identifier and link."""
    item = {
        "type": "article-journal",
        "genre": "article",
        "title": EDITED.get(entry.arxiv_id, entry.title),
        "issued": {"date-parts": [[entry.published.year]]},
        "author": [{"literal": a.name} for a in entry.authors],
    }
    if entry.journal_ref:
        item["container-title"] = entry.journal_ref
    return item


@pytest.fixture
def adrian(tmp_path) -> Researcher:
    """Adrian Del Maestro as staff curated him, from a CSL file: a record without identifiers."""
    path = tmp_path / "del-maestro.csl.json"
    path.write_bytes(orjson.dumps([csl_item(e) for e in ENTRIES]))
    call_command("import_csl", str(path), "--new-researcher", "Adrian Del Maestro", verbosity=0)
    return Researcher.objects.get(origin=Researcher.Origin.CURATED)


def import_recorded(researcher) -> ImportRun:
    """An arXiv run for the researcher, replaying the recorded feed (its first page: the next
    request gets arXiv's real empty feed)."""
    with responses.RequestsMock() as rsps:
        rsps.get(
            replay.ARXIV_URL,
            body=replay.arxiv_body(FEED),
            match=[responses.matchers.query_param_matcher({"start": "0"}, strict_match=False)],
        )
        rsps.get(
            replay.ARXIV_URL,
            body=replay.arxiv_body("empty-id_0808.05394-2026.atom.xml"),
            match=[responses.matchers.query_param_matcher({"start": "10"}, strict_match=False)],
        )
        run = runs.execute_run(runs.start_arxiv_import(researcher, enqueue=False).pk)
    assert run.status == ImportRun.Status.SUCCEEDED, run.errors
    return run


def work_pdf_url(arxiv_id: str) -> str:
    return next(e.pdf_url for e in ENTRIES if e.arxiv_id == arxiv_id)


def curated_state() -> dict:
    return {
        w.pk: (
            {f: getattr(w, f) for f in (*CURATED, "arxiv_id", "abstract", "pdf_url")},
            list(w.authorships.values_list("order", "researcher_id", "raw_author_name")),
        )
        for w in Work.objects.all()
    }


def snapshot() -> dict:
    return {
        "works": list(Work.objects.order_by("pk").values()),
        "authorships": list(Authorship.objects.order_by("pk").values()),
        "log": list(CurationLog.objects.order_by("pk").values_list("pk", flat=True)),
    }


def test_each_curated_paper_is_matched_by_the_arxiv_run_and_gains_its_arxiv_id(adrian):
    before = curated_state()
    assert len(before) == len(ENTRIES) == 10
    assert not Work.objects.filter(arxiv_id__isnull=False).exists()

    run = import_recorded(adrian)

    # No duplicate: the ten arXiv entries went into the ten curated works.
    assert (run.created, run.updated, run.skipped) == (0, 10, 0)
    assert set(Work.objects.values_list("pk", flat=True)) == set(before)
    by_id = {w.arxiv_id: w for w in Work.objects.all()}
    assert set(by_id) == {e.arxiv_id for e in ENTRIES}
    for entry in ENTRIES:
        work = by_id[entry.arxiv_id]
        fields, authorships = before[work.pk]
        # What arXiv knows and the curated list did not: the abstract, the PDF, the date.
        assert work.abstract == entry.summary
        assert work.pdf_url == entry.pdf_url
        assert work.publication_date == entry.published.date()
        # What curation set is kept, the admin's edited title included; the authors stand.
        assert {f: getattr(work, f) for f in CURATED} == {f: fields[f] for f in CURATED}
        assert work.title == EDITED.get(entry.arxiv_id, entry.title)
        assert list(work.authorships.values_list("order", "researcher_id", "raw_author_name")) == (
            authorships
        )
        assert work.authorships.filter(researcher=adrian).count() == 1

    entries = CurationLog.objects.filter(action=CurationLog.Action.MATCH)
    assert entries.count() == 10
    assert {(e.target["work"], e.target["identifier"]) for e in entries} == {
        (w.pk, arxiv_id) for arxiv_id, w in by_id.items()
    }
    assert {e.target["by"] for e in entries} == {"title, year and author"}
    assert all(e.reason.startswith("The arXiv record") for e in entries)


def test_a_second_arxiv_run_changes_nothing(adrian):
    import_recorded(adrian)
    before = snapshot()

    run = import_recorded(adrian)

    assert (run.created, run.updated, run.unchanged) == (0, 0, 10)
    assert snapshot() == before
    assert Work.objects.count() == len(ENTRIES)


def test_undoing_an_arxiv_match_restores_the_curated_paper_and_holds_through_a_rerun(
    adrian, staff_reviewer
):
    before = curated_state()
    import_recorded(adrian)
    work = Work.objects.get(arxiv_id="1303.6954")

    imported = matching.undo_match(work, staff_reviewer, "not the same paper")

    work.refresh_from_db()
    fields, authorships = before[work.pk]
    assert {f: getattr(work, f) for f in fields} == fields
    assert work.arxiv_id is None and work.abstract == "" and work.publication_date is None
    assert list(work.authorships.values_list("order", "researcher_id", "raw_author_name")) == (
        authorships
    )
    assert imported.arxiv_id == "1303.6954" and imported.pdf_url == work_pdf_url("1303.6954")
    # The arXiv paper is Adrian's still: the run imported it for him, by his name on it.
    assert list(imported.authorships.values_list("order", "researcher_id", "raw_author_name")) == [
        (0, None, "B. Kulchytskyy"),
        (1, None, "G. Gervais"),
        (2, adrian.pk, "A. Del Maestro"),
    ]
    assert Work.objects.count() == 11
    undo = CurationLog.objects.get(action=CurationLog.Action.UNMATCH)
    assert undo.target["work"] == work.pk and undo.target["imported"] == imported.pk
    assert undo.actor == staff_reviewer

    # The undo holds through the next run and the replay of the log: the pair is not matched
    # again. The run pairs the two as preprint and published version (same title, same author
    # record), the link the arXiv paper would have had had it never been matched.
    run = import_recorded(adrian)
    assert (run.created, run.updated, run.unchanged) == (0, 0, 10)
    work.refresh_from_db()
    imported.refresh_from_db()
    assert {f: getattr(work, f) for f in fields} == fields
    assert imported.arxiv_id == "1303.6954" and imported.version_of == work
    assert Work.objects.count() == 11
    assert CurationLog.objects.filter(action=CurationLog.Action.MATCH).count() == 10
    state = snapshot()
    import_recorded(adrian)
    assert snapshot() == state
    with pytest.raises(curation.CurationError):
        matching.undo_match(work, staff_reviewer)


def test_a_curated_paper_of_another_researcher_is_not_matched(adrian, tmp_path):
    # A curated list of the same titles for someone else: the run for Adrian leaves it alone.
    other = tmp_path / "other.csl.json"
    other.write_bytes(orjson.dumps([csl_item(ENTRIES[0]) | {"author": [{"literal": "X. Y"}]}]))
    call_command("import_csl", str(other), "--new-researcher", "Xavier Yates", verbosity=0)
    theirs = Work.objects.get(authorships__researcher__display_name="Xavier Yates")

    import_recorded(adrian)

    theirs.refresh_from_db()
    assert theirs.arxiv_id is None
    matched = CurationLog.objects.filter(action=CurationLog.Action.MATCH)
    assert matched.count() == len(ENTRIES)
    assert theirs.pk not in {e.target["work"] for e in matched}
