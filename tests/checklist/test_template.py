"""The first checklist template ships with the database (data migration); items are data, versioned."""

import pytest
from django.urls import reverse
from django.utils import translation

from checklist.models import ChecklistItem, ChecklistTemplate
from tests.checklist.factories import first_template, submitted

pytestmark = pytest.mark.django_db


def test_the_first_template_has_the_three_sections_and_their_items():
    template = first_template()
    assert ChecklistTemplate.objects.current() == template
    sections = list(template.sections.order_by("position"))
    assert [s.code for s in sections] == ["administrative", "life", "project"]
    codes = {s.code: list(s.items.order_by("position").values_list("code", flat=True)) for s in sections}
    assert codes["administrative"] == [
        "identity_document",
        "residence_permit",
        "social_security",
        "france_travail",
        "remuneration",
        "benefits",
    ]
    assert codes["life"] == ["housing", "transport", "driving_licence", "childcare", "health", "budget", "digital"]
    assert codes["project"] == ["project_validated", "immersion", "content_schedule"]
    assert list(ChecklistItem.objects.filter(sensitive=True).values_list("code", flat=True)) == ["health"]
    with translation.override("en"):
        assert sections[1].title == "Life situation"


def test_a_completed_checklist_keeps_the_version_it_was_filled_with(world, client_for):
    checklist, _revision = submitted(world.stage, world.user("trainer"))
    admin = client_for(world.user("admin"))
    admin.post(
        reverse("admin:checklist_checklisttemplate_changelist"),
        {"action": "copy_as_new_version", "_selected_action": [checklist.template.pk]},
    )
    draft = ChecklistTemplate.objects.get(version=2)
    assert not draft.is_published and ChecklistItem.objects.filter(section__template=draft).count() == 16
    admin.post(
        reverse("admin:checklist_checklisttemplate_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
    )
    assert ChecklistTemplate.objects.current() == draft
    checklist.refresh_from_db()
    assert checklist.template.version == 1
    # The published version is read-only in the admin.
    page = admin.get(reverse("admin:checklist_checklisttemplate_change", args=[draft.pk]))
    assert b'name="title_fr"' not in page.content
