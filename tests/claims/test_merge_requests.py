"""'This record is also me': applied at once on a proved ORCID iD, queued for staff otherwise,
refused for another person's record or ORCID, and kept by every later import of the recorded
OpenAlex files."""

import json

import pytest
from django.urls import reverse

from accounts.models import Notification
from claims import merge_requests
from claims.corrections import CorrectionError
from claims.models import MergeRequest
from tests.conftest import OPENALEX
from tests.factories import ResearcherFactory
from tests.factories_claims import connect_orcid
from tests.works import imports_replay as replay
from works import runs
from works.importers.openalex import import_author, import_works
from works.models import Authorship, Researcher

pytestmark = pytest.mark.django_db

MEARMAN, JACKSON = "A5017898742", "A5110556667"  # neither record carries an ORCID iD
PIWOWAR, PRIEM = "A5048491430", "A5023888391"  # each with their own ORCID iD
PIWOWAR_ORCID = "0000-0003-1613-5981"


def import_recorded() -> None:
    """Import (or re-import) the recorded OpenAlex files and end as every import does."""
    for path in sorted(OPENALEX.glob("author-*.json")):
        import_author(json.loads(path.read_text()))
    import_works(replay.all_works())
    runs.after_import(list(Researcher.objects.values_list("pk", flat=True)))


@pytest.fixture
def recorded(db):
    import_recorded()
    return {r.openalex_id: r for r in Researcher.objects.all()}


def own(user, researcher) -> Researcher:
    Researcher.objects.filter(pk=researcher.pk).update(owner=user)
    researcher.refresh_from_db()
    return researcher


def api_request(client, user, other_pk, note=""):
    client.force_login(user)
    return client.post(
        reverse("api-my-record-merge-requests"),
        {"researcher": other_pk, "note": note},
        "application/json",
    )


def test_a_record_with_the_orcid_the_owner_signed_in_with_is_merged_at_once(
    owner, recorded, client
):
    # The owner's record is one the sources do not know; OpenAlex's carries her ORCID iD.
    record = ResearcherFactory(display_name="H. A. Piwowar", openalex_id=None, owner=owner)
    duplicate = recorded[PIWOWAR]
    connect_orcid(owner, PIWOWAR_ORCID)

    response = api_request(client, owner, duplicate.pk)

    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "applied"
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == record.pk
    request = MergeRequest.objects.get()
    assert request.evidence["signed_in_orcid"] == PIWOWAR_ORCID

    # Re-importing the recorded files keeps the merge: OpenAlex's author now lands on hers.
    import_recorded()
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == record.pk
    assert not Authorship.objects.filter(researcher=duplicate).exists()


def test_without_a_proved_orcid_the_request_waits_for_staff_who_approve_it(
    owner, recorded, client, claim_reviewer
):
    record = own(owner, recorded[MEARMAN])
    jackson = recorded[JACKSON]
    jackson_works = set(
        Authorship.objects.filter(researcher=jackson).values_list("work_id", "order")
    )
    assert jackson_works

    response = api_request(client, owner, jackson.pk, "Same person, I published as James.")

    assert response.status_code == 202, response.json()
    request = MergeRequest.objects.get()
    assert request.status == MergeRequest.Status.PENDING
    assert request.evidence["other"]["openalex_id"] == JACKSON
    jackson.refresh_from_db()
    assert jackson.merged_into_id is None
    # The staff queue shows it with each record's ids and works.
    client.force_login(claim_reviewer)
    queue = client.get(reverse("claims:merge_requests")).content.decode()
    assert JACKSON in queue and MEARMAN in queue and "Same person" in queue

    client.post(reverse("claims:merge_request_approve", args=[request.pk]))

    request.refresh_from_db()
    assert (request.status, request.decided_by) == (MergeRequest.Status.APPROVED, claim_reviewer)
    jackson.refresh_from_db()
    assert jackson.merged_into_id == record.pk
    assert Notification.objects.filter(user=owner).exists()

    # Re-importing the recorded files keeps the merge and the works it brought.
    import_recorded()
    jackson.refresh_from_db()
    assert jackson.merged_into_id == record.pk
    moved = set(Authorship.objects.filter(researcher=record).values_list("work_id", "order"))
    assert jackson_works <= moved
    assert not Authorship.objects.filter(researcher=jackson).exists()


def test_staff_refuse_with_a_reason_the_owner_is_told(owner, recorded, client, claim_reviewer):
    own(owner, recorded[MEARMAN])
    request = merge_requests.request_merge(owner, recorded[MEARMAN], recorded[JACKSON].pk)
    client.force_login(claim_reviewer)
    client.post(
        reverse("claims:merge_request_refuse", args=[request.pk]), {"reason": "Another James."}
    )
    request.refresh_from_db()
    assert (request.status, request.reason) == (MergeRequest.Status.REFUSED, "Another James.")
    assert "Another James." in Notification.objects.get(user=owner).message
    assert Researcher.objects.get(pk=recorded[JACKSON].pk).merged_into_id is None


def test_records_with_different_orcids_are_refused_at_once(owner, recorded, client):
    record = own(owner, recorded[PIWOWAR])
    response = api_request(client, owner, recorded[PRIEM].pk)
    assert response.status_code == 409
    assert "different ORCID" in response.json()["detail"]
    assert MergeRequest.objects.get().status == MergeRequest.Status.REFUSED
    assert Researcher.objects.get(pk=recorded[PRIEM].pk).merged_into_id is None
    assert Researcher.objects.get(pk=record.pk).merged_into_id is None


def test_a_record_someone_else_owns_is_refused_at_once(owner, stranger, recorded, client):
    own(owner, recorded[MEARMAN])
    own(stranger, recorded[JACKSON])
    response = api_request(client, owner, recorded[JACKSON].pk)
    assert response.status_code == 409
    assert "claimed by someone else" in response.json()["detail"]
    assert Researcher.objects.get(pk=recorded[JACKSON].pk).merged_into_id is None


@pytest.mark.parametrize("which", ["own", "merged", "unknown", "not a number"])
def test_the_same_a_merged_or_an_unknown_record_is_a_400(owner, recorded, client, which):
    record = own(owner, recorded[MEARMAN])
    merged = ResearcherFactory(merged_into=recorded[PRIEM])
    other = {"own": record.pk, "merged": merged.pk, "unknown": 999999, "not a number": "x"}[which]
    response = api_request(client, owner, other)
    assert response.status_code == 400
    assert response.json()["detail"]
    assert not MergeRequest.objects.exists()


def test_a_second_identical_request_is_a_409(owner, recorded, client):
    own(owner, recorded[MEARMAN])
    assert api_request(client, owner, recorded[JACKSON].pk).status_code == 202
    assert api_request(client, owner, recorded[JACKSON].pk).status_code == 409
    assert MergeRequest.objects.count() == 1


def test_the_page_form_queues_a_request_and_says_so(owner, recorded, client):
    own(owner, recorded[MEARMAN])
    client.force_login(owner)
    response = client.post(
        reverse("claims:merge_request"), {"researcher": f"#{recorded[JACKSON].pk}"}, follow=True
    )
    page = response.content.decode()
    assert "staff will look at the evidence" in page
    assert "Waiting for staff review" in page


def test_a_reviewer_cannot_decide_their_own_request(recorded, claim_reviewer):
    record = own(claim_reviewer, recorded[MEARMAN])
    request = merge_requests.request_merge(claim_reviewer, record, recorded[JACKSON].pk)
    from django.http import Http404

    with pytest.raises(Http404):
        merge_requests.get_merge_request_for_reviewer(claim_reviewer, request.pk)


def test_a_request_decided_already_cannot_be_decided_again(owner, recorded, claim_reviewer):
    record = own(owner, recorded[MEARMAN])
    request = merge_requests.request_merge(owner, record, recorded[JACKSON].pk)
    merge_requests.refuse_merge_request(request, claim_reviewer, "No.")
    with pytest.raises(CorrectionError, match="decided already"):
        merge_requests.approve_merge_request(request, claim_reviewer)


def test_a_record_with_another_orcid_than_the_one_signed_in_with_is_refused(
    owner, recorded, client
):
    # Her own record carries no ORCID iD; the one she asks for carries Priem's, not hers.
    own(owner, recorded[MEARMAN])
    connect_orcid(owner, PIWOWAR_ORCID)
    response = api_request(client, owner, recorded[PRIEM].pk)
    assert response.status_code == 409
    assert "you signed in with 0000-0003-1613-5981" in response.json()["detail"]
    assert MergeRequest.objects.get().status == MergeRequest.Status.REFUSED
    assert Researcher.objects.get(pk=recorded[PRIEM].pk).merged_into_id is None


def test_without_an_orcid_sign_in_a_record_with_an_orcid_waits_for_staff(owner, recorded, client):
    # The record asked for carries an ORCID iD, but the owner never proved it is theirs.
    own(owner, ResearcherFactory(display_name="H. A. Piwowar", openalex_id=None))
    response = api_request(client, owner, recorded[PIWOWAR].pk)
    assert response.status_code == 202, response.json()
    assert MergeRequest.objects.get().status == MergeRequest.Status.PENDING
    assert Researcher.objects.get(pk=recorded[PIWOWAR].pk).merged_into_id is None


def test_a_note_longer_than_staff_read_is_refused_and_nothing_is_kept(owner, recorded, client):
    own(owner, recorded[MEARMAN])
    response = api_request(client, owner, recorded[JACKSON].pk, "n" * 2001)
    assert response.status_code == 400
    assert "at most 2,000 characters" in response.json()["detail"]
    assert not MergeRequest.objects.exists()


def test_merge_requests_count_against_the_day_whether_applied_waiting_or_refused(
    owner, recorded, client, settings
):
    settings.BZPEER_CORRECTIONS_PER_DAY = 2
    record = own(owner, recorded[PIWOWAR])
    assert api_request(client, owner, recorded[PRIEM].pk).status_code == 409  # refused
    assert api_request(client, owner, recorded[JACKSON].pk).status_code == 202  # waiting
    response = api_request(client, owner, recorded[MEARMAN].pk)
    assert response.status_code == 429
    assert MergeRequest.objects.count() == 2
    assert Researcher.objects.get(pk=record.pk).merged_into_id is None
