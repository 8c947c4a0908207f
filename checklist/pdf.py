"""The completed checklist as PDF, to give to the person (built by a worker: `core.documents`, `core.pdf`).
It shows the submitted revision whole, health comments included: it is the person's own, handed to them by the
training body that filled it (only that body downloads it)."""

import datetime

from django.conf import settings
from django.utils import timezone, translation
from django.utils.dateparse import parse_date
from django.utils.text import slugify

from checklist.models import Answer, ChecklistPdf, ChecklistSection
from core.documents import document_build, document_sweep
from core.pdf import render_pdf

PDF_TEMPLATE = "checklist/pdf/checklist.html"


def answer_entry(code: str, entry: dict, *, sensitive_readable: bool = True) -> dict:
    """One answer of a revision as pages and the PDF show it: its code, answer label and due date, its comment and
    its follow-up action, unless it is on a health item and the reader may not read those: then `comment_hidden`
    and `action_hidden` say one exists (who the action is given to, and for when, stay)."""
    masked = bool(entry.get("sensitive") and not sensitive_readable)
    comment_hidden = masked and bool(entry.get("comment"))
    action_hidden = masked and bool(entry.get("action"))
    return {
        **entry,
        "code": code,
        "answer_label": dict(Answer.choices).get(entry["answer"], ""),
        "due": parse_date(entry.get("due") or ""),
        "comment": "" if comment_hidden else entry.get("comment", ""),
        "comment_hidden": comment_hidden,
        "action": "" if action_hidden else entry.get("action", ""),
        "action_hidden": action_hidden,
    }


def revision_sections(revision, *, sensitive_readable: bool = True) -> list[dict]:
    """The revision's answers grouped by the sections of its template, in order, with their labels."""
    checklist = revision.checklist
    sections = ChecklistSection.objects.filter(template=checklist.template_id).order_by("position")
    grouped = []
    for section in sections:
        entries = [
            answer_entry(code, entry, sensitive_readable=sensitive_readable)
            for code, entry in revision.answers.items()
            if entry["section"] == section.code
        ]
        grouped.append({"title": section.title, "entries": entries})
    return grouped


def pdf_context(pdf: ChecklistPdf) -> dict:
    revision = pdf.revision
    checklist = revision.checklist
    return {
        "pdf": pdf,
        "revision": revision,
        "checklist": checklist,
        "person": checklist.stage.pathway.beneficiary,
        "stage": checklist.stage,
        "organisation": checklist.organisation,
        "sections": revision_sections(revision),
        "submitted_at": timezone.localtime(revision.submitted_at),
        "issued_at": timezone.localtime(),
    }


def _render(pdf: ChecklistPdf) -> bytes:
    with translation.override(settings.LANGUAGE_CODE):
        return render_pdf(PDF_TEMPLATE, pdf_context(pdf))


def pdf_filename(pdf: ChecklistPdf) -> str:
    person = pdf.revision.checklist.stage.pathway.beneficiary
    day = timezone.localtime(pdf.revision.submitted_at).date().isoformat()
    return f"check-list-{slugify(f'{person.last_name} {person.first_name}')}-{day}.pdf"


def pdf_build(pdf_id: int) -> bool:
    return document_build(
        ChecklistPdf,
        pdf_id,
        related=(
            "revision__checklist__stage__pathway__beneficiary",
            "revision__checklist__organisation",
            "revision__checklist__template",
        ),
        render=_render,
        filename=pdf_filename,
    )


def pdf_sweep(*, now: datetime.datetime | None = None) -> int:
    return document_sweep(ChecklistPdf, pdf_build, now=now)
