"""Writes of the pre-entry checklist: starting it for a stage, saving a section, recording the person's agreement,
submitting it (a frozen revision, and one alert to the prescriber for the points that became "at risk"), asking
for its PDF. Each is keyword-only and atomic, and raises `ValidationError` with a message a user can act on.

Who may do what is answered here too, inside the scoping layer's answer to who may see what (`checklist.apps`).
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.models import Alert
from alerts.services import alert_raise
from checklist.models import (
    Answer,
    Checklist,
    ChecklistAnswer,
    ChecklistItem,
    ChecklistPdf,
    ChecklistRevision,
    ChecklistSection,
    ChecklistTemplate,
)
from core.documents import document_enqueue
from notifications.todos import todo_cancel, todo_set
from pathways import scoping
from pathways.models import Membership, Organisation, Stage

Role = Membership.Role
# The alert kind of a checklist's risks (registered in `ChecklistConfig.ready`).
CHECKLIST_ALERT_KIND = "checklist_risk"


# --------------------------------------------------------------------------------------------------------------
# Who may


def filling_organisations(user) -> set[int]:
    """The training bodies whose checklists `user` fills: those where they are staff (trainer, pedagogical or
    organisation manager)."""
    return scoping.org_ids(user, roles=scoping.STAGE_STAFF_ROLES, kinds={Organisation.Kind.TRAINING_BODY})


def can_fill(user, stage: Stage) -> bool:
    """The staff of the training body that holds the stage."""
    return stage.organisation_id in filling_organisations(user)


def can_read_sensitive(user, checklist: Checklist) -> bool:
    """Comments on health items: the organisation that filled the checklist, and the pathway's referent."""
    return (
        checklist.organisation_id in scoping.org_ids(user, roles=scoping.STAGE_STAFF_ROLES)
        or checklist.stage.pathway.referent_id == user.pk
    )


def action_owners(checklist: Checklist) -> list:
    """Who a follow-up action may be given to: the training body's staff, the pathway's referent and its
    prescribing adviser."""
    pathway = checklist.stage.pathway
    staff = [
        m.user
        for m in Membership.objects.active()
        .filter(organisation=checklist.organisation_id, role__in=scoping.STAGE_STAFF_ROLES)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    ]
    people = {user.pk: user for user in [*staff, pathway.referent, pathway.prescribing_adviser] if user is not None}
    return list(people.values())


# --------------------------------------------------------------------------------------------------------------
# Filling


FILLABLE_STATUSES = (Stage.Status.PLANNED, Stage.Status.IN_PROGRESS, Stage.Status.SUSPENDED)


@transaction.atomic
def checklist_start(*, stage: Stage, by) -> Checklist:
    """The checklist of `stage` on the current template (the one already started, if any)."""
    if not can_fill(by, stage):
        raise ValidationError(_("Seule l'équipe de l'organisme de formation de l'étape remplit sa check-list."))
    if stage.status not in FILLABLE_STATUSES:
        raise ValidationError(_("Cette étape est terminée : sa check-list ne peut plus être commencée."))
    template = ChecklistTemplate.objects.current()
    if template is None:
        raise ValidationError(_("Aucun modèle de check-list n'est publié : prévenez l'administrateur."))
    existing = Checklist.objects.filter(stage=stage).order_by("-template__version").first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Checklist.objects.create(
                stage=stage, template=template, organisation=stage.organisation, created_by=by
            )
    except IntegrityError:  # started at the same moment by a colleague
        return Checklist.objects.get(stage=stage, template=template)


def _locked(checklist: Checklist) -> Checklist:
    return (
        Checklist.objects.select_for_update()
        .select_related("stage__pathway__beneficiary", "template")
        .get(pk=checklist.pk)
    )


@transaction.atomic
def section_save(
    *, checklist: Checklist, section: ChecklistSection, by, rows: list[dict], today: datetime.date | None = None
) -> list[ChecklistAnswer]:
    """Save the answers of one section. Each row: item (a ChecklistItem of the section), answer, comment, action,
    action_owner, action_due. An item left without an answer is left unanswered. A follow-up action needs what,
    who and a date that has not passed; it goes to its owner's to-do list."""
    checklist = _locked(checklist)
    if not can_fill(by, checklist.stage):
        raise ValidationError(_("Seule l'équipe de l'organisme de formation de l'étape remplit sa check-list."))
    if section.template_id != checklist.template_id:
        raise ValidationError(_("Cette rubrique n'appartient pas à la version de la check-list."))
    today = today or timezone.localdate()
    owners = {user.pk for user in action_owners(checklist)}
    items = {item.pk: item for item in section.items.all()}
    errors = {}
    cleaned = []
    for row in rows:
        item = row["item"]
        if item.pk not in items:
            raise ValidationError(_("Ce point n'appartient pas à la rubrique."))
        answer = row.get("answer") or ""
        if not answer:
            continue
        if answer not in Answer.values:
            errors[f"{item.code}-answer"] = _("Choisissez une réponse.")
            continue
        action = (row.get("action") or "").strip()
        owner = row.get("action_owner")
        due = row.get("action_due")
        if answer in (Answer.OK, Answer.NOT_APPLICABLE):
            action, owner, due = "", None, None
        if action or owner or due:
            if not action:
                errors[f"{item.code}-action"] = _("Dites quelle action est prévue.")
            if owner is None:
                errors[f"{item.code}-action_owner"] = _("Dites qui s'en charge.")
            elif owner.pk not in owners:
                errors[f"{item.code}-action_owner"] = _(
                    "L'action revient à l'équipe de l'organisme, au ou à la référent·e ou au prescripteur."
                )
            if due is None:
                errors[f"{item.code}-action_due"] = _("Donnez une échéance.")
            elif due < today:
                errors[f"{item.code}-action_due"] = _("L'échéance ne peut pas être passée.")
        cleaned.append((item, answer, (row.get("comment") or "").strip(), action, owner, due))
    if errors:
        raise ValidationError(errors)
    existing = {a.item_id: a for a in ChecklistAnswer.objects.filter(checklist=checklist, item__in=items)}
    saved = []
    person = checklist.stage.pathway.beneficiary.full_name
    for item, answer, comment, action, owner, due in cleaned:
        row = existing.get(item.pk) or ChecklistAnswer(checklist=checklist, item=item)
        row.answer, row.comment, row.action, row.action_owner, row.action_due = answer, comment, action, owner, due
        row.updated_by = by
        row.save()
        saved.append(row)
        source = f"checklist-answer:{checklist.pk}:{item.code}"
        if action:
            todo_set(
                source_key=source,
                owner=owner,
                title=action,
                context=_("%(person)s · check-list, %(item)s") % {"person": person, "item": item.label_fr},
                due_on=due,
                url=checklist.get_absolute_url(),
                by=by,
                stage=checklist.stage,
            )
        else:
            todo_cancel(source_key=source)
    Checklist.objects.filter(pk=checklist.pk).update(updated_at=timezone.now())
    return saved


@transaction.atomic
def consent_record(
    *, checklist: Checklist, by, consent: bool, scope: str = "", on: datetime.date | None = None
) -> Checklist:
    """Record the person's answer to sharing the checklist with the prescriber and the referent (yes or no, the
    date, with whom). Without it, neither sees the checklist, and its alert only says that a risk needs a contact."""
    checklist = _locked(checklist)
    if not can_fill(by, checklist.stage):
        raise ValidationError(_("Seule l'équipe de l'organisme de formation de l'étape remplit sa check-list."))
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError({"consent_on": _("La date de l'accord ne peut pas être dans le futur.")})
    if consent and scope not in Checklist.ConsentScope.values:
        raise ValidationError({"consent_scope": _("Dites avec qui la personne accepte de partager la check-list.")})
    checklist.consent = bool(consent)
    checklist.consent_scope = scope if consent else ""
    checklist.consent_on = on
    checklist.consent_recorded_by = by
    checklist.full_clean()
    checklist.save(update_fields=["consent", "consent_scope", "consent_on", "consent_recorded_by", "updated_at"])
    return checklist


# --------------------------------------------------------------------------------------------------------------
# Submitting


def _snapshot(checklist: Checklist) -> dict:
    answers = {a.item_id: a for a in ChecklistAnswer.objects.filter(checklist=checklist).select_related("action_owner")}
    items = ChecklistItem.objects.filter(section__template=checklist.template_id).select_related("section")
    snapshot = {}
    for item in items.order_by("section__position", "position"):
        answer = answers.get(item.pk)
        snapshot[item.code] = {
            "section": item.section.code,
            "label_fr": item.label_fr,
            "label_en": item.label_en,
            "sensitive": item.sensitive,
            "answer": answer.answer if answer else "",
            "comment": answer.comment if answer else "",
            "action": answer.action if answer else "",
            "owner": answer.action_owner.get_full_name() if answer and answer.action_owner else "",
            "due": answer.action_due.isoformat() if answer and answer.action_due else "",
        }
    return snapshot


@transaction.atomic
def checklist_submit(*, checklist: Checklist, by) -> tuple[ChecklistRevision, bool]:
    """Submit the checklist: its answers are frozen into a new revision and, if points became "at risk" since the
    previous one, the prescriber is alerted once, listing them (only that a risk needs a contact, without the
    person's agreement to share). Submitting again with nothing changed returns the last revision and alerts no one:
    (revision, created)."""
    checklist = _locked(checklist)
    if not can_fill(by, checklist.stage):
        raise ValidationError(_("Seule l'équipe de l'organisme de formation de l'étape remplit sa check-list."))
    snapshot = _snapshot(checklist)
    missing = [entry["label_fr"] for entry in snapshot.values() if not entry["answer"]]
    if missing:
        raise ValidationError(
            _("Il reste %(count)s point(s) sans réponse : %(items)s.")
            % {"count": len(missing), "items": ", ".join(missing[:5]) + ("…" if len(missing) > 5 else "")}
        )
    if checklist.consent is None:
        raise ValidationError(_("Notez d'abord la réponse de la personne sur le partage de la check-list."))
    previous = checklist.revisions.order_by("-number").first()
    if previous is not None and previous.answers == snapshot:
        return previous, False
    risks = [code for code, entry in snapshot.items() if entry["answer"] == Answer.RISK]
    before = {
        code for code, entry in (previous.answers if previous else {}).items() if entry.get("answer") == Answer.RISK
    }
    new_risks = [code for code in risks if code not in before]
    try:
        with transaction.atomic():
            revision = ChecklistRevision.objects.create(
                checklist=checklist,
                number=(previous.number + 1) if previous else 1,
                submitted_at=timezone.now(),
                submitted_by=by,
                answers=snapshot,
                risk_items=risks,
                new_risk_items=new_risks,
            )
    except IntegrityError:  # submitted at the same moment by a colleague: theirs stands
        return checklist.revisions.order_by("-number").first(), False
    Checklist.objects.filter(pk=checklist.pk).update(status=Checklist.Status.SUBMITTED, updated_at=timezone.now())
    if new_risks:
        _alert(checklist, revision, [snapshot[code] for code in new_risks])
    return revision, True


def _alert(checklist: Checklist, revision: ChecklistRevision, entries: list[dict]) -> Alert:
    """One alert for the points that became at risk: the prescriber (or, with no prescriber, the training body's
    managers) and the referent, through the same outbox and channels as a rupture alert."""
    stage = Stage.objects.select_related(
        "pathway__beneficiary", "pathway__referent", "pathway__prescribing_organisation", "pathway__prescribing_adviser"
    ).get(pk=checklist.stage_id)

    def params(people) -> dict:
        # The points only when everyone told may see the checklist (the person's agreement, read through the
        # scoping layer as on the alert page): one message goes to all; the others learn only that a risk needs a
        # contact.
        listed = all(Checklist.objects.for_user(person).filter(pk=checklist.pk).exists() for person in people)
        return {
            "person": stage.pathway.beneficiary.full_name,
            "count": len(entries),
            "items": [entry["label_fr"] for entry in entries] if listed else [],
        }

    alert = alert_raise(kind=CHECKLIST_ALERT_KIND, stage=stage, raised_by=revision.submitted_by, params=params)
    ChecklistRevision.objects.filter(pk=revision.pk).update(alert=alert)
    return alert


# --------------------------------------------------------------------------------------------------------------
# The PDF


@transaction.atomic
def pdf_request(*, checklist: Checklist, by) -> ChecklistPdf:
    """Ask the worker for the PDF of the last submitted revision (to give to the person)."""
    if not can_fill(by, checklist.stage):
        raise ValidationError(_("Seule l'équipe de l'organisme de formation de l'étape remplit sa check-list."))
    revision = checklist.revisions.order_by("-number").first()
    if revision is None:
        raise ValidationError(_("Transmettez d'abord la check-list : le PDF reprend la version transmise."))
    pdf = ChecklistPdf.objects.create(revision=revision, requested_by=by)
    document_enqueue("checklist.tasks.build_pdf_task", pdf.pk)
    return pdf


# --------------------------------------------------------------------------------------------------------------
# At the stage's start


def submitted(stage: str = "pk") -> Exists:
    """In a query over stages (or rows with a stage: `stage` names it): the stage has a submitted checklist."""
    return Exists(ChecklistRevision.objects.filter(checklist__stage=OuterRef(stage)))


def submitted_before_start() -> Q:
    """On a Stage queryset: a checklist of the stage submitted on or before its effective start (the definition
    the rupture rate's split and the coverage use)."""
    return Q(
        Exists(
            ChecklistRevision.objects.filter(
                checklist__stage=OuterRef("pk"), submitted_at__date__lte=OuterRef("actual_start")
            )
        )
    )


def check_before_start(stage: Stage, date: datetime.date) -> None:
    """Registered with `pathways.services.stages`: where the region requires it, a stage taken in a session starts
    only once its checklist is submitted."""
    if not stage.pathway.beneficiary.region.checklist_required_to_start:
        return
    if not hasattr(stage, "enrolment"):
        return
    if ChecklistRevision.objects.filter(checklist__stage=stage).exists():
        return
    raise ValidationError(
        _(
            "La check-list de sécurisation doit être transmise avant le démarrage de l'étape (exigé dans la région "
            "%(region)s). Remplissez-la avec la personne, puis démarrez l'étape."
        )
        % {"region": stage.pathway.beneficiary.region.name}
    )
