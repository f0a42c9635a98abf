"""The staff review queue in the admin. Approve and reject go through claims.actions, like the
staff page; the admin never edits a claim's status or a record's owner directly."""

from typing import ClassVar

from django.contrib import admin, messages

from bzpeer.admin import ReadOnlyAdmin
from claims import actions
from claims.models import AuditEvent, Claim, Invitation, SenderBlock


class AuditEventInline(admin.TabularInline):
    model = AuditEvent
    fk_name = "claim"
    extra = 0
    can_delete = False
    fields: ClassVar[tuple[str, ...]] = ("created_at", "action", "actor", "detail")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ["researcher", "claimant", "evidence", "status", "created_at"]
    list_filter = ["status", "evidence"]
    search_fields = ["researcher__display_name", "claimant__email", "institutional_email"]
    list_select_related = ["researcher", "claimant"]
    readonly_fields: ClassVar[tuple[str, ...]] = (
        "researcher",
        "claimant",
        "evidence",
        "status",
        "orcid",
        "institutional_email",
        "email_verified_at",
        "note",
        "links",
        "reviewer",
        "decided_at",
        "decision_reason",
        "created_at",
    )
    fields = readonly_fields
    inlines = [AuditEventInline]
    actions = ["approve_selected", "reject_selected"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Approve selected claims", permissions=["change"])
    def approve_selected(self, request, queryset):
        self._decide(request, queryset, approve=True)

    @admin.action(
        description="Reject selected claims (reason: evidence not sufficient)",
        permissions=["change"],
    )
    def reject_selected(self, request, queryset):
        self._decide(request, queryset, approve=False)

    def _decide(self, request, queryset, approve: bool):
        done = 0
        for claim in queryset:
            try:
                if approve:
                    actions.approve_claim(claim, request.user, "Approved in the admin.")
                else:
                    actions.reject_claim(
                        claim, request.user, "The evidence was not sufficient to approve."
                    )
                done += 1
            except actions.ClaimError as error:
                self.message_user(request, f"{claim}: {error}", messages.ERROR)
        if done:
            self.message_user(request, f"{done} claim(s) decided.", messages.SUCCESS)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "action", "actor", "researcher", "claim", "invitation"]
    list_filter = ["action"]
    list_select_related = ["actor", "researcher", "claim", "invitation"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["subject", "sender", "recipient", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = ["sender", "recipient"]
    readonly_fields = [f.name for f in Invitation._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(SenderBlock)
class SenderBlockAdmin(admin.ModelAdmin):
    list_display = ["owner", "sender", "created_at"]
    list_select_related = ["owner", "sender"]
