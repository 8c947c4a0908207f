"""Hand-built data for the commissions: a basin with its training body, prescriber and session, a frozen clock."""

import datetime
import zoneinfo
from dataclasses import dataclass

import pytest
import time_machine

from pathways.models import Membership, Stage
from tests.accounts.factories import UserFactory
from tests.pathways.factories import (
    BasinFactory,
    BeneficiaryFactory,
    CommuneFactory,
    EnrolmentFactory,
    OrganisationFactory,
    PathwayFactory,
    RegionFactory,
    SessionFactory,
    StageFactory,
    TrainingActionFactory,
)

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
TODAY = datetime.date(2026, 3, 10)
Role = Membership.Role


@dataclass
class Basin:
    region: object
    basin: object
    other_basin: object
    commune: object
    training_body: object
    prescriber: object
    funder: object
    session: object
    trainer: object
    adviser: object
    coordinator: object
    officer: object

    def stage(
        self,
        *,
        pathway=None,
        status=Stage.Status.IN_PROGRESS,
        start=None,
        end=None,
        actual_end=None,
        session=None,
        **extra,
    ):
        """A stage of a person of the basin in the basin's session (or `session`), started on `start`."""
        start = start or TODAY - datetime.timedelta(days=60)
        if pathway is None:
            person = BeneficiaryFactory(region=self.region, commune=self.commune)
            pathway = PathwayFactory(
                beneficiary=person,
                referent=self.adviser,
                opened_by=self.prescriber,
                prescribing_organisation=self.prescriber,
                prescribing_adviser=self.adviser,
            )
        started = status != Stage.Status.PLANNED
        stage = StageFactory(
            pathway=pathway,
            organisation=self.training_body,
            status=status,
            planned_start=start,
            planned_end=end or start + datetime.timedelta(days=180),
            actual_start=start if started else None,
            actual_end=actual_end,
            **extra,
        )
        EnrolmentFactory(stage=stage, session=session or self.session)
        return stage


@pytest.fixture
def frozen():
    with time_machine.travel(datetime.datetime(2026, 3, 10, 10, 0, tzinfo=PARIS), tick=False):
        yield TODAY


@pytest.fixture
def place(db, frozen):
    region = RegionFactory(code="75", name="Nouvelle-Aquitaine")
    basin = BasinFactory(region=region, code="7505", name="Bordeaux")
    other_basin = BasinFactory(region=region, code="7510", name="Libourne")
    commune = CommuneFactory(basin=basin)
    training_body = OrganisationFactory(name="INSUP Cenon", region=region)
    prescriber = OrganisationFactory(name="Mission Locale", region=region, prescriber=True)
    funder = OrganisationFactory(name="Région", region=region, funder=True)
    region.scheme_organisation = funder
    region.save()
    action = TrainingActionFactory(training_body=training_body, basin=basin, funder=funder)
    session = SessionFactory(
        training_action=action,
        start_date=TODAY - datetime.timedelta(days=90),
        end_date=TODAY + datetime.timedelta(days=90),
    )

    def member(org, role, **extra):
        return Membership.objects.create(user=UserFactory(), organisation=org, role=role, **extra).user

    return Basin(
        region=region,
        basin=basin,
        other_basin=other_basin,
        commune=commune,
        training_body=training_body,
        prescriber=prescriber,
        funder=funder,
        session=session,
        trainer=member(training_body, Role.TRAINER),
        adviser=member(prescriber, Role.PRESCRIBER_ADVISER),
        coordinator=member(funder, Role.BASIN_COORDINATOR, basin=basin),
        officer=member(funder, Role.REGIONAL_OFFICER),
    )
