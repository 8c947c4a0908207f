"""Demo speaking groups for `seed_demo` (issue 17), through the real services, as the facilitators would record them.

"Parole et Parcours" (the demo's support structure, two facilitators) runs a group on the two running sessions of the
demo training body (INSUP Cenon) with the most people enrolled, co-run by its pedagogical manager: a collective
workshop every other week since the sessions began, the past ones with their attendance (about six people in ten) and
a short note; two upcoming ones.

Idempotent: nothing happens when the region has a speaking group already.
"""

import datetime
import random

from django.db.models import Count, Q

from attendance.demo import DEMO_BODY
from pathways.models import Membership, Organisation, Session, Stage
from speaking_groups.models import SpeakingGroup
from speaking_groups.services import groups as group_services

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
    if stdout is not None:
        stdout.write(
            f"  Groupes de parole : {counts['groups']} groupe · {counts['workshops']} atelier(s) · "
            f"{counts['attendances']} présence(s)"
        )
    return counts


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
