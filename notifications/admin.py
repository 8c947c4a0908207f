from django.contrib import admin

from notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Delivery follow-up for the operator: status, attempts, errors. Read-only."""

    list_display = ["created_at", "kind", "channel", "status", "attempts", "recipient"]
    list_filter = ["status", "channel", "kind"]
    list_select_related = ["recipient"]
    readonly_fields = [f.name for f in Notification._meta.fields]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
