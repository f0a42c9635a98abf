from django.contrib import admin

from follows.models import DigestSubscription, Follow


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ["user", "researcher", "created_at"]
    list_select_related = ["user", "researcher"]
    readonly_fields = ["user", "researcher", "created_at"]

    # Follows change only through follows.actions, which keeps followers_count right.
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DigestSubscription)
class DigestSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["user", "enabled", "last_sent_at"]
    list_select_related = ["user"]
