"""Claims on author records, the audit trail of every step, and collaboration invitations.

A claim links a user to a ``profiles.Researcher``. ``Researcher.owner`` (one-to-one) is the
result; the partial unique constraint below backs it so that no record ever has two approved
claims, whatever the code above it does.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Claim(models.Model):
    class Evidence(models.TextChoices):
        ORCID = "orcid", "ORCID sign-in"
        EMAIL = "email", "Institutional email"
        OTHER = "other", "Other evidence"

    class Status(models.TextChoices):
        AWAITING_EMAIL = "awaiting_email", "Waiting for email confirmation"
        PENDING = "pending", "Waiting for staff review"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"
        RELEASED = "released", "Released by the owner"

    OPEN_STATUSES = (Status.AWAITING_EMAIL, Status.PENDING)

    researcher = models.ForeignKey(
        "works.Researcher", on_delete=models.CASCADE, related_name="claims"
    )
    claimant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="claims"
    )
    evidence = models.CharField(max_length=8, choices=Evidence.choices)
    status = models.CharField(max_length=16, choices=Status.choices)
    # Evidence: only the claimant and staff may see these.
    orcid = models.CharField("ORCID", max_length=19, blank=True)
    institutional_email = models.EmailField(blank=True)
    email_verified_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)
    links = models.JSONField(default=list, blank=True)

    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reviewed_claims",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # At most one approved claim per record: the database's half of "one owner".
            models.UniqueConstraint(
                fields=["researcher"],
                condition=Q(status="approved"),
                name="claim_one_approved_per_record",
            ),
            # One open claim per user and record: a second click does not queue a duplicate.
            models.UniqueConstraint(
                fields=["researcher", "claimant"],
                condition=Q(status__in=["awaiting_email", "pending"]),
                name="claim_one_open_per_user_and_record",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"])]
        # Reading claims is view_claim and deciding them change_claim (the admin's own pair);
        # L4 is not a change to a claim, so it has its own permission.
        permissions = [
            ("verify_record", "Can grant or withdraw staff verification (L4) of a claimed record")
        ]

    def __str__(self) -> str:
        return f"Claim {self.pk} on {self.researcher_id} by {self.claimant_id}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class AuditEvent(models.Model):
    """One step of a claim, an ownership change, a verification or an invitation."""

    class Action(models.TextChoices):
        CLAIM_SUBMITTED = "claim_submitted"
        CLAIM_EMAIL_SENT = "claim_email_sent"
        CLAIM_EMAIL_VERIFIED = "claim_email_verified"
        CLAIM_APPROVED = "claim_approved"
        CLAIM_REJECTED = "claim_rejected"
        CLAIM_WITHDRAWN = "claim_withdrawn"
        RECORD_RELEASED = "record_released"
        RECORD_VERIFIED = "record_verified"
        RECORD_UNVERIFIED = "record_unverified"
        RECORD_EDITED = "record_edited"
        OWNERSHIP_MOVED = "ownership_moved", "Ownership moved by a merge"
        INVITATION_SENT = "invitation_sent"
        INVITATION_ACCEPTED = "invitation_accepted"
        INVITATION_DECLINED = "invitation_declined"
        SENDER_BLOCKED = "sender_blocked"
        SENDER_UNBLOCKED = "sender_unblocked"

    action = models.CharField(max_length=32, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    researcher = models.ForeignKey(
        "works.Researcher",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_events",
    )
    claim = models.ForeignKey(
        Claim, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    invitation = models.ForeignKey(
        "Invitation", null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_id}"


class Invitation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for an answer"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sent_invitations"
    )
    researcher = models.ForeignKey(
        "works.Researcher", on_delete=models.CASCADE, related_name="invitations"
    )
    # The owner when sent: a later release does not hand the inbox to the next owner.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="received_invitations"
    )
    subject = models.CharField(max_length=200)
    message = models.TextField(max_length=5000)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["sender", "created_at"]),
            models.Index(fields=["recipient", "status"]),
        ]

    def __str__(self) -> str:
        return f"Invitation {self.pk} to {self.recipient_id}"


class SenderBlock(models.Model):
    """An owner no longer receives invitations from this sender."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocked_senders"
    )
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "sender"], name="senderblock_unique")
        ]

    def __str__(self) -> str:
        return f"{self.owner_id} blocks {self.sender_id}"


class MergeRequest(models.Model):
    """A record's owner says another record is also them. Applied at once when the other
    record carries the ORCID iD the owner proved by signing in with ORCID; otherwise staff who
    may decide claims approve it (the other record is merged into the owner's) or refuse it
    with a reason the owner is told."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for staff review"
        APPLIED = "applied", "Merged at once (ORCID sign-in)"
        APPROVED = "approved", "Merged by staff"
        REFUSED = "refused", "Refused"

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="merge_requests"
    )
    # The requester's own record, and the record they say is also them.
    record = models.ForeignKey(
        "works.Researcher", on_delete=models.CASCADE, related_name="merge_requests"
    )
    other = models.ForeignKey("works.Researcher", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices)
    # What the request rests on: the owner's note, and the two records' ids, names, ORCIDs and
    # work counts as they were when it was made (staff decide on these).
    note = models.TextField(blank=True, max_length=2000)
    evidence = models.JSONField(default=dict, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decided_merge_requests",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One open request per pair: a second click does not queue a duplicate.
            models.UniqueConstraint(
                fields=["record", "other"],
                condition=Q(status="pending"),
                name="mergerequest_one_pending_per_pair",
            )
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"Merge request {self.pk}: {self.other_id} into {self.record_id}"
