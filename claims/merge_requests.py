"""A record's owner says another record is also them ("this record is also me").

Refused at once, with the reason, when the other record is owned by someone else or the two
records carry different ORCID iDs. Applied at once (``profiles.merge.merge_researchers``, the
other record folded into the owner's) when the other record carries the ORCID iD the owner
proved by signing in with ORCID. Otherwise queued for staff who may decide claims, with the
evidence; they approve (the same merge) or refuse with a reason the owner is told.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import Notification
from accounts.notifications import notify
from bzpeer.locking import lock_in_id_order
from bzpeer.staff import require_staff_permission
from claims.access import DECIDE_CLAIMS
from claims.actions import orcid_for_user
from claims.corrections import CorrectionConflict, CorrectionError, check_correction_rate
from claims.models import MergeRequest
from profiles.merge import merge_researchers
from works.curation import CurationError
from works.models import Researcher


def _evidence(record: Researcher, other: Researcher, user_orcid: str) -> dict:
    def facts(researcher: Researcher) -> dict:
        return {
            "id": researcher.pk,
            "name": researcher.display_name,
            "openalex_id": researcher.openalex_id or "",
            "orcid": researcher.orcid or "",
            "works": researcher.authorships.count(),
        }

    return {"record": facts(record), "other": facts(other), "signed_in_orcid": user_orcid}


MAX_NOTE = 2000  # the column's max_length: what staff are asked to read


def _refusal(record: Researcher, other: Researcher, user_orcid: str | None) -> str:
    """Why the two records cannot be one person's, or "" when nothing says so."""
    if other.owner_id is not None:
        return (
            f"{other.display_name} (#{other.pk}) is claimed by someone else: if it is yours, "
            "write to the staff."
        )
    if record.orcid and other.orcid and record.orcid != other.orcid:
        return (
            f"The two records carry different ORCID iDs ({record.orcid} and {other.orcid}), "
            "so they are two people."
        )
    if user_orcid and other.orcid and user_orcid != other.orcid:
        return (
            f"{other.display_name} (#{other.pk}) carries the ORCID iD {other.orcid}, and you "
            f"signed in with {user_orcid}, so it is someone else's record."
        )
    return ""


def request_merge(user, record: Researcher, other_pk, note: str = "") -> MergeRequest:
    """The owner of ``record`` asks for record ``other_pk`` to be merged into it.

    CorrectionError (nothing changed) for an unknown, merged or same record; a refused request
    is kept (status REFUSED, with the reason) and returned, as is an applied or pending one.
    CorrectionConflict when the same request is already waiting for staff.
    """
    try:
        other = Researcher.objects.get(pk=int(other_pk))
    except (Researcher.DoesNotExist, ValueError, TypeError):
        raise CorrectionError(f"There is no record #{str(other_pk)[:20]}.") from None
    if other.pk == record.pk:
        raise CorrectionError("That is the record you own already.")
    if other.merged_into_id is not None:
        raise CorrectionError(
            f"{other.display_name} (#{other.pk}) is already merged into record "
            f"#{other.merged_into_id}."
        )
    if len(note) > MAX_NOTE:
        raise CorrectionError(
            f"A note can be at most {MAX_NOTE:,} characters; this one has {len(note):,}."
        )
    user_orcid = orcid_for_user(user)
    with transaction.atomic():
        locked = lock_in_id_order(Researcher, [record.pk, other.pk])
        record, other = locked[record.pk], locked[other.pk]
        if MergeRequest.objects.filter(
            record=record, other=other, status=MergeRequest.Status.PENDING
        ).exists():
            raise CorrectionConflict(
                f"You already asked for {other.display_name} (#{other.pk}); staff will decide."
            )
        check_correction_rate(user)
        request = MergeRequest(
            requester=user,
            record=record,
            other=other,
            note=note,
            evidence=_evidence(record, other, user_orcid),
        )
        if reason := _refusal(record, other, user_orcid):
            request.status, request.reason = MergeRequest.Status.REFUSED, reason
            request.decided_at = timezone.now()
        elif user_orcid and other.orcid == user_orcid:
            try:
                merge_researchers(
                    other, record, user, "The owner proved this ORCID iD by signing in."
                )
            except CurationError as error:
                raise CorrectionError(str(error)) from error
            request.status = MergeRequest.Status.APPLIED
            request.decided_at = timezone.now()
        else:
            request.status = MergeRequest.Status.PENDING
        request.save()
    return request


def get_merge_request_for_reviewer(user, pk) -> MergeRequest:
    """A pending request, for staff who may decide claims; never the reviewer's own."""
    from django.http import Http404

    require_staff_permission(user, DECIDE_CLAIMS, refuse=Http404)
    try:
        request = MergeRequest.objects.select_related("record", "other", "requester").get(pk=pk)
    except (MergeRequest.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if request.requester_id == user.pk:
        raise Http404
    return request


@transaction.atomic
def approve_merge_request(request: MergeRequest, reviewer) -> MergeRequest:
    """Merge the other record into the requester's; CorrectionError if it cannot be done now
    (the request stays pending)."""
    request = MergeRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != MergeRequest.Status.PENDING:
        raise CorrectionError("This request was decided already.")
    try:
        merge_researchers(
            request.other, request.record, reviewer, f"Merge request #{request.pk} approved."
        )
    except CurationError as error:
        raise CorrectionError(str(error)) from error
    request.status = MergeRequest.Status.APPROVED
    request.decided_by, request.decided_at = reviewer, timezone.now()
    request.save(update_fields=["status", "decided_by", "decided_at"])
    notify(
        request.requester,
        Notification.Kind.CLAIM_DECIDED,
        f"Staff merged {request.other.display_name} (#{request.other_id}) into your record.",
        request.record.get_absolute_url(),
    )
    return request


@transaction.atomic
def refuse_merge_request(request: MergeRequest, reviewer, reason: str) -> MergeRequest:
    """Refuse the request; the requester is told the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise CorrectionError("Say why the request is refused: the researcher is told.")
    request = MergeRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != MergeRequest.Status.PENDING:
        raise CorrectionError("This request was decided already.")
    request.status, request.reason = MergeRequest.Status.REFUSED, reason[:2000]
    request.decided_by, request.decided_at = reviewer, timezone.now()
    request.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    notify(
        request.requester,
        Notification.Kind.CLAIM_DECIDED,
        f"Your request to merge #{request.other_id} into your record was refused: {reason}",
        "/my-record/",
    )
    return request
