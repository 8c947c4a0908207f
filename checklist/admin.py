"""Checklist templates in the admin: the administrator makes a new version (a draft copy of the current one),
edits its sections and items, then publishes it (both through `checklist.services`). A published version is
read-only: completed checklists keep the version they were filled with. Checklists themselves are personal data,
read through the scoped pages only."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from checklist import services
from checklist.models import ChecklistItem, ChecklistSection, ChecklistTemplate


class SectionInline(admin.TabularInline):
    model = ChecklistSection
    extra = 0
    fields = ["position", "code", "title_fr", "title_en"]
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return obj is None or not obj.is_published

    def has_change_permission(self, request, obj=None):
        return obj is None or not obj.is_published

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.is_published


class ItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 0
    fields = ["position", "code", "label_fr", "label_en", "sensitive"]

    def _published(self, obj):
        return obj is not None and obj.template.is_published

    def has_add_permission(self, request, obj=None):
        return not self._published(obj)

    def has_change_permission(self, request, obj=None):
        return not self._published(obj)

    def has_delete_permission(self, request, obj=None):
        return not self._published(obj)


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(admin.ModelAdmin):
    list_display = ["version", "title_fr", "published_at"]
    readonly_fields = ["published_at", "created_at"]
    inlines = [SectionInline]
    actions = ["copy_as_new_version", "publish"]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or not obj.is_published)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or not obj.checklists.exists())

    @admin.action(description=gettext_lazy("Copier en une nouvelle version (brouillon)"), permissions=["add"])
    def copy_as_new_version(self, request, queryset):
        for template in queryset.order_by("version"):
            try:
                copy = services.template_copy(template=template)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("Version %(n)s créée en brouillon : modifiez ses rubriques et ses points, puis publiez-la.")
                    % {"n": copy.version},
                    messages.SUCCESS,
                )

    @admin.action(description=gettext_lazy("Publier (les nouvelles check-lists la suivront)"), permissions=["change"])
    def publish(self, request, queryset):
        for template in queryset.order_by("version"):
            try:
                services.template_publish(template=template)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("Version %(n)s publiée : les check-lists commencées désormais la suivent.")
                    % {"n": template.version},
                    messages.SUCCESS,
                )


@admin.register(ChecklistSection)
class ChecklistSectionAdmin(admin.ModelAdmin):
    list_display = ["title_fr", "template", "position"]
    list_filter = ["template"]
    inlines = [ItemInline]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or not obj.template.is_published)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or not obj.template.is_published)
