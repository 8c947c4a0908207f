from django.contrib import admin

from accounts.access_log import AdminReadLogMixin
from notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(AdminReadLogMixin, admin.ModelAdmin):
    """Delivery follow-up for the operator: status, attempts, errors. Read-only."""

    list_display = ["created_at", "kind", "channel", "status", "attempts", "recipient"]
    list_filter = ["status", "channel", "kind"]
    list_select_related = ["recipient"]
    # A row addressed to a person followed (a drop-in appointment's confirmation or reminder) tells that they went to
    # a support structure (NEUTRALITÉ): not in the admin.
    readonly_fields = [f.name for f in Notification._meta.fields if f.name != "beneficiary"]
    exclude = ["beneficiary"]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(beneficiary__isnull=True)

    def access_log_person(self, obj):
        """A notification about a stage names its person (in its parameters): reading it is logged."""
        return obj.stage.pathway.beneficiary_id if obj.stage_id else None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
