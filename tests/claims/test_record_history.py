"""A record's history lists every correction in order with who made it, and staff with the
permission revert one entry at a time (on the recorded Mearman data)."""

import pytest
from django.db import transaction
from django.urls import reverse

from accounts.models import Profile
from claims import corrections
from tests.conftest import staff_with
from tests.graph.conftest import mearman  # noqa: F401 (the recorded record, a fixture)
from works.curation import reapply_curation, set_work_hidden
from works.models import CurationLog, Work

pytestmark = pytest.mark.django_db


@pytest.fixture
def owned(mearman, owner):  # noqa: F811
    mearman.owner = owner
    mearman.save(update_fields=["owner"])
    Profile.objects.create(user=owner, display_name="Joe the Owner")
    return mearman


def works_of(researcher) -> set[int]:
    return set(Work.objects.filter(authorships__researcher=researcher).values_list("pk", flat=True))


@pytest.fixture
def reverter(django_user_model):
    return staff_with(django_user_model, "reverter", ["works.change_curationlog"])


def test_history_lists_the_corrections_in_order_with_names(
    client, owned, staff_reviewer, django_assert_max_num_queries
):
    first, second = sorted(works_of(owned))[:2]
    corrections.mark_not_mine(owned.owner, owned, first, "Another J. Mearman wrote it")
    corrections.mark_not_mine(owned.owner, owned, second)
    corrections.undo_not_mine(owned.owner, owned, second)
    set_work_hidden(Work.objects.get(pk=first), True, staff_reviewer)  # not about this record
    with django_assert_max_num_queries(12):
        page = client.get(reverse("profiles:history", args=[owned.pk])).content.decode()
    titles = {pk: Work.objects.get(pk=pk).title for pk in (first, second)}
    removed_first = page.index(f"Removed “{titles[first]}”")
    removed_second = page.index(f"Removed “{titles[second]}”")
    given_back = page.index(f"Gave “{titles[second]}”")
    assert removed_first < removed_second < given_back
    assert page.count("By Joe the Owner") == 3
    assert "Another J. Mearman wrote it" in page
    assert "Revert" not in page  # anonymous visitors see no staff tools
    profile = client.get(owned.get_absolute_url()).content.decode()
    assert reverse("profiles:history", args=[owned.pk]) in profile


def test_staff_hiding_a_work_on_the_record_is_in_its_history(client, owned, staff_reviewer):
    work = Work.objects.get(pk=sorted(works_of(owned))[0])
    set_work_hidden(work, True, staff_reviewer, "A retracted duplicate")
    page = client.get(reverse("profiles:history", args=[owned.pk])).content.decode()
    assert f"Hid “{work.title}”" in page
    assert "A retracted duplicate" in page and "By staff" in page


def test_staff_with_the_permission_revert_a_not_mine_and_it_holds(client, owned, reverter):
    work = sorted(works_of(owned))[0]
    entry = corrections.mark_not_mine(owned.owner, owned, work)
    url = reverse("profiles:revert_history_entry", args=[owned.pk, entry.pk])
    client.force_login(reverter)
    assert "Revert" in client.get(reverse("profiles:history", args=[owned.pk])).content.decode()
    response = client.post(url, {"reason": "It is his after all"}, follow=True)
    assert response.status_code == 200
    assert work in works_of(owned)
    revert = CurationLog.objects.get(action=CurationLog.Action.REVERT)
    assert revert.target["entry"] == entry.pk and revert.researcher == owned
    page = response.content.decode()
    assert "Reverted entry" in page and "By staff" in page and "It is his after all" in page
    # The replay skips the reverted entry; the owner's list no longer shows it as removed.
    reapply_curation()
    assert work in works_of(owned)
    assert corrections.removed_works(owned) == []
    # A second revert of the same entry is refused and changes nothing.
    client.post(url)
    assert CurationLog.objects.filter(action=CurationLog.Action.REVERT).count() == 1


def test_reverting_an_undo_takes_the_work_off_again(client, owned, reverter):
    work = sorted(works_of(owned))[0]
    corrections.mark_not_mine(owned.owner, owned, work)
    undo = corrections.undo_not_mine(owned.owner, owned, work)
    client.force_login(reverter)
    client.post(reverse("profiles:revert_history_entry", args=[owned.pk, undo.pk]))
    assert work not in works_of(owned)
    reapply_curation()
    assert work not in works_of(owned)


@pytest.mark.parametrize("who", ["anonymous", "owner", "bare_staff", "claim_reviewer"])
def test_revert_without_the_permission_changes_nothing(
    client, owned, who, bare_staff, claim_reviewer
):
    work = sorted(works_of(owned))[0]
    entry = corrections.mark_not_mine(owned.owner, owned, work)
    users = {"owner": owned.owner, "bare_staff": bare_staff, "claim_reviewer": claim_reviewer}
    if who in users:
        client.force_login(users[who])
    response = client.post(reverse("profiles:revert_history_entry", args=[owned.pk, entry.pk]))
    assert response.status_code == (302 if who == "anonymous" else 404)
    assert work not in works_of(owned)
    assert not CurationLog.objects.filter(action=CurationLog.Action.REVERT).exists()


def test_an_entry_of_another_record_cannot_be_reverted_through_this_one(client, owned, reverter):
    from works.models import Researcher

    other = Researcher.objects.exclude(pk=owned.pk).first()
    entry = corrections.mark_not_mine(owned.owner, owned, sorted(works_of(owned))[0])
    client.force_login(reverter)
    response = client.post(reverse("profiles:revert_history_entry", args=[other.pk, entry.pk]))
    assert response.status_code == 404


def test_staff_revert_a_work_the_owner_added_and_it_stays_off(client, owned, reverter):
    from tests.factories import WorkFactory
    from works.curation import attach_added_work

    work = WorkFactory(title="A paper the import did not credit to him")
    with transaction.atomic():
        attach_added_work(work, owned, owned.owner, "10.1234/added")
    assert work.pk in works_of(owned)
    entry = CurationLog.objects.get(action=CurationLog.Action.OWNER_ADD)
    client.force_login(reverter)
    client.post(reverse("profiles:revert_history_entry", args=[owned.pk, entry.pk]))
    assert work.pk not in works_of(owned)
    reapply_curation()
    assert work.pk not in works_of(owned)


def test_staff_revert_a_merge_from_the_history_and_both_records_come_back(
    client, owned, reverter, staff_reviewer
):
    from profiles.merge import merge_researchers
    from works.models import Researcher

    other = Researcher.objects.exclude(pk=owned.pk).filter(owner=None).order_by("pk").first()
    other_works = works_of(other)
    merge_researchers(other, owned, staff_reviewer, "Same person")
    entry = CurationLog.objects.get(action=CurationLog.Action.MERGE)
    client.force_login(reverter)
    client.post(
        reverse("profiles:revert_history_entry", args=[owned.pk, entry.pk]), {"reason": "No"}
    )
    other.refresh_from_db()
    assert other.merged_into_id is None
    assert works_of(other) == other_works
    assert CurationLog.objects.filter(action=CurationLog.Action.UNMERGE).exists()
