"""Reference data for the administrator. People, pathways and stages are not here on purpose: they are read
through the scoped pages, which log every access."""

from auditlog.admin import LogEntryAdmin
from auditlog.models import LogEntry
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from pathways.forms import MembershipAdminForm, SessionAdminForm
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
from pathways.services import memberships as membership_services


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


class MembershipDeactivationMixin:
    """Memberships are deactivated and reactivated by their services (the hand-over of pathways, who and when), never
    by flipping `is_active`; they are made and changed along the table of roles (`MembershipAdminForm`)."""

    form = MembershipAdminForm

    @admin.display(description=_("désactivation"))
    def deactivation(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        if obj.is_active:
            return format_html(
                '<a href="{}">{}</a>',
                reverse("admin:pathways_membership_deactivate", args=[obj.pk]),
                _("Désactiver (avec passation des parcours)…"),
            )
        return _("Désactivé : l'action « Réactiver » de la liste des rattachements le rétablit.")

    def has_delete_permission(self, request, obj=None):
        return False  # deactivated instead: the history of who held which role stays


class MembershipInline(MembershipDeactivationMixin, admin.TabularInline):
    model = Membership
    fk_name = "organisation"
    extra = 0
    fields = ["user", "role", "is_legal_representative", "basin", "is_active", "deactivation"]
    readonly_fields = ["is_active", "deactivation"]
    autocomplete_fields = ["user", "basin"]
    show_change_link = True

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.granting_user = request.user  # a class made for this request
        return formset


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
        (_("Sécurité"), {"fields": ["two_factor_required"]}),
    ]


@admin.register(Membership)
class MembershipAdmin(MembershipDeactivationMixin, admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "is_legal_representative", "is_active"]
    list_filter = ["role", "is_active", "is_legal_representative", "organisation__kind"]
    search_fields = ["user__email", "user__last_name", "organisation__name"]
    list_select_related = ["user", "organisation"]
    autocomplete_fields = ["user", "organisation", "basin"]
    readonly_fields = ["is_active", "deactivation", "deactivated_at", "deactivated_by"]
    fields = [
        "user",
        "organisation",
        "role",
        "is_legal_representative",
        "basin",
        "is_active",
        "deactivation",
        "deactivated_at",
        "deactivated_by",
    ]
    actions = ["deactivate_selected", "reactivate_selected"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.granting_user = request.user  # a class made for this request
        return form

    def get_urls(self):
        return [
            path(
                "<int:pk>/desactiver/",
                self.admin_site.admin_view(self.deactivate_view),
                name="pathways_membership_deactivate",
            ),
            *super().get_urls(),
        ]

    def _deactivate(self, request, membership) -> bool:
        """Through the service; refused with what to do when the member holds the thread of open pathways (their
        successors are chosen by the organisation's manager on its members page)."""
        affected = membership_services.affected_pathways(membership)
        if affected:
            self.message_user(
                request,
                _(
                    "%(membership)s : cette personne tient le fil de %(n)s parcours en cours. Ses successeur·es se "
                    "désignent sur la page « Membres » de la structure (bouton « Désactiver »), par son ou sa "
                    "responsable."
                )
                % {"membership": membership, "n": len(affected.pathways)},
                messages.ERROR,
            )
            return False
        try:
            membership_services.membership_deactivate(membership=membership, by=request.user, referents={}, advisers={})
        except ValidationError as error:
            self.message_user(request, f"{membership} : {' '.join(error.messages)}", messages.ERROR)
            return False
        self.message_user(request, _("%(membership)s : rattachement désactivé.") % {"membership": membership})
        return True

    @admin.action(description=_("Désactiver les rattachements sélectionnés (avec passation des parcours)"))
    def deactivate_selected(self, request, queryset):
        for membership in queryset.select_related("user", "organisation"):
            self._deactivate(request, membership)

    @admin.action(description=_("Réactiver les rattachements sélectionnés"))
    def reactivate_selected(self, request, queryset):
        for membership in queryset.select_related("user", "organisation"):
            try:
                membership_services.membership_reactivate(membership=membership, by=request.user)
            except ValidationError as error:
                self.message_user(request, f"{membership} : {' '.join(error.messages)}", messages.ERROR)
            else:
                self.message_user(request, _("%(membership)s : rattachement réactivé.") % {"membership": membership})

    def deactivate_view(self, request, pk):
        membership = get_object_or_404(Membership.objects.select_related("user", "organisation"), pk=pk)
        if not self.has_change_permission(request, membership):
            raise PermissionDenied
        change_url = reverse("admin:pathways_membership_change", args=[membership.pk])
        if request.method == "POST":
            self._deactivate(request, membership)
            return redirect(change_url)
        affected = membership_services.affected_pathways(membership) if membership.is_active else None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Désactiver un rattachement"),
            "membership": membership,
            "affected": affected,
            "change_url": change_url,
        }
        return TemplateResponse(request, "pathways/membership_admin_deactivate.html", context)


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
    autocomplete_fields = ["training_action", "trainers", "commune"]
    date_hierarchy = "start_date"


# --------------------------------------------------------------------------------------------------------------
# The audit log's admin: the history of the reference data only. The history of a person's records (people,
# pathways, stages and every model an app put under the scoping layer with its person) names them, and the
# platform administrator reads no one (docs/design.md §1: people are read through the scoped pages, which log each
# access; issue 17's confidentiality walk found the names of people who only came to a drop-in hour here).


def _reaches_a_person(model, persons, depth=3) -> bool:
    """Whether `model` is a person model or points to one through at most `depth` foreign keys (a reminder points to
    a drift, an alert's action to an alert: their history is about that person too)."""
    if model in persons:
        return True
    if depth == 0:
        return False
    return any(
        field.many_to_one
        and field.related_model is not None
        and _reaches_a_person(field.related_model, persons, depth - 1)
        for field in model._meta.get_fields()
        if field.concrete
    )


def personal_models() -> list:
    """The models whose history is about a person: those put under the scoping layer with their person, and every
    model with a history that points to one of them."""
    from auditlog.registry import auditlog

    from pathways import scoping

    persons = {model._meta.concrete_model for model in scoping.person_models()}
    return [*persons, *(m for m in auditlog.get_models() if m not in persons and _reaches_a_person(m, persons))]


def personal_content_types():
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_models(*personal_models()).values()


class ReferenceLogEntryAdmin(LogEntryAdmin):
    """The history of the reference data only (charter versions and signatures…): the entries about a person are
    not listed, not searchable and not opened; the search looks at the object's name and the actor, never at the
    changes' values."""

    search_fields = ["object_repr", "actor__email", "actor__last_name"]

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(content_type__in=[ct.pk for ct in personal_content_types()])


if admin.site.is_registered(LogEntry):
    admin.site.unregister(LogEntry)
admin.site.register(LogEntry, ReferenceLogEntryAdmin)
