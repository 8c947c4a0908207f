from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import AccessLog, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["last_name", "first_name"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_staff", "last_login"]
    list_filter = ["is_active", "is_staff", "is_superuser", "language"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Identité"), {"fields": ["first_name", "last_name", "phone", "language"]}),
        (_("Droits"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {"classes": ["wide"], "fields": ["email", "first_name", "last_name", "password1", "password2"]},
        ),
    ]


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """Read-only: the access log is evidence, nobody edits it. The person read is shown by number only: their name
    is read through the scoped pages (the data-protection officer's), not here."""

    list_display = ["at", "user", "action", "view_name", "acting_organisation", "person_number"]
    exclude = ["beneficiary"]
    list_filter = ["action"]
    list_select_related = ["user", "acting_organisation"]
    date_hierarchy = "at"

    @admin.display(description=_("personne n°"))
    def person_number(self, obj):
        return obj.beneficiary_id or "—"

    def get_readonly_fields(self, request, obj=None):
        return [*(f.name for f in AccessLog._meta.fields if f.name != "beneficiary"), "person_number"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
