"""Writes of the pre-entry checklist: copying and publishing a template version (the administrator's), starting a
checklist for a stage, saving a section, recording the person's agreement, submitting it (a frozen revision, and one
alert to the prescriber for the points that became "at risk"), asking for its PDF. Each is keyword-only and
atomic, and raises `ValidationError` with a message a user can act on.

Who may do what is answered here too, inside the scoping layer's answer to who may see what (`checklist.apps`).
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import formats, timezone
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
from core.text import COMMENT_MAX_LENGTH, check_length
from notifications.todos import todo_cancel, todo_set
from pathways import scoping
from pathways.models import Membership, Organisation, Stage

Role = Membership.Role
# The alert kind of a checklist's risks (registered in `ChecklistConfig.ready`).
CHECKLIST_ALERT_KIND = "checklist_risk"
ACTION_MAX_LENGTH = ChecklistAnswer._meta.get_field("action").max_length


# --------------------------------------------------------------------------------------------------------------
# Templates (the administrator's, through the admin)


def _versions_locked() -> list[ChecklistTemplate]:
    """Every version, locked: versions are numbered and published one at a time."""
    return list(ChecklistTemplate.objects.select_for_update().order_by("version"))


@transaction.atomic
def template_copy(*, template: ChecklistTemplate) -> ChecklistTemplate:
    """A new draft version, numbered after the last one: a copy of the published `template`'s sections and items
    (codes kept, so that figures compare like with like), to edit and then publish. One draft at a time."""
    versions = _versions_locked()
    template = next((version for version in versions if version.pk == template.pk), None)
    if template is None:
        raise ValidationError(_("Cette version n'existe plus."))
    if not template.is_published:
        raise ValidationError(
            _("La version %(version)s est un brouillon : modifiez-la directement, ou publiez-la avant de la copier.")
            % {"version": template.version}
        )
    draft = next((version for version in versions if not version.is_published), None)
    if draft is not None:
        raise ValidationError(
            _(
                "La version %(version)s est déjà en brouillon : modifiez-la et publiez-la (ou supprimez-la) avant "
                "d'en créer une autre."
            )
            % {"version": draft.version}
        )
    copy = ChecklistTemplate(version=versions[-1].version + 1, title_fr=template.title_fr, title_en=template.title_en)
    copy.full_clean()
    copy.save()
    for section in template.sections.prefetch_related("items").order_by("position"):
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
            for item in sorted(section.items.all(), key=lambda item: item.position)
        )
    return copy


@transaction.atomic
def template_publish(*, template: ChecklistTemplate, now: datetime.datetime | None = None) -> ChecklistTemplate:
    """Publish a draft version: the checklists started from now on follow it (those already started keep theirs),
    and it no longer changes. It needs at least one item in each of its sections, and no newer version published."""
    versions = _versions_locked()
    template = next((version for version in versions if version.pk == template.pk), None)
    if template is None:
        raise ValidationError(_("Cette version n'existe plus."))
    if template.is_published:
        raise ValidationError(
            _("La version %(version)s est déjà publiée (le %(date)s) : copiez-la pour en préparer une nouvelle.")
            % {"version": template.version, "date": formats.date_format(timezone.localtime(template.published_at))}
        )
    newer = [v.version for v in versions if v.is_published and v.version > template.version]
    if newer:
        raise ValidationError(
            _(
                "Une version plus récente (%(newer)s) est déjà publiée : la version %(version)s ne peut plus l'être. "
                "Copiez la version publiée pour en préparer une nouvelle."
            )
            % {"newer": max(newer), "version": template.version}
        )
    sections = list(template.sections.annotate(item_count=Count("items")).order_by("position"))
    if not sections:
        raise ValidationError(
            _("La version %(version)s n'a aucun point : ajoutez ses rubriques et leurs points avant de la publier.")
            % {"version": template.version}
        )
    empty = [section.title_fr for section in sections if not section.item_count]
    if empty:
        raise ValidationError(
            _(
                "La version %(version)s a des rubriques sans aucun point (%(sections)s) : complétez-les ou "
                "supprimez-les."
            )
            % {"version": template.version, "sections": ", ".join(empty)}
        )
    template.published_at = now or timezone.now()
    template.full_clean()
    template.save(update_fields=["published_at"])
    return template


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


def can_see(user, checklist: Checklist) -> bool:
    """`user` sees the checklist (the scoping layer: its training body, and those the person agreed to share it
    with)."""
    return Checklist.objects.for_user(user).filter(pk=checklist.pk).exists()


@dataclass(frozen=True)
class ActionOwners:
    """Who a checklist's follow-up actions may be given to: `everyone` for any item, `health` for a health item."""

    everyone: list
    health: list

    def for_item(self, item: ChecklistItem) -> list:
        return self.health if item.sensitive else self.everyone


def action_owners(checklist: Checklist) -> ActionOwners:
    """Who a follow-up action may be given to: those who see the checklist, since its to-do names the person, the
    item and what to do (docs/design.md §6): the training body's staff, and the pathway's referent and prescribing
    adviser only if the person agreed to share the checklist with them. A health item's action, like its comment,
    only to those who may read it (`can_read_sensitive`). A few queries, whatever the staff."""
    pathway = checklist.stage.pathway
    staff = [
        m.user
        for m in Membership.objects.active()
        .filter(organisation=checklist.organisation_id, role__in=scoping.STAGE_STAFF_ROLES)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    ]
    everyone = {user.pk: user for user in staff}
    health = dict(everyone)
    # Without the person's agreement nobody outside the training body sees it: no need to ask the scoping layer.
    others = [pathway.referent, pathway.prescribing_adviser] if checklist.consent else []
    for person in others:
        if person is None or person.pk in everyone or not can_see(person, checklist):
            continue
        everyone[person.pk] = person
        if can_read_sensitive(person, checklist):
            health[person.pk] = person
    return ActionOwners(everyone=list(everyone.values()), health=list(health.values()))


def _owner_refused(checklist: Checklist, item: ChecklistItem, owners: ActionOwners, owner) -> str:
    """Why `owner` may not take `item`'s action (the field's message)."""
    if item.sensitive and owner in owners.everyone:
        return _(
            "Une action sur un point de santé revient à l'équipe de l'organisme ou au ou à la référent·e : "
            "%(name)s ne lit pas les données de santé."
        ) % {"name": owner.get_full_name()}
    if checklist.consent is None:
        return _(
            "La réponse de la personne sur le partage n'est pas encore notée : l'action revient à l'équipe de "
            "l'organisme."
        )
    if not checklist.consent:
        return _(
            "La personne n'a pas accepté le partage de la check-list : l'action revient à l'équipe de l'organisme."
        )
    return _(
        "L'action revient à l'équipe de l'organisme, ou à qui la personne a accepté de partager la check-list "
        "(%(scope)s)."
    ) % {"scope": checklist.get_consent_scope_display().lower()}


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
    owners = action_owners(checklist)
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
            elif owner not in owners.for_item(item):
                errors[f"{item.code}-action_owner"] = _owner_refused(checklist, item, owners, owner)
            if due is None:
                errors[f"{item.code}-action_due"] = _("Donnez une échéance.")
            elif due < today:
                errors[f"{item.code}-action_due"] = _("L'échéance ne peut pas être passée.")
        comment = (row.get("comment") or "").strip()
        for part, text, limit in (("comment", comment, COMMENT_MAX_LENGTH), ("action", action, ACTION_MAX_LENGTH)):
            try:
                check_length(text, max_length=limit, field=f"{item.code}-{part}")
            except ValidationError as error:
                errors.update(error.message_dict)
        cleaned.append((item, answer, comment, action, owner, due))
    if errors:
        raise ValidationError(errors)
    existing = {a.item_id: a for a in ChecklistAnswer.objects.filter(checklist=checklist, item__in=items)}
    saved = []
    for item, answer, comment, action, owner, due in cleaned:
        row = existing.get(item.pk) or ChecklistAnswer(checklist=checklist, item=item)
        row.answer, row.comment, row.action, row.action_owner, row.action_due = answer, comment, action, owner, due
        row.updated_by = by
        row.save()
        saved.append(row)
        _todo_follow(checklist, row, by=by)
    Checklist.objects.filter(pk=checklist.pk).update(updated_at=timezone.now())
    return saved


def _todo_follow(checklist: Checklist, answer: ChecklistAnswer, *, by) -> None:
    """The to-do of an answer's follow-up action follows it: its owner's, with what to do, the person and the item
    (its owner sees the checklist: `action_owners`); none once the action is gone."""
    source = f"checklist-answer:{checklist.pk}:{answer.item.code}"
    if not answer.action:
        todo_cancel(source_key=source)
        return
    todo_set(
        source_key=source,
        owner=answer.action_owner,
        title=answer.action,
        context=_("%(person)s · check-list, %(item)s")
        % {"person": checklist.stage.pathway.beneficiary.full_name, "item": answer.item.label_fr},
        due_on=answer.action_due,
        url=checklist.get_absolute_url(),
        by=by,
        stage=checklist.stage,
    )


@transaction.atomic
def consent_record(
    *, checklist: Checklist, by, consent: bool, scope: str = "", on: datetime.date | None = None
) -> tuple[Checklist, list[ChecklistAnswer]]:
    """Record the person's answer to sharing the checklist with the prescriber and the referent (yes or no, the
    date, with whom). Without it, neither sees the checklist, and its alert only says that a risk needs a contact.

    The follow-up actions of people who no longer see the checklist (the agreement withdrawn or narrowed) come back
    to `by`, with their to-dos: (checklist, the answers whose action came back)."""
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
    return checklist, _actions_take_back(checklist, by=by)


def _actions_take_back(checklist: Checklist, *, by) -> list[ChecklistAnswer]:
    """Give `by` (of the training body) the actions of those who may no longer own them; their to-dos move with
    them, done or not, so that their text leaves the lists of people who no longer see the checklist."""
    owners = action_owners(checklist)
    taken_back = []
    answers = (
        ChecklistAnswer.objects.filter(checklist=checklist, action_owner__isnull=False)
        .select_related("item", "action_owner")
        .order_by("item__section__position", "item__position")
    )
    for answer in answers:
        if answer.action_owner in owners.for_item(answer.item):
            continue
        answer.action_owner = by
        answer.updated_by = by
        answer.save(update_fields=["action_owner", "updated_by", "updated_at"])
        _todo_follow(checklist, answer, by=by)
        taken_back.append(answer)
    return taken_back


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
