from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import services
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
    actions = ["reset_two_factor"]

    @admin.action(description=_("Réinitialiser la double authentification (nouvel enrôlement à la connexion)"))
    def reset_two_factor(self, request, queryset):
        """Remove the selected users' devices; each reset is recorded with who did it (accounts.services)."""
        users = list(queryset)
        for user in users:
            services.twofactor_reset(user=user, by=request.user)
        self.message_user(
            request,
            ngettext(
                "Double authentification réinitialisée pour %(count)d compte.",
                "Double authentification réinitialisée pour %(count)d comptes.",
                len(users),
            )
            % {"count": len(users)},
            messages.SUCCESS,
        )


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """Read-only: the access log is evidence, nobody edits it."""

    list_display = ["at", "user", "action", "view_name", "acting_organisation"]
    list_filter = ["action"]
    list_select_related = ["user", "acting_organisation"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
