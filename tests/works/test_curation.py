"""Curation actions, their append-only log, and their survival of every later import."""

import pytest
import responses

from profiles import merge
from tests.factories import AuthorshipFactory, ResearcherFactory, WorkFactory
from tests.works import imports_replay as replay
from works import curation, runs
from works.clients import http
from works.models import Authorship, CurationLog, ImportRun, Researcher, Work

pytestmark = pytest.mark.django_db

COAUTHOR = "A5009341822"  # a co-author of Mearman on the recorded works


@pytest.fixture(autouse=True)
def no_backoff_wait(monkeypatch):
    monkeypatch.setattr(http.DEFAULT_POLICY, "sleep", lambda s: None)


def import_mearman() -> ImportRun:
    with responses.RequestsMock() as rsps:
        replay.add_author(rsps)
        replay.add_pages(rsps, [replay.all_works()])
        run = ImportRun.objects.create(source=ImportRun.Source.OPENALEX, target=replay.AUTHOR_ID)
        run = runs.execute_run(run.pk)
    assert run.status == ImportRun.Status.SUCCEEDED, run.errors
    return run


def test_hiding_a_work_logs_who_why_and_when(staff_reviewer):
    work = WorkFactory()
    assert curation.set_work_hidden(work, True, staff_reviewer, "Not his paper") is True
    work.refresh_from_db()
    assert work.is_hidden
    entry = CurationLog.objects.get()
    assert (entry.actor, entry.action, entry.target, entry.reason) == (
        staff_reviewer,
        "hide",
        {"work": work.pk},
        "Not his paper",
    )
    assert entry.created_at is not None


def test_the_log_is_append_only(staff_reviewer):
    curation.set_work_hidden(WorkFactory(), True, staff_reviewer, "x")
    entry = CurationLog.objects.get()
    entry.reason = "rewritten"
    with pytest.raises(ValueError, match="append-only"):
        entry.save()


def test_merging_moves_authorships_and_points_the_old_record_at_the_new(staff_reviewer):
    old, new = ResearcherFactory(display_name="J. Mearman"), ResearcherFactory()
    already = ResearcherFactory(merged_into=old)
    AuthorshipFactory.create_batch(3, researcher=old)
    merge.merge_researchers(old, new, staff_reviewer, "same person")
    old.refresh_from_db()
    already.refresh_from_db()
    new.refresh_from_db()
    assert old.merged_into == new and already.merged_into == new
    assert Authorship.objects.filter(researcher=new).count() == 3
    assert "J. Mearman" in new.display_name_alternatives
    logged = CurationLog.objects.get().target
    assert (logged["source"], logged["target"]) == (old.pk, new.pk)
    # What moved is logged too, so the merge can be undone exactly.
    assert len(logged["authorships"]) == 3 and logged["merged_before"] == [already.pk]


def test_a_bad_merge_changes_nothing(staff_reviewer):
    a, b = ResearcherFactory(), ResearcherFactory()
    c = ResearcherFactory(merged_into=b)
    AuthorshipFactory(researcher=a)
    with pytest.raises(curation.CurationError):
        merge.merge_researchers(a, a, staff_reviewer)
    with pytest.raises(curation.CurationError, match="itself merged"):
        merge.merge_researchers(a, c, staff_reviewer)
    assert Authorship.objects.get().researcher == a
    assert not CurationLog.objects.exists()


def test_splitting_moves_only_the_selected_works(staff_reviewer):
    researcher = ResearcherFactory(display_name="Wei Zhang")
    keep, move = AuthorshipFactory(researcher=researcher), AuthorshipFactory(researcher=researcher)
    new = merge.split_works(researcher, [move.work_id], staff_reviewer, "a homonym")
    assert new.origin == Researcher.Origin.CURATED and new.display_name == "Wei Zhang"
    assert Authorship.objects.get(pk=keep.pk).researcher == researcher
    assert Authorship.objects.get(pk=move.pk).researcher == new
    with pytest.raises(curation.CurationError):
        merge.split_works(researcher, [WorkFactory().pk], staff_reviewer)


def test_a_re_import_never_brings_back_a_hidden_work_or_undoes_a_merge_or_split(staff_reviewer):
    import_mearman()
    mearman = Researcher.objects.get(openalex_id=replay.AUTHOR_ID)
    coauthor = Researcher.objects.get(openalex_id=COAUTHOR)
    canonical = ResearcherFactory(display_name=coauthor.display_name, openalex_id=None)
    hidden = Work.objects.get(openalex_id="W2250748100")
    split_off = Work.objects.get(openalex_id="W2978758657")

    curation.set_work_hidden(hidden, True, staff_reviewer, "wrong attribution")
    merge.merge_researchers(coauthor, canonical, staff_reviewer, "duplicate record")
    homonym = merge.split_works(mearman, [split_off.pk], staff_reviewer, "homonym")
    coauthor_works = set(
        Authorship.objects.filter(researcher=canonical).values_list("work_id", flat=True)
    )
    assert coauthor_works

    # A re-import rewrites the same works from the source...
    rerun = import_mearman()
    assert rerun.created == 0

    hidden.refresh_from_db()
    coauthor.refresh_from_db()
    assert hidden.is_hidden
    assert coauthor.merged_into == canonical
    assert not Authorship.objects.filter(researcher=coauthor).exists()
    assert (
        set(Authorship.objects.filter(researcher=canonical).values_list("work_id", flat=True))
        == coauthor_works
    )
    assert Authorship.objects.filter(work=split_off, researcher=homonym).exists()
    assert not Authorship.objects.filter(work=split_off, researcher=mearman).exists()
    assert Work.objects.count() == 9


def test_an_unhide_is_replayed_too(staff_reviewer):
    work = WorkFactory()
    curation.set_work_hidden(work, True, staff_reviewer)
    curation.set_work_hidden(work, False, staff_reviewer)
    Work.objects.filter(pk=work.pk).update(is_hidden=True)  # as if something had reset it
    assert curation.reapply_curation()["shown"] == 1
    work.refresh_from_db()
    assert not work.is_hidden
    assert curation.reapply_curation() == {
        "hidden": 0,
        "shown": 0,
        "moved": 0,
        "remerged": 0,
        "rematched": 0,
    }


def test_a_replayed_merge_follows_later_merges_and_skips_a_broken_chain(staff_reviewer):
    source, target, later = ResearcherFactory(), ResearcherFactory(), ResearcherFactory()
    merge.merge_researchers(source, target, staff_reviewer)
    merge.merge_researchers(target, later, staff_reviewer)
    Researcher.objects.filter(pk=source.pk).update(merged_into=None)  # as if an import reset it
    assert curation.reapply_curation()["remerged"] == 1
    source.refresh_from_db()
    assert source.merged_into == later  # the live end of the chain, not the merged target

    # Hand-edited data loops the chain: the replay leaves the source alone instead of
    # pointing it into the loop.
    Researcher.objects.filter(pk=later.pk).update(merged_into=target)
    Researcher.objects.filter(pk=source.pk).update(merged_into=None)
    assert curation.reapply_curation()["remerged"] == 0
    source.refresh_from_db()
    assert source.merged_into is None


def test_a_csl_import_adds_works_and_is_logged(staff_reviewer):
    researcher = ResearcherFactory(display_name="Joseph Mearman")
    items = [
        {
            "type": "article-journal",
            "title": "A curated paper",
            "author": [{"family": "Mearman", "given": "Joseph"}],
            "issued": {"date-parts": [[2020, 5, 1]]},
            "DOI": "10.1234/curated.1",
        }
    ]
    stats = curation.import_csl_for_researcher(researcher, items, staff_reviewer, "from CV")
    assert stats.created == 1
    assert Work.objects.get(doi="10.1234/curated.1").authorships.get().researcher == researcher
    assert CurationLog.objects.get().action == "csl_import"
    with pytest.raises(curation.CurationError):
        curation.import_csl_for_researcher(researcher, [{"title": 3}], staff_reviewer)
    assert CurationLog.objects.count() == 1
