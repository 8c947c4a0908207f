"""The charter in the admin: versions and their commitments (a published version is read-only), signatures and
their events (read-only: a signature never changes, its events are only appended, through the app)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from charter.models import CharterReminder, CharterVersion, Commitment, Signature, SignatureCopy, SignatureEvent


class CommitmentInline(admin.TabularInline):
    model = Commitment
    extra = 0
    fields = ["position", "code", "title_fr", "text_fr", "title_en", "text_en"]

    def has_add_permission(self, request, obj=None):
        return obj is None or not obj.is_published

    def has_change_permission(self, request, obj=None):
        return obj is None or not obj.is_published

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.is_published


@admin.register(CharterVersion)
class CharterVersionAdmin(admin.ModelAdmin):
    list_display = ["region", "number", "title_fr", "published_at", "renewal_grace_days"]
    list_filter = ["region"]
    list_select_related = ["region"]
    inlines = [CommitmentInline]
    readonly_fields = ["published_at", "published_by", "created_at", "created_by"]
    fields = [
        "region",
        "number",
        "title_fr",
        "title_en",
        "preamble_fr",
        "preamble_en",
        "renewal_grace_days",
        "created_at",
        "created_by",
        "published_at",
        "published_by",
    ]

    def has_change_permission(self, request, obj=None):
        """A draft may be edited here; a published version never changes (a new draft replaces it)."""
        return super().has_change_permission(request, obj) and (obj is None or not obj.is_published)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and obj is not None and not obj.is_published


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SignatureEventInline(admin.TabularInline):
    model = SignatureEvent
    extra = 0
    fields = ["kind", "at", "by", "by_organisation", "reason", "new_version", "valid_until"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Signature)
class SignatureAdmin(ReadOnlyAdmin):
    """Read-only. A platform administrator decides on the signatures no organisation may decide on (the scheme
    organisation's own, or any in a region without one, see `charter.services.can_decide`) from the signature's
    page in the app ("Voir sur le site")."""

    list_display = ["organisation", "version", "status", "signatory_function", "signed_at", "code"]
    list_filter = ["organisation__region", "version__number"]
    search_fields = ["organisation__name", "code"]
    list_select_related = ["organisation", "version__region"]
    inlines = [SignatureEventInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("events")

    @admin.display(description=_("statut"))
    def status(self, obj):
        return obj.get_status_display()


@admin.register(SignatureCopy)
class SignatureCopyAdmin(ReadOnlyAdmin):
    list_display = ["signature", "status", "requested_at", "finished_at"]
    list_filter = ["status"]
    list_select_related = ["signature__organisation", "signature__version"]


@admin.register(CharterReminder)
class CharterReminderAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "version", "day", "sent_by"]
    list_select_related = ["organisation", "version", "sent_by"]
