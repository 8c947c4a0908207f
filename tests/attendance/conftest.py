"""A small attendance world on a fixed calendar: a Monday-to-Friday session from 4 May to 26 June 2026 (8 May,
Ascension Thursday 14 May and Whit Monday 25 May are public holidays), three people in progress."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from attendance.models import Mark, Slot
from attendance.services import Entry, calendar_generate, sheet_save
from pathways.models import Membership, Stage
from tests.accounts.factories import UserFactory
from tests.pathways.factories import (
    BeneficiaryFactory,
    EnrolmentFactory,
    OrganisationFactory,
    PathwayFactory,
    ProgrammeFactory,
    SessionFactory,
    StageFactory,
    TrainingActionFactory,
)

START = datetime.date(2026, 5, 4)  # a Monday
END = datetime.date(2026, 6, 26)


@pytest.fixture
def frozen():
    """Travel to a given local day at 10:00 (Paris): `frozen(date)`."""
    travellers = []

    def travel(day):
        moment = datetime.datetime.combine(day, datetime.time(10), tzinfo=timezone.get_current_timezone())
        traveller = time_machine.travel(moment, tick=False)
        traveller.start()
        travellers.append(traveller)

    yield travel
    for traveller in reversed(travellers):
        traveller.stop()


class Class:
    """The fixture's objects, with helpers to mark attendance."""

    def __init__(self):
        self.body = OrganisationFactory(name="INSUP Cenon")
        self.trainer = Membership.objects.create(
            user=UserFactory(), organisation=self.body, role=Membership.Role.TRAINER
        ).user
        self.manager = Membership.objects.create(
            user=UserFactory(), organisation=self.body, role=Membership.Role.PEDAGOGICAL_MANAGER
        ).user
        self.org_manager = Membership.objects.create(
            user=UserFactory(), organisation=self.body, role=Membership.Role.ORG_MANAGER
        ).user
        self.programme = ProgrammeFactory()
        self.action = TrainingActionFactory(training_body=self.body, programme=self.programme, title="CAP Cuisine")
        self.session = SessionFactory(training_action=self.action, start_date=START, end_date=END, weekdays=31)
        calendar_generate(session=self.session)
        self.stages = []
        for first, last in [("Inès", "Lefèvre"), ("Karim", "Benali"), ("Zoé", "Martin")]:
            referent = UserFactory()
            pathway = PathwayFactory(
                beneficiary=BeneficiaryFactory(first_name=first, last_name=last), referent=referent
            )
            stage = StageFactory(
                pathway=pathway,
                organisation=self.body,
                programme=self.programme,
                planned_start=START,
                planned_end=END,
                status=Stage.Status.IN_PROGRESS,
                actual_start=START,
            )
            EnrolmentFactory(stage=stage, session=self.session)
            self.stages.append(stage)

    def slot(self, day, period="am"):
        return Slot.objects.get(session=self.session, date=day, period=period)

    def mark(self, stage, day, status, periods=("am", "pm"), reason=""):
        """Record marks directly through the service, as the pedagogical manager (no lock, no conflict)."""
        entries = []
        for period in periods:
            slot = self.slot(day, period)
            existing = Mark.objects.filter(slot=slot, stage=stage).first()
            entries.append(
                Entry(
                    stage_id=stage.pk,
                    slot_id=slot.pk,
                    status=status,
                    reason=reason,
                    seen_version=existing.version if existing else 0,
                )
            )
        with time_machine.travel(
            datetime.datetime.combine(day, datetime.time(18), tzinfo=timezone.get_current_timezone()), tick=False
        ):
            result = sheet_save(session=self.session, day=day, by=self.manager, entries=entries, may_edit_locked=True)
        assert not result.errors and not result.conflicts, (result.errors, result.conflicts)


@pytest.fixture
def klass(db):
    return Class()


def training_days(start, end):
    from core.calendar import training_days as days

    return list(days(start, end, 31))
