"""`commissions.demo`: each basin with activity gets a commission with a past meeting (attendance, decisions) and a
next meeting with its proposed agenda; a second run changes nothing."""

import datetime

from django.utils import timezone

from commissions.demo import build_demo_reports, seed_commissions
from commissions.models import AgendaItem, Commission, CommissionReport, Meeting
from core.pdf import weasyprint_available
from notifications.models import Todo
from pathways.models import Membership, Organisation, Stage
from tests.accounts.factories import UserFactory
from tests.pathways.factories import CommuneFactory, EnrolmentFactory, OrganisationFactory, StageFactory
from tests.ruptures.declaring import declare


def test_each_active_basin_gets_a_commission_with_a_past_and_a_next_meeting(world):
    declare(world)  # on the next agenda
    start = world.today - datetime.timedelta(days=90)
    suspended = StageFactory(  # its planned resume had passed at the past meeting
        pathway=world.pathway,
        organisation=world.training_body,
        status=Stage.Status.SUSPENDED,
        planned_start=start,
        actual_start=start,
        suspended_since=world.today - datetime.timedelta(days=60),
        planned_resume=world.today - datetime.timedelta(days=30),
    )
    EnrolmentFactory(stage=suspended, session=world.session)
    counts = seed_commissions(region=world.region, today=world.today)
    assert counts == {"commissions": 1, "meetings": 2, "decisions": 1}
    commission = Commission.objects.get()
    assert commission.basin == world.basin
    past, upcoming = commission.meetings.order_by("starts_at")
    assert past.status == Meeting.Status.HELD
    assert past.attendances.filter(present=True).exists()
    decision = past.decisions.get()
    assert decision.item.stage == suspended
    done = Todo.objects.get(source_key=decision.source_key).done_at
    assert done is not None  # the first decision is done, on time (the scorecard's "Décisions faites à temps")
    assert timezone.localtime(done).date() <= decision.due_on < world.today
    assert upcoming.status == Meeting.Status.PLANNED and upcoming.starts_at.date() > world.today
    assert upcoming.items.filter(kind=AgendaItem.Kind.RUPTURE, stage=world.stage).exists()
    assert seed_commissions(region=world.region, today=world.today) == {"skipped": True}


def test_the_past_meeting_gets_its_report_built_once(world, monkeypatch):
    from commissions import report as report_module

    if not weasyprint_available()[0]:
        monkeypatch.setattr(report_module, "render_pdf", lambda template, context: b"%PDF-1.4 built")
    declare(world)
    seed_commissions(region=world.region, today=world.today)
    past = Meeting.objects.get(status=Meeting.Status.HELD)
    assert build_demo_reports(region=world.region) == 1
    report = CommissionReport.objects.get()
    assert report.meeting == past and report.version == CommissionReport.Version.WIDE
    assert report.status == CommissionReport.Status.READY and report.file
    assert build_demo_reports(region=world.region) == 0


def test_every_basin_gets_a_commission_with_minutes_and_a_next_agenda_even_without_people(world):
    """The issue: "each demo basin has a commission with a past meeting (minutes, report) and a next meeting with a
    proposed agenda" — Libourne has nobody yet; the organisations based there sit on its commission."""
    Role = Membership.Role
    declare(world)
    CommuneFactory(code="33243", name="Libourne", basin=world.other_basin)
    mission = OrganisationFactory(name="Mission Locale du Libournais", region=world.region, prescriber=True)
    departement = OrganisationFactory(name="Département de la Gironde", region=world.region, funder=True)
    Organisation.objects.filter(pk__in=[mission.pk, departement.pk]).update(address="Libourne")
    adviser = Membership.objects.create(user=UserFactory(), organisation=mission, role=Role.PRESCRIBER_ADVISER).user
    director = Membership.objects.create(user=UserFactory(), organisation=departement, role=Role.ORG_MANAGER).user
    Membership.objects.create(
        user=UserFactory(), organisation=departement, role=Role.BASIN_COORDINATOR, basin=world.other_basin
    )

    counts = seed_commissions(region=world.region, today=world.today, featured=("INSUP Cenon",))
    assert counts["commissions"] == 2 and counts["meetings"] == 4

    libourne = Commission.objects.get(basin=world.other_basin)
    assert set(libourne.organisations.all()) == {mission, departement}
    past, upcoming = libourne.meetings.order_by("starts_at")
    assert past.status == Meeting.Status.HELD and past.attendances.filter(present=True).exists()
    assert past.starts_at.weekday() < 5 and upcoming.starts_at.weekday() < 5  # working days
    decision = past.decisions.get()  # no case was proposed: a decision on the coordinator's point
    assert decision.item.kind == AgendaItem.Kind.OTHER and decision.owner == adviser  # not the funder's delegate
    assert upcoming.items.filter(kind=AgendaItem.Kind.DECISION, decision=decision).exists()
    assert decision.due_on > world.today  # open, not late: it does not lower « Décisions faites à temps »
    assert director in {d.user for d in libourne.delegates.all()}

    # Bordeaux: every person-facing member of the featured training body sits on it, so their logins see it
    bordeaux = Commission.objects.get(basin=world.basin)
    delegates = set(bordeaux.delegates.values_list("user", flat=True))
    users = world.users
    assert {users["trainer"].pk, users["pedagogical_manager"].pk, users["org_manager"].pk} <= delegates
    assert users["dpo"].pk not in delegates
    assert bordeaux.meetings.filter(status=Meeting.Status.HELD).get().items.filter(kind=AgendaItem.Kind.OTHER).exists()


def test_the_next_agenda_shows_a_checklist_risk_left_overdue_hidden_from_funders(world):
    from django.utils import timezone

    from alerts.models import Alert
    from commissions.selectors import meeting_agenda
    from tests.checklist.factories import submitted

    trainer = world.users["trainer"]
    action = {"action": "Trouver une solution de garde", "owner": trainer, "due": world.today + datetime.timedelta(7)}
    submitted(world.stage, trainer, answers={"housing": "risk"}, actions={"housing": action})
    other = StageFactory(pathway=world.pathway, organisation=world.training_body, status=Stage.Status.PLANNED)
    EnrolmentFactory(stage=other, session=world.session)
    submitted(other, trainer, answers={"housing": "risk"}, actions={"housing": action})
    Alert.objects.filter(stage=other).update(status=Alert.Status.ACKNOWLEDGED, acknowledged_at=timezone.now())
    funder_delegate = Membership.objects.create(
        user=UserFactory(), organisation=world.funder, role=Membership.Role.ORG_MANAGER
    ).user
    seed_commissions(region=world.region, today=world.today, featured=("INSUP Cenon",))
    upcoming = Meeting.objects.get(status=Meeting.Status.PLANNED, commission__basin=world.basin)
    item = upcoming.items.get(kind=AgendaItem.Kind.CHECKLIST)  # the one whose alert is not on the agenda already
    assert item.stage == other and item.on < world.today
    kinds = {row.item.kind for row in meeting_agenda(upcoming, trainer)["items"]}
    assert AgendaItem.Kind.CHECKLIST in kinds
    kinds = {row.item.kind for row in meeting_agenda(upcoming, funder_delegate)["items"]}
    assert AgendaItem.Kind.CHECKLIST not in kinds
