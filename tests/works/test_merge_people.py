"""Merging researcher records carries their people along: owner, followers and open claims."""

import threading
from functools import partial

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from claims import actions as claims_actions
from claims.models import AuditEvent, Claim
from follows import actions as follows_actions
from follows.models import Follow
from profiles.merge import merge_researchers
from tests.factories import AuthorshipFactory, ResearcherFactory, WorkFactory
from tests.factories_claims import ClaimFactory
from works import curation
from works.models import Authorship, CurationLog, Researcher

pytestmark = pytest.mark.django_db


@pytest.fixture
def source():
    return ResearcherFactory(display_name="J. Mearman")


@pytest.fixture
def target():
    return ResearcherFactory(display_name="Justin Mearman")


def claim_and_verify(record, user, reviewer) -> Claim:
    claim = ClaimFactory(researcher=record, claimant=user)
    claims_actions.approve_claim(claim, reviewer)
    claims_actions.set_staff_verified(record, reviewer)
    return claim


def merge(source, target, actor, django_capture_on_commit_callbacks):
    # Run the graph refresh the merge queues for after the commit.
    with django_capture_on_commit_callbacks(execute=True):
        return merge_researchers(source, target, actor, "same person")


def test_merging_a_claimed_record_moves_its_owner_and_verification_with_an_audit_row(
    source, target, owner, staff_reviewer, django_capture_on_commit_callbacks
):
    claim = claim_and_verify(source, owner, staff_reviewer)
    merge(source, target, staff_reviewer, django_capture_on_commit_callbacks)
    source.refresh_from_db()
    target.refresh_from_db()
    assert source.merged_into == target
    assert (source.owner, source.staff_verified) == (None, False)
    assert (target.owner, target.staff_verified) == (owner, True)
    assert target.verification_level == Researcher.Level.VERIFIED
    claim.refresh_from_db()
    assert (claim.researcher, claim.status) == (target, Claim.Status.APPROVED)
    event = AuditEvent.objects.get(action=AuditEvent.Action.OWNERSHIP_MOVED)
    assert (event.actor, event.researcher, event.claim) == (staff_reviewer, target, claim)
    assert event.detail == {"merged_from": source.pk, "owner": owner.pk, "staff_verified": True}


def test_after_the_merge_the_owner_edits_and_releases_the_merged_into_record(
    client, source, target, owner, staff_reviewer, django_capture_on_commit_callbacks
):
    claim = claim_and_verify(source, owner, staff_reviewer)
    merge(source, target, staff_reviewer, django_capture_on_commit_callbacks)
    client.force_login(owner)
    response = client.post(
        reverse("claims:record_edit"),
        {"summary": "Edited after the merge", "open_to_collaborate": "on"},
    )
    assert response.status_code == 302
    target.refresh_from_db()
    source.refresh_from_db()
    assert target.summary == "Edited after the merge"
    assert source.summary != "Edited after the merge"
    claims_actions.release_record(target, owner)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.RELEASED


def test_merging_two_claimed_records_is_refused_and_changes_nothing(
    source, target, owner, stranger, follower, staff_reviewer
):
    claim_and_verify(source, owner, staff_reviewer)
    claim_and_verify(target, stranger, staff_reviewer)
    follows_actions.follow(follower, source)
    AuthorshipFactory(researcher=source)
    events_before = AuditEvent.objects.count()
    with pytest.raises(curation.CurationError, match="Both records are claimed"):
        merge_researchers(source, target, staff_reviewer, "same person")
    source.refresh_from_db()
    target.refresh_from_db()
    assert source.merged_into is None
    assert (source.owner, target.owner) == (owner, stranger)
    assert source.staff_verified and target.staff_verified
    assert Authorship.objects.get().researcher == source
    assert Follow.objects.get().researcher == source
    assert (source.followers_count, target.followers_count) == (1, 0)
    assert AuditEvent.objects.count() == events_before
    assert not CurationLog.objects.exists()


def test_the_claims_action_also_refuses_to_move_onto_a_claimed_record(
    source, target, owner, stranger, staff_reviewer
):
    claim_and_verify(source, owner, staff_reviewer)
    claim_and_verify(target, stranger, staff_reviewer)
    with pytest.raises(claims_actions.ClaimError, match="Both records are claimed"):
        claims_actions.transfer_ownership_for_merge(source, target, staff_reviewer)
    source.refresh_from_db()
    assert source.owner == owner


def test_merging_moves_follows_once_per_user_and_recounts_both_records(
    source, target, follower, stranger, owner, staff_reviewer, django_capture_on_commit_callbacks
):
    follows_actions.follow(follower, source)
    follows_actions.follow(follower, target)  # follows both: keeps one follow
    follows_actions.follow(stranger, source)
    follows_actions.follow(owner, target)
    merge(source, target, staff_reviewer, django_capture_on_commit_callbacks)
    source.refresh_from_db()
    target.refresh_from_db()
    assert not Follow.objects.filter(researcher=source).exists()
    assert sorted(
        Follow.objects.filter(researcher=target).values_list("user__username", flat=True)
    ) == [
        "follower",
        "owner",
        "stranger",
    ]
    assert (source.followers_count, target.followers_count) == (0, 3)
    assert target.trust_breakdown  # rescored after the merge


def test_moving_follows_twice_moves_nothing_more(source, target, follower):
    follows_actions.follow(follower, source)
    assert follows_actions.move_follows(source, target) == 1
    assert follows_actions.move_follows(source, target) == 0
    target.refresh_from_db()
    assert target.followers_count == 1


def test_a_follower_of_the_merged_record_sees_the_target_works_in_their_feed(
    client, source, target, follower, staff_reviewer, django_capture_on_commit_callbacks
):
    # The feed lists works new to the follower: added after the follow, published recently.
    follows_actions.follow(follower, source)
    this_year = timezone.now().year
    AuthorshipFactory(
        researcher=source,
        work=WorkFactory(title="Paper under the old name", publication_year=this_year),
    )
    AuthorshipFactory(
        researcher=target,
        work=WorkFactory(title="Paper under the new name", publication_year=this_year),
    )
    merge(source, target, staff_reviewer, django_capture_on_commit_callbacks)
    client.force_login(follower)
    response = client.get(reverse("follows:feed"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Paper under the old name" in body
    assert "Paper under the new name" in body
    following = client.get(reverse("follows:following")).content.decode()
    assert "Justin Mearman" in following


def test_merging_closes_the_open_claims_on_the_merged_record_and_tells_the_claimants(
    source, target, stranger, follower, staff_reviewer, django_capture_on_commit_callbacks
):
    pending = ClaimFactory(researcher=source, claimant=stranger)
    awaiting = ClaimFactory(
        researcher=source,
        claimant=follower,
        evidence=Claim.Evidence.EMAIL,
        status=Claim.Status.AWAITING_EMAIL,
        institutional_email="follower@bangor.ac.uk",
        note="",
    )
    merge(source, target, staff_reviewer, django_capture_on_commit_callbacks)
    for claim in (pending, awaiting):
        claim.refresh_from_db()
        assert claim.status == Claim.Status.REJECTED
        assert claim.decision_reason == f"record merged into #{target.pk}"
        assert claim.reviewer == staff_reviewer
        assert claim.researcher == source
        assert claim.events.filter(action=AuditEvent.Action.CLAIM_REJECTED).exists()
        notice = Notification.objects.get(user=claim.claimant)
        assert f"record merged into #{target.pk}" in notice.message
        assert notice.url == reverse("claims:detail", args=[claim.pk])


def test_an_owner_moved_by_a_merge_closes_the_open_claims_on_the_target(
    source, target, owner, stranger, staff_reviewer, django_capture_on_commit_callbacks
):
    claim_and_verify(source, owner, staff_reviewer)
    rival = ClaimFactory(researcher=target, claimant=stranger)
    merge(source, target, staff_reviewer, django_capture_on_commit_callbacks)
    rival.refresh_from_db()
    assert rival.status == Claim.Status.REJECTED
    assert str(source.pk) in rival.decision_reason
    assert Notification.objects.filter(user=stranger, kind="claim_decided").exists()


def test_merging_an_unclaimed_record_leaves_the_target_open_to_claims(
    source, target, stranger, staff_reviewer, django_capture_on_commit_callbacks
):
    open_on_target = ClaimFactory(researcher=target, claimant=stranger)
    merge(source, target, staff_reviewer, django_capture_on_commit_callbacks)
    open_on_target.refresh_from_db()
    target.refresh_from_db()
    assert open_on_target.status == Claim.Status.PENDING
    assert target.owner is None
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.OWNERSHIP_MOVED).exists()


def test_approving_a_claim_on_a_merged_record_is_refused(source, target, owner, staff_reviewer):
    # A claim that stayed open on a record merged before merges closed them.
    claim = ClaimFactory(researcher=source, claimant=owner)
    Researcher.objects.filter(pk=source.pk).update(merged_into=target)
    with pytest.raises(claims_actions.ClaimError, match=f"merged into record #{target.pk}"):
        claims_actions.approve_claim(claim, staff_reviewer)
    claim.refresh_from_db()
    source.refresh_from_db()
    assert claim.status == Claim.Status.PENDING
    assert source.owner is None
    assert not claim.events.filter(action=AuditEvent.Action.CLAIM_APPROVED).exists()


def test_claiming_a_merged_record_is_refused(source, target, owner, staff_reviewer):
    merge_researchers(source, target, staff_reviewer)
    with pytest.raises(claims_actions.ClaimError, match="merged into another"):
        claims_actions.submit_claim(owner, source, Claim.Evidence.OTHER, note="It is me.")
    assert not Claim.objects.exists()


# Races (PostgreSQL only: SQLite serialises writers, so it cannot show them) -------------------


def run_together(*calls) -> list:
    """Start the calls at one moment on their own connections; their results or errors."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            try:
                outcomes[index] = call()
            except (curation.CurationError, claims_actions.ClaimError) as error:
                outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.postgres
@pytest.mark.skipif(not settings.IS_POSTGRES, reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True)
def test_an_approval_racing_a_merge_never_leaves_an_owner_on_the_merged_record(
    owner, staff_reviewer
):
    for _ in range(5):
        source, target = ResearcherFactory(), ResearcherFactory()
        claim = ClaimFactory(researcher=source, claimant=owner)
        approval, merged = run_together(
            partial(claims_actions.approve_claim, claim, staff_reviewer),
            partial(merge_researchers, source, target, staff_reviewer),
        )
        assert not isinstance(merged, Exception)
        source.refresh_from_db()
        target.refresh_from_db()
        assert source.merged_into == target and source.owner is None
        if isinstance(approval, Exception):
            # The merge came first and closed the claim (or the approval saw the merge).
            assert target.owner is None
            claim.refresh_from_db()
            assert claim.status == Claim.Status.REJECTED
        else:
            assert target.owner == owner
        if target.owner:
            # Free the owner for the next round: a user owns one record at most.
            claims_actions.release_record(target, owner)


@pytest.mark.postgres
@pytest.mark.skipif(not settings.IS_POSTGRES, reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True)
def test_two_crossed_merges_at_once_end_with_one_merge_and_no_deadlock(staff_reviewer):
    a, b = ResearcherFactory(), ResearcherFactory()
    first, second = run_together(
        partial(merge_researchers, a, b, staff_reviewer),
        partial(merge_researchers, b, a, staff_reviewer),
    )
    assert sorted(isinstance(o, curation.CurationError) for o in (first, second)) == [False, True]
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.merged_into_id is None) != (b.merged_into_id is None)
