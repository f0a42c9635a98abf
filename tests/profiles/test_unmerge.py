"""Staff tools that keep information: a merge shows what it joins and refuses two ORCIDs without an
override, and undoing it gives back exactly the two records that existed (recorded data)."""

import pytest
from django.urls import reverse

from follows import actions as follows_actions
from follows.models import Follow
from graph.actions import refresh_researchers
from profiles.merge import merge_researchers, unmerge
from tests.conftest import staff_with
from tests.graph.conftest import MEARMAN, recorded_authors, recorded_works
from tests.works.test_merge_people import claim_and_verify
from works.curation import CurationError, describe_entries, reapply_curation
from works.importers.openalex import import_author, import_works
from works.models import Affiliation, CurationLog, Researcher

pytestmark = pytest.mark.django_db

ROBERTS, RITSOS = "A5009341822", "A5065371627"  # co-authors of Mearman, each with an ORCID


def import_recorded():
    for author in recorded_authors():
        import_author(author)
    import_works(recorded_works())


@pytest.fixture
def recorded(db):
    import_recorded()
    refresh_researchers(Researcher.objects.values_list("pk", flat=True))


def record(openalex_id) -> Researcher:
    return Researcher.objects.get(openalex_id=openalex_id)


def snapshot(researcher: Researcher) -> dict:
    """What a reader and the record's people see of a record."""
    researcher.refresh_from_db()
    return {
        "openalex_id": researcher.openalex_id,
        "orcid": researcher.orcid,
        "name": researcher.display_name,
        "variants": sorted(researcher.display_name_alternatives),
        "url": researcher.get_absolute_url(),
        "merged_into": researcher.merged_into_id,
        "level": researcher.verification_level,
        "trust": researcher.trust_score,
        "owner": researcher.owner_id,
        "verified": researcher.staff_verified,
        "followers": sorted(
            Follow.objects.filter(researcher=researcher).values_list("user_id", flat=True)
        ),
        "followers_count": researcher.followers_count,
        "works": sorted(researcher.authorships.values_list("work__openalex_id", "order")),
        "affiliations": sorted(
            Affiliation.objects.filter(researcher=researcher).values_list(
                "institution__display_name", flat=True
            )
        ),
    }


def test_a_merge_then_its_undo_gives_back_both_records_exactly(
    recorded, client, owner, follower, stranger, staff_reviewer, django_capture_on_commit_callbacks
):
    mearman, roberts = record(MEARMAN), record(ROBERTS)
    claim_and_verify(roberts, owner, staff_reviewer)  # the merged-in record has the owner
    follows_actions.follow(follower, roberts)
    follows_actions.follow(stranger, roberts)
    follows_actions.follow(stranger, mearman)  # follows both: one follow during the merge
    refresh_researchers([mearman.pk, roberts.pk])
    before = {MEARMAN: snapshot(mearman), ROBERTS: snapshot(roberts)}
    assert before[ROBERTS]["works"] and before[ROBERTS]["affiliations"]

    with django_capture_on_commit_callbacks(execute=True):
        merge_researchers(roberts, mearman, staff_reviewer, "test", allow_different_orcids=True)
    merged = snapshot(roberts)
    assert merged["merged_into"] == mearman.pk and merged["works"] == []
    assert snapshot(mearman)["owner"] == owner.pk
    assert client.get(roberts.get_absolute_url()).status_code in (301, 302)

    with django_capture_on_commit_callbacks(execute=True):
        unmerge(roberts, staff_reviewer, "two people after all")
    assert {MEARMAN: snapshot(mearman), ROBERTS: snapshot(roberts)} == before
    assert client.get(roberts.get_absolute_url()).status_code == 200

    # Every later import, and the replay after it, keeps them apart.
    import_recorded()
    reapply_curation()
    refresh_researchers([mearman.pk, roberts.pk])
    assert {MEARMAN: snapshot(mearman), ROBERTS: snapshot(roberts)} == before


def test_different_orcids_block_a_merge_unless_overridden(recorded, staff_reviewer):
    roberts, ritsos = record(ROBERTS), record(RITSOS)
    before = (snapshot(roberts), snapshot(ritsos))
    with pytest.raises(CurationError, match="different ORCIDs"):
        merge_researchers(roberts, ritsos, staff_reviewer, "same?")
    assert (snapshot(roberts), snapshot(ritsos)) == before
    assert not CurationLog.objects.filter(action=CurationLog.Action.MERGE).exists()
    merge_researchers(roberts, ritsos, staff_reviewer, "checked", allow_different_orcids=True)
    assert snapshot(roberts)["merged_into"] == ritsos.pk


def test_undoing_a_record_that_is_not_merged_is_refused(recorded, staff_reviewer):
    with pytest.raises(CurationError, match="not merged"):
        unmerge(record(ROBERTS), staff_reviewer)


def test_the_merge_form_shows_ids_orcids_works_and_owners_and_asks_for_the_override(
    recorded, client, admin_user, owner, staff_reviewer
):
    roberts, ritsos = record(ROBERTS), record(RITSOS)
    claim_and_verify(roberts, owner, staff_reviewer)
    client.force_login(admin_user)
    changelist = reverse("admin:works_researcher_changelist")
    chosen = {"action": "merge_records", "_selected_action": [roberts.pk, ritsos.pk]}
    page = client.post(changelist, chosen).content.decode()
    for text in (ROBERTS, RITSOS, roberts.orcid, ritsos.orcid, owner.get_username()):
        assert text in page
    assert "different ORCIDs" in page
    works = roberts.authorships.count()
    assert f"<td>{works}</td>" in page

    refused = client.post(changelist, {**chosen, "apply": "1", "target": ritsos.pk, "reason": "x"})
    assert "different ORCIDs" in refused.content.decode()
    assert snapshot(roberts)["merged_into"] is None
    client.post(
        changelist,
        {
            **chosen,
            "apply": "1",
            "target": ritsos.pk,
            "reason": "x",
            "allow_different_orcids": "on",
        },
    )
    assert snapshot(roberts)["merged_into"] == ritsos.pk


def test_the_unmerge_page_gives_the_record_back(recorded, client, admin_user, staff_reviewer):
    roberts, mearman = record(ROBERTS), record(MEARMAN)
    merge_researchers(roberts, mearman, staff_reviewer, "test")
    client.force_login(admin_user)
    split_page = client.get(reverse("admin:works_researcher_split", args=[mearman.pk]))
    unmerge_url = reverse("admin:works_researcher_unmerge", args=[roberts.pk])
    assert unmerge_url in split_page.content.decode()
    response = client.post(unmerge_url, {"reason": "two people"})
    assert response.status_code == 302
    assert snapshot(roberts)["merged_into"] is None


def test_the_unmerge_page_needs_the_change_permission(
    recorded, client, django_user_model, staff_reviewer
):
    roberts = record(ROBERTS)
    merge_researchers(roberts, record(MEARMAN), staff_reviewer, "test")
    client.force_login(staff_with(django_user_model, "viewer", ["works.view_researcher"]))
    response = client.post(
        reverse("admin:works_researcher_unmerge", args=[roberts.pk]), {"reason": "x"}
    )
    assert response.status_code == 403
    assert snapshot(roberts)["merged_into"] is not None


def test_the_curation_log_names_its_records_and_works(recorded, client, admin_user, staff_reviewer):
    roberts, mearman = record(ROBERTS), record(MEARMAN)
    merge_researchers(roberts, mearman, staff_reviewer, "test")
    unmerge(roberts, staff_reviewer, "two people")
    entries = CurationLog.objects.order_by("pk")
    described = describe_entries(entries)
    assert list(described.values()) == [
        f"Merged Jonathan C. Roberts (#{roberts.pk}) into Joseph Mearman (#{mearman.pk})",
        f"Undid the merge of Jonathan C. Roberts (#{roberts.pk}) into Joseph Mearman "
        f"(#{mearman.pk})",
    ]
    client.force_login(admin_user)
    page = client.get(reverse("admin:works_curationlog_changelist")).content.decode()
    assert f"Merged Jonathan C. Roberts (#{roberts.pk})" in page
    assert '"source"' not in page  # no raw JSON
