"""Checklist test data made through the services: the first template (shipped by a data migration; recreated if a
transactional test flushed it), a checklist filled section by section, submitted."""

import importlib

from django.apps import apps
from django.core.files.base import ContentFile

from checklist.models import Answer, Checklist, ChecklistItem, ChecklistPdf, ChecklistTemplate
from checklist.services import checklist_start, checklist_submit, consent_record, section_save

first_template_migration = importlib.import_module("checklist.migrations.0002_first_template")


def first_template() -> ChecklistTemplate:
    if not ChecklistTemplate.objects.filter(version=1).exists():
        first_template_migration.create_first_template(apps, None)
    return ChecklistTemplate.objects.get(version=1)


def fill(stage, by, *, answers=None, default=Answer.OK, comments=None, actions=None) -> Checklist:
    """The stage's checklist with every item answered (`default`, or `answers[code]`), saved section by section."""
    first_template()
    checklist = checklist_start(stage=stage, by=by)
    answers, comments, actions = answers or {}, comments or {}, actions or {}
    for section in checklist.template.sections.order_by("position"):
        rows = []
        for item in section.items.order_by("position"):
            action = actions.get(item.code, {})
            rows.append(
                {
                    "item": item,
                    "answer": answers.get(item.code, default),
                    "comment": comments.get(item.code, ""),
                    "action": action.get("action", ""),
                    "action_owner": action.get("owner"),
                    "action_due": action.get("due"),
                }
            )
        section_save(checklist=checklist, section=section, by=by, rows=rows)
    return checklist


def submitted(stage, by, *, consent=True, scope=Checklist.ConsentScope.BOTH, **fill_arguments):
    """A filled checklist with the person's answer on sharing, submitted: (checklist, revision)."""
    checklist = fill(stage, by, **fill_arguments)
    consent_record(checklist=checklist, by=by, consent=consent, scope=scope if consent else "")
    revision, _created = checklist_submit(checklist=checklist, by=by)
    checklist.refresh_from_db()
    return checklist, revision


def item(code) -> ChecklistItem:
    return ChecklistItem.objects.get(code=code, section__template=first_template())


def ready_pdf(revision, content=b"%PDF-1.4 minimal") -> ChecklistPdf:
    pdf = ChecklistPdf(revision=revision, status=ChecklistPdf.Status.READY)
    pdf.file.save("check-list.pdf", ContentFile(content), save=False)
    pdf.save()
    return pdf
