"""Demo speaking groups for `seed_demo` (issue 17), through the real services, as the facilitators would record them.

"Parole et Parcours" (the demo's support structure, two facilitators) runs a group on the two running sessions of the
demo training body (INSUP Cenon) with the most people enrolled, co-run by its pedagogical manager:
- a collective workshop every other week since the sessions began, the past ones with their attendance (about six
  people in ten) and a short note; two upcoming ones;
- a weekly drop-in hour (Tuesday morning), with past appointments (one person came, one did not) and upcoming ones
  (the person is sent a confirmation by e-mail and SMS);
- hotline calls (some anonymous), contacts with outside services, a summary shared with a referent with the
  person's agreement, an anonymised feedback on the training and the pedagogical manager's answer;
- two post-rupture cases: an abandon declared by the trainer, followed up until the person found another training;
  and a rupture the facilitator declared for a person who asked for help, still under way.
People on the demo trainer's watch list are left alone, as `ruptures.demo` does.

Idempotent: nothing happens when the region has a speaking group already.
"""

import datetime
import random

from auditlog.context import set_actor
from django.db.models import Count, Q
from django.utils import timezone

from attendance.demo import DEMO_BODY
from attendance.models import Drift
from pathways.models import Membership, Organisation, Session, Stage
from ruptures.models import Cause, Rupture
from ruptures.services import rupture_declare
from speaking_groups.models import CaseEntry, DropInBooking, HotlineCall, NetworkContact, PostRuptureCase, SpeakingGroup
from speaking_groups.services import cases as case_services
from speaking_groups.services import dropins as dropin_services
from speaking_groups.services import feedback as feedback_services
from speaking_groups.services import groups as group_services
from speaking_groups.services import support as support_services

Role = Membership.Role
SUPPORT = "Parole et Parcours"
SECOND_FACILITATOR = "intervenante2@parole-et-parcours.demo.sans-rupture.fr"
THEMES = [
    "Se présenter, trouver sa place dans le groupe",
    "Concilier formation et vie de famille",
    "Quand le rythme de la formation devient difficile",
    "Préparer le stage en entreprise",
    "Le transport et les imprévus du quotidien",
    "Après la formation : en parler sans crainte",
]
NOTES = [
    "Groupe attentif ; plusieurs personnes évoquent la fatigue des trajets.",
    "Échanges riches sur l'organisation familiale ; deux personnes souhaitent un rendez-vous individuel.",
    "Climat détendu ; le rythme des cours reste la préoccupation principale.",
]


def seed_speaking_groups(*, region, today: datetime.date, stdout=None) -> dict:
    if SpeakingGroup.objects.filter(support_organisation__region=region).exists():
        return {"skipped": True}
    support = Organisation.objects.filter(region=region, name=SUPPORT, kind=Organisation.Kind.SUPPORT).first()
    body = Organisation.objects.filter(region=region, name=DEMO_BODY).first()
    if support is None or body is None:
        return {"skipped": True}
    facilitators = _facilitators(support)
    co_facilitator = (
        Membership.objects.active()
        .filter(organisation=body, role=Role.PEDAGOGICAL_MANAGER)
        .select_related("user")
        .order_by("user__email")
        .first()
    )
    sessions = list(
        Session.objects.filter(training_action__training_body=body, start_date__lte=today, end_date__gte=today)
        .annotate(people=Count("enrolments", filter=Q(enrolments__stage__status=Stage.Status.IN_PROGRESS)))
        .filter(people__gt=0)
        .order_by("-people", "pk")[:2]
    )
    if not sessions:
        return {"skipped": True}
    group = group_services.group_create(
        by=facilitators[0],
        support_organisation=support,
        training_body=body,
        name="Groupe de parole INSUP Cenon",
        sessions=sessions,
        facilitators=facilitators,
        co_facilitator=co_facilitator.user if co_facilitator else None,
    )
    rng = random.Random(17)
    counts = {"groups": 1, "workshops": 0, "attendances": 0}
    for session in sessions:
        people = list(group_services.enrolled_stages(session).filter(status=Stage.Status.IN_PROGRESS))
        day = session.start_date + datetime.timedelta(days=(3 - session.start_date.weekday()) % 7 + 7)
        number = 0
        while day <= min(session.end_date, today + datetime.timedelta(days=28)):
            theme = THEMES[number % len(THEMES)]
            workshop = group_services.workshop_create(
                group=group,
                by=facilitators[number % len(facilitators)],
                session=session,
                date=day,
                start_time=datetime.time(14, 0),
                end_time=datetime.time(15, 30),
                theme=theme,
            )
            counts["workshops"] += 1
            if day <= today and people:
                came = [stage for stage in people if rng.random() < 0.6]
                counts["attendances"] += group_services.workshop_attendance_set(
                    workshop=workshop, by=facilitators[0], stages=came
                )
                group_services.workshop_notes_save(workshop=workshop, by=facilitators[0], notes=rng.choice(NOTES))
            number += 1
            day += datetime.timedelta(days=14)
    people = [
        stage
        for session in sessions
        for stage in group_services.enrolled_stages(session).filter(status=Stage.Status.IN_PROGRESS)
        if not Drift.objects.live().filter(stage=stage).exists()
    ]
    counts.update(_drop_ins(group, facilitators, people, today, rng))
    counts.update(_support(group, support, facilitators, people, today))
    counts.update(_feedback(group, facilitators, co_facilitator.user if co_facilitator else None))
    counts.update(_cases(group, facilitators, people, today))
    if stdout is not None:
        stdout.write(
            f"  Groupes de parole : {counts['groups']} groupe · {counts['workshops']} atelier(s) · "
            f"{counts['attendances']} présence(s) · {counts['bookings']} rendez-vous de permanence · "
            f"{counts['calls']} appel(s) · {counts['cases']} intervention(s) post-rupture"
        )
    return counts


def _drop_ins(group, facilitators, people, today, rng) -> dict:
    """A weekly drop-in hour since the group began; two past appointments (one came, one did not), three upcoming."""
    start = min(session.start_date for session in group.sessions.all())
    slot = dropin_services.slot_create(
        group=group,
        by=facilitators[0],
        weekday=1,
        start_time=datetime.time(10, 0),
        duration_minutes=45,
        capacity=3,
        starts_on=start,
        place="Parole et Parcours, 12 avenue Jean Jaurès, Cenon (salle 2)",
    )
    past = [day for day in dropin_services.occurrences(slot, today - datetime.timedelta(days=28), today) if day < today]
    booked = 0
    for day, stage, status in zip(
        past[-2:], people[:2], [DropInBooking.Status.ATTENDED, DropInBooking.Status.NO_SHOW], strict=False
    ):
        # Appointments of the past weeks (the service books only from today on): recorded as they went.
        DropInBooking.objects.create(
            slot=slot,
            date=day,
            stage=stage,
            requested_via=DropInBooking.RequestedVia.TRAINER,
            agreement_recorded=True,
            status=status,
            notes="Point sur l'organisation des trajets ; la personne souhaite revenir."
            if status == "attended"
            else "",
            booked_by=facilitators[0],
        )
        booked += 1
    upcoming = list(
        dropin_services.occurrences(slot, today + datetime.timedelta(days=1), today + datetime.timedelta(days=21))
    )
    for day, stage in zip(upcoming, people[2:5], strict=False):
        dropin_services.booking_create(
            slot=slot,
            by=facilitators[0],
            date=day,
            stage=stage,
            requested_via=rng.choice([DropInBooking.RequestedVia.PHONE, DropInBooking.RequestedVia.IN_PERSON]),
            agreement_recorded=True,
        )
        booked += 1
    return {"bookings": booked}


CALLS = [
    # (days ago, minutes, topic, urgency, outcome, linked to a person)
    (1, 12, "conditions", HotlineCall.Urgency.MEDIUM, HotlineCall.Outcome.DROP_IN_BOOKED, True),
    (3, 6, "content", HotlineCall.Urgency.LOW, HotlineCall.Outcome.LISTENED, False),
    (6, 25, "conditions", HotlineCall.Urgency.HIGH, HotlineCall.Outcome.ORIENTED, True),
    (9, 8, "project", HotlineCall.Urgency.LOW, HotlineCall.Outcome.INFORMED, False),
    (13, 15, "unforeseen", HotlineCall.Urgency.MEDIUM, HotlineCall.Outcome.CALLBACK, False),
]


CALL_NOTES = [
    "Appel après une semaine difficile ; rassuré·e sur la suite de la formation.",
    "Questions sur le contenu des cours ; conseil d'en parler au formateur, rappel proposé.",
    "Perte du logement annoncée ; orientation vers le SIAO, rendez-vous de permanence proposé.",
    "Hésite sur son projet ; informé·e des ateliers collectifs du jeudi.",
    "Décès dans la famille ; absence de quelques jours à prévoir, à rappeler lundi.",
]


def _support(group, support, facilitators, people, today) -> dict:
    """Hotline calls, two contacts with outside services and a summary shared with a referent."""
    facilitator = facilitators[0]
    for number, (days_ago, minutes, topic, urgency, outcome, linked) in enumerate(CALLS):
        support_services.hotline_call_log(
            by=facilitator,
            support_organisation=support,
            duration_minutes=minutes,
            topic=topic,
            outcome=outcome,
            urgency=urgency,
            called_at=timezone.now() - datetime.timedelta(days=days_ago, hours=number + 1),
            stage=people[5 + number] if linked and len(people) > 5 + number else None,
            group=group,
            notes=CALL_NOTES[number % len(CALL_NOTES)],
        )
    contacts = 0
    for stage, service, name in zip(
        people[5:7],
        [NetworkContact.Service.HOUSING, NetworkContact.Service.MOBILITY],
        ["SIAO de la Gironde", "Plateforme mobilité Wimoov Bordeaux"],
        strict=False,
    ):
        support_services.network_contact_log(
            by=facilitator,
            stage=stage,
            support_organisation=support,
            service=service,
            service_name=name,
            contacted_on=today - datetime.timedelta(days=4),
            notes="Dossier transmis, rendez-vous proposé la semaine prochaine.",
        )
        contacts += 1
    shares = 0
    shared = next((stage for stage in people[5:] if stage.pathway.referent_id), None)
    if shared is not None:
        support_services.referent_share(
            by=facilitator,
            stage=shared,
            support_organisation=support,
            summary=(
                "La personne a trouvé une solution de transport jusqu'à la fin de la session ; elle souhaite un point "
                "avec vous sur son projet après la formation."
            ),
            consent_given=True,
            consent_on=today - datetime.timedelta(days=2),
            consent_scope="La solution de transport et son souhait d'un point sur la suite.",
        )
        shares = 1
    return {"calls": len(CALLS), "contacts": contacts, "shares": shares}


def _feedback(group, facilitators, co_facilitator) -> dict:
    item = feedback_services.feedback_send(
        group=group,
        by=facilitators[0],
        theme="pace",
        text=(
            "Plusieurs personnes trouvent le rythme des cours de l'après-midi très soutenu après les trajets du matin. "
            "Une pause plus longue en début d'après-midi est évoquée."
        ),
    )
    if co_facilitator is not None:
        feedback_services.feedback_reply(
            item=item,
            by=co_facilitator,
            text="Depuis ce lundi, la pause de 14 h passe à 20 minutes et les évaluations sont déplacées au matin.",
        )
    return {"feedback": 1}


def _cases(group, facilitators, people, today) -> dict:
    """Two post-rupture cases: one declared by the trainer and closed with another training; one the facilitator
    declared for a person who asked for help, under way."""
    candidates = people[8:]
    if len(candidates) < 2:
        return {"cases": 0}
    facilitator = facilitators[0]
    trainer = (
        Membership.objects.active()
        .filter(organisation=group.training_body, role=Role.TRAINER)
        .select_related("user")
        .order_by("user__email")
        .first()
    )
    first, second = candidates[:2]
    occurred = max(today - datetime.timedelta(days=40), first.actual_start)
    with set_actor(trainer.user):
        rupture = rupture_declare(
            stage=first,
            by=trainer.user,
            kind=Rupture.Kind.ABANDON,
            main_cause=Cause.CONTENT_LEVEL,
            causes=[Cause.CONDITIONS_REMUNERATION],
            identified_by=Rupture.IdentifiedBy.TRAINER,
            occurred_on=occurred,
            reminders=[],
            no_reminder_reason="La personne a annoncé elle-même son départ au formateur.",
        )
    case = case_services.case_open(rupture=rupture, by=facilitator)
    case_services.case_entry_add(
        case=case,
        by=facilitator,
        kind=CaseEntry.Kind.CONTACT,
        on=occurred + datetime.timedelta(days=3),
        text="Entretien : le niveau attendu en mathématiques l'a découragé·e ; intéressé·e par une remise à niveau.",
    )
    case_services.case_entry_add(
        case=case,
        by=facilitator,
        kind=CaseEntry.Kind.PROPOSAL,
        on=occurred_plus(occurred, 10),
        text="Proposition d'une pré-qualification avec remise à niveau, en lien avec la conseillère.",
    )
    case_services.case_outcome_record(
        case=case,
        by=facilitator,
        outcome=PostRuptureCase.Outcome.OTHER_TRAINING,
        outcome_on=occurred_plus(occurred, 30),
    )
    occurred = max(today - datetime.timedelta(days=5), second.actual_start)
    with set_actor(facilitator):
        rupture = rupture_declare(
            stage=second,
            by=facilitator,
            kind=Rupture.Kind.INTERRUPTION,
            main_cause=Cause.CONDITIONS_HOUSING,
            causes=[],
            identified_by=Rupture.IdentifiedBy.PERSON,
            occurred_on=occurred,
            planned_resume=occurred + datetime.timedelta(days=30),
            reminders=[],
            no_reminder_reason="La personne a appelé la hotline pour prévenir.",
        )
    case = case_services.case_open(rupture=rupture, by=facilitator, requested_by_person=True)
    case_services.case_entry_add(
        case=case,
        by=facilitator,
        kind=CaseEntry.Kind.CONTACT,
        on=occurred,
        text="Hébergement perdu ; orientation vers le SIAO, rendez-vous pris.",
    )
    return {"cases": 2}


def occurred_plus(day: datetime.date, days: int) -> datetime.date:
    """`days` after `day`, but never after today (the services refuse a date in the future)."""
    return min(day + datetime.timedelta(days=days), timezone.localdate())


def _facilitators(support) -> list:
    """The structure's facilitators; a second one is added (same password as the first) when it has only one."""
    from django.contrib.auth import get_user_model

    members = list(
        Membership.objects.active()
        .filter(organisation=support, role=Role.FACILITATOR)
        .select_related("user")
        .order_by("user__email")
    )
    users = [m.user for m in members]
    if len(users) == 1:
        first = users[0]
        second, _created = get_user_model().objects.get_or_create(
            email=SECOND_FACILITATOR,
            defaults={"first_name": "Aïcha", "last_name": "Benali", "password": first.password, "language": "fr"},
        )
        Membership.objects.get_or_create(user=second, organisation=support, role=Role.FACILITATOR)
        users.append(second)
    return users
