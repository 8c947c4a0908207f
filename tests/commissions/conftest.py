"""Hand-built data for the commissions: a basin with its training body, prescriber and session, a frozen clock."""

import datetime
import zoneinfo
from dataclasses import dataclass

import pytest
import time_machine

from alerts.models import Alert
from commissions.services.commissions import commission_setup
from pathways.models import Membership, Stage
from ruptures.models import Rupture
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

DAY = datetime.timedelta(days=1)

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


@pytest.fixture
def commission(place):
    other = OrganisationFactory(name="France Travail Lormont", region=place.region, prescriber=True)
    place.other_adviser = Membership.objects.create(
        user=UserFactory(first_name="Autre", last_name="Conseillère"),
        organisation=other,
        role=Membership.Role.PRESCRIBER_ADVISER,
    ).user
    delegates = Membership.objects.filter(user__in=[place.trainer, place.adviser, place.other_adviser])
    return commission_setup(
        basin=place.basin,
        by=place.coordinator,
        organisations=[place.training_body, place.prescriber, other],
        delegates=list(delegates),
        cadence_weeks=6,
        usual_place="Maison de l'emploi; salle 2, Cenon",
    )


def at(day, hour=14):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=PARIS)


def a_case(place):
    """A person whose stage was abandoned nine days ago (a rupture, with its alert still new)."""
    stage = place.stage(status=Stage.Status.ABANDONED, actual_end=TODAY - 9 * DAY)
    Rupture.objects.create(
        stage=stage,
        kind=Rupture.Kind.ABANDON,
        occurred_on=TODAY - 9 * DAY,
        main_cause="conditions.transport",
        identified_by=Rupture.IdentifiedBy.TRAINER,
        declared_by=place.trainer,
    )
    Alert.objects.create(kind="rupture", stage=stage, inbox=place.prescriber)
    return stage
