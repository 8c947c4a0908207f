"""Reference data for the administrator. People, pathways and stages are not here on purpose: they are read
through the scoped pages, which log every access."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from pathways.forms import SessionAdminForm
from pathways.models import (
    Basin,
    Commune,
    Employer,
    Membership,
    Organisation,
    Programme,
    Region,
    Session,
    TrainingAction,
)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "scheme_organisation", "charter_required_for_alerts", "checklist_required_to_start"]
    search_fields = ["name", "code"]
    list_select_related = ["scheme_organisation"]
    autocomplete_fields = ["scheme_organisation"]


@admin.register(Basin)
class BasinAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "region"]
    list_filter = ["region"]
    search_fields = ["name", "code"]
    list_select_related = ["region"]


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "department", "basin"]
    list_filter = ["department"]
    search_fields = ["name", "code"]
    list_select_related = ["basin"]
    autocomplete_fields = ["basin"]


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "region", "max_duration_months", "max_suspension_months", "is_active"]
    list_filter = ["is_active", "region"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"code": ["name"]}


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "organisation"
    extra = 0
    fields = ["user", "role", "is_legal_representative", "basin", "is_active"]
    readonly_fields = ["is_active"]
    autocomplete_fields = ["user", "basin"]
    show_change_link = True


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "prescriber_kind", "region", "siret", "is_active"]
    list_filter = ["kind", "prescriber_kind", "region", "is_active"]
    search_fields = ["name", "siret"]
    filter_horizontal = ["basins"]
    list_select_related = ["region"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["name", "kind", "prescriber_kind", "siret", "region", "is_active"]}),
        (_("Territoire"), {"fields": ["basins"]}),
        (_("Contact"), {"fields": ["address", "phone", "alert_inbox_email"]}),
    ]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "is_legal_representative", "is_active"]
    list_filter = ["role", "is_active", "is_legal_representative", "organisation__kind"]
    search_fields = ["user__email", "user__last_name", "organisation__name"]
    list_select_related = ["user", "organisation"]
    autocomplete_fields = ["user", "organisation", "basin"]
    readonly_fields = ["deactivated_at", "deactivated_by"]
    fields = [
        "user",
        "organisation",
        "role",
        "is_legal_representative",
        "basin",
        "is_active",
        "deactivated_at",
        "deactivated_by",
    ]

    def save_model(self, request, obj, form, change):
        from django.utils import timezone

        # Keep the deactivation date consistent with the flag (a database constraint holds them together).
        if obj.is_active:
            obj.deactivated_at, obj.deactivated_by = None, None
        elif obj.deactivated_at is None:
            obj.deactivated_at, obj.deactivated_by = timezone.now(), request.user
        super().save_model(request, obj, form, change)


@admin.register(Employer)
class EmployerAdmin(admin.ModelAdmin):
    list_display = ["name", "siret", "region", "commune"]
    list_filter = ["region"]
    search_fields = ["name", "siret"]
    autocomplete_fields = ["commune"]


class SessionInline(admin.TabularInline):
    model = Session
    form = SessionAdminForm
    extra = 0
    fields = ["label", "start_date", "end_date", "weekdays", "capacity"]


@admin.register(TrainingAction)
class TrainingActionAdmin(admin.ModelAdmin):
    list_display = ["title", "training_body", "funder", "basin", "programme", "formacode", "is_active"]
    list_filter = ["is_active", "basin", "programme", "funder"]
    search_fields = ["title", "training_body__name", "formacode"]
    list_select_related = ["training_body", "funder", "basin", "programme"]
    autocomplete_fields = ["training_body", "funder", "basin"]
    inlines = [SessionInline]


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    form = SessionAdminForm
    list_display = ["__str__", "start_date", "end_date", "capacity"]
    list_filter = ["training_action__basin"]
    search_fields = ["label", "training_action__title"]
    list_select_related = ["training_action"]
    autocomplete_fields = ["training_action", "trainers"]
    date_hierarchy = "start_date"
