from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.access_log import AdminReadLogMixin
from notifications.models import Notification

MASK = "••••"


@admin.register(Notification)
class NotificationAdmin(AdminReadLogMixin, admin.ModelAdmin):
    """Delivery follow-up for the operator: status, attempts, errors. Read-only, never deleted here (the outbox is
    the proof of what was sent). What the message says about a person (its parameters: a name, a checklist's risk
    items…, its link and the stage it is about) is masked: people are read through the scoped pages only; opening a
    notification's page is logged all the same."""

    list_display = ["created_at", "kind", "channel", "status", "attempts", "recipient"]
    list_filter = ["status", "channel", "kind"]
    list_select_related = ["recipient"]
    # A row addressed to a person followed (a drop-in appointment's confirmation or reminder) tells that they went to
    # a support structure (NEUTRALITÉ): not in the admin.
    exclude = ["beneficiary", "params", "stage", "url"]
    readonly_fields = [
        *(f.name for f in Notification._meta.fields if f.name not in {"beneficiary", "params", "stage", "url"}),
        "masked_params",
    ]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(beneficiary__isnull=True)

    def access_log_person(self, obj):
        """A notification about a stage names its person (in its parameters): reading it is logged."""
        return obj.stage.pathway.beneficiary_id if obj.stage_id else None

    @admin.display(description=_("paramètres du message"))
    def masked_params(self, obj):
        """The names of the message's values, never the values."""
        if not obj.params:
            return "—"
        return ", ".join(f"{key} = {MASK}" for key in sorted(obj.params))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
