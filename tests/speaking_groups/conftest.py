"""A speaking group in the shared world: run by the world's support structure (its facilitator), attached to the
world's session of its training body, co-run by the training body's pedagogical manager, with one past workshop that
the world's person attended."""

import datetime
from dataclasses import dataclass

import pytest

from speaking_groups.models import SpeakingGroup, Workshop, WorkshopAttendance

WORKSHOP_NOTE = "MARQUEUR-NOTE-ATELIER"


@dataclass
class Group:
    group: SpeakingGroup
    workshop: Workshop
    facilitator: object
    co_facilitator: object


@pytest.fixture
def speaking_group(world):
    facilitator = world.user("facilitator")
    co_facilitator = world.user("pedagogical_manager")
    group = SpeakingGroup.objects.create(
        support_organisation=world.support,
        training_body=world.training_body,
        name="Groupe ADVF",
        co_facilitator=co_facilitator,
        created_by=facilitator,
    )
    group.sessions.add(world.session)
    group.facilitators.add(facilitator)
    workshop = Workshop.objects.create(
        group=group,
        session=world.session,
        date=world.today - datetime.timedelta(days=2),
        start_time=datetime.time(14, 0),
        end_time=datetime.time(16, 0),
        theme="Trouver sa place dans le groupe",
        co_facilitator=co_facilitator,
        notes=WORKSHOP_NOTE,
        created_by=facilitator,
    )
    WorkshopAttendance.objects.create(workshop=workshop, stage=world.stage, recorded_by=facilitator)
    return Group(group=group, workshop=workshop, facilitator=facilitator, co_facilitator=co_facilitator)
