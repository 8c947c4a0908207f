"""The pre-entry checklist: the training body's list of entrants, filling a checklist section by section (htmx),
the person's agreement, submitting, reading it, its PDF."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from checklist import selectors, services
from checklist.forms import ConsentForm, SectionForm, StatusFilterForm
from checklist.models import Answer, Checklist, ChecklistAnswer, ChecklistPdf, ChecklistSection
from checklist.pdf import pdf_filename, revision_sections
from core.documents import document_response
from core.forms import apply_errors
from pathways import exports, scoping
from pathways.models import Stage
from pathways.scoping import get_for_user_or_404, require

# A checklist page waiting for its PDF asks again this often (seconds).
PDF_POLL_SECONDS = 3


@require_GET
def checklist_list(request):
    """The entrants of the user's training bodies (stages taken in a session, not ended), with where their checklist
    stands: those without a submitted checklist first when the stage starts soon or has started
    (`selectors.checklist_list`)."""
    form, filters = checklist_filters(request.GET)
    if request.GET.get("export"):
        rows = selectors.entrant_rows(request.user, state=filters.get("etat", ""), q=filters.get("q", ""))
        return exports.respond(request, "check-lists", rows)
    data = selectors.checklist_list(
        request.user, state=filters.get("etat", ""), q=filters.get("q", ""), page=request.GET.get("page")
    )
    scoping.log_people_listed(request, ((row.person_id, (row.organisation_id,)) for row in data.page.object_list))
    return render(
        request,
        "checklist/checklist_list.html",
        {
            "form": form,
            "page": data.page,
            "is_staff": data.is_staff,
            "today": data.today,
            "coverage": data.coverage,
            "coverage_since": data.coverage_since,
        },
    )


def checklist_filters(params):
    """The list's filter form and its valid values (the page and its export)."""
    form = StatusFilterForm(params or None)
    return form, (form.cleaned_data if form.is_valid() else {})


@require_POST
def checklist_start(request, stage_pk):
    """Start (or resume) the checklist of a stage: its training body's staff may; others who see the stage 403."""
    stage = get_for_user_or_404(
        Stage.objects.select_related("organisation", "pathway__beneficiary"), request, pk=stage_pk
    )
    require(services.can_fill(request.user, stage))
    try:
        checklist = services.checklist_start(stage=stage, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(stage.pathway)
    return redirect("checklist:edit", pk=checklist.pk)


def _checklists():
    return Checklist.objects.select_related(
        "stage__pathway__beneficiary",
        "stage__pathway__referent",
        "stage__pathway__prescribing_adviser",
        "stage__pathway__prescribing_organisation",
        "stage__organisation",
        "stage__enrolment__session__training_action",
        "template",
        "organisation",
    )


def _section_forms(checklist, data=None, only=None):
    sections = list(
        ChecklistSection.objects.filter(template=checklist.template_id).prefetch_related("items").order_by("position")
    )
    answers = {a.item_id: a for a in ChecklistAnswer.objects.filter(checklist=checklist)}
    owners = services.action_owners(checklist)
    forms = []
    for section in sections:
        items = list(section.items.all())
        bound = data if only is not None and section.pk == only.pk else None
        form = SectionForm(bound, section=section, items=items, answers=answers, owners=owners, prefix=None)
        form.answered = sum(1 for item in items if item.pk in answers)
        forms.append(form)
    return forms, answers


def _edit_context(checklist, forms, answers, *, saved=None, consent_form=None):
    total = sum(len(form.items) for form in forms)
    last = checklist.revisions.order_by("-number").first()
    unsent = last is not None and any(a.updated_at > last.submitted_at for a in answers.values())
    return {
        "checklist": checklist,
        "stage": checklist.stage,
        "person": checklist.stage.pathway.beneficiary,
        "forms": forms,
        "answered": len(answers),
        "total": total,
        "saved": saved,
        "consent_form": consent_form
        or ConsentForm(
            initial={
                "consent": {True: "yes", False: "no"}.get(checklist.consent),
                "consent_scope": checklist.consent_scope,
                "consent_on": checklist.consent_on or timezone.localdate(),
            }
        ),
        "last_revision": last,
        "unsent": unsent,
        "now": timezone.localtime(),
    }


@require_GET
def checklist_edit(request, pk):
    """Fill the checklist with the person, section by section (each saves on its own; the page resumes where it
    was left). Its training body's staff only."""
    checklist = get_for_user_or_404(_checklists(), request, pk=pk)
    require(services.can_fill(request.user, checklist.stage))
    forms, answers = _section_forms(checklist)
    return render(request, "checklist/checklist_form.html", _edit_context(checklist, forms, answers))


@require_POST
def section_save(request, pk, section_pk):
    """Save one section (htmx answers the section's fragment with a visible confirmation, or its errors)."""
    checklist = get_for_user_or_404(_checklists(), request, pk=pk)
    require(services.can_fill(request.user, checklist.stage))
    section = get_object_or_404(ChecklistSection, pk=section_pk, template=checklist.template_id)
    forms, answers = _section_forms(checklist, request.POST, only=section)
    form = next(f for f in forms if f.section.pk == section.pk)
    saved = None
    if form.is_valid():
        try:
            services.section_save(checklist=checklist, section=section, by=request.user, rows=form.service_rows())
        except ValidationError as error:
            for key, messages_ in error.message_dict.items():
                form.add_error(key if key in form.fields else None, messages_)
        else:
            saved = section.pk
            forms, answers = _section_forms(checklist)
            form = next(f for f in forms if f.section.pk == section.pk)
    context = _edit_context(checklist, forms, answers, saved=saved)
    if request.htmx:
        # The page's overall progress too, out of band: it said "0 sur 16" until a reload.
        return render(request, "checklist/includes/section.html", {**context, "form": form, "oob_progress": True})
    if saved:
        messages.success(request, _("Rubrique « %(title)s » enregistrée.") % {"title": section.title})
        return redirect(f"{reverse('checklist:edit', args=[checklist.pk])}#rubrique-{section.code}")
    return render(request, "checklist/checklist_form.html", context, status=200)


@require_POST
def consent_save(request, pk):
    checklist = get_for_user_or_404(_checklists(), request, pk=pk)
    require(services.can_fill(request.user, checklist.stage))
    form = ConsentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            _checklist, taken_back = services.consent_record(
                checklist=checklist,
                by=request.user,
                consent=data["consent"],
                scope=data["consent_scope"],
                on=data["consent_on"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("La réponse de la personne sur le partage est enregistrée."))
            if taken_back:
                messages.warning(
                    request,
                    ngettext(
                        "L'action de suivi confiée à une personne qui ne voit plus la check-list vous revient : "
                        "%(items)s.",
                        "Les actions de suivi confiées à des personnes qui ne voient plus la check-list vous "
                        "reviennent : %(items)s.",
                        len(taken_back),
                    )
                    % {"items": ", ".join(answer.item.label for answer in taken_back)},
                )
            return redirect(f"{reverse('checklist:edit', args=[checklist.pk])}#accord")
    forms, answers = _section_forms(checklist)
    return render(request, "checklist/checklist_form.html", _edit_context(checklist, forms, answers, consent_form=form))


@require_POST
def checklist_submit(request, pk):
    checklist = get_for_user_or_404(_checklists(), request, pk=pk)
    require(services.can_fill(request.user, checklist.stage))
    try:
        revision, created = services.checklist_submit(checklist=checklist, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("checklist:edit", pk=checklist.pk)
    if not created:
        messages.info(
            request, _("Rien n'a changé depuis la dernière transmission : personne n'est prévenu de nouveau.")
        )
    elif revision.new_risk_items:
        messages.success(
            request,
            _("La check-list est transmise. Le prescripteur est alerté des %(count)s point(s) à risque.")
            % {"count": len(revision.new_risk_items)},
        )
    else:
        messages.success(request, _("La check-list est transmise."))
    return redirect(checklist)


@require_GET
def checklist_detail(request, pk):
    """The submitted checklist: its training body, and the prescriber and referent the person agreed to share it
    with. Health comments only for the training body and the referent. With htmx, the PDF list alone."""
    if request.htmx:
        return _pdf_list(request, pk)
    checklist = get_for_user_or_404(_checklists(), request, pk=pk)
    revisions = list(checklist.revisions.select_related("submitted_by").order_by("-number"))
    revision = revisions[0] if revisions else None
    sensitive = services.can_read_sensitive(request.user, checklist)
    sections = revision_sections(revision, sensitive_readable=sensitive) if revision else []
    context = {
        "stage": checklist.stage,
        "person": checklist.stage.pathway.beneficiary,
        "revision": revision,
        "revisions": revisions,
        "sections": sections,
        "Answer": Answer,
        **_pdf_context(request.user, checklist),
    }
    return render(request, "checklist/checklist_detail.html", context)


def _pdf_context(user, checklist) -> dict:
    """The checklist's latest PDFs, for the training body that fills it (it gives them to the person)."""
    can_fill = services.can_fill(user, checklist.stage)
    pdfs = (
        list(ChecklistPdf.objects.filter(revision__checklist=checklist).order_by("-requested_at")[:3])
        if can_fill
        else []
    )
    return {
        "checklist": checklist,
        "can_fill": can_fill,
        "pdfs": pdfs,
        "pdf_pending": any(p.status == ChecklistPdf.Status.PENDING for p in pdfs),
        "poll_seconds": PDF_POLL_SECONDS,
    }


def _pdf_list(request, pk):
    """The PDF list, polled every few seconds while one is built. Scoped like the page; it shows nothing of the
    person's record, so, unlike the page, it is not logged as a read of it again at every poll."""
    checklist = get_object_or_404(scoping.scope(_checklists(), request.user), pk=pk)
    return render(request, "checklist/includes/pdfs.html", _pdf_context(request.user, checklist))


@require_POST
def pdf_request(request, pk):
    checklist = get_for_user_or_404(_checklists(), request, pk=pk)
    require(services.can_fill(request.user, checklist.stage))
    try:
        services.pdf_request(checklist=checklist, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Le PDF est en préparation : il sera disponible ici dans un instant."))
    return redirect(f"{checklist.get_absolute_url()}#pdf")


@require_GET
def pdf_download(request, pk):
    """The PDF, for the training body that filled the checklist (it gives it to the person); 404 until built."""
    pdf = get_object_or_404(ChecklistPdf.objects.select_related("revision"), pk=pk)
    checklist = get_for_user_or_404(_checklists(), request, pk=pdf.revision.checklist_id)
    require(services.can_fill(request.user, checklist.stage))
    pdf.revision.checklist = checklist
    return document_response(pdf, filename=pdf_filename(pdf))
