"""Every change to a claim or to who owns a record goes through here.

Each action is atomic, locks what it must, saves with ``update_fields`` and writes an
``AuditEvent``. Views, the admin and the API all call these; nothing else writes these fields.
"""

import re
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from accounts.notifications import notify
from bzpeer.identifiers import normalise_orcid
from bzpeer.locking import lock_in_id_order
from bzpeer.mail import mail_after_commit
from bzpeer.site import site_url
from bzpeer.staff import has_staff_permission
from claims.access import DECIDE_CLAIMS, VERIFY_RECORDS
from claims.email_domains import domains_for_researcher, email_matches
from claims.models import AuditEvent, Claim
from graph.actions import refresh_researchers
from works.models import Researcher

EMAIL_LINK_SALT = "claims.institutional-email"
MAX_LINKS = 5
RESEND_COOLDOWN_MINUTES = 10


class ClaimError(Exception):
    """A claim step refused, with a message fit to show the user. Nothing was changed."""


def audit(action, actor=None, *, researcher=None, claim=None, invitation=None, **detail):
    return AuditEvent.objects.create(
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        researcher=researcher,
        claim=claim,
        invitation=invitation,
        detail=detail,
    )


def orcid_for_user(user) -> str:
    """The ORCID iD the user proved by signing in with ORCID; "" when they have not."""
    from allauth.socialaccount.models import SocialAccount

    uid = (
        SocialAccount.objects.filter(user=user, provider="orcid")
        .values_list("uid", flat=True)
        .first()
    )
    return normalise_orcid(uid) or ""


def clean_links(links) -> list[dict]:
    """[{"label", "url"}] with http(s) URLs only; refuses anything else."""
    cleaned = []
    for link in links or []:
        url = (link.get("url") or "").strip()
        label = (link.get("label") or "").strip()[:100]
        if not url:
            continue
        if not re.match(r"^https?://[^\s/$.?#][^\s]*$", url, re.IGNORECASE) or len(url) > 500:
            raise ClaimError(f"Not a web address: {url[:100]}")
        cleaned.append({"label": label or url, "url": url})
    if len(cleaned) > MAX_LINKS:
        raise ClaimError(f"At most {MAX_LINKS} links.")
    return cleaned


def refresh_level(researcher: Researcher) -> None:
    """Recompute the record's verification level (and score) after its owner or verification
    changed."""
    refresh_researchers([researcher.pk])
    researcher.refresh_from_db(fields=["verification_level"])


def _check_can_claim(user, researcher: Researcher) -> None:
    if researcher.merged_into_id is not None:
        raise ClaimError("This record was merged into another one; claim that one instead.")
    if researcher.owner_id == user.pk:
        raise ClaimError("You already own this record.")
    if researcher.owner_id is not None:
        raise ClaimError("This record is already claimed.")
    if Researcher.objects.filter(owner=user).exists():
        raise ClaimError("You already own a record. Release it before claiming another.")
    if Claim.objects.filter(
        researcher=researcher, claimant=user, status__in=Claim.OPEN_STATUSES
    ).exists():
        raise ClaimError("You already have an open claim on this record.")
    # Each claim can mail an institution and costs staff time: cap how many a user opens.
    limit = settings.BZPEER_CLAIMS_PER_DAY
    since = timezone.now() - timedelta(days=1)
    if Claim.objects.filter(claimant=user, created_at__gte=since).count() >= limit:
        raise ClaimError(f"You can open at most {limit} claims in 24 hours. Try again later.")


def submit_claim(
    user,
    researcher: Researcher,
    evidence: str,
    *,
    institutional_email: str = "",
    note: str = "",
    links=(),
) -> Claim:
    """Open a claim. ORCID evidence that matches is approved at once (L3); an institutional
    email gets a signed link; other evidence waits for staff."""
    if evidence not in Claim.Evidence.values:
        raise ClaimError("Choose how you will prove this record is yours.")
    with transaction.atomic():
        researcher = Researcher.objects.select_for_update().get(pk=researcher.pk)
        _check_can_claim(user, researcher)
        claim = Claim(researcher=researcher, claimant=user, evidence=evidence)
        if evidence == Claim.Evidence.ORCID:
            orcid = orcid_for_user(user)
            if not orcid:
                raise ClaimError("Sign in with ORCID first: the iD must come from ORCID itself.")
            if normalise_orcid(researcher.orcid) != orcid:
                raise ClaimError(
                    f"Your ORCID iD {orcid} is not this record's ORCID, so it cannot prove the "
                    "claim. Choose other evidence."
                )
            claim.orcid = orcid
            claim.status = Claim.Status.PENDING
        elif evidence == Claim.Evidence.EMAIL:
            address = (institutional_email or "").strip().lower()
            domains = domains_for_researcher(researcher)
            if not domains:
                raise ClaimError(
                    "This record's institution has no known email domain. Choose other evidence."
                )
            if not email_matches(address, domains):
                raise ClaimError(
                    "That address is not at this record's institution ("
                    + ", ".join(sorted(domains))
                    + ")."
                )
            claim.institutional_email = address
            claim.status = Claim.Status.AWAITING_EMAIL
        else:
            note = (note or "").strip()
            if not note:
                raise ClaimError("Say why this record is yours.")
            claim.note = note[:5000]
            claim.links = clean_links(links)
            claim.status = Claim.Status.PENDING
        claim.save()
        audit(
            AuditEvent.Action.CLAIM_SUBMITTED,
            user,
            researcher=researcher,
            claim=claim,
            evidence=evidence,
        )
        if evidence == Claim.Evidence.ORCID:
            _approve(claim, reviewer=None, reason="ORCID sign-in matches the record's ORCID.")
            claim.refresh_from_db()
        elif evidence == Claim.Evidence.EMAIL:
            send_claim_email(claim)
    return claim


def make_email_token(claim: Claim) -> str:
    return signing.TimestampSigner(salt=EMAIL_LINK_SALT).sign_object(
        {"claim": claim.pk, "email": claim.institutional_email}
    )


def send_claim_email(claim: Claim) -> None:
    """Mail the signed, expiring confirmation link to the claim's institutional address."""
    token = make_email_token(claim)
    path = reverse("claims:verify_email", args=[token])
    # The site's address, never the request's Host header: the link goes to a third party.
    url = site_url(path)
    hours = settings.BZPEER_CLAIM_EMAIL_MAX_AGE_HOURS
    body = (
        f'Someone asked to claim the author record "{claim.researcher.display_name}" on bzpeer '
        f"and gave this address as proof.\n\nIf that was you, open this link while signed in "
        f"(valid for {hours} hours):\n\n{url}\n\nIf it was not you, ignore this message."
    )
    address = claim.institutional_email
    mail_after_commit("[bzpeer] Confirm your claim", body, [address])
    audit(
        AuditEvent.Action.CLAIM_EMAIL_SENT, claim.claimant, researcher=claim.researcher, claim=claim
    )


def claim_for_email_link(user, token: str) -> Claim:
    """The claim a confirmation link is for, read-only (the page that asks to confirm names
    the address and the record); ClaimError for the same links ``verify_claim_email`` refuses."""
    claim_pk, email = _unsign_email_link(token)
    claim = Claim.objects.select_related("researcher").filter(pk=claim_pk).first()
    if claim is None or claim.claimant_id != user.pk:
        raise ClaimError("This confirmation link is for a claim made by another account.")
    if claim.institutional_email != email:
        raise ClaimError("This confirmation link is not valid. Check that you copied all of it.")
    if claim.status != Claim.Status.AWAITING_EMAIL and not claim.email_verified_at:
        raise ClaimError("This claim is no longer waiting for email confirmation.")
    return claim


def _unsign_email_link(token: str) -> tuple[int, str]:
    """(claim pk, institutional address) from a link ``make_email_token`` signed."""
    max_age = timedelta(hours=settings.BZPEER_CLAIM_EMAIL_MAX_AGE_HOURS)
    try:
        data = signing.TimestampSigner(salt=EMAIL_LINK_SALT).unsign_object(token, max_age=max_age)
    except signing.SignatureExpired:
        raise ClaimError(
            "This confirmation link has expired. Open your claim and ask for a new link."
        ) from None
    except (signing.BadSignature, ValueError, TypeError):
        raise ClaimError(
            "This confirmation link is not valid. Check that you copied all of it."
        ) from None
    if not (
        isinstance(data, dict)
        and isinstance(claim_pk := data.get("claim"), int)
        and isinstance(email := data.get("email"), str)
    ):
        raise ClaimError("This confirmation link is not valid. Check that you copied all of it.")
    return claim_pk, email


def verify_claim_email(user, token: str) -> Claim:
    """Confirm an institutional address from its link; the claim then waits for staff.
    A second use of the same link changes nothing."""
    claim_pk, email = _unsign_email_link(token)
    with transaction.atomic():
        claim = (
            Claim.objects.select_for_update()
            .select_related("researcher")
            .filter(pk=claim_pk)
            .first()
        )
        if claim is None or claim.claimant_id != user.pk:
            raise ClaimError("This confirmation link is for a claim made by another account.")
        if claim.institutional_email != email:
            raise ClaimError(
                "This confirmation link is not valid. Check that you copied all of it."
            )
        if claim.status != Claim.Status.AWAITING_EMAIL:
            if claim.email_verified_at:
                return claim
            raise ClaimError("This claim is no longer waiting for email confirmation.")
        claim.status = Claim.Status.PENDING
        claim.email_verified_at = timezone.now()
        claim.save(update_fields=["status", "email_verified_at", "updated_at"])
        audit(
            AuditEvent.Action.CLAIM_EMAIL_VERIFIED,
            user,
            researcher=claim.researcher,
            claim=claim,
            email=claim.institutional_email,
        )
    return claim


def resend_claim_email(claim: Claim, user) -> None:
    if claim.claimant_id != user.pk:
        raise ClaimError("Only the claimant can ask for a new link.")
    if claim.status != Claim.Status.AWAITING_EMAIL:
        raise ClaimError("This claim is not waiting for email confirmation.")
    with transaction.atomic():
        claim = Claim.objects.select_for_update().select_related("researcher").get(pk=claim.pk)
        # One message per cooldown, so the button cannot be used to flood an inbox.
        since = timezone.now() - timedelta(minutes=RESEND_COOLDOWN_MINUTES)
        if claim.events.filter(
            action=AuditEvent.Action.CLAIM_EMAIL_SENT, created_at__gte=since
        ).exists():
            raise ClaimError(
                f"A link was sent less than {RESEND_COOLDOWN_MINUTES} minutes ago. "
                "Check your inbox (and spam folder) first."
            )
        send_claim_email(claim)


def _check_reviewer(claim: Claim, reviewer) -> None:
    # The views check this too; here it holds for the admin, the API and the shell alike.
    if not has_staff_permission(reviewer, DECIDE_CLAIMS):
        raise ClaimError("Only staff allowed to decide claims can decide them.")
    if reviewer.pk == claim.claimant_id:
        raise ClaimError("You cannot decide your own claim.")


def _approve(claim: Claim, reviewer, reason: str = "") -> Claim:
    # Lock the record first: concurrent approvals of different claims on one record queue
    # here, and the second finds the owner already set. The partial unique constraint on
    # approved claims and the one-to-one owner column back this up in the database.
    with transaction.atomic():
        researcher = Researcher.objects.select_for_update().get(pk=claim.researcher_id)
        claim = Claim.objects.select_for_update().get(pk=claim.pk)
        if claim.status != Claim.Status.PENDING:
            raise ClaimError("This claim is not waiting for review.")
        if researcher.merged_into_id is not None:
            raise ClaimError(
                f"This record was merged into record #{researcher.merged_into_id}; "
                "the claim must be made on that record."
            )
        if researcher.owner_id is not None:
            raise ClaimError("This record already has an owner.")
        if Researcher.objects.filter(owner_id=claim.claimant_id).exists():
            raise ClaimError("The claimant already owns another record.")
        now = timezone.now()
        researcher.owner_id = claim.claimant_id
        researcher.save(update_fields=["owner", "updated_at"])
        claim.status = Claim.Status.APPROVED
        claim.reviewer = reviewer
        claim.decided_at = now
        claim.decision_reason = reason
        claim.save(
            update_fields=["status", "reviewer", "decided_at", "decision_reason", "updated_at"]
        )
        audit(
            AuditEvent.Action.CLAIM_APPROVED,
            reviewer,
            researcher=researcher,
            claim=claim,
            reason=reason,
            automatic=reviewer is None,
        )
        refresh_level(researcher)
        notify(
            claim.claimant,
            Notification.Kind.CLAIM_DECIDED,
            f"Your claim on {researcher.display_name} was approved.",
            researcher.get_absolute_url(),
            email=True,
        )
        # Other open claims on the record can no longer succeed: close them with a reason.
        others = (
            Claim.objects.select_for_update()
            .filter(researcher=researcher, status__in=Claim.OPEN_STATUSES)
            .exclude(pk=claim.pk)
        )
        for other in others:
            _close_rejected(other, reviewer, "Another claim on this record was approved.")
    return claim


def approve_claim(claim: Claim, reviewer, reason: str = "") -> Claim:
    """Staff approve a claim: the claimant becomes the record's owner (L3)."""
    _check_reviewer(claim, reviewer)
    return _approve(claim, reviewer, reason.strip())


def _close_rejected(claim: Claim, reviewer, reason: str) -> None:
    claim.status = Claim.Status.REJECTED
    claim.reviewer = reviewer
    claim.decided_at = timezone.now()
    claim.decision_reason = reason
    claim.save(update_fields=["status", "reviewer", "decided_at", "decision_reason", "updated_at"])
    audit(
        AuditEvent.Action.CLAIM_REJECTED,
        reviewer,
        researcher=claim.researcher,
        claim=claim,
        reason=reason,
    )
    notify(
        claim.claimant,
        Notification.Kind.CLAIM_DECIDED,
        f"Your claim on {claim.researcher.display_name} was rejected: {reason}",
        reverse("claims:detail", args=[claim.pk]),
        email=True,
    )


def transfer_ownership_for_merge(source: Researcher, target: Researcher, actor) -> Researcher:
    """Settle the claims of ``source`` as it is merged into ``target``; returns ``target``.

    The owner (with staff verification and the approved claim) moves to ``target``, with an
    ``OWNERSHIP_MOVED`` audit row; open claims on ``source``, and on ``target`` once it has an
    owner, are rejected with a reason sent to their claimants. Refuses, changing nothing, when
    both records are claimed. Called (through ``profiles.merge.researcher_merged``) inside the
    merge's transaction, which then refreshes both records' levels and scores; a second call finds
    nothing left to move or close.
    """
    with transaction.atomic():
        # The merge already holds these locks; take them in id order anyway, as it does.
        locked = lock_in_id_order(Researcher, [source.pk, target.pk])
        source, target = locked[source.pk], locked[target.pk]
        if source.owner_id is not None and target.owner_id is not None:
            raise ClaimError(
                f"Both records are claimed (#{source.pk} and #{target.pk}): one owner must "
                "release theirs before they can be merged."
            )
        if source.owner_id is not None:
            approved = list(
                Claim.objects.select_for_update().filter(
                    researcher=source, status=Claim.Status.APPROVED
                )
            )
            owner_id, verified = source.owner_id, source.staff_verified
            # Clear the source first: the owner column is one-to-one.
            source.owner = None
            source.staff_verified = False
            source.save(update_fields=["owner", "staff_verified", "updated_at"])
            target.owner_id = owner_id
            target.staff_verified = verified
            target.save(update_fields=["owner", "staff_verified", "updated_at"])
            # The approved claim follows the owner, so releasing the target later releases it.
            Claim.objects.filter(pk__in=[c.pk for c in approved]).update(
                researcher=target, updated_at=timezone.now()
            )
            audit(
                AuditEvent.Action.OWNERSHIP_MOVED,
                actor,
                researcher=target,
                claim=approved[0] if approved else None,
                merged_from=source.pk,
                owner=owner_id,
                staff_verified=verified,
            )
        _close_open_claims(source, actor, f"record merged into #{target.pk}")
        if target.owner_id is not None:
            _close_open_claims(
                target, actor, f"record #{source.pk}, already claimed, was merged into this one"
            )
    return target


def restore_ownership_for_unmerge(
    source: Researcher, target: Researcher, actor, *, owner_id: int, staff_verified: bool, claims
) -> bool:
    """Give ``source`` back the owner a merge moved to ``target`` (with their verification and
    approved claims), when ``target`` still has that owner; returns whether it did. Called
    (through ``profiles.merge.researcher_unmerged``) inside the unmerge's transaction."""
    locked = lock_in_id_order(Researcher, [source.pk, target.pk])
    source, target = locked[source.pk], locked[target.pk]
    if target.owner_id != owner_id or source.owner_id is not None:
        return False
    target.owner = None
    target.staff_verified = False
    target.save(update_fields=["owner", "staff_verified", "updated_at"])
    source.owner_id = owner_id
    source.staff_verified = staff_verified
    source.save(update_fields=["owner", "staff_verified", "updated_at"])
    Claim.objects.filter(pk__in=claims, researcher=target).update(
        researcher=source, updated_at=timezone.now()
    )
    audit(
        AuditEvent.Action.OWNERSHIP_MOVED,
        actor,
        researcher=source,
        unmerged_from=target.pk,
        owner=owner_id,
        staff_verified=staff_verified,
    )
    return True


def _close_open_claims(researcher: Researcher, reviewer, reason: str) -> int:
    claims = list(
        # Lock the claims only, not the users and records joined in for the notices.
        Claim.objects.select_for_update(of=("self",))
        .select_related("researcher", "claimant")
        .filter(researcher=researcher, status__in=Claim.OPEN_STATUSES)
        .order_by("pk")
    )
    for claim in claims:
        _close_rejected(claim, reviewer, reason)
    return len(claims)


def reject_claim(claim: Claim, reviewer, reason: str) -> Claim:
    """Staff reject an open claim; the reason is sent to the claimant."""
    _check_reviewer(claim, reviewer)
    reason = (reason or "").strip()
    if not reason:
        raise ClaimError("Give the claimant a reason.")
    with transaction.atomic():
        claim = Claim.objects.select_for_update().select_related("researcher").get(pk=claim.pk)
        if not claim.is_open:
            raise ClaimError("This claim is not waiting for review.")
        _close_rejected(claim, reviewer, reason[:2000])
    return claim


def withdraw_claim(claim: Claim, user) -> Claim:
    """The claimant withdraws an open claim."""
    with transaction.atomic():
        claim = Claim.objects.select_for_update().select_related("researcher").get(pk=claim.pk)
        if claim.claimant_id != user.pk:
            raise ClaimError("Only the claimant can withdraw a claim.")
        if not claim.is_open:
            raise ClaimError("Only an open claim can be withdrawn.")
        claim.status = Claim.Status.WITHDRAWN
        claim.save(update_fields=["status", "updated_at"])
        audit(AuditEvent.Action.CLAIM_WITHDRAWN, user, researcher=claim.researcher, claim=claim)
    return claim


def release_record(researcher: Researcher, user) -> Researcher:
    """The owner gives the record up: it is unclaimed again and loses staff verification."""
    with transaction.atomic():
        researcher = Researcher.objects.select_for_update().get(pk=researcher.pk)
        if researcher.owner_id is None or researcher.owner_id != user.pk:
            raise ClaimError("Only the owner can release this record.")
        researcher.owner = None
        researcher.staff_verified = False
        # Nobody is left to collaborate with; the next owner says so again if they are open.
        researcher.open_to_collaborate = False
        researcher.save(
            update_fields=["owner", "staff_verified", "open_to_collaborate", "updated_at"]
        )
        Claim.objects.filter(researcher=researcher, status=Claim.Status.APPROVED).update(
            status=Claim.Status.RELEASED, updated_at=timezone.now()
        )
        audit(AuditEvent.Action.RECORD_RELEASED, user, researcher=researcher)
        refresh_level(researcher)
    return researcher


def set_staff_verified(researcher: Researcher, reviewer, verified: bool = True) -> Researcher:
    """Staff grant (or withdraw) L4 after reviewing the owner's evidence."""
    if not has_staff_permission(reviewer, VERIFY_RECORDS):
        raise ClaimError("Only staff allowed to verify records can verify them.")
    with transaction.atomic():
        researcher = Researcher.objects.select_for_update().get(pk=researcher.pk)
        if verified and researcher.owner_id is None:
            raise ClaimError("Only a claimed record can be verified.")
        if researcher.owner_id == reviewer.pk:
            raise ClaimError("You cannot verify your own record.")
        if researcher.staff_verified == verified:
            return researcher
        researcher.staff_verified = verified
        researcher.save(update_fields=["staff_verified", "updated_at"])
        audit(
            AuditEvent.Action.RECORD_VERIFIED if verified else AuditEvent.Action.RECORD_UNVERIFIED,
            reviewer,
            researcher=researcher,
        )
        refresh_level(researcher)
    return researcher
