"""Checklist templates in the admin: the administrator makes a new version (a draft copy of the current one),
edits its sections and items, then publishes it. A published version is read-only: completed checklists keep the
version they were filled with. Checklists themselves are personal data, read through the scoped pages only."""

from django.contrib import admin, messages
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

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

    @admin.action(description=_("Copier en une nouvelle version (brouillon)"))
    @transaction.atomic
    def copy_as_new_version(self, request, queryset):
        for template in queryset:
            number = (ChecklistTemplate.objects.order_by("-version").values_list("version", flat=True).first() or 0) + 1
            copy = ChecklistTemplate.objects.create(
                version=number, title_fr=template.title_fr, title_en=template.title_en
            )
            for section in template.sections.order_by("position"):
                new_section = ChecklistSection.objects.create(
                    template=copy,
                    position=section.position,
                    code=section.code,
                    title_fr=section.title_fr,
                    title_en=section.title_en,
                )
                ChecklistItem.objects.bulk_create(
                    ChecklistItem(
                        section=new_section,
                        position=item.position,
                        code=item.code,
                        label_fr=item.label_fr,
                        label_en=item.label_en,
                        sensitive=item.sensitive,
                    )
                    for item in section.items.order_by("position")
                )
            self.message_user(request, _("Version %(n)s créée en brouillon.") % {"n": number}, messages.SUCCESS)

    @admin.action(description=_("Publier (les nouvelles check-lists la suivront)"))
    def publish(self, request, queryset):
        drafts = queryset.filter(published_at__isnull=True)
        empty = [t.version for t in drafts if not ChecklistItem.objects.filter(section__template=t).exists()]
        if empty:
            self.message_user(request, _("Une version sans aucun point ne peut pas être publiée."), messages.ERROR)
            return
        count = drafts.update(published_at=timezone.now())
        self.message_user(request, ngettext("%(n)s version publiée.", "%(n)s versions publiées.", count) % {"n": count})


@admin.register(ChecklistSection)
class ChecklistSectionAdmin(admin.ModelAdmin):
    list_display = ["title_fr", "template", "position"]
    list_filter = ["template"]
    inlines = [ItemInline]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or not obj.template.is_published)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or not obj.template.is_published)
