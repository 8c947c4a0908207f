"""The first checklist template ships with the database (data migration); items are data, versioned."""

import html

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from checklist.models import ChecklistItem, ChecklistSection, ChecklistTemplate
from checklist.services import template_copy, template_publish
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


# --------------------------------------------------------------------------------------------------------------
# Copying and publishing a version: services, which the admin's actions call


def test_copying_a_published_version_makes_a_draft_of_the_next_version_with_its_sections_and_items():
    template = first_template()
    draft = template_copy(template=template)
    assert (draft.version, draft.is_published, draft.title_fr) == (2, False, template.title_fr)

    def layout(version):
        return list(
            ChecklistItem.objects.filter(section__template=version)
            .order_by("section__position", "position")
            .values_list("section__code", "section__position", "code", "position", "label_fr", "sensitive")
        )

    assert layout(draft) == layout(template) and len(layout(draft)) == 16
    assert ChecklistTemplate.objects.current() == template  # until the draft is published


def test_a_draft_is_not_copied_and_there_is_one_draft_at_a_time():
    template = first_template()
    draft = template_copy(template=template)
    with pytest.raises(ValidationError, match="La version 2 est un brouillon : modifiez-la directement"):
        template_copy(template=draft)
    with pytest.raises(ValidationError, match="La version 2 est déjà en brouillon"):
        template_copy(template=template)
    assert ChecklistTemplate.objects.count() == 2


def test_publishing_needs_a_point_in_every_section_and_happens_once():
    template = first_template()
    empty = ChecklistTemplate.objects.create(version=2)
    with pytest.raises(ValidationError, match="La version 2 n'a aucun point"):
        template_publish(template=empty)
    section = ChecklistSection.objects.create(template=empty, position=1, code="life", title_fr="Vie quotidienne")
    ChecklistSection.objects.create(template=empty, position=2, code="project", title_fr="Projet")
    ChecklistItem.objects.create(section=section, position=1, code="housing", label_fr="Logement")
    with pytest.raises(ValidationError, match=r"rubriques sans aucun point \(Projet\)"):
        template_publish(template=empty)
    empty.refresh_from_db()
    assert not empty.is_published and ChecklistTemplate.objects.current() == template
    with pytest.raises(ValidationError, match="La version 1 est déjà publiée"):
        template_publish(template=template)


def test_an_older_draft_is_not_published_over_a_newer_version():
    template = first_template()
    older = template_copy(template=template)  # version 2, a draft
    newer = ChecklistTemplate.objects.create(version=3, published_at=timezone.now())  # published since
    with pytest.raises(ValidationError, match=r"Une version plus récente \(3\) est déjà publiée"):
        template_publish(template=older)
    assert ChecklistTemplate.objects.current() == newer


def test_the_admin_actions_say_why_they_refuse_and_change_nothing(world, client_for):
    template = first_template()
    admin = client_for(world.user("admin"))
    changelist = reverse("admin:checklist_checklisttemplate_changelist")
    response = admin.post(changelist, {"action": "publish", "_selected_action": [template.pk]}, follow=True)
    assert "La version 1 est déjà publiée" in html.unescape(response.content.decode())
    empty = ChecklistTemplate.objects.create(version=2)
    response = admin.post(changelist, {"action": "publish", "_selected_action": [empty.pk]}, follow=True)
    assert "La version 2 n'a aucun point" in html.unescape(response.content.decode())
    response = admin.post(changelist, {"action": "copy_as_new_version", "_selected_action": [template.pk]}, follow=True)
    assert "La version 2 est déjà en brouillon" in html.unescape(response.content.decode())
    empty.refresh_from_db()
    assert not empty.is_published and ChecklistTemplate.objects.count() == 2
