"""Shared fixtures: a small world with one user per demo role plus an outsider (the healthchecks habit)."""

import datetime
import os
import shutil
from dataclasses import dataclass

import pytest
from django.db import connection
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

# Every role a person can log in as (docs/design.md §1), plus an outsider (a trainer of another training body of the
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


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The server's autovacuum never vacuums the test database's tables. Every test rolls back, so its rows are dead
    when autovacuum passes by, and a vacuum then records the tables as empty (`reltuples` 0 with pages): the
    planner expects one row everywhere and picks nested loops that take minutes on a test's few hundred rows (seen:
    175 s for one rupture rate, late in the suite, 0.1 s alone). Never vacuumed, the planner estimates from the
    tables' pages, as it does from statistics on a real database."""
    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            """
            DO $$
            DECLARE t record;
            BEGIN
                FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema() LOOP
                    EXECUTE format('ALTER TABLE %I SET (autovacuum_enabled = false)', t.tablename);
                END LOOP;
            END $$
            """
        )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """The access log is append-only (accounts/migrations/0007_accesslog_append_only.py). PostgreSQL's flush after
    a transactional test (live server, worker) is a TRUNCATE, which no row trigger sees; SQLite's deletes row by
    row, which the trigger refuses: on SQLite, such a test's log is purged first, the sanctioned way."""
    marker = item.get_closest_marker("django_db")
    set_up = set(getattr(item, "funcargs", ()))  # the fixtures that were set up (none if the setup failed early)
    transactional = {"transactional_db", "live_server"} & set_up or (
        marker is not None and marker.kwargs.get("transaction") and "_django_db_helper" in set_up
    )
    if connection.vendor == "sqlite" and transactional:
        from accounts.access_log import purge

        purge(before=datetime.datetime(9999, 1, 1, tzinfo=datetime.UTC))
    yield


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


# --------------------------------------------------------------------------------------------------------------
# The adversaries: for the authorization matrix and the leak tests (issue 15). Each of them is foreign to the world's
# pathway: they must get 404 on its objects, write nothing with a POST, and never read its person's name or texts.

ADVERSARIES = [
    "other_adviser",  # an adviser of a second prescriber of the region
    "other_funder_officer",  # a regional officer of a second funder of the region (it funds no world action)
    "other_facilitator",  # a facilitator of a second support structure
    "other_region_manager",  # the manager of a training body of a second region
    "deactivated_trainer",  # a trainer of the world's training body whose membership was deactivated
]
ADVERSARY_ROLES = [*ROLES[:-1], *ADVERSARIES, ROLES[-1]]

# Markers written in the names and free texts of people and records; `Secrets` says who may read each.
SECRET_ZOE = "Zoé"  # the world's person (nobody else has this first name)
SECRET_COMMENT = "MARQUEUR-COMMENTAIRE-ZOE"  # the world rupture's comment
SECRET_NOTE = "MARQUEUR-NOTE-ZOE"  # a follow-up note on its alert
SECRET_OTHER_BODY = "Marqueur-Autre-Organisme"  # a person of the other training body and the other prescriber
SECRET_OTHER_REGION = "Marqueur-Autre-Region"  # a person of the second region
SECRET_CHECKLIST = "MARQUEUR-CHECKLIST-REFUS"  # a checklist comment of a person who refused sharing


@dataclass
class Adversaries:
    other_region: object
    other_prescriber: object
    other_funder: object
    other_support: object
    other_region_body: object
    alert: object
    other_body_pathway: object
    other_region_pathway: object
    refused_checklist: object
    # marker → the roles that may read it
    secrets: dict


@pytest.fixture
def adversaries(world):
    """The world, plus an organisation of each kind more, a second region, a deactivated member, a person who
    refused sharing their checklist, and people and texts marked with strings that only some roles may read."""
    from alerts.services import alert_act
    from attendance.services import calendar_generate
    from notifications.models import Notification
    from notifications.services import notify
    from notifications.todos import todo_set
    from pathways.services.memberships import membership_deactivate
    from tests.checklist.factories import submitted
    from tests.ruptures.declaring import declare

    region = world.region
    other_region = RegionFactory(code="84", name="Auvergne-Rhône-Alpes")
    other_region_basin = BasinFactory(region=other_region, code="8401", name="Lyon")
    other_prescriber = OrganisationFactory(name="France Travail Lormont", region=region, prescriber=True)
    other_funder = OrganisationFactory(name="OPCO EP Nouvelle-Aquitaine", region=region, funder=True)
    other_support = OrganisationFactory(name="Écoute Rive Gauche", region=region, support=True)
    other_region_body = OrganisationFactory(name="Organisme lyonnais", region=other_region)
    other_region_funder = OrganisationFactory(name="Région Auvergne-Rhône-Alpes", region=other_region, funder=True)
    extra = {
        "other_adviser": _member(other_prescriber, Role.PRESCRIBER_ADVISER),
        "other_funder_officer": _member(other_funder, Role.REGIONAL_OFFICER),
        "other_facilitator": _member(other_support, Role.FACILITATOR),
        "other_region_manager": _member(other_region_body, Role.ORG_MANAGER, is_legal_representative=True),
        "deactivated_trainer": _member(world.training_body, Role.TRAINER),
    }
    world.memberships.update(extra)
    world.users.update({role: membership.user for role, membership in extra.items()})
    start = world.stage.actual_start

    # A person of the other training body, prescribed by the other prescriber.
    other_body_pathway = PathwayFactory(
        beneficiary=BeneficiaryFactory(region=region, first_name="Nadia", last_name=SECRET_OTHER_BODY),
        referent=world.users["other_adviser"],
        opened_by=other_prescriber,
        prescribing_organisation=other_prescriber,
        prescribing_adviser=world.users["other_adviser"],
    )
    other_action = TrainingActionFactory(
        training_body=world.other_training_body, basin=world.basin, funder=other_funder
    )
    other_session = SessionFactory(training_action=other_action)
    other_stage = StageFactory(
        pathway=other_body_pathway,
        organisation=world.other_training_body,
        status=Stage.Status.IN_PROGRESS,
        actual_start=start,
        planned_start=start,
    )
    EnrolmentFactory(stage=other_stage, session=other_session)
    declare(world, stage=other_stage, by=world.users["outsider"], comment=SECRET_OTHER_BODY)

    # A person of the second region.
    region_manager = world.users["other_region_manager"]
    other_region_pathway = PathwayFactory(
        beneficiary=BeneficiaryFactory(
            region=other_region,
            commune=CommuneFactory(code="69123", name="Lyon", basin=other_region_basin),
            first_name="Jules",
            last_name=SECRET_OTHER_REGION,
        ),
        referent=region_manager,
        opened_by=other_region_body,
    )
    region_action = TrainingActionFactory(
        training_body=other_region_body, basin=other_region_basin, funder=other_region_funder
    )
    region_stage = StageFactory(
        pathway=other_region_pathway,
        organisation=other_region_body,
        status=Stage.Status.IN_PROGRESS,
        actual_start=start,
        planned_start=start,
    )
    EnrolmentFactory(stage=region_stage, session=SessionFactory(training_action=region_action))

    # The world's rupture, with a comment and a follow-up note only the partners who follow Zoé may read.
    rupture = declare(world, comment=SECRET_COMMENT)
    alert_act(alert=rupture.alert, by=world.users["prescriber_adviser"], kind="called", note=SECRET_NOTE)

    # A person of the world's training body and prescriber who refused to share her checklist.
    refused_pathway = PathwayFactory(
        beneficiary=BeneficiaryFactory(region=region, commune=world.commune, first_name="Inès", last_name="Refus"),
        referent=world.users["prescriber_adviser"],
        opened_by=world.prescriber,
        prescribing_organisation=world.prescriber,
        prescribing_adviser=world.users["prescriber_adviser"],
    )
    refused_stage = StageFactory(
        pathway=refused_pathway,
        organisation=world.training_body,
        status=Stage.Status.IN_PROGRESS,
        actual_start=start,
        planned_start=start,
    )
    EnrolmentFactory(stage=refused_stage, session=world.session)
    refused_checklist, _revision = submitted(
        refused_stage,
        world.users["trainer"],
        consent=False,
        answers={"housing": "risk"},
        comments={"housing": SECRET_CHECKLIST},
    )
    calendar_generate(session=world.session)

    # The deactivated trainer was told about Zoé before leaving, and had something to do for her.
    deactivated = world.users["deactivated_trainer"]
    notify(
        recipients=[deactivated],
        kind="stage_transition",
        cause_key="adversaries:told",
        url=world.pathway.get_absolute_url(),
        params={"person": "Zoé MARTIN", "stage_kind": "qualifying_training", "action": "start", "date": "2026-11-02"},
        stage=world.stage,
    )
    Notification.objects.filter(cause_key="adversaries:told").update(
        status=Notification.Status.DELIVERED, delivered_at=timezone.now()
    )
    todo_set(
        source_key="adversaries:todo",
        owner=deactivated,
        title="Rappeler Zoé MARTIN",
        due_on=world.today,
        by=world.users["org_manager"],
        stage=world.stage,
    )
    membership_deactivate(
        membership=world.memberships["deactivated_trainer"], by=world.users["org_manager"], referents={}, advisers={}
    )
    world.memberships["deactivated_trainer"].refresh_from_db()

    followers = {"trainer", "pedagogical_manager", "org_manager", "legal_representative", "prescriber_adviser"}
    return Adversaries(
        other_region=other_region,
        other_prescriber=other_prescriber,
        other_funder=other_funder,
        other_support=other_support,
        other_region_body=other_region_body,
        alert=rupture.alert,
        other_body_pathway=other_body_pathway,
        other_region_pathway=other_region_pathway,
        refused_checklist=refused_checklist,
        secrets={
            # the regional officer funds Zoé's stage; the outsider's colleague typed her name in a join request; the
            # training body's DPO reads who accessed her record (the access log names her)
            SECRET_ZOE: followers | {"regional_officer", "outsider", "dpo"},
            SECRET_COMMENT: followers,
            SECRET_NOTE: followers,
            SECRET_OTHER_BODY: {"outsider", "other_adviser"},
            SECRET_OTHER_REGION: {"other_region_manager"},
            SECRET_CHECKLIST: {"trainer", "pedagogical_manager", "org_manager"},
        },
    )


@pytest.fixture
def published_tasks():
    """The Celery tasks really published to the broker during the test, as (task name, routing key)."""
    from celery import signals

    seen = []

    def record(sender=None, routing_key=None, **kwargs):
        seen.append((sender, routing_key))

    signals.before_task_publish.connect(record, weak=False)
    yield seen
    signals.before_task_publish.disconnect(record)
