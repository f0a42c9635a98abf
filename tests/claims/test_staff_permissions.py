"""Staff pages, links and claim actions by role: staff status alone grants nothing.

Roles: anonymous, another user, the owner (the claimant of the claim, the owner of the record),
staff with no permission, staff who may read claims, claim reviewers and a superuser.
"""

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from claims import actions, merge_requests
from claims.models import AuditEvent, Claim, MergeRequest
from tests.factories import ResearcherFactory
from tests.factories_claims import ClaimFactory
from works.models import Researcher

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "other", "owner", "bare_staff", "claim_reader", "claim_reviewer", "superuser"]
SIGNIN = "signin"


@pytest.fixture
def cast(owner, stranger, bare_staff, claim_reader, claim_reviewer, staff_reviewer):
    return {
        "anonymous": None,
        "other": stranger,
        "owner": owner,
        "bare_staff": bare_staff,
        "claim_reader": claim_reader,
        "claim_reviewer": claim_reviewer,
        "superuser": staff_reviewer,
    }


@pytest.fixture
def pending_claim(owner):
    """The owner's claim on a record nobody owns yet, waiting for review."""
    return ClaimFactory(
        researcher=ResearcherFactory(display_name="Grace Unclaimed"),
        claimant=owner,
        note="My departmental page lists this paper.",
    )


@pytest.fixture
def owned_record(record, owner):
    record.owner = owner
    record.save(update_fields=["owner"])
    return record


def _client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _assert_status(response, expected):
    if expected == SIGNIN:
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    else:
        assert response.status_code == expected, response.status_code


def _snapshot():
    """Everything a staff page could change: claims, owners, L4 and the audit trail."""
    return (
        list(Claim.objects.order_by("pk").values_list("pk", "status", "reviewer_id")),
        list(Researcher.objects.order_by("pk").values_list("pk", "owner_id", "staff_verified")),
        AuditEvent.objects.count(),
    )


# The pages, read ------------------------------------------------------------------------------

QUEUE = {
    "anonymous": SIGNIN, "other": 404, "owner": 404, "bare_staff": 404,
    "claim_reader": 200, "claim_reviewer": 200, "superuser": 200,
}  # fmt: skip
CLAIM_PAGE = {
    "anonymous": SIGNIN, "other": 404, "owner": 200, "bare_staff": 404,
    "claim_reader": 200, "claim_reviewer": 200, "superuser": 200,
}  # fmt: skip
MERGE_QUEUE = {
    "anonymous": SIGNIN, "other": 404, "owner": 404, "bare_staff": 404,
    "claim_reader": 404, "claim_reviewer": 200, "superuser": 200,
}  # fmt: skip
VERIFY_PAGE = {
    "anonymous": SIGNIN, "other": 404, "owner": 404, "bare_staff": 404,
    "claim_reader": 404, "claim_reviewer": 200, "superuser": 200,
}  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
def test_the_review_queue_is_for_staff_who_may_read_claims(role, cast, pending_claim):
    before = _snapshot()
    response = _client(cast[role]).get(reverse("claims:review_queue"))
    _assert_status(response, QUEUE[role])
    assert (b"Grace Unclaimed" in response.content) == (QUEUE[role] == 200)
    assert _snapshot() == before


@pytest.mark.parametrize("role", ROLES)
def test_the_merge_request_queue_is_for_staff_who_may_decide_claims(role, cast, owned_record):
    """Merge requests are decided, not only read, there: reading claims is not enough."""
    duplicate = ResearcherFactory(display_name="Grace Duplicate")
    merge_requests.request_merge(owned_record.owner, owned_record, duplicate.pk, "Also me.")
    before = (_snapshot(), list(MergeRequest.objects.values_list("pk", "status")))
    response = _client(cast[role]).get(reverse("claims:merge_requests"))
    _assert_status(response, MERGE_QUEUE[role])
    assert (b"Grace Duplicate" in response.content) == (MERGE_QUEUE[role] == 200)
    assert (_snapshot(), list(MergeRequest.objects.values_list("pk", "status"))) == before


@pytest.mark.parametrize("role", ROLES)
def test_a_claim_page_shows_the_evidence_only_to_its_claimant_and_claim_readers(
    role, cast, pending_claim
):
    before = _snapshot()
    response = _client(cast[role]).get(reverse("claims:detail", args=[pending_claim.pk]))
    _assert_status(response, CLAIM_PAGE[role])
    shown = b"My departmental page lists this paper." in response.content
    assert shown == (CLAIM_PAGE[role] == 200)
    assert _snapshot() == before


@pytest.mark.parametrize("role", ROLES)
def test_the_verify_confirmation_page_is_for_staff_who_may_verify(role, cast, owned_record):
    before = _snapshot()
    response = _client(cast[role]).get(reverse("claims:verify_record", args=[owned_record.pk]))
    _assert_status(response, VERIFY_PAGE[role])
    assert (b"Verify owner (grant L4)" in response.content) == (VERIFY_PAGE[role] == 200)
    assert _snapshot() == before


# What the pages offer -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES[1:])
def test_the_review_links_show_only_to_staff_who_may_read_claims(role, cast, pending_claim):
    client = _client(cast[role])
    header = client.get(reverse("claims:my_claims")).content.decode()
    assert ('href="/staff/claims/"' in header) == (QUEUE[role] == 200)


@pytest.mark.parametrize("role", ROLES[1:])
def test_the_review_form_shows_only_to_staff_who_may_decide(role, cast, pending_claim):
    response = _client(cast[role]).get(reverse("claims:detail", args=[pending_claim.pk]))
    if response.status_code != 200:
        return
    body = response.content.decode()
    may_decide = role in ("claim_reviewer", "superuser")
    assert ("Approve claim" in body) == may_decide
    assert ("Reject claim" in body) == may_decide
    assert response.context["can_review"] == may_decide


@pytest.mark.parametrize("role", ROLES[1:])
def test_the_profile_offers_verification_only_to_staff_who_may_verify(role, cast, owned_record):
    body = _client(cast[role]).get(owned_record.get_absolute_url()).content.decode()
    url = reverse("claims:verify_record", args=[owned_record.pk])
    assert (url in body) == (role in ("claim_reviewer", "superuser"))
    # A link to the confirmation page, never a form that grants L4 in one click.
    assert f'action="{url}"' not in body


# Verifying: confirm first ---------------------------------------------------------------------


def test_the_confirmation_page_names_the_record_and_its_owner_and_changes_nothing(
    claim_reviewer, owned_record, owner
):
    approved = ClaimFactory(researcher=owned_record, claimant=owner, status="approved")
    client = _client(claim_reviewer)
    url = reverse("claims:verify_record", args=[owned_record.pk])
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Ada Researcher" in body
    assert owner.email in body
    assert reverse("claims:detail", args=[approved.pk]) in body
    assert f'action="{url}"' in body and 'name="verified" value="1"' in body
    owned_record.refresh_from_db()
    assert not owned_record.staff_verified
    assert not AuditEvent.objects.filter(action="record_verified").exists()

    response = client.post(url, {"verified": "1"})
    assert response.status_code == 302
    owned_record.refresh_from_db()
    assert owned_record.staff_verified
    assert owned_record.verification_level == Researcher.Level.VERIFIED
    assert AuditEvent.objects.filter(action="record_verified", actor=claim_reviewer).exists()

    page = client.get(url).content.decode()
    assert 'name="verified" value="0"' in page and "Withdraw staff verification" in page
    client.post(url, {"verified": "0"})
    owned_record.refresh_from_db()
    assert not owned_record.staff_verified


def test_the_confirmation_page_offers_nothing_for_an_unclaimed_record(claim_reviewer, record):
    response = _client(claim_reviewer).get(reverse("claims:verify_record", args=[record.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Only a claimed record can be verified." in body
    assert 'name="verified"' not in body


def test_the_confirmation_page_offers_nothing_for_the_reviewers_own_record(
    django_user_model, record
):
    reviewer = Group.objects.get(name="Claim reviewers").user_set.create(
        username="own-reviewer", email="own@example.org", is_staff=True
    )
    record.owner = reviewer
    record.save(update_fields=["owner"])
    client = _client(reviewer)
    url = reverse("claims:verify_record", args=[record.pk])
    body = client.get(url).content.decode()
    assert "another member of staff must verify it" in body
    assert 'name="verified"' not in body
    client.post(url, {"verified": "1"})
    record.refresh_from_db()
    assert not record.staff_verified


# The actions refuse too (the admin, the API and the shell call them) ---------------------------


@pytest.mark.parametrize("role", ["other", "bare_staff", "claim_reader"])
def test_the_actions_refuse_a_reviewer_without_the_permission(
    role, cast, pending_claim, owned_record
):
    user = cast[role]
    before = _snapshot()
    with pytest.raises(actions.ClaimError):
        actions.approve_claim(pending_claim, user)
    with pytest.raises(actions.ClaimError):
        actions.reject_claim(pending_claim, user, "Not convincing.")
    with pytest.raises(actions.ClaimError):
        actions.set_staff_verified(owned_record, user, True)
    assert _snapshot() == before


def test_deciding_and_verifying_are_separate_permissions(django_user_model, owner, pending_claim):
    def staff(username, codename):
        user = django_user_model.objects.create_user(username, is_staff=True)
        user.user_permissions.add(Permission.objects.get(codename=codename))
        return django_user_model.objects.get(pk=user.pk)  # no stale permission cache

    decider, verifier = staff("decider", "change_claim"), staff("verifier", "verify_record")
    with pytest.raises(actions.ClaimError):
        actions.approve_claim(pending_claim, verifier)
    actions.approve_claim(pending_claim, decider)
    record = Researcher.objects.get(owner=owner)
    with pytest.raises(actions.ClaimError):
        actions.set_staff_verified(record, decider, True)
    actions.set_staff_verified(record, verifier, True)
    record.refresh_from_db()
    assert record.staff_verified


def test_staff_status_is_not_restored_by_permissions_on_a_non_staff_user(
    django_user_model, pending_claim
):
    user = django_user_model.objects.create_user("not-staff")
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="claims"))
    user = django_user_model.objects.get(pk=user.pk)
    with pytest.raises(actions.ClaimError):
        actions.approve_claim(pending_claim, user)
    assert _client(user).get(reverse("claims:review_queue")).status_code == 404


def test_the_claim_reviewers_group_can_do_every_claim_step(django_user_model, owner):
    group = Group.objects.get(name="Claim reviewers")
    assert set(group.permissions.values_list("content_type__app_label", "codename")) == {
        ("claims", "view_claim"),
        ("claims", "change_claim"),
        ("claims", "verify_record"),
    }
    member = django_user_model.objects.create_user("member", is_staff=True)
    member.groups.add(group)
    claim = ClaimFactory(claimant=owner)
    client = _client(member)
    assert client.get(reverse("claims:review_queue")).status_code == 200
    client.post(reverse("claims:approve", args=[claim.pk]))
    claim.refresh_from_db()
    assert claim.status == Claim.Status.APPROVED
    client.post(reverse("claims:verify_record", args=[claim.researcher_id]), {"verified": "1"})
    assert Researcher.objects.get(pk=claim.researcher_id).staff_verified
