"""Every state-changing endpoint, called as anonymous, another user, the owner and staff.

"Owner" is whoever the object belongs to: the claimant of a claim, the owner of a record, the
recipient of an invitation, the user whose notifications or settings they are. For endpoints
any signed-in user may use on their own behalf (follow, claim, invite) it is the record's owner.

Outcomes: SIGNIN (sent to sign in and back, nothing changed), DENIED (nothing changed; 404 for
objects the user may not see), OK (the change happened).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.urls import reverse

from claims import actions
from claims.models import AuditEvent, Claim, Invitation, SenderBlock
from follows import actions as follow_actions
from follows.models import DigestSubscription, Follow, Notification
from tests.factories import ResearcherFactory
from tests.factories_claims import ClaimFactory, InvitationFactory, verify_email

pytestmark = pytest.mark.django_db

SIGNIN, DENIED, OK = "signin", "denied", "ok"
ROLES = ["anonymous", "other", "owner", "staff"]


@dataclass
class World:
    owner: object
    other: object
    staff: object
    sender: object
    record: object = None  # claimed by owner, open to collaborate
    unclaimed: object = None
    objects: dict = field(default_factory=dict)


@dataclass
class Case:
    name: str
    setup: Callable  # (world) -> (url, data)
    changed: Callable  # (world, actor) -> bool
    expected: dict


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
    for user in (world.owner, world.other, world.staff):
        follow_actions.follow(user, world.record)
    return reverse("follows:unfollow", args=[world.record.pk]), {}


def _email_claim(world):
    claim = _claim(
        world, evidence="email", status="awaiting_email", institutional_email="ada@bangor.ac.uk"
    )
    return reverse("claims:verify_email", args=[actions.make_email_token(claim)]), {}


def _notification(world):
    follow_actions.notify(world.owner, Notification.Kind.CLAIM_DECIDED, "Decided")
    return reverse("follows:notifications_read"), {}


def _block(world):
    block = SenderBlock.objects.create(owner=world.owner, sender=world.sender)
    world.objects["block"] = block
    return reverse("claims:unblock", args=[block.pk]), {}


CASES = [
    Case(
        "follow",
        lambda w: (reverse("follows:follow", args=[w.record.pk]), {}),
        lambda w, actor: Follow.objects.filter(researcher=w.record).exists(),
        {"anonymous": SIGNIN, "other": OK, "owner": OK, "staff": OK},
    ),
    Case(
        "unfollow",
        _follow_all,
        lambda w, actor: Follow.objects.filter(researcher=w.record).count() < 3,
        {"anonymous": SIGNIN, "other": OK, "owner": OK, "staff": OK},
    ),
    Case(
        "digest settings",
        lambda w: (reverse("follows:digest_settings"), {"enabled": "0"}),
        lambda w, actor: DigestSubscription.objects.filter(user=w.owner, enabled=False).exists(),
        {"anonymous": SIGNIN, "other": DENIED, "owner": OK, "staff": DENIED},
    ),
    Case(
        "mark notifications read",
        _notification,
        lambda w, actor: not Notification.objects.filter(user=w.owner, read_at=None).exists(),
        {"anonymous": SIGNIN, "other": DENIED, "owner": OK, "staff": DENIED},
    ),
    Case(
        "submit a claim",
        lambda w: (
            reverse("claims:start", args=[w.unclaimed.pk]),
            {"evidence": "other", "note": "It is me"},
        ),
        lambda w, actor: Claim.objects.filter(researcher=w.unclaimed).exists(),
        # The record's owner already owns a record, so cannot claim a second one.
        {"anonymous": SIGNIN, "other": OK, "owner": DENIED, "staff": OK},
    ),
    Case(
        "withdraw a claim",
        lambda w: (reverse("claims:withdraw", args=[_claim(w).pk]), {}),
        lambda w, actor: _status(w) == Claim.Status.WITHDRAWN,
        {"anonymous": SIGNIN, "other": DENIED, "owner": OK, "staff": DENIED},
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
        {"anonymous": SIGNIN, "other": DENIED, "owner": OK, "staff": DENIED},
    ),
    Case(
        "confirm a claim email",
        _email_claim,
        lambda w, actor: _status(w) == Claim.Status.PENDING,
        {"anonymous": SIGNIN, "other": DENIED, "owner": OK, "staff": DENIED},
    ),
    Case(
        "approve a claim",
        lambda w: (reverse("claims:approve", args=[_unowned_claim(w).pk]), {}),
        lambda w, actor: _status(w) == Claim.Status.APPROVED,
        {"anonymous": SIGNIN, "other": DENIED, "owner": DENIED, "staff": OK},
    ),
    Case(
        "reject a claim",
        lambda w: (reverse("claims:reject", args=[_claim(w).pk]), {"reason": "No."}),
        lambda w, actor: _status(w) == Claim.Status.REJECTED,
        {"anonymous": SIGNIN, "other": DENIED, "owner": DENIED, "staff": OK},
    ),
    Case(
        "grant L4",
        lambda w: (reverse("claims:verify_record", args=[w.record.pk]), {"verified": "1"}),
        lambda w, actor: type(w.record).objects.get(pk=w.record.pk).staff_verified,
        {"anonymous": SIGNIN, "other": DENIED, "owner": DENIED, "staff": OK},
    ),
    Case(
        "edit the owned record",
        lambda w: (reverse("claims:record_edit"), {"summary": "Changed"}),
        lambda w, actor: type(w.record).objects.get(pk=w.record.pk).summary == "Changed",
        {"anonymous": SIGNIN, "other": DENIED, "owner": OK, "staff": DENIED},
    ),
    Case(
        "release the owned record",
        lambda w: (reverse("claims:record_release"), {}),
        lambda w, actor: type(w.record).objects.get(pk=w.record.pk).owner_id is None,
        {"anonymous": SIGNIN, "other": DENIED, "owner": OK, "staff": DENIED},
    ),
    Case(
        "send an invitation",
        lambda w: (
            reverse("claims:invite", args=[w.record.pk]),
            {"subject": "Hello", "message": "Let us work together."},
        ),
        lambda w, actor: Invitation.objects.exists(),
        {"anonymous": SIGNIN, "other": OK, "owner": DENIED, "staff": OK},
    ),
    Case(
        "answer an invitation",
        lambda w: (
            reverse("claims:invitation_answer", args=[_invitation(w).pk]),
            {"decision": "accept"},
        ),
        lambda w, actor: Invitation.objects.get().status == Invitation.Status.ACCEPTED,
        {"anonymous": SIGNIN, "other": DENIED, "owner": OK, "staff": DENIED},
    ),
    Case(
        "block a sender",
        lambda w: (reverse("claims:block_sender", args=[_invitation(w).pk]), {}),
        lambda w, actor: SenderBlock.objects.exists(),
        {"anonymous": SIGNIN, "other": DENIED, "owner": OK, "staff": DENIED},
    ),
    Case(
        "unblock a sender",
        _block,
        lambda w, actor: not SenderBlock.objects.exists(),
        {"anonymous": SIGNIN, "other": DENIED, "owner": OK, "staff": DENIED},
    ),
]


@pytest.fixture
def world(owner, stranger, staff_reviewer, follower, record, bangor):
    for user in (owner, stranger, staff_reviewer, follower):
        verify_email(user)
    record.owner = owner
    record.save()
    unclaimed = ResearcherFactory(last_known_institution=bangor)
    return World(
        owner=owner,
        other=stranger,
        staff=staff_reviewer,
        sender=follower,
        record=record,
        unclaimed=unclaimed,
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_authorization_matrix(case, role, world):
    url, data = case.setup(world)
    client = Client()
    actor = {"anonymous": None, "other": world.other, "owner": world.owner, "staff": world.staff}[
        role
    ]
    if actor is not None:
        client.force_login(actor)
    response = client.post(url, data)
    expected = case.expected[role]
    if expected == SIGNIN:
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    if expected in (SIGNIN, DENIED):
        assert response.status_code in (302, 400, 404), response.status_code
        assert not case.changed(world, actor), f"{case.name} as {role} changed state"
    else:
        assert response.status_code in (200, 302), response.status_code
        assert case.changed(world, actor), f"{case.name} as {role} did not change state"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_state_change_needs_the_csrf_token(case, world):
    url, data = case.setup(world)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.owner)
    response = client.post(url, data)
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


def test_staff_cannot_approve_their_own_claim_by_url(world):
    claim = ClaimFactory(researcher=world.unclaimed, claimant=world.staff)
    client = Client()
    client.force_login(world.staff)
    response = client.post(reverse("claims:approve", args=[claim.pk]))
    assert response.status_code == 404
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PENDING
