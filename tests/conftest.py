"""Shared fixtures: a small world with one user per demo role plus an outsider (the healthchecks habit)."""

import datetime
import os
import shutil
from dataclasses import dataclass

import pytest
from django.utils import timezone

from pathways.models import JoinRequest, Membership, Stage
from tests.accounts.factories import UserFactory
from tests.pathways.factories import (
    BasinFactory,
    BeneficiaryFactory,
    CommuneFactory,
    EnrolmentFactory,
    OrganisationFactory,
    PathwayFactory,
    ProgrammeFactory,
    RegionFactory,
    SessionFactory,
    StageFactory,
    TrainingActionFactory,
)

Role = Membership.Role

# Every role a person can log in as (DESIGN.md §1), plus an outsider (a trainer of another training body of the
# same region), the platform administrator and an anonymous visitor.
ROLES = [
    "trainer",
    "pedagogical_manager",
    "org_manager",
    "legal_representative",
    "prescriber_adviser",
    "facilitator",
    "regional_officer",
    "basin_coordinator",
    "dpo",
    "admin",
    "outsider",
    "anonymous",
]


@pytest.fixture(autouse=True)
def no_email_session_left_open():
    """A test's deliveries may keep an SMTP session open for the next ones (`notifications.channels`): not past the
    test."""
    yield
    from notifications.channels import close_kept_email_connection

    close_kept_email_connection()


def require_service(available: bool, reason: str):
    """Skip when a service or system package is missing, unless REQUIRE_SERVICES=1 makes that a failure."""
    if available:
        return
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass
class World:
    region: object
    basin: object
    other_basin: object
    commune: object
    programme: object
    training_body: object
    other_training_body: object
    prescriber: object
    funder: object
    support: object
    users: dict
    memberships: dict
    beneficiary: object
    pathway: object
    stage: object
    session: object
    join_request: object
    today: object
    slot: object
    drift: object
    company_period: object
    notification: object

    def user(self, role):
        return self.users[role]


def _member(org, role, user=None, **extra):
    membership = Membership.objects.create(user=user or UserFactory(), organisation=org, role=role, **extra)
    return membership


@pytest.fixture
def world(db):
    region = RegionFactory()
    basin = BasinFactory(region=region, code="7505", name="Bordeaux")
    other_basin = BasinFactory(region=region, code="7510", name="Libourne")
    commune = CommuneFactory(code="33119", name="Cenon", basin=basin)
    programme = ProgrammeFactory(code="hsp", name="HSP premier niveau de qualification")
    training_body = OrganisationFactory(name="INSUP Cenon", region=region)
    other_training_body = OrganisationFactory(name="Autre OF", region=region)
    prescriber = OrganisationFactory(name="Mission Locale des Hauts de Garonne", region=region, prescriber=True)
    funder = OrganisationFactory(name="Région Nouvelle-Aquitaine", region=region, funder=True)
    support = OrganisationFactory(name="Parole et Parcours", region=region, support=True)

    memberships = {
        "trainer": _member(training_body, Role.TRAINER),
        "pedagogical_manager": _member(training_body, Role.PEDAGOGICAL_MANAGER),
        "org_manager": _member(training_body, Role.ORG_MANAGER),
        "legal_representative": _member(prescriber, Role.ORG_MANAGER, is_legal_representative=True),
        "prescriber_adviser": _member(prescriber, Role.PRESCRIBER_ADVISER),
        "facilitator": _member(support, Role.FACILITATOR),
        "regional_officer": _member(funder, Role.REGIONAL_OFFICER),
        "basin_coordinator": _member(funder, Role.BASIN_COORDINATOR, basin=basin),
        "dpo": _member(training_body, Role.DPO),
        "outsider": _member(other_training_body, Role.TRAINER),
    }
    users = {role: m.user for role, m in memberships.items()}
    users["admin"] = UserFactory(is_staff=True, is_superuser=True)
    users["anonymous"] = None

    action = TrainingActionFactory(
        training_body=training_body, basin=basin, programme=programme, funder=funder, title="Titre pro ADVF"
    )
    session = SessionFactory(training_action=action)
    beneficiary = BeneficiaryFactory(region=region, commune=commune, first_name="Zoé", last_name="Martin")
    pathway = PathwayFactory(
        beneficiary=beneficiary,
        referent=users["prescriber_adviser"],
        opened_by=prescriber,
        prescribing_organisation=prescriber,
        prescribing_adviser=users["prescriber_adviser"],
    )
    start = timezone.localdate() - datetime.timedelta(days=20)
    stage = StageFactory(
        pathway=pathway,
        organisation=training_body,
        programme=programme,
        planned_start=start,
        status=Stage.Status.IN_PROGRESS,
        actual_start=start,
    )
    EnrolmentFactory(stage=stage, session=session)
    from attendance.models import CompanyPeriod, Drift, Slot
    from attendance.services import calendar_generate
    from notifications.models import Notification

    today = timezone.localdate()
    # A session running every day, so that today has half-days whatever the weekday (holidays aside).
    session.weekdays = 127
    session.save()
    calendar_generate(session=session)
    slot = Slot.objects.filter(session=session, date__lte=today).order_by("-date", "period").first()
    drift = Drift.objects.create(stage=stage, reason=Drift.Reason.CONSECUTIVE, detail={"count": 2}, risk=40)
    company_period = CompanyPeriod.objects.create(
        session=session, kind=CompanyPeriod.Kind.ALTERNANCE, start_date=session.end_date, end_date=session.end_date
    )
    notification = Notification.objects.create(
        recipient=users["prescriber_adviser"],
        recipient_key=f"user:{users['prescriber_adviser'].pk}",
        kind="stage_transition",
        cause_key="world:1",
        status=Notification.Status.DELIVERED,
        delivered_at=timezone.now(),
        url=pathway.get_absolute_url(),
        params={"person": "Zoé MARTIN", "stage_kind": "qualifying_training", "action": "start", "date": "2026-11-02"},
    )
    requester = _member(other_training_body, Role.PEDAGOGICAL_MANAGER).user
    join_request = JoinRequest.objects.create(
        pathway=pathway, organisation=other_training_body, requested_by=requester, typed_name="Zoé MARTIN"
    )
    return World(
        region=region,
        basin=basin,
        other_basin=other_basin,
        commune=commune,
        programme=programme,
        training_body=training_body,
        other_training_body=other_training_body,
        prescriber=prescriber,
        funder=funder,
        support=support,
        users=users,
        memberships=memberships,
        beneficiary=beneficiary,
        pathway=pathway,
        stage=stage,
        session=session,
        join_request=join_request,
        today=today,
        slot=slot,
        drift=drift,
        company_period=company_period,
        notification=notification,
    )


@pytest.fixture
def client_for(client):
    """`client_for(user)`: the test client logged in as `user` (or anonymous for None)."""

    def login(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return login
