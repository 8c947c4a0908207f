"""Demo checklists for `seed_demo`, through the real services (`checklist.services`), as the training bodies' staff
would fill them with each person.

Most entrants of the demo sessions whose stage is not over had their checklist submitted a few days before they
started (so the coverage and the effect figures have something to show); a few had points at risk, which alerted
their prescriber (the older alerts acknowledged by the adviser, the recent ones still new); some points are "to
watch", with a follow-up action in a staff member's to-do list; a few people have no checklist, among them some of
the demo trainer's, so that the day view and the list flag them; some upcoming stages have a checklist in progress.

The services stamp their rows with the current time; submissions and their alerts are then backdated to the day
they were made. Idempotent: nothing happens when any checklist exists in the region.
"""

import datetime

from auditlog.context import set_actor
from django.utils import timezone

from alerts.models import Alert, AlertAction
from alerts.services import alert_acknowledge, alert_act
from attendance.demo import DEMO_BODY
from checklist.models import Answer, Checklist, ChecklistRevision, ChecklistTemplate
from checklist.services import FILLABLE_STATUSES, checklist_start, checklist_submit, consent_record, section_save
from pathways.models import Membership, Stage

Role = Membership.Role
CALLED = "Point fait avec la personne."
Scope = Checklist.ConsentScope
# Points that are at risk or to watch, and what is done about them: (item code, comment, action).
RISKS = [
    ("housing", "Hébergée chez un tiers jusqu'à la fin du mois.", "Orienter vers le SIAO pour un hébergement"),
    ("transport", "Pas de bus avant 8 h depuis sa commune.", "Demander une aide à la mobilité"),
    ("childcare", "Pas de solution de garde le mercredi.", "Chercher une place en accueil de loisirs"),
    ("remuneration", "Dossier de rémunération incomplet.", "Compléter le dossier de rémunération"),
    ("residence_permit", "Titre de séjour à renouveler dans deux mois.", "Prendre rendez-vous en préfecture"),
]
WATCH = [
    ("digital", "Pas d'ordinateur à la maison.", "Prêter un ordinateur portable"),
    ("budget", "Budget serré pendant la formation.", ""),
    ("driving_licence", "Code en cours.", ""),
    ("health", "Suivi médical régulier, compatible avec les horaires.", ""),
]


def seed_checklists(*, region, today: datetime.date, rng, stdout=None) -> dict:
    if Checklist.objects.filter(stage__pathway__beneficiary__region=region).exists():
        return {"skipped": True}
    template = ChecklistTemplate.objects.current()
    if template is None:
        return {"skipped": True}
    sections = list(template.sections.prefetch_related("items").order_by("position"))
    staff = {}
    for membership in (
        Membership.objects.active()
        .filter(organisation__region=region, role__in=[Role.TRAINER, Role.PEDAGOGICAL_MANAGER])
        .select_related("user")
        .order_by("role", "user__email")
    ):
        staff.setdefault(membership.organisation_id, membership.user)
    stages = list(
        Stage.objects.filter(
            pathway__beneficiary__region=region,
            enrolment__isnull=False,
            organisation__in=list(staff),
            status__in=FILLABLE_STATUSES,
        )
        .select_related("pathway__beneficiary", "pathway__prescribing_adviser", "organisation")
        .order_by("planned_start", "pk")
    )
    counts = {"submitted": 0, "alerted": 0, "without": 0, "in_progress": 0}
    demo_left_out = 0
    for stage in stages:
        start = stage.actual_start or stage.planned_start
        upcoming = stage.status == Stage.Status.PLANNED
        draw = rng.random()
        # A few without a checklist, the demo trainer's among them (flagged on the day view).
        if stage.organisation.name == DEMO_BODY and stage.status == Stage.Status.IN_PROGRESS and demo_left_out < 2:
            demo_left_out += 1
            counts["without"] += 1
            continue
        if draw < 0.08 or (upcoming and draw < 0.4):
            counts["without"] += 1
            continue
        by = staff[stage.organisation_id]
        with set_actor(by):
            checklist = checklist_start(stage=stage, by=by)
            risky = RISKS[rng.randrange(len(RISKS))] if draw > 0.86 else None
            watched = WATCH[rng.randrange(len(WATCH))] if draw > 0.6 else None
            due = max(today + datetime.timedelta(days=7), start + datetime.timedelta(days=7))
            for section in sections:
                rows = []
                for item in section.items.all():
                    row = {"item": item, "answer": Answer.OK}
                    for point, answer in ((risky, Answer.RISK), (watched, Answer.WATCH)):
                        if point is not None and point[0] == item.code:
                            code, comment, action = point
                            row.update(answer=answer, comment=comment)
                            if action:
                                row.update(action=action, action_owner=by, action_due=due)
                    if item.code in ("driving_licence", "residence_permit") and row["answer"] == Answer.OK:
                        row["answer"] = Answer.NOT_APPLICABLE if rng.random() < 0.5 else Answer.OK
                    rows.append(row)
                section_save(checklist=checklist, section=section, by=by, rows=rows, today=min(today, start))
            if upcoming and draw < 0.5:
                counts["in_progress"] += 1  # left to finish with the person
                continue
            shared = draw < 0.93
            consent_record(
                checklist=checklist,
                by=by,
                consent=shared,
                scope=Scope.BOTH if shared else "",
                on=min(today, start - datetime.timedelta(days=3)),
            )
            revision, _created = checklist_submit(checklist=checklist, by=by)
        counts["submitted"] += 1
        submitted_on = min(today, start - datetime.timedelta(days=rng.randint(2, 9)))
        moment = timezone.make_aware(datetime.datetime.combine(submitted_on, datetime.time(14, 30)))
        ChecklistRevision.objects.filter(pk=revision.pk).update(submitted_at=moment)
        alert = Alert.objects.filter(checklist_revision=revision).select_related("stage__pathway").first()
        if alert is not None:
            counts["alerted"] += 1
            Alert.objects.filter(pk=alert.pk).update(created_at=moment)
            adviser = stage.pathway.prescribing_adviser
            if adviser is not None and (today - submitted_on).days > 7:
                with set_actor(adviser):
                    alert_acknowledge(alert=alert, by=adviser)
                    alert_act(alert=alert, by=adviser, kind=AlertAction.Kind.CALLED, note=CALLED)
    if stdout is not None:
        stdout.write(
            f"  Check-lists : {counts['submitted']} transmises ({counts['alerted']} avec des points à risque, "
            f"prescripteur alerté) · {counts['in_progress']} en cours · {counts['without']} personnes sans check-list"
        )
    return counts
