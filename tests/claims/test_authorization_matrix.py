"""Every state-changing endpoint, called as anonymous, another user, the owner and four kinds
of staff: staff status with no permission, staff who may only read claims, claim reviewers
(read, decide, verify) and a superuser.

"Owner" is whoever the object belongs to: the claimant of a claim, the owner of a record, the
recipient of an invitation, the user whose notifications or settings they are. For endpoints
any signed-in user may use on their own behalf (follow, claim, invite) it is the record's owner.

Outcomes: SIGNIN (sent to sign in and back, nothing changed), DENIED (nothing changed; 404 for
objects the user may not see), OK (the change happened). A staff role a case does not name
is just another signed-in user there: staff status alone grants nothing.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.urls import reverse

from accounts import notifications
from accounts.models import Notification
from claims import actions, corrections, merge_requests
from claims.models import AuditEvent, Claim, Invitation, MergeRequest, SenderBlock
from follows import actions as follow_actions
from follows.models import DigestSubscription, Follow
from tests.factories import AuthorshipFactory, ResearcherFactory
from tests.factories_claims import ClaimFactory, InvitationFactory, verify_email
from works.models import Authorship, ImportRun

pytestmark = pytest.mark.django_db

SIGNIN, DENIED, OK = "signin", "denied", "ok"
STAFF_ROLES = ["bare_staff", "claim_reader", "claim_reviewer", "superuser"]
ROLES = ["anonymous", "other", "owner", *STAFF_ROLES]
# The claim and record pages answer 404 to whoever may not use them, as for an unknown id.
NOT_FOUND = (404,)


@dataclass
class World:
    owner: object
    other: object
    staff: object  # the superuser
    sender: object
    actors: dict  # role -> user (None for anonymous)
    record: object = None  # claimed by owner, open to collaborate
    unclaimed: object = None
    objects: dict = field(default_factory=dict)


@dataclass
class Case:
    name: str
    setup: Callable  # (world) -> (url, data)
    changed: Callable  # (world, actor) -> bool
    expected: dict
    refused: tuple = (302, 400, 404)  # the status codes a refusal may have
    method: str = "post"  # API cases send JSON with their method ("patch", ...)
    accepted: tuple = (200, 302)  # the status codes a change may have (201, 202 for some APIs)

    def send(self, client: Client, url: str, data: dict):
        if self.method == "post":
            return client.post(url, data)
        send = getattr(client, self.method)
        return send(url, json.dumps(data), content_type="application/json")

    def expected_for(self, role: str) -> str:
        if role in self.expected:
            return self.expected[role]
        assert role in STAFF_ROLES, role
        return self.expected["other"]


def _staff_only(*allowed: str) -> dict:
    """Only the roles named may do it; the signed-in rest are refused."""
    expected = {"anonymous": SIGNIN, "other": DENIED, "owner": DENIED}
    return expected | {role: OK if role in allowed else DENIED for role in STAFF_ROLES}


def _claim(world, **kwargs):
    claim = ClaimFactory(researcher=world.unclaimed, claimant=world.owner, **kwargs)
    world.objects["claim"] = claim
    return claim


def _unowned_claim(world):
    """A claim by the owner user, who (for this case) owns no record yet."""
    type(world.record).objects.filter(pk=world.record.pk).update(owner=None)
    return _claim(world)


def _status(world):
    return Claim.objects.get(pk=world.objects["claim"].pk).status


def _invitation(world):
    invitation = InvitationFactory(
        sender=world.sender, researcher=world.record, recipient=world.owner
    )
    world.objects["invitation"] = invitation
    return invitation


def _follow_all(world):
    for user in world.actors.values():
        if user is not None:
            follow_actions.follow(user, world.record)
    return reverse("follows:unfollow", args=[world.record.pk]), {}


def _claim_untouched(world) -> bool:
    """The claim is still pending, with no decision, no reviewer and no audit row for one."""
    claim = Claim.objects.get(pk=world.objects["claim"].pk)
    return (
        claim.status == Claim.Status.PENDING
        and claim.reviewer_id is None
        and claim.decided_at is None
        and not AuditEvent.objects.filter(
            claim=claim, action__in=["claim_approved", "claim_rejected"]
        ).exists()
    )


def _approved(world) -> bool:
    claim = Claim.objects.get(pk=world.objects["claim"].pk)
    researcher = type(world.record).objects.get(pk=claim.researcher_id)
    return claim.status == Claim.Status.APPROVED and researcher.owner_id == claim.claimant_id


def _verification_changed(world, verified_before: bool) -> bool:
    record = type(world.record).objects.get(pk=world.record.pk)
    return (
        record.staff_verified != verified_before
        or AuditEvent.objects.filter(action__in=["record_verified", "record_unverified"]).exists()
    )


def _verified_record(world):
    type(world.record).objects.filter(pk=world.record.pk).update(staff_verified=True)
    return reverse("claims:verify_record", args=[world.record.pk]), {"verified": "0"}


def _admin_action(action: str):
    def setup(world):
        claim = _unowned_claim(world)
        data = {"action": action, "index": "0", "_selected_action": [claim.pk]}
        return reverse("admin:claims_claim_changelist"), data

    return setup


def _email_claim(world):
    claim = _claim(
        world, evidence="email", status="awaiting_email", institutional_email="ada@bangor.ac.uk"
    )
    return reverse("claims:verify_email", args=[actions.make_email_token(claim)]), {}


def _notification(world):
    notifications.notify(world.owner, Notification.Kind.CLAIM_DECIDED, "Decided")
    return reverse("follows:notifications_read"), {}


def _block(world):
    block = SenderBlock.objects.create(owner=world.owner, sender=world.sender)
    world.objects["block"] = block
    return reverse("claims:unblock", args=[block.pk]), {}


def _record_work(world):
    """A work on the owner's record."""
    work = AuthorshipFactory(researcher=world.record).work
    world.objects["work"] = work
    return work


def _on_record(world) -> bool:
    return Authorship.objects.filter(work=world.objects["work"], researcher=world.record).exists()


ADDED_DOI = "10.7717/peerj.4375"


def _addition_queued(world) -> bool:
    return ImportRun.objects.filter(researcher=world.record, target=f"doi:{ADDED_DOI}").exists()


def _merge_request(world):
    """The owner asks for the unclaimed record to be merged into theirs (staff decide)."""
    request = merge_requests.request_merge(world.owner, world.record, world.unclaimed.pk)
    world.objects["merge_request"] = request
    return request


def _merge_request_decided(world) -> bool:
    request = MergeRequest.objects.get(pk=world.objects["merge_request"].pk)
    merged = type(world.record).objects.filter(pk=world.unclaimed.pk, merged_into__isnull=False)
    return request.status != MergeRequest.Status.PENDING or merged.exists()


def _removed_work(world):
    """A work the owner marked not theirs."""
    work = _record_work(world)
    world.objects["entry"] = corrections.mark_not_mine(world.owner, world.record, work.pk)
    return work


CASES = [
    Case(
        "follow",
        lambda w: (reverse("follows:follow", args=[w.record.pk]), {}),
        lambda w, actor: Follow.objects.filter(researcher=w.record).exists(),
        {"anonymous": SIGNIN, "other": OK, "owner": OK, "superuser": OK},
    ),
    Case(
        "unfollow",
        _follow_all,
        lambda w, actor: Follow.objects.filter(researcher=w.record).count() < len(ROLES) - 1,
        {"anonymous": SIGNIN, "other": OK, "owner": OK, "superuser": OK},
    ),
    Case(
        "digest settings",
        lambda w: (reverse("follows:digest_settings"), {"enabled": "0"}),
        lambda w, actor: DigestSubscription.objects.filter(user=w.owner, enabled=False).exists(),
        {"anonymous": SIGNIN, "other": DENIED, "owner": OK, "superuser": DENIED},
    ),
    Case(
        "mark notifications read",
        _notification,
        lambda w, actor: not Notification.objects.filter(user=w.owner, read_at=None).exists(),
        {"anonymous": SIGNIN, "other": DENIED, "owner": OK, "superuser": DENIED},
    ),
    Case(
        "submit a claim",
        lambda w: (
            reverse("claims:start", args=[w.unclaimed.pk]),
            {"evidence": "other", "note": "It is me"},
        ),
        lambda w, actor: Claim.objects.filter(researcher=w.unclaimed).exists(),
        # The record's owner already owns a record, so cannot claim a second one.
        {"anonymous": SIGNIN, "other": OK, "owner": DENIED, "superuser": OK},
    ),
    Case(
        "withdraw a claim",
        lambda w: (reverse("claims:withdraw", args=[_claim(w).pk]), {}),
        lambda w, actor: _status(w) == Claim.Status.WITHDRAWN,
        {"anonymous": SIGNIN, "other": DENIED, "owner": OK, "superuser": DENIED},
    ),
    Case(
        "resend a claim email",
        lambda w: (
            reverse(
                "claims:resend_email",
                args=[
                    _claim(
                        w,
                        evidence="email",
                        status="awaiting_email",
                        institutional_email="ada@bangor.ac.uk",
                    ).pk
                ],
            ),
            {},
        ),
        lambda w, actor: AuditEvent.objects.filter(action="claim_email_sent").exists(),
        {"anonymous": SIGNIN, "other": DENIED, "owner": OK, "superuser": DENIED},
    ),
    Case(
        "confirm a claim email",
        _email_claim,
        lambda w, actor: _status(w) == Claim.Status.PENDING,
        {"anonymous": SIGNIN, "other": DENIED, "owner": OK, "superuser": DENIED},
    ),
    Case(
        "approve a claim",
        lambda w: (reverse("claims:approve", args=[_unowned_claim(w).pk]), {}),
        lambda w, actor: not _claim_untouched(w) or _approved(w),
        _staff_only("claim_reviewer", "superuser"),
        refused=NOT_FOUND,
    ),
    Case(
        "reject a claim",
        lambda w: (reverse("claims:reject", args=[_claim(w).pk]), {"reason": "No."}),
        lambda w, actor: not _claim_untouched(w),
        _staff_only("claim_reviewer", "superuser"),
        refused=NOT_FOUND,
    ),
    Case(
        "grant L4",
        lambda w: (reverse("claims:verify_record", args=[w.record.pk]), {"verified": "1"}),
        lambda w, actor: _verification_changed(w, verified_before=False),
        _staff_only("claim_reviewer", "superuser"),
        refused=NOT_FOUND,
    ),
    Case(
        "withdraw L4",
        _verified_record,
        lambda w, actor: _verification_changed(w, verified_before=True),
        _staff_only("claim_reviewer", "superuser"),
        refused=NOT_FOUND,
    ),
    # The admin sends the signed-out and non-staff to its own sign-in page (302), answers 403 to
    # staff who may not see claims, and shows the list again, doing nothing, when asked for an
    # action it does not offer that user (200).
    Case(
        "approve in the admin",
        _admin_action("approve_selected"),
        lambda w, actor: not _claim_untouched(w) or _approved(w),
        _staff_only("claim_reviewer", "superuser") | {"anonymous": DENIED},
        refused=(200, 302, 403),
    ),
    Case(
        "reject in the admin",
        _admin_action("reject_selected"),
        lambda w, actor: not _claim_untouched(w),
        _staff_only("claim_reviewer", "superuser") | {"anonymous": DENIED},
        refused=(200, 302, 403),
    ),
    Case(
        "edit the owned record",
        lambda w: (reverse("claims:record_edit"), {"summary": "Changed"}),
        lambda w, actor: type(w.record).objects.get(pk=w.record.pk).summary == "Changed",
        {"anonymous": SIGNIN, "other": DENIED, "owner": OK, "superuser": DENIED},
    ),
    # The API answers 401 to the signed-out and 404 to whoever owns no record.
    Case(
        "edit the owned record in the API",
        lambda w: ("/api/me/record/", {"research_interests": ["Optics"]}),
        lambda w, actor: type(w.record).objects.get(pk=w.record.pk).research_interests != [],
        {"anonymous": DENIED, "other": DENIED, "owner": OK, "superuser": DENIED},
        refused=(401, 404),
        method="patch",
    ),
    Case(
        "mark a work not mine",
        lambda w: (reverse("claims:not_mine", args=[_record_work(w).pk]), {}),
        lambda w, actor: not _on_record(w),
        {"anonymous": SIGNIN, "other": DENIED, "owner": OK, "superuser": DENIED},
    ),
    Case(
        "undo not mine",
        lambda w: (reverse("claims:mine_again", args=[_removed_work(w).pk]), {}),
        lambda w, actor: _on_record(w),
        {"anonymous": SIGNIN, "other": DENIED, "owner": OK, "superuser": DENIED},
    ),
    # The owner's API answers 401 to the signed-out and 403 to whoever owns no record.
    Case(
        "mark a work not mine in the API",
        lambda w: (reverse("api-my-record-not-mine", args=[_record_work(w).pk]), {}),
        lambda w, actor: not _on_record(w),
        {"anonymous": DENIED, "other": DENIED, "owner": OK, "superuser": DENIED},
        refused=(401, 403),
    ),
    Case(
        "undo not mine in the API",
        lambda w: (reverse("api-my-record-not-mine", args=[_removed_work(w).pk]), {}),
        lambda w, actor: _on_record(w),
        {"anonymous": DENIED, "other": DENIED, "owner": OK, "superuser": DENIED},
        refused=(401, 403),
        method="delete",
    ),
    # Adding a work queues its lookup (run once the request commits: never here).
    Case(
        "add a missing work",
        lambda w: (reverse("claims:add_work"), {"doi": ADDED_DOI}),
        lambda w, actor: _addition_queued(w),
        {"anonymous": SIGNIN, "other": DENIED, "owner": OK, "superuser": DENIED},
    ),
    Case(
        "add a missing work in the API",
        lambda w: (reverse("api-my-record-add-work"), {"doi": ADDED_DOI}),
        lambda w, actor: _addition_queued(w),
        {"anonymous": DENIED, "other": DENIED, "owner": OK, "superuser": DENIED},
        refused=(401, 403),
        accepted=(202,),
    ),
    Case(
        "ask to merge another record",
        lambda w: (reverse("claims:merge_request"), {"researcher": w.unclaimed.pk}),
        lambda w, actor: MergeRequest.objects.exists(),
        {"anonymous": SIGNIN, "other": DENIED, "owner": OK, "superuser": DENIED},
    ),
    Case(
        "ask to merge another record in the API",
        lambda w: (reverse("api-my-record-merge-requests"), {"researcher": w.unclaimed.pk}),
        lambda w, actor: MergeRequest.objects.exists(),
        {"anonymous": DENIED, "other": DENIED, "owner": OK, "superuser": DENIED},
        refused=(401, 403),
        accepted=(202,),
    ),
    Case(
        "approve a merge request",
        lambda w: (reverse("claims:merge_request_approve", args=[_merge_request(w).pk]), {}),
        lambda w, actor: _merge_request_decided(w),
        _staff_only("claim_reviewer", "superuser"),
        refused=NOT_FOUND,
    ),
    Case(
        "refuse a merge request",
        lambda w: (
            reverse("claims:merge_request_refuse", args=[_merge_request(w).pk]),
            {"reason": "Two people."},
        ),
        lambda w, actor: _merge_request_decided(w),
        _staff_only("claim_reviewer", "superuser"),
        refused=NOT_FOUND,
    ),
    Case(
        "revert a history entry",
        lambda w: (
            reverse(
                "profiles:revert_history_entry",
                args=[w.record.pk, w.objects["entry"].pk if _removed_work(w) else None],
            ),
            {"reason": "Staff check"},
        ),
        lambda w, actor: _on_record(w),
        _staff_only("superuser"),
        refused=NOT_FOUND,
    ),
    Case(
        "release the owned record",
        lambda w: (reverse("claims:record_release"), {}),
        lambda w, actor: type(w.record).objects.get(pk=w.record.pk).owner_id is None,
        {"anonymous": SIGNIN, "other": DENIED, "owner": OK, "superuser": DENIED},
    ),
    Case(
        "send an invitation",
        lambda w: (
            reverse("claims:invite", args=[w.record.pk]),
            {"subject": "Hello", "message": "Let us work together."},
        ),
        lambda w, actor: Invitation.objects.exists(),
        {"anonymous": SIGNIN, "other": OK, "owner": DENIED, "superuser": OK},
    ),
    Case(
        "answer an invitation",
        lambda w: (
            reverse("claims:invitation_answer", args=[_invitation(w).pk]),
            {"decision": "accept"},
        ),
        lambda w, actor: Invitation.objects.get().status == Invitation.Status.ACCEPTED,
        {"anonymous": SIGNIN, "other": DENIED, "owner": OK, "superuser": DENIED},
    ),
    Case(
        "block a sender",
        lambda w: (reverse("claims:block_sender", args=[_invitation(w).pk]), {}),
        lambda w, actor: SenderBlock.objects.exists(),
        {"anonymous": SIGNIN, "other": DENIED, "owner": OK, "superuser": DENIED},
    ),
    Case(
        "unblock a sender",
        _block,
        lambda w, actor: not SenderBlock.objects.exists(),
        {"anonymous": SIGNIN, "other": DENIED, "owner": OK, "superuser": DENIED},
    ),
]


@pytest.fixture
def world(
    owner, stranger, staff_reviewer, follower, record, bangor, bare_staff, claim_reader,
    claim_reviewer,
):  # fmt: skip
    actors = {
        "anonymous": None,
        "other": stranger,
        "owner": owner,
        "bare_staff": bare_staff,
        "claim_reader": claim_reader,
        "claim_reviewer": claim_reviewer,
        "superuser": staff_reviewer,
    }
    for user in [*actors.values(), follower]:
        if user is not None:
            verify_email(user)
    record.owner = owner
    record.open_to_collaborate = True  # the owner invites collaboration
    record.save()
    unclaimed = ResearcherFactory(last_known_institution=bangor)
    return World(
        owner=owner,
        other=stranger,
        staff=staff_reviewer,
        sender=follower,
        actors=actors,
        record=record,
        unclaimed=unclaimed,
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_authorization_matrix(case, role, world):
    url, data = case.setup(world)
    client = Client()
    actor = world.actors[role]
    if actor is not None:
        client.force_login(actor)
    response = case.send(client, url, data)
    expected = case.expected_for(role)
    if expected == SIGNIN:
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    if expected in (SIGNIN, DENIED):
        assert response.status_code in (302, *case.refused), response.status_code
        if expected == DENIED and actor is not None:
            assert response.status_code in case.refused, response.status_code
        assert not case.changed(world, actor), f"{case.name} as {role} changed state"
    else:
        assert response.status_code in case.accepted, response.status_code
        assert case.changed(world, actor), f"{case.name} as {role} did not change state"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_state_change_needs_the_csrf_token(case, world):
    url, data = case.setup(world)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.owner)
    response = case.send(client, url, data)
    assert response.status_code == 403
    assert not case.changed(world, world.owner)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_get_never_changes_state(case, world):
    url, data = case.setup(world)
    client = Client()
    client.force_login(world.owner)
    response = client.get(url, data)
    assert response.status_code in (200, 302, 404, 405)
    assert not case.changed(world, world.owner)


@pytest.mark.parametrize("role", ["claim_reviewer", "superuser"])
def test_staff_cannot_approve_their_own_claim_by_url(role, world):
    reviewer = world.actors[role]
    claim = ClaimFactory(researcher=world.unclaimed, claimant=reviewer)
    client = Client()
    client.force_login(reviewer)
    response = client.post(reverse("claims:approve", args=[claim.pk]))
    assert response.status_code == 404
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PENDING


@pytest.mark.parametrize("role", ROLES)
def test_only_the_owner_reads_their_record_in_the_api(role, world):
    """GET /api/me/record/ answers the caller's own record: staff see nobody else's there."""
    client = Client()
    if world.actors[role] is not None:
        client.force_login(world.actors[role])
    response = client.get("/api/me/record/")
    if role == "owner":
        assert response.status_code == 200
        assert response.json()["id"] == world.record.pk
    else:
        assert response.status_code == (401 if role == "anonymous" else 404)
        assert str(world.record.pk) not in response.content.decode()
