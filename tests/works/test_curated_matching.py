"""A curated (CSL) import of Joseph Mearman's works, then the recorded OpenAlex records of the same
works: each curated work is matched, not duplicated, and the match is logged and undoable.

The CSL items are built here from the recorded OpenAlex JSON (works-by-A5017898742-per_page50,
see works/demo/PROVENANCE.md) with every identifier left out: no DOI, no URL, no OpenAlex id. What
is left is what a curated list gives: title, year, genre, venue and the authors' printed names.
The first test takes the whole way staff do: a CSL file through ``manage.py import_csl``, then an
OpenAlex run replaying the recorded answers; the others import the items and records directly.
"""

import orjson
import pytest
import responses
from django.core.management import call_command
from django.urls import reverse

from tests.conftest import OPENALEX
from tests.works import imports_replay as replay
from works import curation, matching, runs
from works.clients import http
from works.importers import openalex
from works.models import Authorship, CurationLog, ImportRun, Researcher, Work, WorkTopic

RECORDS = orjson.loads((OPENALEX / "works-by-A5017898742-per_page50.json").read_bytes())["results"]
# The title an admin gave one work in the curated list (the source's is all lower case).
EDITED = {"Tangible papercraft visualisations for education": "Tangible Papercraft Visualisations"
          " for Education"}  # fmt: skip


def csl_item(record: dict) -> dict:
    """The CSL item of a recorded OpenAlex work, stripped of every identifier and link."""
    source = (record.get("primary_location") or {}).get("source") or {}
    item = {
        "type": "article-journal",
        "genre": record["type"],
        "title": EDITED.get(record["title"], record["title"]),
        "issued": {"date-parts": [[record["publication_year"]]]},
        "author": [{"literal": a["raw_author_name"]} for a in record["authorships"]],
    }
    if source.get("display_name"):
        item["container-title"] = source["display_name"]
    return item


def snapshot() -> dict:
    """Every row the import could touch, with every field."""
    return {
        "works": list(Work.objects.order_by("pk").values()),
        "authorships": list(Authorship.objects.order_by("pk").values()),
        "topics": list(WorkTopic.objects.order_by("pk").values()),
        "log": CurationLog.objects.count(),
    }


@pytest.fixture
def curated(db, staff_reviewer):
    """Joseph Mearman as staff curated him: a record without identifiers, and his works from
    the CSL file."""
    mearman = Researcher.objects.create(
        display_name="Joseph Mearman", origin=Researcher.Origin.CURATED
    )
    curation.import_csl_for_researcher(
        mearman, [csl_item(r) for r in RECORDS], staff_reviewer, "from his CV"
    )
    return mearman


def import_recorded():
    stats = openalex.import_works(RECORDS)
    curation.reapply_curation()
    return stats


def test_a_csl_file_imported_by_the_command_is_matched_by_the_openalex_run(
    tmp_path, db, monkeypatch
):
    monkeypatch.setattr(http.DEFAULT_POLICY, "sleep", lambda s: None)
    items = [csl_item(r) for r in RECORDS]
    assert not any({"DOI", "URL", "id"} & item.keys() for item in items)
    path = tmp_path / "mearman.csl.json"
    path.write_bytes(orjson.dumps(items))
    call_command("import_csl", str(path), "--new-researcher", "Joseph Mearman", verbosity=0)
    mearman = Researcher.objects.get(origin=Researcher.Origin.CURATED)
    curated = {w.pk: {f: getattr(w, f) for f in w.curated_fields} for w in Work.objects.all()}
    assert len(curated) == 8  # the preprint and its published version are one curated work
    assert not Work.objects.filter(doi__isnull=False).exists()

    with responses.RequestsMock() as rsps:
        replay.add_author(rsps)
        replay.add_pages(rsps, [RECORDS])
        run = runs.execute_run(runs.start_openalex_import(replay.AUTHOR_ID, enqueue=False).pk)

    assert run.status == ImportRun.Status.SUCCEEDED, run.errors
    # No duplicate: the eight curated works took eight records, the second version is new.
    assert (run.created, run.updated) == (1, 8)
    assert Work.objects.count() == len(RECORDS)
    by_id = {w.openalex_id: w for w in Work.objects.all()}
    # Every curated work is still there, each now the work of an OpenAlex record.
    assert set(curated) <= {w.pk for w in by_id.values()}
    for record in RECORDS:
        work = by_id[openalex.normalise_openalex_id(record["id"])]
        if work.pk not in curated:
            continue
        assert work.doi == openalex.normalise_doi(record.get("doi"))
        assert work.landing_page_url
        # The co-authors as OpenAlex records, the topics, and Mearman's curated record still.
        linked = work.authorships.filter(researcher__openalex_id__isnull=False)
        assert linked.count() == len(record["authorships"])
        assert work.work_topics.count() == len(record["topics"]) > 0
        assert work.authorships.filter(researcher=mearman).exists()
        # What the file set is kept, the admin's edited title included.
        assert {f: getattr(work, f) for f in curated[work.pk]} == curated[work.pk]
    edited = Work.objects.get(openalex_id="W2978758657")
    assert edited.title == "Tangible Papercraft Visualisations for Education"

    entries = CurationLog.objects.filter(action=CurationLog.Action.MATCH)
    assert sorted(e.target["work"] for e in entries) == sorted(curated)
    assert {e.target["identifier"] for e in entries} == {
        oid for oid, w in by_id.items() if w.pk in curated
    }


def test_the_curated_works_carry_no_identifier_before_the_import(curated):
    works = Work.objects.all()
    # The preprint and its published version share title and year: one curated work for both.
    assert works.count() == len(RECORDS) - 1 == 8
    assert not works.filter(openalex_id__isnull=False).exists()
    assert not works.filter(doi__isnull=False).exists()
    assert all(w.curated_fields for w in works)


def test_each_curated_work_is_matched_and_gains_what_the_source_knows(curated):
    curated_pks = set(Work.objects.values_list("pk", flat=True))

    stats = import_recorded()

    # No duplicate: the nine OpenAlex works are the eight curated ones plus the second version.
    assert Work.objects.count() == len(RECORDS) == 9
    assert stats.created == 1 and stats.updated == 8
    by_id = {w.openalex_id: w for w in Work.objects.all()}
    assert set(by_id) == {openalex.normalise_openalex_id(r["id"]) for r in RECORDS}
    matched = {oid for oid, w in by_id.items() if w.pk in curated_pks}
    assert len(matched) == 8
    # Of the preprint/published pair the curated work (last typed "article") took the article.
    assert "W3187234764" in matched and "W3188841554" not in matched

    for record in RECORDS:
        work = by_id[openalex.normalise_openalex_id(record["id"])]
        doi = openalex.normalise_doi(record.get("doi"))
        assert work.doi == doi
        # Co-authors: the source's authorships, each linked to an OpenAlex author record.
        from_source = work.authorships.filter(researcher__openalex_id__isnull=False)
        assert from_source.count() == len(record["authorships"])
        assert work.work_topics.count() == len(record["topics"])
        if work.pk in curated_pks:
            # The curated title is kept where an admin edited it, and the curated researcher
            # still lists the work.
            assert work.title == EDITED.get(record["title"], record["title"])
            assert work.authorships.filter(researcher=curated).exists()
            assert work.landing_page_url  # a link the curated list did not have

    entries = CurationLog.objects.filter(action=CurationLog.Action.MATCH)
    assert entries.count() == 8
    assert {e.target["identifier"] for e in entries} == matched
    assert {e.target["by"] for e in entries} == {"title, year and author"}


def test_importing_the_records_twice_changes_nothing(curated):
    import_recorded()
    before = snapshot()

    stats = import_recorded()

    assert stats.unchanged == len(RECORDS) and stats.updated == stats.created == 0
    assert snapshot() == before


def test_replaying_the_log_keeps_a_match_over_an_import_that_rewrote_its_title(curated):
    import_recorded()
    work = Work.objects.get(openalex_id="W2978758657")
    edited = work.title
    # What an import that ignored the curation would leave: the source's title.
    Work.objects.filter(pk=work.pk).update(title="Tangible papercraft visualisations for education")

    assert curation.reapply_curation()["rematched"] == 1

    work.refresh_from_db()
    assert work.title == edited
    assert curation.reapply_curation()["rematched"] == 0


def test_undoing_a_match_restores_the_curated_work_and_splits_off_the_import(
    curated, staff_reviewer
):
    curated_state = {
        w.title: (
            list(w.authorships.values_list("order", "researcher_id", "raw_author_name")),
            {f: getattr(w, f) for f in ("title", "type", "venue_name", "publication_year")},
        )
        for w in Work.objects.all()
    }
    import_recorded()
    work = Work.objects.get(openalex_id="W3200026003")

    imported = matching.undo_match(work, staff_reviewer, "not the same paper")

    work.refresh_from_db()
    authorships, fields = curated_state[work.title]
    assert (work.openalex_id, work.doi, work.arxiv_id) == (None, None, None)
    assert {f: getattr(work, f) for f in fields} == fields
    assert list(work.authorships.values_list("order", "researcher_id", "raw_author_name")) == (
        authorships
    )
    assert not work.work_topics.exists()
    assert imported.openalex_id == "W3200026003"
    assert imported.authorships.count() == 4 and imported.work_topics.count() == 3
    assert Work.objects.count() == 10
    undo = CurationLog.objects.get(action=CurationLog.Action.UNMATCH)
    assert undo.target["work"] == work.pk and undo.target["imported"] == imported.pk
    assert undo.actor == staff_reviewer

    # The undo holds through later imports and the replay of the log.
    before = snapshot()
    stats = import_recorded()
    assert stats.unchanged == len(RECORDS)
    assert snapshot() == before
    with pytest.raises(curation.CurationError):
        matching.undo_match(work, staff_reviewer)


def test_an_undone_match_is_not_made_again_when_the_import_is_gone(curated, staff_reviewer):
    import_recorded()
    work = Work.objects.get(openalex_id="W3200026003")
    matching.undo_match(work, staff_reviewer).delete()

    import_recorded()

    work.refresh_from_db()
    assert work.openalex_id is None
    assert Work.objects.filter(openalex_id="W3200026003").exclude(pk=work.pk).exists()


def test_a_near_miss_of_the_same_title_in_another_year_is_not_matched(db, staff_reviewer):
    mearman = Researcher.objects.create(
        display_name="Joseph Mearman", origin=Researcher.Origin.CURATED
    )
    record = next(r for r in RECORDS if r["id"].endswith("W3200026003"))
    item = csl_item(record) | {"issued": {"date-parts": [[record["publication_year"] + 1]]}}
    curation.import_csl_for_researcher(mearman, [item], staff_reviewer)

    import_recorded()

    assert Work.objects.count() == len(RECORDS) + 1
    assert Work.objects.get(authorships__researcher=mearman).openalex_id is None
    assert not CurationLog.objects.filter(action=CurationLog.Action.MATCH).exists()


def test_a_curated_work_with_the_doi_is_matched_by_it_and_keeps_its_title(db, staff_reviewer):
    mearman = Researcher.objects.create(display_name="J. Mearman", origin="curated")
    record = next(r for r in RECORDS if r["id"].endswith("W2250748100"))
    item = csl_item(record) | {"title": "Alternative representations of heritage data (3D)"}
    item["DOI"] = record["doi"]
    curation.import_csl_for_researcher(mearman, [item], staff_reviewer)

    import_recorded()

    work = Work.objects.get(openalex_id="W2250748100")
    assert work.title == "Alternative representations of heritage data (3D)"
    assert Work.objects.count() == len(RECORDS)
    assert CurationLog.objects.get(action=CurationLog.Action.MATCH).target["by"] == "doi"


def test_staff_undo_a_match_from_the_works_admin(curated, client, staff_reviewer):
    import_recorded()
    work = Work.objects.get(openalex_id="W2241997964")
    never_matched = Work.objects.get(openalex_id="W3188841554")
    client.force_login(staff_reviewer)

    response = client.post(
        reverse("admin:works_work_changelist"),
        {"action": "undo_matches", "_selected_action": [work.pk, never_matched.pk]},
        follow=True,
    )

    assert response.status_code == 200
    work.refresh_from_db()
    assert work.openalex_id is None
    assert Work.objects.filter(openalex_id="W2241997964").exclude(pk=work.pk).exists()
    messages = [str(m) for m in response.context["messages"]]
    assert any("was not matched by an import" in m for m in messages)
    assert CurationLog.objects.filter(action=CurationLog.Action.UNMATCH).count() == 1
