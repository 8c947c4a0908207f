from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services, twofactor
from accounts.access_log import AdminReadLogMixin
from accounts.lockout import login_unlock
from accounts.models import AccessLog, PasswordResetRequest, PersonRetention, RetentionPolicy, User

# django-otp's own admin pages show every user's authenticator key (its QR code) and backup codes in clear, and
# delete a device without the record of `services.twofactor_reset`: an administrator sees whether a user has a second
# factor in the user admin and resets it there (the action below, recorded), nothing more.
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["last_name", "first_name"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_staff", "two_factor", "last_login"]
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
    actions = ["unlock_login", "reset_two_factor"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(has_two_factor=twofactor.has_device_expression("pk"))

    @admin.display(description=_("double authentification"), boolean=True, ordering="has_two_factor")
    def two_factor(self, obj):
        return obj.has_two_factor

    @admin.action(
        description=_("Réinitialiser la double authentification (nouvel enrôlement à la connexion)"),
        permissions=["change"],
    )
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

    @admin.action(description=_("Débloquer la connexion (tentatives échouées oubliées)"), permissions=["change"])
    def unlock_login(self, request, queryset):
        """Lift the lockout of the selected accounts after too many failed logins (`accounts.lockout`); recorded in
        the admin's history of each account."""
        for user in queryset:
            login_unlock(email=user.email)
            self.log_change(request, user, [{"changed": {"fields": ["lockout"]}}])
        self.message_user(
            request, _("Connexion débloquée pour %(count)d compte(s).") % {"count": len(queryset)}, messages.SUCCESS
        )


@admin.register(AccessLog)
class AccessLogAdmin(AdminReadLogMixin, admin.ModelAdmin):
    """Read-only: the access log is evidence, nobody edits it (the database refuses it too). The person read is shown
    by number only: their name is read through the scoped pages (the data-protection officer's), not here; opening a
    row's page is logged all the same."""

    def access_log_person(self, obj):
        return obj.beneficiary_id

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


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(admin.ModelAdmin):
    """A region's own retention durations (accounts.retention); without a row, the settings' default."""

    list_display = ["region", "category", "months"]
    list_filter = ["region", "category"]


@admin.register(PersonRetention)
class PersonRetentionAdmin(admin.ModelAdmin):
    """Read-only: notices given and anonymisations done, by person id (no name)."""

    list_display = ["beneficiary_id", "notice_due_on", "notified_at", "anonymised_at", "reason"]
    list_filter = ["reason"]
    fields = ["beneficiary_id", "notice_due_on", "notified_at", "anonymised_at", "reason", "anonymised_by"]
    readonly_fields = fields


@admin.register(PasswordResetRequest)
class PasswordResetRequestAdmin(admin.ModelAdmin):
    """Read-only: what the "mot de passe oublié" page was asked, and what the worker did (no token is stored)."""

    list_display = ["requested_at", "status", "processed_at"]
    list_filter = ["status"]
    date_hierarchy = "requested_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
